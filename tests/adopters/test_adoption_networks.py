"""An adoption reaching piloting brings its contact into the innovation's core ring: when it
is verified or recorded by someone who runs the network; otherwise its own contact asks."""

import pytest

from adopters import services
from networks.models import Membership, RingRequest
from networks.services import decide, enrol, ensure_innovation_network, offer_to_mentor
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


def test_a_contact_recording_their_own_unverified_adoption_only_asks_to_join_the_core(
    innovation, mailoutbox, django_capture_on_commit_callbacks
):
    """The finding: anyone signed in who recorded an unverified piloting adoption of any
    innovation went straight into its core ring (and could then offer to mentor)."""
    network = ensure_innovation_network(innovation)
    owner = UserFactory(email="owner@example.org")
    innovation.owners.add(owner)
    adoption = exploring(innovation)
    jo = UserFactory(email="JO@example.org")  # the contact, recording their own adoption
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(adoption, "adopted", by=jo)

    member = Membership.objects.get(network=network)
    assert (member.email, member.name, member.ring) == ("jo@example.org", "Jo Lee", "interest")
    assert member.joined_through == "adoption"
    [request] = RingRequest.objects.all()
    assert (request.membership, request.ring, request.kind, request.status) == (
        member,
        "core",
        "request",
        "pending",
    )
    assert "not verified" in request.message
    with pytest.raises(ValueError, match="core and learning rings"):
        offer_to_mentor(member)
    [notice] = [m for m in mailoutbox if owner.email in m.to]
    assert "asks to join the core ring of" in notice.subject
    assert "http://127.0.0.1:8000/networks/" in notice.body  # SITE_URL: no request to ask


def test_a_facilitator_accepting_the_request_brings_the_adopter_in(innovation):
    network = ensure_innovation_network(innovation)
    jo = UserFactory(email="jo@example.org")
    services.change_status(exploring(innovation), "piloting", by=jo)
    [request] = RingRequest.objects.all()

    decide(request, accept=True, by=UserFactory(is_staff=True))

    member = Membership.objects.get(network=network)
    assert member.ring == "core"
    assert "Asked to join the core ring; a facilitator agreed." in member.moves.last().reason


def test_a_curator_verifying_the_adoption_brings_the_adopter_in_and_settles_the_request(
    innovation,
):
    network = ensure_innovation_network(innovation)
    jo = UserFactory(email="jo@example.org")
    adoption = services.change_status(exploring(innovation), "piloting", by=jo)
    curator = UserFactory(is_staff=True)

    services.verify_adoption(adoption, by=curator)

    member = Membership.objects.get(network=network)
    assert member.ring == "core"
    move = member.moves.order_by("moved_at", "pk").last()
    assert (move.to_ring, move.moved_by) == ("core", curator)
    assert "verified" in move.reason
    request = RingRequest.objects.get()
    assert (request.status, request.decided_by) == ("accepted", curator)


def test_verifying_an_adoption_still_exploring_moves_nobody(innovation):
    ensure_innovation_network(innovation)
    services.verify_adoption(exploring(innovation), by=UserFactory(is_staff=True))
    assert not Membership.objects.exists()


def test_a_verified_adoption_reaching_piloting_brings_its_contact_in_directly(innovation):
    network = ensure_innovation_network(innovation)
    adoption = exploring(innovation)
    services.verify_adoption(adoption, by=UserFactory(is_staff=True))
    adoption.refresh_from_db()
    jo = UserFactory(email="jo@example.org")

    services.change_status(adoption, "piloting", by=jo)

    member = Membership.objects.get(network=network)
    assert member.ring == "core"
    assert [(m.from_ring, m.to_ring) for m in member.moves.all()] == [("", "core")]
    assert not RingRequest.objects.exists()


def test_the_owner_recording_it_brings_the_contact_in(innovation):
    network = ensure_innovation_network(innovation)
    owner = UserFactory()
    innovation.owners.add(owner)
    services.change_status(exploring(innovation), "piloting", by=owner)
    assert Membership.objects.get(network=network).ring == "core"


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
