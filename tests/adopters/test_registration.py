"""Registering interest: double opt-in, the spam checks, the rate limit, the mail outbox."""

import re
import smtplib
import time
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import signing
from django.core.management import call_command
from django.db import transaction
from django.test.html import Element, parse_html
from django.urls import reverse
from django.utils import timezone

from adopters import services
from adopters.models import RegistrationOfInterest
from kernel import outbox
from kernel.models import OutgoingEmail
from networks.models import Membership, RingMove
from networks.services import ensure_innovation_network
from tests.factories import (
    InnovationFactory,
    MembershipFactory,
    RegistrationOfInterestFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db

STARTED_SALT = "adopters.registration.started"
CONFIRM_SALT = "adopters.registration.confirm"
LINK = re.compile(r"http://testserver(/interest/confirm/[^/\s]+/)")


# -- Helpers ----------------------------------------------------------------------------------


def started(seconds_ago: float = 10) -> str:
    """The hidden `started` value of a form shown this many seconds ago."""
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


def form_data(**changes) -> dict:
    """What a person filling in every field sends; `changes` replace or (None) drop fields."""
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "organisation_name": "Analytical Engines Ltd",
        "organisation_kind": "",
        "role": "Volunteer coordinator",
        "region": str(region("north-west").pk),
        "interests": ["find-out-more", "explore-adopting"],
        "message": "Could we try this in Wirral?",
        "consent": "on",
        "started": started(),
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def register_url(innovation) -> str:
    return reverse("adopters:register", args=[innovation.slug])


def sent_url(innovation) -> str:
    return reverse("adopters:registered", args=[innovation.slug])


def confirm_url(registration) -> str:
    return reverse("adopters:confirm", args=[services.confirmation_token(registration)])


def link_in(message) -> str:
    """The confirmation link's path in an email."""
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def nothing_stored() -> bool:
    return not RegistrationOfInterest.objects.exists() and not OutgoingEmail.objects.exists()


def elements(node, tag: str | None = None, **attributes):
    """Every element under `node` (a django.test.html tree) with this tag and attributes."""
    for child in node.children:
        if not isinstance(child, Element):
            continue
        attrs = dict(child.attributes)
        if (tag is None or child.name == tag) and all(
            attrs.get(key.replace("_", "-")) == value for key, value in attributes.items()
        ):
            yield child
        yield from elements(child, tag, **attributes)


def page(response):
    return parse_html(response.content.decode())


def title_of(response) -> str:
    return str(next(elements(page(response), "title")).children[0]).strip()


@pytest.fixture
def innovation():
    return InnovationFactory(title="Shared reading", contact_email="team@shared-reading.org")


@pytest.fixture
def register(client, innovation, django_capture_on_commit_callbacks):
    """POST the form (with `form_data(**changes)`) and send what it queued, as a commit would."""

    def post(**changes):
        extra = {"REMOTE_ADDR": changes.pop("REMOTE_ADDR")} if "REMOTE_ADDR" in changes else {}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(register_url(innovation), form_data(**changes), **extra)

    return post


@pytest.fixture
def confirm(client, django_capture_on_commit_callbacks):
    def post(path: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path)

    return post


def test_fields_about_the_person_say_what_they_are_for_autofill(client, innovation):
    """WCAG 1.3.5 (identify input purpose)."""
    form = page(client.get(register_url(innovation)))
    purposes = {
        name: dict(next(elements(form, "input", name=name)).attributes).get("autocomplete")
        for name in ("name", "email", "organisation_name", "role")
    }
    assert purposes == {
        "name": "name",
        "email": "email",
        "organisation_name": "organization",
        "role": "organization-title",
    }


# -- 1. Double opt-in -------------------------------------------------------------------------


def test_form_page_shows_the_form_with_a_signed_start(client, innovation):
    response = client.get(register_url(innovation))
    assert response.status_code == 200
    assert title_of(response).startswith("Register interest in Shared reading")
    [hidden] = elements(page(response), "input", name="started")
    note = signing.loads(dict(hidden.attributes)["value"], salt=STARTED_SALT)
    assert abs(time.time() - note["shown_at"]) < 60
    assert note["nonce"]  # each form's note is its own, to be used once
    assert services.consent_wording(innovation) in response.content.decode()


def test_registering_stores_at_once_and_emails_a_link(register, innovation, mailoutbox):
    response = register()

    assert response.status_code == 302
    assert response["Location"] == sent_url(innovation)
    registration = RegistrationOfInterest.objects.get()
    assert registration.innovation == innovation
    assert (registration.name, registration.email) == ("Ada Lovelace", "ada@example.org")
    assert registration.region == region("north-west")
    assert registration.interests == ["find-out-more", "explore-adopting"]
    assert registration.message == "Could we try this in Wirral?"
    assert registration.status == "new"
    assert registration.confirmed_at is None
    assert registration.consent is True
    assert registration.consent_text == services.consent_wording(innovation)
    assert registration.client_key
    assert "127.0.0.1" not in registration.client_key
    assert registration.client_key == services.client_key("127.0.0.1")

    [message] = mailoutbox
    assert message.to == ["ada@example.org"]
    assert "Shared reading" in message.subject
    # The link is signed when sent: it names this registration (the signature's time differs).
    assert services.registration_for(link_in(message).split("/")[-2]) == registration
    assert OutgoingEmail.objects.get().sent_at is not None


def test_sent_page_tells_the_person_to_check_their_email(client, innovation, settings):
    response = client.get(sent_url(innovation))
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert f"after {settings.REGISTRATION_CONFIRM_DAYS} days" in response.content.decode()


def test_opening_the_link_does_not_confirm(client, register, mailoutbox):
    register()
    response = client.get(link_in(mailoutbox[0]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm my email address" in html
    [form] = elements(page(response), "form", method="post")
    assert list(elements(form, "button", type="submit"))
    registration = RegistrationOfInterest.objects.get()
    assert registration.confirmed_at is None
    assert registration.status == "new"
    assert len(mailoutbox) == 1


def test_pressing_the_button_confirms(client, register, confirm, mailoutbox):
    register()
    link = link_in(mailoutbox[0])

    before = timezone.now()
    response = confirm(link)

    assert response.status_code == 302
    assert response["Location"] == link
    registration = RegistrationOfInterest.objects.get()
    assert registration.status == "confirmed"
    assert before <= registration.confirmed_at <= timezone.now()
    page_after = client.get(link)
    assert page_after.status_code == 200
    assert "Interest confirmed" in page_after.content.decode()
    assert "Confirm my email address" not in page_after.content.decode()


def test_confirming_twice_sends_no_second_notification(register, confirm, mailoutbox):
    register()
    link = link_in(mailoutbox[0])
    confirm(link)
    confirmed_at = RegistrationOfInterest.objects.get().confirmed_at
    assert len(mailoutbox) == 2

    response = confirm(link)

    assert response.status_code == 302
    assert len(mailoutbox) == 2
    assert OutgoingEmail.objects.count() == 2
    assert RegistrationOfInterest.objects.get().confirmed_at == confirmed_at


def test_confirming_keeps_a_status_moved_on_by_the_team(confirm, innovation):
    registration = RegistrationOfInterestFactory(innovation=innovation, status="closed")
    confirm(confirm_url(registration))
    registration.refresh_from_db()
    assert registration.confirmed_at is not None
    assert registration.status == "closed"


# -- 2. Joining the network -------------------------------------------------------------------


def test_confirmation_enrols_in_the_interest_ring(register, confirm, innovation, mailoutbox):
    register()
    assert not Membership.objects.exists(), "nobody joins before confirming"

    confirm(link_in(mailoutbox[0]))

    membership = Membership.objects.get()
    assert membership.network == ensure_innovation_network(innovation)
    assert membership.email == "ada@example.org"
    assert membership.name == "Ada Lovelace"
    assert membership.ring == "interest"
    assert membership.joined_through == "registration"
    assert membership.left_on is None
    [move] = RingMove.objects.filter(membership=membership)
    assert move.to_ring == "interest"
    assert move.reason.strip()


def test_a_core_member_stays_in_the_core(register, confirm, innovation, mailoutbox):
    network = ensure_innovation_network(innovation)
    member = MembershipFactory(
        network=network, email="Ada@Example.org", ring="core", joined_through="adoption"
    )

    register()
    confirm(link_in(mailoutbox[0]))

    [membership] = Membership.objects.filter(network=network)
    assert membership.pk == member.pk
    assert membership.ring == "core"
    assert membership.joined_through == "adoption"
    assert not RingMove.objects.filter(membership=membership).exists()
    assert RegistrationOfInterest.objects.get().status == "confirmed"


def test_someone_who_left_comes_back_into_the_interest_ring(confirm, innovation):
    network = ensure_innovation_network(innovation)
    member = MembershipFactory(
        network=network,
        email="ada@example.org",
        ring="core",
        left_on=timezone.localdate() - timedelta(days=1),
        joined_on=timezone.localdate() - timedelta(days=400),
    )
    registration = RegistrationOfInterestFactory(innovation=innovation, email="ada@example.org")

    confirm(confirm_url(registration))

    member.refresh_from_db()
    assert member.left_on is None
    assert member.ring == "interest"
    assert member.joined_through == "registration"
    assert RingMove.objects.filter(membership=member, to_ring="interest").count() == 1


# -- 3. Telling the innovation's team ---------------------------------------------------------


def test_the_contact_hears_only_after_confirmation(register, confirm, mailoutbox):
    register(message="Tom & Jerry's <team> would like to try it.")
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]

    confirm(link_in(mailoutbox[0]))

    assert len(mailoutbox) == 2
    notification = mailoutbox[1]
    assert notification.to == ["team@shared-reading.org"]
    assert "Shared reading" in notification.subject
    assert "Ada Lovelace" in notification.body
    assert "ada@example.org" in notification.body
    # Plain text: the message arrives as written, not HTML-escaped.
    assert "Tom & Jerry's <team> would like to try it." in notification.body
    assert "North West" in notification.body
    assert "Find out more; Explore adopting it" in notification.body


def test_without_a_contact_email_the_owners_hear(client, confirm, mailoutbox):
    innovation = InnovationFactory(contact_email="")
    innovation.owners.add(
        UserFactory(email="owner.one@example.org"),
        UserFactory(email="owner.two@example.org"),
        UserFactory(email=""),
    )
    registration = RegistrationOfInterestFactory(
        innovation=innovation, name="Grace Hopper", message="Count us in."
    )

    confirm(confirm_url(registration))

    assert sorted(address for message in mailoutbox for address in message.to) == [
        "owner.one@example.org",
        "owner.two@example.org",
    ]
    for message in mailoutbox:
        assert "Grace Hopper" in message.body
        assert "Count us in." in message.body


def test_innovation_contacts_prefers_the_public_contact():
    innovation = InnovationFactory(contact_email="hello@example.org")
    innovation.owners.add(UserFactory(email="owner@example.org"))
    assert services.innovation_contacts(innovation) == ["hello@example.org"]


# -- 4. Links that do not work ----------------------------------------------------------------


def test_a_changed_link_is_refused(client, innovation):
    registration = RegistrationOfInterestFactory(innovation=innovation)
    other = RegistrationOfInterestFactory(innovation=innovation)
    token = services.confirmation_token(registration)
    # Someone puts another registration's number in front of this link's signature.
    payload = signing.dumps(other.pk, salt=CONFIRM_SALT).split(":")[0]
    changed = ":".join([payload, *token.split(":")[1:]])

    for bad in [changed, token[:-3], "nonsense"]:
        response = client.get(reverse("adopters:confirm", args=[bad]))
        assert response.status_code == 400, bad
        assert "not complete or has been changed" in response.content.decode()
        assert client.post(reverse("adopters:confirm", args=[bad])).status_code == 400
    for row in (registration, other):
        row.refresh_from_db()
        assert row.confirmed_at is None


def test_a_link_for_another_purpose_is_refused(client, innovation):
    registration = RegistrationOfInterestFactory(innovation=innovation)
    token = signing.dumps(registration.pk, salt=STARTED_SALT)
    response = client.get(reverse("adopters:confirm", args=[token]))
    assert response.status_code == 400


def signed_days_ago(registration, days: float) -> str:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - days * 86400):
        return services.confirmation_token(registration)


def test_an_expired_link_is_refused(client, confirm, innovation, settings):
    registration = RegistrationOfInterestFactory(innovation=innovation)
    token = signed_days_ago(registration, settings.REGISTRATION_CONFIRM_DAYS + 1)
    path = reverse("adopters:confirm", args=[token])

    response = client.get(path)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert f"{settings.REGISTRATION_CONFIRM_DAYS} days" in response.content.decode()
    assert confirm(path).status_code == 400
    registration.refresh_from_db()
    assert registration.confirmed_at is None


def test_a_link_still_works_the_day_before_it_expires(client, confirm, innovation, settings):
    registration = RegistrationOfInterestFactory(innovation=innovation)
    token = signed_days_ago(registration, settings.REGISTRATION_CONFIRM_DAYS - 1)
    assert confirm(reverse("adopters:confirm", args=[token])).status_code == 302
    registration.refresh_from_db()
    assert registration.confirmed_at is not None


def test_the_link_of_a_deleted_registration_is_refused(client, innovation):
    registration = RegistrationOfInterestFactory(innovation=innovation)
    path = confirm_url(registration)
    registration.delete()

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "deleted" in response.content.decode()


# -- 5. The honeypot --------------------------------------------------------------------------


def test_a_filled_honeypot_is_thanked_but_nothing_is_kept(register, innovation, mailoutbox):
    response = register(website="http://spam.example")

    assert response.status_code == 302
    assert response["Location"] == sent_url(innovation)
    assert nothing_stored()
    assert mailoutbox == []


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, innovation):
    tree = page(client.get(register_url(innovation)))
    hidden_blocks = list(elements(tree, aria_hidden="true"))
    inside = [
        field for block in hidden_blocks for field in elements(block, "input", name="website")
    ]
    assert len(inside) == 1
    assert dict(inside[0].attributes)["tabindex"] == "-1"
    assert len(list(elements(tree, "input", name="website"))) == 1, "only the hidden one"


