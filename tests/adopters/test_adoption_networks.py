"""An adoption reaching piloting brings its contact into the innovation's core ring."""

import pytest

from adopters import services
from networks.models import Membership
from networks.services import enrol, ensure_innovation_network
from tests.factories import AdoptionFactory, InnovationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def innovation():
    return InnovationFactory(title="Homeshare")


def exploring(innovation, **values):
    values = {"contact_name": "Jo Lee", "contact_email": "jo@example.org", **values}
    adoption = AdoptionFactory(innovation=innovation, status="exploring", **values)
    services.note_status(adoption)
    return adoption


def test_exploring_brings_nobody_into_the_network(innovation):
    ensure_innovation_network(innovation)
    exploring(innovation)
    assert not Membership.objects.exists()


def test_reaching_piloting_moves_an_interest_member_into_the_core_with_the_reason(innovation):
    network = ensure_innovation_network(innovation)
    member = enrol(network, email="JO@example.org", reason="Registered interest.")
    adoption = exploring(innovation)
    curator = UserFactory(is_staff=True)

    services.change_status(adoption, "piloting", by=curator)

    member.refresh_from_db()
    assert member.ring == "core"
    move = member.moves.order_by("moved_at", "pk").last()
    assert (move.from_ring, move.to_ring) == ("interest", "core")
    assert move.moved_by == curator
    assert "piloting" in move.reason


def test_a_contact_new_to_the_network_joins_the_core_directly(innovation):
    network = ensure_innovation_network(innovation)
    adoption = exploring(innovation)
    jo = UserFactory(email="JO@example.org")  # the contact, recording their own adoption
    services.change_status(adoption, "adopted", by=jo)

    member = Membership.objects.get(network=network)
    assert (member.email, member.name, member.ring) == ("jo@example.org", "Jo Lee", "core")
    assert member.joined_through == "adoption"
    assert [(m.from_ring, m.to_ring) for m in member.moves.all()] == [("", "core")]


def test_going_further_or_stopping_does_not_move_a_core_member_again(innovation):
    ensure_innovation_network(innovation)
    adoption = exploring(innovation)
    owner = UserFactory()
    innovation.owners.add(owner)
    for status in ("piloting", "scaled", "stopped"):
        services.change_status(adoption, status, by=owner)
    member = Membership.objects.get()
    assert member.ring == "core"
    assert member.moves.count() == 1


def test_an_adoption_without_a_contact_or_of_an_unpublished_innovation_moves_nobody():
    published = InnovationFactory()
    ensure_innovation_network(published)
    services.change_status(exploring(published, contact_email=""), "piloting")

    draft = InnovationFactory(draft=True)
    ensure_innovation_network(draft)
    services.change_status(exploring(draft), "piloting")

    assert not Membership.objects.exists()


def test_someone_else_recording_an_adoption_cannot_enrol_the_contact(innovation):
    ensure_innovation_network(innovation)
    stranger = UserFactory()
    services.change_status(exploring(innovation), "piloting", by=stranger)
    services.change_status(exploring(innovation, area="Elsewhere"), "piloting")  # nobody
    assert not Membership.objects.exists()
