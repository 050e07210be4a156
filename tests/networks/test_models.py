"""Networks: one membership per person per network, and a reasoned history of every move."""

import datetime

import pytest
from django.utils import timezone

from catalogue import services
from networks.models import Network, RingMove
from networks.services import ensure_innovation_network, join, leave
from tests.factories import (
    InnovationFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
    refused,
)

pytestmark = pytest.mark.django_db


def test_one_membership_per_person_per_network_ignoring_case():
    member = MembershipFactory(email="Ana@Example.org")
    assert refused(MembershipFactory, network=member.network, email="ana@example.org")
    assert not refused(MembershipFactory, email="ana@example.org")  # another network


def test_one_membership_per_account_per_network():
    member = MembershipFactory(email="one@example.org", user=UserFactory())
    assert refused(
        MembershipFactory, network=member.network, email="two@example.org", user=member.user
    )
    assert not refused(MembershipFactory, email="two@example.org", user=member.user)


def test_an_account_that_changed_its_address_joins_as_the_same_member():
    network = NetworkFactory()
    user = UserFactory(email="one@example.org")
    first = join(network, user)
    leave(first)
    user.email = "two@example.org"
    user.save()
    again = join(network, user)
    assert again.pk == first.pk
    assert network.memberships.count() == 1
    assert again.is_current


def test_ring_and_role_must_be_known():
    assert refused(MembershipFactory, ring="outer")
    assert refused(MembershipFactory, role="boss")


def test_member_cannot_leave_before_joining():
    assert refused(
        MembershipFactory,
        joined_on=datetime.date(2021, 5, 1),
        left_on=datetime.date(2021, 4, 1),
    )


def ring_move(**values):
    values.setdefault("membership", MembershipFactory())
    values.setdefault("moved_at", timezone.now())
    return RingMove.objects.create(**values)


def test_a_move_needs_a_reason():
    assert refused(ring_move, from_ring="interest", to_ring="learning", reason="")
    assert refused(ring_move, from_ring="interest", to_ring="learning", reason="  \n ")


def test_a_move_must_change_ring():
    assert refused(ring_move, from_ring="learning", to_ring="learning", reason="Because")


def test_joining_is_a_move_from_no_ring():
    assert not refused(ring_move, from_ring="", to_ring="interest", reason="Registered interest")


def test_ring_sizes_count_current_members_only():
    network = NetworkFactory()
    MembershipFactory(network=network, ring="core")
    MembershipFactory(network=network, ring="interest")
    MembershipFactory(network=network, ring="interest")
    MembershipFactory(network=network, ring="interest", left_on=datetime.date(2022, 1, 1))
    sized = Network.objects.with_ring_sizes().get(pk=network.pk)
    assert (sized.core_size, sized.learning_size, sized.interest_size) == (1, 0, 2)


def test_publishing_creates_the_innovations_network_once():
    innovation = InnovationFactory(draft=True, title="GoodGym")
    services.publish(innovation)
    services.archive(innovation)
    services.publish(innovation)
    assert Network.objects.filter(innovation=innovation).count() == 1
    assert innovation.network.name == "GoodGym"


def test_network_slug_never_clashes_with_a_thematic_network():
    NetworkFactory(slug="goodgym", name="A thematic network")
    innovation = InnovationFactory(slug="goodgym")
    assert ensure_innovation_network(innovation).slug == "goodgym-2"