# -- 6. Form errors ---------------------------------------------------------------------------


def test_a_blank_form_is_explained_the_govuk_way(client, innovation):
    blank = {"started": started(), "name": "", "email": "", "message": "", "website": ""}
    response = client.post(register_url(innovation), blank)

    assert response.status_code == 400
    assert title_of(response).startswith("Error:")
    tree = page(response)
    [summary] = elements(tree, "div", role="alert")
    targets = [dict(link.attributes)["href"] for link in elements(summary, "a")]
    assert targets == ["#id_name", "#id_email", "#id_interests_0", "#id_consent"]
    html = response.content.decode()
    for message in [
        "Enter your name",
        "Enter your email address",
        "Select at least one thing you would like to do",
        "Tick the box to agree, or we cannot keep your details",
    ]:
        # Once in the summary, once next to the field.
        assert html.count(message) == 2, message
    for field_id in ["id_name", "id_email", "id_consent"]:
        [field] = elements(tree, "input", id=field_id)
        attrs = dict(field.attributes)
        assert attrs.get("aria-invalid") == "true", field_id
        assert f"{field_id}-error" in attrs["aria-describedby"].split()
        assert list(elements(tree, id=f"{field_id}-error")), field_id
    [interests] = elements(tree, "fieldset")
    assert "id_interests-error" in dict(interests.attributes)["aria-describedby"]
    [not_invalid] = elements(tree, "input", id="id_role")
    assert "aria-invalid" not in dict(not_invalid.attributes)
    assert nothing_stored()


