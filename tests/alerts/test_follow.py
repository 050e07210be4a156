"""Following an innovation (alerts.Watch): double opt-in from its page, then its news (new
adoptions, reach figures and resources, changes of stage or evidence level) in the same
digest as the person's alerts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts import services
from alerts.models import Alert, Watch
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    OrganisationFactory,
    ReachFigureFactory,
    ResourceFactory,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def innovation():
    made = InnovationFactory(
        title="Shared Lives", stage="delivering-implementing", evidence_level=2
    )
    type(made).objects.filter(pk=made.pk).update(published_at=timezone.now() - timedelta(days=90))
    return made


def follow(client, capture, innovation, email="sam@example.org") -> Watch:
    with capture(execute=True):
        response = client.post(
            f"/alerts/follow/{innovation.slug}/", {"email": email, "frequency": "daily"}
        )
    assert response.status_code == 302
    confirm = next(link for link in LINK.findall(mail.outbox[-1].body) if "/confirm/" in link)
    client.post(path_of(confirm))
    mail.outbox.clear()
    watch = Watch.objects.get(innovation=innovation, address=email)
    assert watch.confirmed
    Watch.objects.filter(pk=watch.pk).update(covered_until=timezone.now() - timedelta(days=2))
    return watch


def send(capture) -> services.DigestReport:
    with capture(execute=True):
        return services.send_digests(timezone.now() + timedelta(minutes=10))


def test_the_innovation_page_offers_to_follow_it(client, innovation):
    page = client.get(innovation.get_absolute_url()).content.decode()

    assert f'href="/alerts/follow/{innovation.slug}/"' in page


def test_nothing_is_sent_before_the_address_is_confirmed(
    client, innovation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/alerts/follow/{innovation.slug}/", {"email": "sam@example.org", "frequency": "daily"}
        )
    mail.outbox.clear()
    ReachFigureFactory(innovation=innovation)

    assert send(django_capture_on_commit_callbacks).sent == 0
    assert mail.outbox == []


def test_a_follower_hears_of_adoptions_figures_resources_stage_and_evidence(
    client, innovation, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks, innovation)
    AdoptionFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="York Council"),
        area="Acomb",
        status="piloting",
    )
    ReachFigureFactory(innovation=innovation, measure="people supported", value=1200)
    ResourceFactory(title="Evaluation report").innovations.add(innovation)
    innovation.stage = "growing-scaling-spreading"
    innovation.evidence_level = 3
    innovation.save()
    innovation.title = "Shared Lives Plus"  # not news for followers
    innovation.save()

    assert send(django_capture_on_commit_callbacks).sent == 1

    (message,) = mail.outbox
    body = message.body
    assert "News of Shared Lives Plus" in body
    assert "New adoption: York Council, Acomb (piloting)." in body
    assert "New reach figure: 1,200 people supported" in body
    assert "New resource: Evaluation report." in body
    assert "Stage changed to growing, scaling and spreading." in body
    assert "Evidence level changed to 3." in body
    assert body.count("changed") == 2
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_nothing_new_about_it_sends_nothing(client, innovation, django_capture_on_commit_callbacks):
    follow(client, django_capture_on_commit_callbacks, innovation)
    ReachFigureFactory(innovation=InnovationFactory(title="Another"))

    assert send(django_capture_on_commit_callbacks).sent == 0
    assert mail.outbox == []


def test_alerts_and_follows_of_one_mailbox_share_one_digest(
    client, innovation, django_capture_on_commit_callbacks
):
    follow(client, django_capture_on_commit_callbacks, innovation)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/alerts/",
            {"email": "Sam@example.org", "query": "", "frequency": "daily"},
            content_type="application/json",
        )
    confirm = next(link for link in LINK.findall(mail.outbox[-1].body) if "/confirm/" in link)
    client.post(path_of(confirm))
    Alert.objects.update(covered_until=timezone.now() - timedelta(days=2))
    mail.outbox.clear()
    ReachFigureFactory(innovation=innovation, measure="groups", value=4)
    InnovationFactory(title="Brand new idea")

    send(django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert "News of Shared Lives" in message.body
    assert "Brand new idea" in message.body
    assert message.subject == "News from Innovation Catalogue"


def test_a_draft_cannot_be_followed(client):
    draft = InnovationFactory(draft=True)

    assert client.get(f"/alerts/follow/{draft.slug}/").status_code == 404
    assert (
        client.post(
            f"/alerts/follow/{draft.slug}/", {"email": "sam@example.org", "frequency": "daily"}
        ).status_code
        == 404
    )
    assert not Watch.objects.exists()


def test_the_list_of_alerts_stops_a_follow(client, innovation, django_capture_on_commit_callbacks):
    watch = follow(client, django_capture_on_commit_callbacks, innovation)
    manage = f"/alerts/manage/{services.manage_token(watch.address)}/"

    assert "Shared Lives" in client.get(manage).content.decode()
    client.post(manage, {"stop": f"watch-{watch.pk}"})

    assert not Watch.objects.exists()


def test_a_signed_in_person_finds_their_address_filled_in_and_still_confirms_it(
    client, innovation, innovator, django_capture_on_commit_callbacks
):
    innovator.email = "olu@example.org"
    innovator.save()
    client.force_login(innovator)

    page = client.get(f"/alerts/follow/{innovation.slug}/").content.decode()
    assert 'value="olu@example.org"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/alerts/follow/{innovation.slug}/", {"email": "olu@example.org", "frequency": "daily"}
        )

    assert not Watch.objects.get().confirmed
    assert "/alerts/confirm/" in mail.outbox[0].body
