"""Mentoring: experienced members offer, newcomers in the learning ring ask, facilitators pair."""

import pytest
from django.db import IntegrityError, transaction

from networks import services
from networks.models import Mentoring
from networks.services import enrol, ensure_innovation_network, move
from tests.factories import InnovationFactory, UserFactory, absolute

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return ensure_innovation_network(InnovationFactory(title="Homeshare", slug="homeshare"))


def member(network, email, ring, user=None):
    membership = enrol(network, email=email, name=email.split("@")[0].title(), reason="Joined.")
    if ring != "interest":
        membership = move(membership, ring, reason="Moved.")
    if user is not None:
        membership.user = user
        membership.save()
    return membership


def test_the_whole_scheme_through_the_pages(
    client, network, innovator, mailoutbox, django_capture_on_commit_callbacks
):
    network.innovation.owners.add(innovator)
    veteran_user, newcomer_user = UserFactory(), UserFactory()
    veteran = member(network, veteran_user.email, "core", veteran_user)
    newcomer = member(network, newcomer_user.email, "learning", newcomer_user)

    client.force_login(veteran_user)
    client.post("/networks/homeshare/mentor/", {"offering": "yes"})
    veteran.refresh_from_db()
    assert veteran.role == "mentor"

    client.force_login(newcomer_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/networks/homeshare/mentee/", {"message": "How did you find hosts?"})
    mentoring = Mentoring.objects.get()
    # The innovation's owner (who runs its network) hears of it.
    (asked,) = mailoutbox
    assert asked.to == [innovator.email]
    assert "asks for a mentor" in asked.body
    assert "How did you find hosts?" in asked.body
    mailoutbox.clear()
    assert (mentoring.mentee, mentoring.mentor) == (newcomer, None)
    assert "asked for a mentor" in client.get("/networks/homeshare/").content.decode()

    # Only facilitators pair.
    assert (
        client.post(f"/networks/homeshare/pair/{mentoring.pk}/", {"mentor": veteran.pk}).status_code
        == 403
    )
    client.force_login(innovator)
    page = client.get("/networks/homeshare/facilitate/").content.decode()
    assert "How did you find hosts?" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/networks/homeshare/pair/{mentoring.pk}/", {"mentor": veteran.pk})
    # Both are told, by name; neither's address is given to the other.
    told = {sent.to[0]: sent.body for sent in mailoutbox}
    assert set(told) == {veteran.email, newcomer.email}
    assert "paired you, as a mentor, with" in told[veteran.email]
    assert "paired you with a mentor" in told[newcomer.email]
    assert newcomer.email not in told[veteran.email]
    assert veteran.email not in told[newcomer.email]
    mentoring.refresh_from_db()
    assert (mentoring.mentor, mentoring.paired_by) == (veteran, innovator)
    assert mentoring.paired_at is not None


def test_only_the_learning_ring_asks_and_only_once(network):
    interested = member(network, "i@example.org", "interest")
    with pytest.raises(ValueError, match="learning ring"):
        services.ask_for_mentor(interested, absolute=absolute)
    learner = member(network, "l@example.org", "learning")
    services.ask_for_mentor(learner, absolute=absolute)
    with pytest.raises(ValueError, match="already"):
        services.ask_for_mentor(learner, absolute=absolute)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mentoring.objects.create(mentee=learner)


def test_mentors_come_from_the_inner_rings_and_must_have_offered(network, curator):
    interested = member(network, "i@example.org", "interest")
    with pytest.raises(ValueError, match="core and learning"):
        services.offer_to_mentor(interested)
    learner = member(network, "l@example.org", "learning")
    mentoring = services.ask_for_mentor(learner, absolute=absolute)
    core = member(network, "c@example.org", "core")
    with pytest.raises(ValueError, match="offered to mentor"):
        services.pair(mentoring, core, by=curator, absolute=absolute)
    services.offer_to_mentor(core)
    other = ensure_innovation_network(InnovationFactory(title="GoodGym"))
    elsewhere = member(other, "e@example.org", "core")
    services.offer_to_mentor(elsewhere)
    with pytest.raises(ValueError, match="this network"):
        services.pair(mentoring, elsewhere, by=curator, absolute=absolute)
    assert services.pair(mentoring, core, by=curator, absolute=absolute).mentor == core


def test_nobody_mentors_themselves(network):
    learner = member(network, "l@example.org", "learning")
    with pytest.raises(IntegrityError), transaction.atomic():
        Mentoring.objects.create(mentee=learner, mentor=learner, paired_at="2026-01-01T00:00Z")