def test_an_empty_post_is_a_form_error_not_a_crash(client, innovation):
    response = client.post(register_url(innovation), {})
    assert response.status_code == 400
    assert title_of(response).startswith("Error:")
    assert nothing_stored()


def test_the_answers_given_are_kept_in_the_form(client, innovation):
    response = client.post(register_url(innovation), form_data(email="not-an-email"))
    tree = page(response)
    [name] = elements(tree, "input", id="id_name")
    assert dict(name.attributes)["value"] == "Ada Lovelace"
    [email] = elements(tree, "input", id="id_email")
    assert dict(email.attributes)["value"] == "not-an-email"


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "ada@example.org\nBcc: x@y.org"])
def test_an_invalid_email_asks_for_the_correct_format(client, innovation, email):
    response = client.post(register_url(innovation), form_data(email=email))
    assert response.status_code == 400
    assert "Enter an email address in the correct format, like name@example.org" in (
        response.content.decode()
    )
    assert nothing_stored()


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "   "},
        {"name": "Ada\x00Lovelace"},
        {"message": "Hello\x00"},
        {"organisation_name": "\x00"},
        {"email": "ada\x00@example.org"},
        {"name": "x" * 201},
        {"interests": ["find-out-more", "send-spam"]},
        {"interests": "send-spam"},
        {"region": "999999"},
        {"region": "99999999999999999999999999"},
        {"region": "north-west"},
        {"organisation_kind": "secret-society"},
        {"consent": None},
    ],
    ids=lambda changes: next(iter(changes)) + "=" + repr(next(iter(changes.values())))[:20],
)
def test_bad_answers_are_form_errors_and_nothing_is_kept(client, innovation, changes):
    field = next(iter(changes))
    response = client.post(register_url(innovation), form_data(**changes))
    assert response.status_code == 400
    assert title_of(response).startswith("Error:")
    assert list(elements(page(response), id=f"id_{field}-error")), field
    assert nothing_stored()


