"""Following up adoptions on their way: when each follow-up is due, sending them once, and the
emailed link's form, which updates the adoption it was sent for and nothing else."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from adopters import follow_ups, services
from adopters.follow_ups import FollowUpAnswer, send_follow_ups
from adopters.models import Adoption, AdoptionStatusChange
from kernel.dates import months_after
from kernel.models import OutgoingEmail
from networks.models import Membership
from networks.services import ensure_innovation_network
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    OrganisationFactory,
    RegistrationOfInterestFactory,
    UserFactory,
)
from tests.html import elements, page, text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def adopter():
    return UserFactory(username="pat", email="pat@example.org")


@pytest.fixture
def innovation():
    return InnovationFactory(title="Homeshare", slug="homeshare")


def record(innovation, by, status="exploring", **fields) -> Adoption:
    """An adoption recorded through the service, as the site records one (today)."""
    return services.record_adoption(
        Adoption(
            innovation=innovation,
            organisation=OrganisationFactory(name=f"Council {Adoption.objects.count()}"),
            status=status,
            **fields,
        ),
        by=by,
    )


@pytest.fixture
def piloting(innovation, adopter):
    """A piloting adoption due its first follow-up today."""
    adoption = record(
        innovation,
        adopter,
        status="piloting",
        area="Northtown",
        people_reached=40,
        outcomes="Fewer people living alone",
        contact_email="contact@example.org",
    )
    Adoption.objects.filter(pk=adoption.pk).update(next_follow_up_on=TODAY)
    return adoption


def sent_link(adoption) -> str:
    """The path of the link in the latest follow-up email for this adoption."""
    email = OutgoingEmail.objects.filter(subject__contains=adoption.organisation.name).latest("pk")
    return re.search(r"https?://[^/\s]+(/adoptions/follow-up/\S+/)", email.body)[1]


@pytest.fixture
def link(piloting):
    assert send_follow_ups(NOW) == 1
    return sent_link(piloting)


def answers(**changes) -> dict:
    return {
        "status": "adopted",
        "people_reached": "120",
        "outcomes": "Forty matches in the first year",
        "lessons": "Start with one ward",
        "reason": "",
        **changes,
    }


# -- When a follow-up is due ----------------------------------------------------------------


def test_a_new_adoption_on_its_way_is_due_three_months_after_it_was_recorded(innovation, adopter):
    adoption = record(innovation, adopter, status="exploring")

    assert adoption.next_follow_up_on == months_after(timezone.localdate(), 3)
    assert Adoption.objects.get(pk=adoption.pk).next_follow_up_on == adoption.next_follow_up_on


@pytest.mark.parametrize("status", ["adopted", "scaled", "paused", "stopped"])
def test_adoptions_that_got_there_or_stopped_are_never_due(innovation, adopter, status):
    adoption = record(innovation, adopter, status=status)

    assert adoption.next_follow_up_on is None
    # Even with a date left over, nothing goes.
    Adoption.objects.filter(pk=adoption.pk).update(next_follow_up_on=TODAY)
    assert send_follow_ups(NOW) == 0
    assert not OutgoingEmail.objects.exists()


def test_reaching_adopted_ends_the_follow_ups(piloting, adopter):
    services.change_status(piloting, "adopted", by=adopter)

    assert Adoption.objects.get(pk=piloting.pk).next_follow_up_on is None


def test_news_of_an_adoption_moves_its_first_follow_up(innovation, adopter):
    adoption = record(innovation, adopter, status="exploring")
    later = timezone.localdate() + timedelta(days=20)

    services.change_status(adoption, "planning", by=adopter, on=later)

    assert Adoption.objects.get(pk=adoption.pk).next_follow_up_on == months_after(later, 3)


def test_adoptions_of_unpublished_innovations_are_not_followed_up(adopter):
    draft = InnovationFactory(draft=True, title="Not yet")
    adoption = record(draft, adopter, status="piloting")
    Adoption.objects.filter(pk=adoption.pk).update(next_follow_up_on=TODAY)

    assert send_follow_ups(NOW) == 0
    assert not OutgoingEmail.objects.exists()


def test_an_adoption_not_due_yet_is_not_sent(piloting):
    Adoption.objects.filter(pk=piloting.pk).update(next_follow_up_on=TODAY + timedelta(days=1))

    assert send_follow_ups(NOW) == 0


def test_once_sent_the_next_follow_up_is_due_six_months_later(piloting):
    send_follow_ups(NOW)

    piloting.refresh_from_db()
    assert piloting.follow_up_sent_at == NOW
    assert piloting.next_follow_up_on == months_after(TODAY, 6)


def test_sending_twice_the_same_day_sends_nothing_twice(piloting):
    assert send_follow_ups(NOW) == 1
    assert send_follow_ups(NOW + timedelta(hours=3)) == 0
    assert OutgoingEmail.objects.count() == 1


def test_an_overdue_follow_up_goes_on_the_next_run(piloting):
    Adoption.objects.filter(pk=piloting.pk).update(next_follow_up_on=TODAY - timedelta(days=40))

    assert send_follow_ups(NOW) == 1


def test_the_command_sends_what_is_due(piloting, capsys):
    Adoption.objects.filter(pk=piloting.pk).update(next_follow_up_on=timezone.localdate())

    call_command("send_follow_ups")

    assert "Sent 1 follow-up email(s)." in capsys.readouterr().out
    assert OutgoingEmail.objects.count() == 1


# -- Who it goes to --------------------------------------------------------------------------


def test_the_follow_up_goes_to_whoever_recorded_it_with_one_link(piloting):
    send_follow_ups(NOW)

    email = OutgoingEmail.objects.get()
    assert email.to == "pat@example.org"  # the recorder's account, not the contact
    assert email.subject == f"How is Homeshare going at {piloting.organisation.name}?"
    assert len(re.findall(r"/adoptions/follow-up/", email.body)) == 1
    assert "contact@example.org" not in email.body


def test_without_an_open_account_it_goes_to_the_contact(piloting, adopter):
    adopter.is_active = False
    adopter.save()

    send_follow_ups(NOW)

    assert OutgoingEmail.objects.get().to == "contact@example.org"


def test_an_account_without_an_address_leaves_it_to_the_contact(piloting, adopter):
    adopter.email = ""
    adopter.save()

    send_follow_ups(NOW)

    assert OutgoingEmail.objects.get().to == "contact@example.org"


@pytest.mark.parametrize("account", ["none", "closed"])
def test_with_nobody_to_ask_it_stays_due(piloting, adopter, account):
    if account == "closed":
        adopter.is_active = False
        adopter.save()
    else:
        Adoption.objects.filter(pk=piloting.pk).update(recorded_by=None)
    Adoption.objects.filter(pk=piloting.pk).update(contact_email="")

    assert send_follow_ups(NOW) == 0
    piloting.refresh_from_db()
    assert piloting.next_follow_up_on == TODAY
    assert piloting.follow_up_sent_at is None


# -- The link and its form -------------------------------------------------------------------


def test_the_link_opens_the_form_as_the_adoption_stands_without_signing_in(client, link):
    response = client.get(link)

    assert response.status_code == 200
    [checked] = [
        radio
        for radio in elements(page(response), "input", name="status")
        if "checked" in dict(radio.attributes)
    ]
    assert dict(checked.attributes)["value"] == "piloting"
    assert "Fewer people living alone" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_page_shows_no_email_address(client, link):
    body = client.get(link).content.decode()

    assert "@example.org" not in body


def test_answering_updates_the_adoption_and_its_history(client, link, piloting, adopter):
    response = client.post(link, answers())

    assert response.status_code == 302
    assert response["Location"] == f"/adoptions/{piloting.pk}/"
    adoption = Adoption.objects.get(pk=piloting.pk)
    assert adoption.status == "adopted"
    assert adoption.people_reached == 120
    assert adoption.outcomes == "Forty matches in the first year"
    assert adoption.lessons == "Start with one ward"
    assert adoption.next_follow_up_on is None  # adopted: no more follow-ups
    step = adoption.history.latest()
    assert (step.status, step.changed_on, step.changed_by) == (
        "adopted",
        timezone.localdate(),
        adopter,
    )
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_still_on_its_way_is_a_dated_step_and_the_next_is_due_in_six_months(client, link, piloting):
    steps = piloting.history.count()

    client.post(link, answers(status="piloting"))

    adoption = Adoption.objects.get(pk=piloting.pk)
    assert adoption.history.count() == steps + 1
    assert adoption.history.latest().status == "piloting"
    assert adoption.next_follow_up_on == months_after(timezone.localdate(), 6)


def test_answering_is_the_adopters_word_not_a_curators_check(client, link, piloting, curator):
    services.verify_adoption(piloting, by=curator)

    client.post(link, answers())

    adoption = Adoption.objects.get(pk=piloting.pk)
    assert adoption.verified is False
    assert adoption.provenance == "self-reported"


@pytest.mark.parametrize("status", ["stopped", "paused"])
def test_a_pause_or_a_stop_needs_its_reason(client, link, piloting, status):
    response = client.post(link, answers(status=status, reason="  "))

    assert response.status_code == 400
    assert page(response)  # the form again, with its error summary
    assert f"Say why it {status}" in response.content.decode()
    assert Adoption.objects.get(pk=piloting.pk).status == "piloting"


def test_a_stop_keeps_its_reason_on_the_adoption_and_in_its_history(client, link, piloting):
    client.post(link, answers(status="stopped", reason="The funding ended after the pilot."))

    adoption = Adoption.objects.get(pk=piloting.pk)
    assert adoption.status == "stopped"
    assert adoption.stopped_reason == "The funding ended after the pilot."
    assert adoption.history.latest().note == "The funding ended after the pilot."
    assert adoption.next_follow_up_on is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("people_reached", "-1"),
        ("people_reached", "lots"),
        ("people_reached", "99999999999"),
        ("status", "abandoned"),
        ("status", ""),
        ("outcomes", "x" * 5001),
        ("reason", "x" * 2001),
        ("lessons", "a\x00b"),
    ],
)
def test_bad_answers_are_form_errors(client, link, piloting, field, value):
    response = client.post(link, answers(**{field: value}))

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert Adoption.objects.get(pk=piloting.pk).status == "piloting"


# -- Links that no longer work ---------------------------------------------------------------


def test_a_used_link_is_refused(client, link, piloting):
    client.post(link, answers(status="piloting"))

    for response in (client.get(link), client.post(link, answers(status="stopped", reason="x"))):
        assert response.status_code == 400
        assert "each link works once" in text(page(response))
    assert Adoption.objects.get(pk=piloting.pk).status == "piloting"


def test_a_link_replaced_by_a_newer_follow_up_is_refused(client, link, piloting):
    Adoption.objects.filter(pk=piloting.pk).update(next_follow_up_on=TODAY)
    send_follow_ups(NOW + timedelta(days=1))
    newer = sent_link(piloting)

    response = client.get(link)
    assert response.status_code == 400
    assert "newer email" in response.content.decode()
    assert client.get(newer).status_code == 200


def test_an_expired_link_is_refused(client, piloting, monkeypatch):
    send_follow_ups(NOW)
    piloting.refresh_from_db()
    with monkeypatch.context() as m:
        sixty_one_days_ago = signing.time.time() - 61 * 24 * 3600
        m.setattr(signing.time, "time", lambda: sixty_one_days_ago)
        token = follow_ups.follow_up_token(piloting)

    response = client.get(f"/adoptions/follow-up/{token}/")

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()


def test_a_changed_link_is_refused(client, link):
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]

    response = client.get(tampered)

    assert response.status_code == 400
    assert "not complete or has been changed" in response.content.decode()


def test_a_link_for_an_unpublished_innovation_is_refused(client, link, innovation):
    innovation.status = "archived"
    innovation.save()

    assert client.get(link).status_code == 400


# -- Attacks ---------------------------------------------------------------------------------


def test_the_form_cannot_name_another_adoption(client, link, piloting, innovation, adopter):
    other = record(innovation, adopter, status="exploring")

    client.post(
        link, answers(status="stopped", reason="x", adoption=other.pk, pk=other.pk, id=other.pk)
    )

    assert Adoption.objects.get(pk=other.pk).status == "exploring"
    assert Adoption.objects.get(pk=piloting.pk).status == "stopped"


def test_another_signed_value_of_the_site_opens_no_follow_up(client, link, piloting):
    sent = Adoption.objects.get(pk=piloting.pk).follow_up_sent_at.isoformat()
    # What the follow-up signs, signed for another purpose (another salt), and the site's
    # other links for the same id.
    registration = RegistrationOfInterestFactory(innovation=piloting.innovation)
    for token in (
        signing.dumps(
            {"adoption": piloting.pk, "sent": sent}, salt="adopters.registration.confirm"
        ),
        signing.dumps({"adoption": piloting.pk, "sent": sent}),
        services.confirmation_token(registration),
        services.verification_token("pat@example.org"),
    ):
        response = client.get(f"/adoptions/follow-up/{token}/")
        assert response.status_code == 400, token
    assert Adoption.objects.get(pk=piloting.pk).status == "piloting"


def test_a_link_works_only_for_the_adoption_it_was_sent_for(client, piloting, innovation, adopter):
    other = record(innovation, adopter, status="planning")
    Adoption.objects.filter(pk__in=[piloting.pk, other.pk]).update(next_follow_up_on=TODAY)
    send_follow_ups(NOW)
    piloting.refresh_from_db()
    # The other adoption's link, rewritten to name this one: the signature no longer matches.
    payload = signing.loads(sent_link(other).split("/")[-2], salt="adopters.adoption.follow-up")
    forged = signing.dumps({**payload, "adoption": piloting.pk}, salt="wrong")

    assert client.get(f"/adoptions/follow-up/{forged}/").status_code == 400
    client.post(sent_link(other), answers(status="stopped", reason="x"))
    assert Adoption.objects.get(pk=piloting.pk).status == "piloting"
    assert Adoption.objects.get(pk=other.pk).status == "stopped"


def test_the_form_needs_its_csrf_token(link, piloting):
    response = Client(enforce_csrf_checks=True).post(link, answers())

    assert response.status_code == 403
    assert Adoption.objects.get(pk=piloting.pk).status == "piloting"


def test_the_service_checks_the_answer_itself(link, piloting):
    token = link.split("/")[-2]

    with pytest.raises(ValidationError) as refused:
        follow_ups.answer_follow_up(token, FollowUpAnswer(status="stopped", reason=""))
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):
        follow_ups.answer_follow_up(token, FollowUpAnswer(status="piloting", people_reached=-5))
    assert AdoptionStatusChange.objects.filter(adoption=piloting, status="stopped").count() == 0


# -- Shown as learning -----------------------------------------------------------------------


def test_stopped_adoptions_and_why_are_on_the_innovation_page(client, innovation, adopter):
    stopped = AdoptionFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="Southtown Council"),
        status="stopped",
        stopped_reason="Volunteers were hard to keep after the first year.",
        contact_email="hidden@example.org",
    )
    AdoptionFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="Easttown Council"),
        status="adopted",
        stopped_reason="An old reason from a pause.",
    )

    response = client.get("/innovations/homeshare/")

    body = response.content.decode()
    assert "Where it stopped, and why" in body
    assert "Volunteers were hard to keep after the first year." in body
    assert f'href="/adoptions/{stopped.pk}/"' in body
    assert "An old reason from a pause." not in body
    assert "hidden@example.org" not in body


def test_the_innovation_page_says_nothing_of_stopping_when_none_stopped(client, innovation):
    AdoptionFactory(innovation=innovation, status="adopted")

    assert "Where it stopped" not in client.get("/innovations/homeshare/").content.decode()


def test_the_adoption_page_says_why_it_stopped(client, innovation):
    stopped = AdoptionFactory(
        innovation=innovation, status="stopped", stopped_reason="The building closed."
    )

    body = client.get(f"/adoptions/{stopped.pk}/").content.decode()

    assert "Why it stopped" in body
    assert "The building closed." in body


def test_the_api_shows_and_takes_why_it_stopped_within_bounds(client, innovation, adopter):
    adoption = record(innovation, adopter, status="piloting")
    client.force_login(adopter)
    url = f"/api/v1/adoptions/{adoption.pk}/"

    too_long = client.patch(
        url, {"status": "stopped", "stopped_reason": "x" * 2001}, content_type="application/json"
    )
    stopped = client.patch(
        url,
        {"status": "stopped", "stopped_reason": "The building closed."},
        content_type="application/json",
    )

    assert too_long.status_code == 400
    assert "stopped_reason" in too_long.json()
    assert stopped.status_code == 200
    assert client.get(url).json()["stopped_reason"] == "The building closed."
    assert Adoption.objects.get(pk=adoption.pk).next_follow_up_on is None


def test_the_edit_form_takes_why_it_stopped(client, innovation, adopter):
    adoption = record(innovation, adopter, status="piloting", area="Northtown")
    client.force_login(adopter)
    form = {
        "status": "stopped",
        "stopped_reason": "The building closed.",
        "area": "Northtown",
        "note": "",
    }

    response = client.post(f"/adoptions/{adoption.pk}/edit/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Adoption.objects.get(pk=adoption.pk).stopped_reason == "The building closed."


# -- The networks hear of an answer as of any step ---------------------------------------------


def test_an_answer_reaching_piloting_reaches_the_network(client, innovation, adopter):
    ensure_innovation_network(innovation)
    adoption = record(
        innovation, adopter, status="exploring", contact_email="pat@example.org", contact_name="Pat"
    )
    Adoption.objects.filter(pk=adoption.pk).update(next_follow_up_on=TODAY)
    send_follow_ups(NOW)

    client.post(sent_link(adoption), answers(status="piloting"))

    # Their own adoption, unverified: they join the interest ring and ask to join the core.
    assert Membership.objects.filter(email="pat@example.org").exists()


def test_an_answer_from_a_contact_address_enrols_nobody(client, innovation, adopter):
    ensure_innovation_network(innovation)
    adoption = record(
        innovation, adopter, status="exploring", contact_email="sam@example.org", contact_name="Sam"
    )
    Adoption.objects.filter(pk=adoption.pk).update(next_follow_up_on=TODAY, recorded_by=None)
    send_follow_ups(NOW)
    assert OutgoingEmail.objects.get().to == "sam@example.org"

    client.post(sent_link(adoption), answers(status="piloting"))

    adoption = Adoption.objects.get(pk=adoption.pk)
    assert adoption.status == "piloting"
    assert adoption.history.latest().changed_by is None
    assert not Membership.objects.filter(email="sam@example.org").exists()
