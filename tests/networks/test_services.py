"""The networks' rules, called as the pages call them: a member chooses whether they are
listed, and the services that leave someone something to do tell them by email."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from kernel.models import OutgoingEmail
from networks import services
from networks.services import ensure_innovation_network
from tests.factories import InnovationFactory, MembershipFactory, UserFactory, absolute

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="owner", email="owner@example.org")


@pytest.fixture
def network(owner):
    innovation = InnovationFactory(title="Homeshare", slug="homeshare")
    innovation.owners.add(owner)
    return ensure_innovation_network(innovation)


@pytest.fixture
def person():
    return UserFactory(username="ana", email="ana@example.org", first_name="Ana")


def member(network, user=None, **values):
    if user is not None:
        values.update(email=user.email, user=user)
    return MembershipFactory(network=network, **values)


def sent() -> list[tuple[str, str]]:
    return sorted(OutgoingEmail.objects.values_list("to", "subject"))


# -- Listing ----------------------------------------------------------------------------------


def test_a_member_chooses_to_be_listed_and_to_stop(network, person):
    membership = member(network, person)
    services.list_member(membership, listed=True, by=person)
    membership.refresh_from_db()
    assert membership.listed_publicly
    services.list_member(membership, listed=False, by=person)
    membership.refresh_from_db()
    assert not membership.listed_publicly


def test_nobody_lists_someone_else(network, person, owner, curator):
    membership = member(network, person)
    for somebody in (owner, curator, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.list_member(membership, listed=True, by=somebody)
    membership.refresh_from_db()
    assert not membership.listed_publicly


def test_someone_who_left_is_not_listed(network, person):
    membership = services.leave(member(network, person))
    with pytest.raises(ValueError, match="current members"):
        services.list_member(membership, listed=True, by=person)


# -- Notices ----------------------------------------------------------------------------------


def test_asking_into_the_learning_ring_tells_whoever_runs_the_network(network, person, owner):
    services.ask_to_join_learning(member(network, person, name="Ana"), absolute=absolute)
    assert sent() == [(owner.email, "Ana asks to join the learning ring of Homeshare")]


def test_an_invitation_tells_the_member(network, person, owner):
    membership = member(network, person, ring="learning")
    services.invite_to_core(membership, by=owner, absolute=absolute, message="Join us")
    assert sent() == [(person.email, "You are invited into the core of Homeshare")]
    assert "Join us" in OutgoingEmail.objects.get().body


def test_asking_for_a_mentor_and_pairing_tell_who_must_act(network, person, owner):
    mentee = member(network, person, name="Ana", ring="learning")
    mentoring = services.ask_for_mentor(mentee, absolute=absolute, message="Hosts?")
    assert sent() == [(owner.email, "Ana asks for a mentor in Homeshare")]
    OutgoingEmail.objects.all().delete()

    mentor = services.offer_to_mentor(member(network, name="Bo", ring="core"))
    services.pair(mentoring, mentor, by=owner, absolute=absolute)

    assert sent() == sorted(
        [
            (mentor.email, "Your mentoring pair in Homeshare"),
            (person.email, "Your mentoring pair in Homeshare"),
        ]
    )
    assert all(
        "http://testserver/networks/homeshare/" in e.body for e in OutgoingEmail.objects.all()
    )


def test_a_refused_request_tells_nobody(network, person):
    membership = member(network, person, ring="core")
    with pytest.raises(ValueError, match="interest ring"):
        services.ask_to_join_learning(membership, absolute=absolute)
    with pytest.raises(PermissionDenied):
        services.invite_to_core(membership, by=person, absolute=absolute)
    assert sent() == []