def test_a_form_sent_too_quickly_is_refused(client, innovation, mailoutbox, settings):
    assert settings.REGISTRATION_MIN_FILL_SECONDS == 3
    sent_start = started(seconds_ago=1)
    response = client.post(register_url(innovation), form_data(started=sent_start))

    assert response.status_code == 400
    assert title_of(response).startswith("Error:")
    html = response.content.decode()
    assert "sent too quickly" in html
    [summary] = elements(page(response), "div", role="alert")
    assert "sent too quickly" in str(summary)
    assert nothing_stored()
    assert mailoutbox == []
    # The page carries a fresh start, so the person's next go is timed from now.
    [hidden] = elements(page(response), "input", name="started")
    fresh = dict(hidden.attributes)["value"]
    assert fresh != sent_start
    assert abs(time.time() - signing.loads(fresh, salt=STARTED_SALT)["shown_at"]) < 60


def test_the_fill_time_is_configurable(register, settings):
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    assert register(started=started(seconds_ago=0)).status_code == 302
    assert RegistrationOfInterest.objects.count() == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: "tampered",
        lambda: "",
        lambda: signing.dumps(time.time() - 10, salt="some.other.salt"),
        lambda: signing.dumps("yesterday", salt=STARTED_SALT),
        lambda: signing.dumps([time.time() - 10], salt=STARTED_SALT),
    ],
    ids=["garbage", "empty", "other-salt", "not-a-number", "a-list"],
)
def test_a_tampered_start_is_refused(client, innovation, make):
    response = client.post(register_url(innovation), form_data(started=make()))
    assert response.status_code == 400
    assert title_of(response).startswith("Error:")
    assert nothing_stored()


def test_a_changed_start_time_is_refused(client, innovation):
    value = started(seconds_ago=1)
    # Change the signed time to earlier, keeping the signature.
    payload, rest = value.split(":", 1)
    earlier = signing.dumps(time.time() - 3600, salt=STARTED_SALT).split(":", 1)[0]
    assert earlier != payload
    response = client.post(register_url(innovation), form_data(started=f"{earlier}:{rest}"))
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert nothing_stored()


def test_a_form_left_open_for_days_is_sent_again(client, innovation):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 2 * 86400):
        old = signing.dumps(time.time() - 2 * 86400, salt=STARTED_SALT)
    response = client.post(register_url(innovation), form_data(started=old))
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert nothing_stored()


# -- 7. The rate limit ------------------------------------------------------------------------


def retry_after(response) -> int:
    value = response["Retry-After"]
    assert value.isdigit(), value
    return int(value)


def test_too_many_registrations_for_one_email(register, settings, mailoutbox):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 2
    assert register(email="ann@example.org", REMOTE_ADDR="198.51.100.1").status_code == 302
    assert register(email="ann@example.org", REMOTE_ADDR="198.51.100.2").status_code == 302

    response = register(email="ANN@EXAMPLE.ORG", REMOTE_ADDR="198.51.100.3")

    assert response.status_code == 429
    assert 1 <= retry_after(response) <= 3600
    assert "try again in" in response.content.decode()
    assert RegistrationOfInterest.objects.count() == 2
    assert OutgoingEmail.objects.count() == 2
    assert len(mailoutbox) == 2
    assert register(email="bob@example.org", REMOTE_ADDR="198.51.100.3").status_code == 302


def test_too_many_registrations_from_one_address(register, settings):
    settings.REGISTRATION_LIMIT_PER_ADDRESS = 2
    for email in ["one@example.org", "two@example.org"]:
        assert register(email=email, REMOTE_ADDR="203.0.113.7").status_code == 302

    response = register(email="three@example.org", REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 429
    assert 1 <= retry_after(response) <= 3600
    assert "try again" in response.content.decode()
    assert not RegistrationOfInterest.objects.filter(email="three@example.org").exists()

    elsewhere = register(email="three@example.org", REMOTE_ADDR="203.0.113.8")
    assert elsewhere.status_code == 302
    assert RegistrationOfInterest.objects.filter(email="three@example.org").exists()


def test_retry_after_is_when_the_oldest_counted_registration_leaves_the_hour(register, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 2
    register(email="ann@example.org")
    register(email="ann@example.org")
    # One 50 minutes old, one 10: room comes back in 10 minutes.
    first, second = RegistrationOfInterest.objects.order_by("pk")
    now = timezone.now()
    RegistrationOfInterest.objects.filter(pk=first.pk).update(
        created_at=now - timedelta(minutes=50)
    )
    RegistrationOfInterest.objects.filter(pk=second.pk).update(
        created_at=now - timedelta(minutes=10)
    )

    response = register(email="ann@example.org")

    assert response.status_code == 429
    assert 590 <= retry_after(response) <= 600
    assert "try again in 10 minutes" in response.content.decode()


def test_registrations_older_than_the_window_do_not_count(register, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 2
    settings.REGISTRATION_LIMIT_PER_ADDRESS = 2
    register(email="ann@example.org")
    register(email="ann@example.org")
    RegistrationOfInterest.objects.update(created_at=timezone.now() - timedelta(hours=2))

    assert register(email="ann@example.org").status_code == 302
    assert RegistrationOfInterest.objects.count() == 3


def test_refused_spam_does_not_count_towards_the_limit(register, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 1
    register(email="ann@example.org", website="spam")
    register(email="ann@example.org", started=started(seconds_ago=0))
    assert register(email="ann@example.org").status_code == 302


# -- 8. When the mail server fails ------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [smtplib.SMTPException("server said no"), ConnectionRefusedError(111, "refused")],
    ids=["smtp-error", "connection-refused"],
)
def test_a_mail_failure_keeps_the_registration_and_queues_the_email(
    register, innovation, mailoutbox, failure
):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=failure):
        response = register()

    assert response.status_code == 302
    assert response["Location"] == sent_url(innovation)
    registration = RegistrationOfInterest.objects.get()
    email = OutgoingEmail.objects.get()
    assert email.to == registration.email
    assert email.attempts == 1
    assert email.sent_at is None
    assert email.last_attempt_at is not None
    assert type(failure).__name__ in email.last_error
    assert mailoutbox == []


def test_queued_email_is_sent_by_the_command_once(register, mailoutbox):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPException):
        register()
    registration = RegistrationOfInterest.objects.get()

    out = StringIO()
    call_command("send_queued_email", stdout=out)

    assert "Sent 1" in out.getvalue()
    email = OutgoingEmail.objects.get()
    assert email.sent_at is not None
    assert email.attempts == 2
    assert email.last_error == ""
    [message] = mailoutbox
    assert message.to == [registration.email]
    # The link is signed when sent: it names this registration (the signature's time differs).
    assert services.registration_for(link_in(message).split("/")[-2]) == registration

    out = StringIO()
    call_command("send_queued_email", stdout=out)
    assert "Sent 0" in out.getvalue()
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.get().attempts == 2


def test_without_a_mail_server_production_keeps_every_email_queued(
    register, settings, mailoutbox, capsys
):
    """No EMAIL_HOST with DEBUG off: nothing is printed (the console backend would write the
    address and the private link into the logs), nothing is lost, and no try is used up."""
    settings.EMAIL_BACKEND = "kernel.mail.NotConfiguredBackend"
    register()
    call_command("send_queued_email", "--max-attempts=1", stdout=StringIO())
    email = OutgoingEmail.objects.get()
    assert (email.sent_at, email.attempts, email.last_attempt_at) == (None, 0, None)
    assert "EMAIL_HOST is not set" in email.last_error
    registration = RegistrationOfInterest.objects.get()
    printed = capsys.readouterr()
    assert registration.email not in printed.out + printed.err

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_queued_email", "--max-attempts=1", stdout=StringIO())
    [message] = mailoutbox
    assert message.to == [registration.email]


def test_a_refusal_quoting_the_address_is_logged_without_it(mailoutbox, caplog):
    email = OutgoingEmail.objects.create(to="pat@example.org", subject="Hi", body="Hello")
    refused = smtplib.SMTPRecipientsRefused({"pat@example.org": (550, b"no such user")})
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        assert outbox.deliver(email.pk) is False
    assert "SMTPRecipientsRefused" in caplog.text
    assert "pat@example.org" not in caplog.text


def test_the_command_records_another_failure(mailoutbox):
    email = OutgoingEmail.objects.create(to="a@example.org", subject="Hi", body="Hello")
    out = StringIO()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError):
        call_command("send_queued_email", stdout=out)
    assert "Sent 0; not sent 1" in out.getvalue()
    email.refresh_from_db()
    assert (email.attempts, email.sent_at) == (1, None)
    assert "ConnectionRefusedError" in email.last_error
    assert mailoutbox == []


def test_the_command_gives_up_after_max_attempts(mailoutbox):
    tired = OutgoingEmail.objects.create(
        to="tired@example.org", subject="Hi", body="Hello", attempts=3, last_error="Down"
    )
    fresh = OutgoingEmail.objects.create(
        to="fresh@example.org", subject="Hi", body="Hello", attempts=2
    )
    out = StringIO()

    call_command("send_queued_email", "--max-attempts=3", stdout=out)

    assert "Sent 1" in out.getvalue()
    assert "given up after 3 tries: 1" in out.getvalue()
    assert [message.to for message in mailoutbox] == [["fresh@example.org"]]
    tired.refresh_from_db()
    assert (tired.attempts, tired.sent_at, tired.last_error) == (3, None, "Down")
    fresh.refresh_from_db()
    assert fresh.sent_at is not None


def test_a_sent_email_is_never_sent_again(mailoutbox):
    email = OutgoingEmail.objects.create(to="a@example.org", subject="Hi", body="Hello")
    assert outbox.deliver(email.pk) is True
    assert outbox.deliver(email.pk) is False
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_a_mail_failure_while_confirming_still_confirms(confirm, innovation, mailoutbox):
    registration = RegistrationOfInterestFactory(innovation=innovation)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError):
        response = confirm(confirm_url(registration))

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    notification = OutgoingEmail.objects.get()
    assert notification.to == "team@shared-reading.org"
    assert (notification.attempts, notification.sent_at) == (1, None)

    call_command("send_queued_email", stdout=StringIO())
    assert [message.to for message in mailoutbox] == [["team@shared-reading.org"]]


def test_nothing_is_sent_when_the_registration_is_rolled_back(
    innovation, mailoutbox, django_capture_on_commit_callbacks
):
    def register_then_fail():
        with transaction.atomic():
            services.register_interest(
                innovation,
                details={"name": "Ada", "email": "ada@example.org"},
                key="",
                absolute=lambda path: f"http://testserver{path}",
            )
            raise RuntimeError("something after it failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        register_then_fail()
    assert callbacks == []
    assert nothing_stored()
    assert mailoutbox == []


# -- 9. Unpublished innovations ---------------------------------------------------------------


def test_a_draft_cannot_be_registered_for(client, curator_client):
    draft = InnovationFactory(draft=True)
    for some_client in (client, curator_client):
        assert some_client.get(register_url(draft)).status_code == 404
        assert some_client.post(register_url(draft), form_data()).status_code == 404
        assert some_client.get(sent_url(draft)).status_code == 404
    assert nothing_stored()


def test_an_unknown_innovation_is_not_found(client):
    response = client.get(reverse("adopters:register", args=["no-such-thing"]))
    assert response.status_code == 404


def test_the_form_takes_no_other_methods(client, innovation):
    assert client.put(register_url(innovation)).status_code == 405
    assert client.delete(register_url(innovation)).status_code == 405


# -- 10. Purging unconfirmed registrations ----------------------------------------------------


def age(queryset, days: float) -> None:
    queryset.update(created_at=timezone.now() - timedelta(days=days))


def test_purge_deletes_old_unconfirmed_registrations_and_old_emails(innovation, settings):
    days = settings.REGISTRATION_CONFIRM_DAYS
    assert days == 30
    old_unconfirmed = RegistrationOfInterestFactory(innovation=innovation)
    old_confirmed = RegistrationOfInterestFactory(
        innovation=innovation, confirmed_at=timezone.now(), status="confirmed"
    )
    recent_unconfirmed = RegistrationOfInterestFactory(innovation=innovation)
    age(RegistrationOfInterest.objects.filter(pk__in=[old_unconfirmed.pk, old_confirmed.pk]), 31)
    age(RegistrationOfInterest.objects.filter(pk=recent_unconfirmed.pk), 29)
    old_email = OutgoingEmail.objects.create(to="a@example.org", subject="Old", body="-")
    recent_email = OutgoingEmail.objects.create(to="b@example.org", subject="New", body="-")
    age(OutgoingEmail.objects.filter(pk=old_email.pk), 31)

    out = StringIO()
    call_command("purge_unconfirmed", stdout=out)

    assert set(RegistrationOfInterest.objects.values_list("pk", flat=True)) == {
        old_confirmed.pk,
        recent_unconfirmed.pk,
    }
    assert list(OutgoingEmail.objects.values_list("pk", flat=True)) == [recent_email.pk]
    assert "Deleted 1 registration(s)" in out.getvalue()
    assert "1 email(s)" in out.getvalue()
    assert services.purge_unconfirmed() == (0, 0, 0, 0)


def test_a_purged_registrations_link_no_longer_works(client, innovation):
    registration = RegistrationOfInterestFactory(innovation=innovation)
    path = confirm_url(registration)
    age(RegistrationOfInterest.objects.filter(pk=registration.pk), 31)
    services.purge_unconfirmed()
    assert client.get(path).status_code == 400


# -- 11. The way in ---------------------------------------------------------------------------


def test_the_innovation_page_links_to_the_form(client, innovation):
    response = client.get(innovation.get_absolute_url())
    assert response.status_code == 200
    assert list(elements(page(response), "a", href=register_url(innovation)))


def test_a_draft_page_has_no_link_to_the_form(client, innovator, own_draft):
    client.force_login(innovator)
    response = client.get(own_draft.get_absolute_url())
    assert response.status_code == 200
    assert register_url(own_draft) not in response.content.decode()


def test_a_long_title_still_registers_and_confirms(
    client, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    innovation = InnovationFactory(title="A" * 200, contact_email="team@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(innovation), form_data())
    assert response.status_code == 302
    registration = RegistrationOfInterest.objects.get()
    link = f"/interest/confirm/{services.confirmation_token(registration)}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 302
    assert [m.to for m in mailoutbox] == [[registration.email], ["team@example.org"]]
    assert all(len(m.subject) <= 200 for m in mailoutbox)


def test_a_form_without_its_start_is_taken_for_an_expired_one(client, innovation):
    data = form_data()
    del data["started"]
    response = client.post(register_url(innovation), data)
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert 'href="#id_started"' not in response.content.decode()
    assert not RegistrationOfInterest.objects.exists()


def test_a_sent_email_keeps_no_text_and_waiting_ones_are_for_superusers_only(
    client, curator, settings
):
    from kernel import outbox

    sent = OutgoingEmail.objects.create(to="a@example.org", subject="Reset", body="secret link")
    waiting = OutgoingEmail.objects.create(to="b@example.org", subject="Reset", body="secret 2")
    assert outbox.deliver(sent.pk)
    sent.refresh_from_db()
    assert (sent.body, sent.subject) == ("", "Reset")

    staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="outgoingemail"))
    client.force_login(staff)
    page = client.get(f"/admin/kernel/outgoingemail/{waiting.pk}/change/")
    assert page.status_code == 200
    assert "secret 2" not in page.content.decode()
    client.force_login(curator)  # a superuser
    assert (
        "secret 2"
        in client.get(f"/admin/kernel/outgoingemail/{waiting.pk}/change/").content.decode()
    )


def test_a_limit_of_zero_closes_registrations_with_a_429(register, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 0
    response = register()
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.REGISTRATION_WINDOW_SECONDS
    assert nothing_stored()
