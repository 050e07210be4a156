"""Accounts (sign up verified by email, sign in by email with a lock-out, sign out, password
reset through the outbox) and the innovator's dashboard of the interest received."""

import csv
import io
import re
import time
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection
from django.test.html import Element, parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adopters import services
from adopters.models import RegistrationOfInterest
from kernel.models import OutgoingEmail
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    RegistrationOfInterestFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

PASSWORD = "a-long-test-password"  # what UserFactory gives every user
NEW_PASSWORD = "violet-harbour-lantern-91"

DASHBOARD = "/account/"
SIGN_IN = "/account/sign-in/"
SIGN_OUT = "/account/sign-out/"
SIGN_UP = "/account/sign-up/"
SIGN_UP_SENT = "/account/sign-up/sent/"
PASSWORD_RESET = "/account/password-reset/"
PASSWORD_RESET_SENT = "/account/password-reset/sent/"
CSV_URL = "/account/interest.csv"

VERIFY_LINK = re.compile(r"http://testserver(/account/verify/[^/\s]+/)")
RESET_LINK = re.compile(r"http://testserver(/account/reset/[^/\s]+/[^/\s]+/)")


# -- Helpers ----------------------------------------------------------------------------------


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


def text(node) -> str:
    """The text of a node and everything in it, with runs of white space made one space."""
    if isinstance(node, Element):
        return " ".join(text(child) for child in node.children).strip()
    return " ".join(str(node).split())


def page(response):
    return parse_html(response.content.decode())


def title_of(response) -> str:
    return text(next(elements(page(response), "title")))


def summary_targets(response) -> list[str]:
    """Where the links of the page's error summary point."""
    [summary] = elements(page(response), "div", role="alert")
    return [dict(link.attributes)["href"] for link in elements(summary, "a")]


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def sign_in(client, email: str, password: str = PASSWORD, *, next_url=None, **extra):
    """POST the sign-in form; `extra` goes to the request (REMOTE_ADDR, headers)."""
    data = {"username": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(SIGN_IN, data, **extra)


def account(email: str = "ada@example.org", **values):
    """An account as sign-up makes it: its username is its (lower-cased) email address."""
    return UserFactory(username=email, email=email, **values)


def open_data(**changes) -> dict:
    """What the page the emailed link opens takes: a name and the password, twice."""
    data = {"first_name": "Ada", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    data.update(changes)
    return data


def link_in(message, pattern=VERIFY_LINK) -> str:
    found = pattern.search(message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def sign_up(client, django_capture_on_commit_callbacks):
    """POST the sign-up form and send what it queued, as a commit would."""

    def post(email: str = "ada@example.org", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SIGN_UP, {"email": email}, **extra)

    return post


@pytest.fixture
def ask_reset(client, django_capture_on_commit_callbacks):
    def post(email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(PASSWORD_RESET, {"email": email})

    return post


def confirmed(innovation, **values) -> RegistrationOfInterest:
    values.setdefault("status", "confirmed")
    return RegistrationOfInterestFactory(
        innovation=innovation, confirmed_at=timezone.now(), **values
    )


# -- 1. Sign up and verification --------------------------------------------------------------


def test_sign_up_page_asks_only_for_the_address(client):
    response = client.get(SIGN_UP)
    assert response.status_code == 200
    assert title_of(response).startswith("Create an account")
    tree = page(response)
    [main] = elements(tree, "main")
    inputs = {dict(i.attributes).get("name"): i for i in elements(main, "input")}
    assert set(inputs) == {"csrfmiddlewaretoken", "email"}
    # WCAG 1.3.5: the field says what it is, for autofill.
    assert dict(inputs["email"].attributes)["autocomplete"] == "email"


def test_a_blank_sign_up_is_explained_the_govuk_way(client, mailoutbox):
    response = client.post(SIGN_UP, {"email": ""})

    assert response.status_code == 400
    assert title_of(response).startswith("Error:")
    assert summary_targets(response) == ["#id_email"]
    assert "Enter your email address" in response.content.decode()
    tree = page(response)
    [email_input] = elements(tree, "input", name="email")
    assert dict(email_input.attributes)["aria-invalid"] == "true"
    assert not User.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert mailoutbox == []


def test_an_invalid_email_address_is_a_form_error(client):
    response = client.post(SIGN_UP, {"email": "not-an-address"})
    assert response.status_code == 400
    assert summary_targets(response) == ["#id_email"]
    assert "Enter an email address in the correct format" in response.content.decode()
    assert not OutgoingEmail.objects.exists()


def test_a_valid_sign_up_stores_nothing_and_emails_a_link(sign_up, client, mailoutbox):
    response = sign_up(email="Ada.Lovelace@Example.ORG")

    assert response.status_code == 302
    assert response["Location"] == SIGN_UP_SENT
    assert not User.objects.exists(), "no account until the link is followed"
    assert signed_in_user_id(client) is None

    [message] = mailoutbox
    assert message.to == ["ada.lovelace@example.org"]
    assert message.subject == "Confirm your email address for Innovation Catalogue"
    assert "within 7 days" in message.body
    link = link_in(message)
    assert link.startswith("/account/verify/")
    [queued] = OutgoingEmail.objects.all()
    assert queued.sent_at is not None

    sent = client.get(SIGN_UP_SENT)
    assert sent.status_code == 200
    assert "Check your email" in title_of(sent)


def test_nothing_typed_at_sign_up_but_the_address_reaches_the_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """A name field was echoed into the email: a way to send a message to anyone's mailbox."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGN_UP, {"email": "ada@example.org", "first_name": "Call 0800 000 000 now"})
    [message] = mailoutbox
    assert "0800" not in message.body
    assert "0800" not in message.subject


def test_the_link_asks_for_a_name_and_password_and_opens_nothing_on_get(
    sign_up, client, mailoutbox
):
    sign_up()
    link = link_in(mailoutbox[0])

    response = client.get(link)

    assert response.status_code == 200
    assert title_of(response).startswith("Set up your account")
    tree = page(response)
    [main] = elements(tree, "main")
    [form] = elements(main, "form", method="post")
    purposes = {
        dict(i.attributes)["name"]: dict(i.attributes).get("autocomplete")
        for i in elements(form, "input")
        if dict(i.attributes)["name"] != "csrfmiddlewaretoken"
    }
    assert purposes == {
        "first_name": "name",
        "password1": "new-password",
        "password2": "new-password",
    }
    [button] = elements(form, "button")
    assert text(button) == "Confirm and sign in"
    assert "ada@example.org" in response.content.decode()
    assert not User.objects.exists()
    assert signed_in_user_id(client) is None


def test_choosing_a_password_at_the_link_opens_the_account_and_signs_in(
    sign_up, client, mailoutbox
):
    sign_up(email="Ada@Example.org")
    link = link_in(mailoutbox[0])

    response = client.post(link, open_data())

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    user = User.objects.get()
    assert (user.username, user.email, user.first_name, user.is_active) == (
        "ada@example.org",
        "ada@example.org",
        "Ada",
        True,
    )
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get(DASHBOARD).status_code == 200

    client.post(SIGN_OUT)
    assert sign_in(client, "ADA@example.org", NEW_PASSWORD).status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_a_blank_link_form_is_explained_the_govuk_way(sign_up, client, mailoutbox):
    sign_up()
    response = client.post(
        link_in(mailoutbox[0]), open_data(first_name="", password1="", password2="")
    )
    assert response.status_code == 400
    assert summary_targets(response) == ["#id_first_name", "#id_password1", "#id_password2"]
    html = response.content.decode()
    for message in ["Enter your name", "Enter a password", "Enter the password again"]:
        assert message in html
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short1!", "too short"),
        ("password123", "too common"),
        ("4829173650", "entirely numeric"),
        ("adalovelace", "too similar"),
    ],
)
def test_a_weak_password_is_a_form_error(sign_up, client, mailoutbox, password, complaint):
    sign_up(email="adalovelace@example.org")
    response = client.post(
        link_in(mailoutbox[0]), open_data(password1=password, password2=password)
    )
    assert response.status_code == 400
    assert title_of(response).startswith("Error:")
    assert "#id_password2" in summary_targets(response)
    assert complaint in response.content.decode()
    assert not User.objects.exists()


def test_mismatched_passwords_are_a_form_error(sign_up, client, mailoutbox):
    sign_up()
    response = client.post(link_in(mailoutbox[0]), open_data(password2=NEW_PASSWORD + "x"))
    assert response.status_code == 400
    assert summary_targets(response) == ["#id_password2"]
    assert "didn’t match" in response.content.decode()
    assert not User.objects.exists()


def test_a_used_link_opens_nothing_again(sign_up, client, mailoutbox):
    sign_up()
    link = link_in(mailoutbox[0])
    client.post(link, open_data())
    client.post(SIGN_OUT)

    response = client.post(
        link, open_data(password1="x" + NEW_PASSWORD, password2="x" + NEW_PASSWORD)
    )

    assert response.status_code == 400
    assert "confirmed already" in response.content.decode()
    assert User.objects.get().check_password(NEW_PASSWORD)
    assert signed_in_user_id(client) is None


# -- 1a. Nobody but the mailbox's holder can take an account over ----------------------------


def test_only_the_mailbox_holder_chooses_the_password_whatever_the_sign_ups(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """The finding: a second sign-up with an unconfirmed address replaced the password, and the
    newest link opened the account with the other person's password. Now sign-ups carry no
    password at all: the owner follows any link and the password is theirs."""
    mallory = type(client)()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGN_UP, {"email": "ada@example.org"})  # Ada
        mallory.post(SIGN_UP, {"email": "ada@example.org", "password1": "mallory-knows-this"})
    first, newest = (link_in(message) for message in mailoutbox)

    response = client.post(newest, open_data())

    assert response.status_code == 302
    user = User.objects.get()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password("mallory-knows-this")
    assert sign_in(mallory, "ada@example.org", "mallory-knows-this").status_code == 400
    # The other link opens nothing now.
    assert client.post(first, open_data(password1="another-" + NEW_PASSWORD)).status_code == 400


def test_an_account_waiting_from_before_opens_with_the_password_chosen_at_the_link(
    client, mailoutbox, sign_up
):
    """Accounts made by the old sign-up (closed, never used) carry a password someone typed at
    sign-up; the link replaces it with the mailbox holder's."""
    waiting = account(is_active=False)
    waiting.set_password("typed-by-whoever-signed-up")
    waiting.save()
    sign_up()

    client.post(link_in(mailoutbox[0]), open_data(first_name="Ada L"))

    waiting.refresh_from_db()
    assert (waiting.is_active, waiting.first_name) == (True, "Ada L")
    assert waiting.check_password(NEW_PASSWORD)
    assert not waiting.check_password("typed-by-whoever-signed-up")


def test_a_link_for_a_waiting_account_dies_when_its_password_changes(client):
    waiting = account(is_active=False)
    token = services.verification_token(waiting.email)
    waiting.set_password("changed-by-a-curator")
    waiting.save()

    response = client.post(reverse("accounts:verify", args=[token]), open_data())

    assert response.status_code == 400
    assert "no longer works" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.is_active is False


def test_a_tampered_link_is_refused(sign_up, client, mailoutbox):
    sign_up()
    link = link_in(mailoutbox[0])
    token = link.split("/")[-2]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for method in (client.get, client.post):
        response = method(reverse("accounts:verify", args=[tampered]))
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "This link does not work" in title_of(response)
        assert "This link is not complete or has been changed." in response.content.decode()
    assert not User.objects.exists()
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize(
    "payload",
    [{"email": "ada@example.org", "state": "new"}, "ada@example.org", {"state": "new"}],
)
def test_a_link_signed_for_another_purpose_or_shape_is_refused(client, payload):
    salt = "something.else" if isinstance(payload, dict) and "email" in payload else None
    token = signing.dumps(payload, salt=salt or "adopters.accounts.verify")

    response = client.post(reverse("accounts:verify", args=[token]), open_data())

    assert response.status_code == 400
    assert "This link is not complete or has been changed." in response.content.decode()
    assert not User.objects.exists()
    assert signed_in_user_id(client) is None


def test_an_expired_link_is_refused(client, settings):
    assert settings.ACCOUNT_VERIFY_DAYS == 7
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        token = services.verification_token("ada@example.org")

    for method in (client.get, client.post):
        response = method(reverse("accounts:verify", args=[token]), open_data())
        assert response.status_code == 400
        assert "This link does not work" in title_of(response)
        html = response.content.decode()
        assert "This link has expired" in html
        assert "7 days" in html
    assert not User.objects.exists()
    assert signed_in_user_id(client) is None


def test_a_link_six_days_old_still_works(client):
    six_days_ago = time.time() - 6 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=six_days_ago):
        token = services.verification_token("ada@example.org")

    response = client.post(reverse("accounts:verify", args=[token]), open_data())

    assert response.status_code == 302
    assert User.objects.get().is_active is True


def test_a_link_for_an_address_that_has_since_got_an_account_is_refused(client):
    token = services.verification_token("ada@example.org")
    account("ada@example.org")  # made meanwhile, by another link or a curator

    response = client.post(reverse("accounts:verify", args=[token]), open_data())

    assert response.status_code == 400
    assert "confirmed already" in response.content.decode()
    assert User.objects.get().check_password(PASSWORD)


def test_signed_in_people_are_sent_from_sign_up_to_their_dashboard(client, innovator):
    client.force_login(innovator)
    response = client.get(SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD


# -- 1b. Limits on emails about accounts -------------------------------------------------------


def test_sign_up_emails_to_one_address_are_limited_without_saying_so(sign_up, mailoutbox, settings):
    settings.ACCOUNT_EMAILS_PER_ADDRESS = 2
    for n in range(4):
        response = sign_up(email="Ada@example.org", REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 302
        assert response["Location"] == SIGN_UP_SENT
    assert len(mailoutbox) == 2


def test_sign_up_and_reset_emails_from_one_client_are_limited_with_a_429(
    sign_up, ask_reset, mailoutbox, settings
):
    settings.ACCOUNT_EMAILS_PER_CLIENT = 3
    account("grace@example.org")
    for n in range(2):
        assert sign_up(email=f"person{n}@example.org").status_code == 302
    assert ask_reset("grace@example.org").status_code == 302

    refused = sign_up(email="person9@example.org")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests for emails" in title_of(refused)
    assert ask_reset("grace@example.org").status_code == 429
    assert len(mailoutbox) == 3
    # Another network address is not held back.
    assert sign_up(email="person9@example.org", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_reset_emails_to_one_address_are_limited_without_saying_so(ask_reset, mailoutbox, settings):
    settings.ACCOUNT_EMAILS_PER_ADDRESS = 1
    account("grace@example.org")
    for _ in range(3):
        response = ask_reset("grace@example.org")
        assert response.status_code == 302
        assert response["Location"] == PASSWORD_RESET_SENT
    assert len(mailoutbox) == 1


# -- 2. Signing up with an address that has an account ----------------------------------------


@pytest.mark.parametrize("typed", ["ada@example.org", "ADA@Example.Org"])
def test_signing_up_again_makes_no_account_and_tells_the_owner(sign_up, mailoutbox, typed):
    existing = account("ada@example.org", first_name="Ada")

    response = sign_up(email=typed)

    assert response.status_code == 302
    assert response["Location"] == SIGN_UP_SENT, "the same page as for a new account"
    assert list(User.objects.all()) == [existing]
    existing.refresh_from_db()
    assert existing.first_name == "Ada"
    assert existing.check_password(PASSWORD)
    assert existing.is_active is True

    [message] = mailoutbox
    assert message.to == ["ada@example.org"]
    assert message.subject == "You already have an account on Innovation Catalogue"
    assert "http://testserver/account/password-reset/" in message.body
    assert "/account/verify/" not in message.body
    assert not VERIFY_LINK.search(message.body)


def test_the_existing_account_page_looks_like_the_new_account_page(client, sign_up):
    account("ada@example.org")
    for email in ("ada@example.org", "grace@example.org"):
        response = sign_up(email=email)
        assert response.status_code == 302
        assert response["Location"] == SIGN_UP_SENT


# -- 3. Sign in and the lock-out --------------------------------------------------------------


def test_sign_in_page_shows_the_form(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    assert title_of(response).startswith("Sign in")
    assert not title_of(response).startswith("Error:")


@pytest.mark.parametrize("typed", ["ada@example.org", "ADA@Example.ORG"])
def test_signing_in_by_email_in_any_case_goes_to_the_dashboard(client, typed):
    user = account("ada@example.org")

    response = sign_in(client, typed)

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert signed_in_user_id(client) == str(user.pk)


def test_signing_in_follows_a_safe_next(client):
    account()
    response = sign_in(client, "ada@example.org", next_url="/innovations/")
    assert response.status_code == 302
    assert response["Location"] == "/innovations/"


@pytest.mark.parametrize("unsafe", ["https://evil.example/steal", "//evil.example/"])
def test_signing_in_ignores_a_next_to_another_host(client, unsafe):
    account()
    response = sign_in(client, "ada@example.org", next_url=unsafe)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD


def test_a_wrong_password_is_refused_with_the_error_summary(client):
    account()

    response = sign_in(client, "ada@example.org", "not-the-password")

    assert response.status_code == 400
    assert title_of(response).startswith("Error:")
    tree = page(response)
    [summary] = elements(tree, "div", role="alert")
    assert "Enter the email address and password of your account" in text(summary)
    assert signed_in_user_id(client) is None


def test_a_blank_sign_in_links_to_both_fields(client):
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    assert response.status_code == 400
    assert summary_targets(response) == ["#id_username", "#id_password"]
    html = response.content.decode()
    assert "Enter your email address" in html
    assert "Enter your password" in html


def test_an_unverified_account_cannot_sign_in(client):
    account(is_active=False)

    response = sign_in(client, "ada@example.org")

    assert response.status_code == 400
    [summary] = elements(page(response), "div", role="alert")
    assert "confirm your email address" in text(summary)
    assert signed_in_user_id(client) is None


def test_signed_in_people_are_sent_from_sign_in_to_their_dashboard(client, innovator):
    client.force_login(innovator)
    response = client.get(SIGN_IN)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD


def fail(client, email="ada@example.org", times=1, **extra):
    for _ in range(times):
        response = sign_in(client, email, "wrong-password", **extra)
    return response


def test_five_failures_lock_the_account_out_from_that_address(client):
    account()
    for attempt in range(4):
        assert fail(client).status_code == 400, f"attempt {attempt + 1}"

    fifth = fail(client)
    assert fifth.status_code == 429

    response = sign_in(client, "ada@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in title_of(response)
    html = response.content.decode()
    assert "There have been 5 failed attempts" in html
    assert reverse("accounts:password-reset") in html
    assert signed_in_user_id(client) is None
    [attempt] = AccessAttempt.objects.all()
    assert attempt.username == "ada@example.org"
    assert attempt.ip_address == "127.0.0.1"


def test_failures_in_different_letter_cases_count_for_one_account(client):
    account()
    for typed in ["ada@example.org", "ADA@example.org", "Ada@Example.org", "aDa@example.ORG"]:
        assert fail(client, typed).status_code == 400

    assert fail(client, "AdA@eXample.org").status_code == 429
    assert sign_in(client, "ada@example.org").status_code == 429


def test_the_lock_out_is_only_for_that_address(client):
    account()
    fail(client, times=5, REMOTE_ADDR="10.0.0.1")
    assert sign_in(client, "ada@example.org", REMOTE_ADDR="10.0.0.1").status_code == 429

    response = sign_in(client, "ada@example.org", REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302
    assert signed_in_user_id(client) is not None


def test_the_lock_out_is_only_for_that_account(client):
    account("ada@example.org")
    grace = account("grace@example.org")
    fail(client, "ada@example.org", times=5)

    response = sign_in(client, "grace@example.org")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(grace.pk)


def test_a_forwarded_for_header_does_not_lift_the_lock_out(client):
    account()
    fail(client, times=5)
    response = sign_in(client, "ada@example.org", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429


def test_signing_in_before_the_limit_resets_the_count(client):
    account()
    fail(client, times=4)
    assert sign_in(client, "ada@example.org").status_code == 302
    client.post(SIGN_OUT)

    for attempt in range(4):
        assert fail(client).status_code == 400, f"attempt {attempt + 1} after the reset"
    assert sign_in(client, "ada@example.org").status_code == 302


# -- 4. Sign out and the header ---------------------------------------------------------------


def test_signing_out_signs_out_and_goes_home(client, innovator):
    client.force_login(innovator)
    assert signed_in_user_id(client) == str(innovator.pk)

    response = client.post(SIGN_OUT)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is None
    after = client.get(DASHBOARD)
    assert after.status_code == 302
    assert after["Location"].startswith(SIGN_IN)


def test_signing_out_needs_a_post(client, innovator):
    client.force_login(innovator)
    assert client.get(SIGN_OUT).status_code == 405
    assert signed_in_user_id(client) == str(innovator.pk)


def main_nav(response):
    [nav] = elements(page(response), "nav", aria_label="Menu")
    return nav


def test_the_header_offers_sign_in_when_signed_out(client):
    nav = main_nav(client.get("/"))
    links = {text(a): dict(a.attributes)["href"] for a in elements(nav, "a")}
    assert links.get("Sign in") == SIGN_IN
    assert "Your account" not in links
    assert not list(elements(nav, "form"))


def test_the_header_offers_the_account_and_sign_out_when_signed_in(client, innovator):
    client.force_login(innovator)
    nav = main_nav(client.get("/"))
    links = {text(a): dict(a.attributes)["href"] for a in elements(nav, "a")}
    assert links.get("Your account") == DASHBOARD
    assert "Sign in" not in links
    [form] = elements(nav, "form")
    assert dict(form.attributes)["action"] == SIGN_OUT
    assert dict(form.attributes)["method"] == "post"
    [button] = elements(form, "button")
    assert text(button) == "Sign out"


# -- 5. Password reset ------------------------------------------------------------------------


def test_a_reset_for_a_known_address_sends_one_link(ask_reset, mailoutbox):
    user = account("ada@example.org")

    response = ask_reset("ADA@example.org")

    assert response.status_code == 302
    assert response["Location"] == PASSWORD_RESET_SENT
    [message] = mailoutbox
    assert message.to == [user.email]
    assert message.subject == "Choose a new password for Innovation Catalogue"
    assert link_in(message, RESET_LINK).startswith("/account/reset/")
    [queued] = OutgoingEmail.objects.all()
    assert queued.to == user.email
    assert queued.sent_at is not None


def test_a_reset_for_an_unknown_address_sends_nothing_but_looks_the_same(
    ask_reset, client, mailoutbox
):
    response = ask_reset("nobody@example.org")

    assert response.status_code == 302
    assert response["Location"] == PASSWORD_RESET_SENT
    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()
    done = client.get(PASSWORD_RESET_SENT)
    assert done.status_code == 200
    assert "Check your email" in title_of(done)


def test_the_reset_link_sets_a_new_password(ask_reset, client, mailoutbox):
    user = account("ada@example.org")
    ask_reset("ada@example.org")
    link = link_in(mailoutbox[0], RESET_LINK)

    redirected = client.get(link)
    assert redirected.status_code == 302
    set_password = redirected["Location"]
    assert set_password.endswith("/set-password/")
    form = client.get(set_password)
    assert form.status_code == 200
    assert "Choose a new password" in title_of(form)

    done = client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 400
    assert sign_in(client, "ada@example.org", NEW_PASSWORD).status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_a_reset_link_works_once(ask_reset, client, mailoutbox):
    account()
    ask_reset("ada@example.org")
    link = link_in(mailoutbox[0], RESET_LINK)
    set_password = client.get(link)["Location"]
    client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()


def test_a_mail_failure_keeps_the_reset_email_queued(ask_reset, mailoutbox):
    account()
    with mock.patch(
        "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("no server")
    ):
        response = ask_reset("ada@example.org")

    assert response.status_code == 302
    assert response["Location"] == PASSWORD_RESET_SENT
    assert mailoutbox == []
    [queued] = OutgoingEmail.objects.all()
    assert queued.sent_at is None
    assert queued.attempts == 1
    assert "ConnectionRefusedError" in queued.last_error
    assert RESET_LINK.search(queued.body)


# -- 6. The dashboard -------------------------------------------------------------------------


@pytest.fixture
def interest(innovator, other_innovator, own_draft):
    """The innovator's two innovations, someone else's, and registrations on each."""
    mine = InnovationFactory(title="Reading circles")
    mine.owners.add(innovator)
    theirs = InnovationFactory(title="Someone else's idea")
    theirs.owners.add(other_innovator)
    return {
        "mine": mine,
        "draft": own_draft,
        "theirs": theirs,
        "ada": confirmed(
            mine, name="Ada Confirmed", region=region("north-west"), interests=["find-out-more"]
        ),
        "bob": confirmed(own_draft, name="Bob Contacted", status="contacted"),
        "nina": RegistrationOfInterestFactory(innovation=mine, name="Nina Unconfirmed"),
        "olga": confirmed(theirs, name="Olga Other"),
    }


def innovation_rows(response) -> list[list[str]]:
    """Each of "Your innovations": its title, moderation status and confirmed interest."""
    [section] = elements(page(response), "section", aria_labelledby="your-innovations")
    return [
        [text(cell) for cell in elements(row, "td")][:3]
        for row in elements(section, "tr")
        if list(elements(row, "td"))
    ]


def interest_rows(response) -> dict[str, list[str]]:
    """The interest table, by the row's id."""
    [section] = elements(page(response), "section", aria_labelledby="interest")
    return {
        dict(row.attributes)["id"]: [text(cell) for cell in elements(row, "td")]
        for row in elements(section, "tr")
        if "id" in dict(row.attributes)
    }


def listed(response) -> set[str]:
    """The names of the people in the interest table."""
    return {" ".join(cells[0].split()[:2]) for cells in interest_rows(response).values()}


def result_count(response) -> str:
    [count] = [
        p
        for p in elements(page(response), "p")
        if "result-count" in dict(p.attributes).get("class", "").split()
    ]
    return text(count)


def test_the_dashboard_needs_signing_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={DASHBOARD}"


def test_the_dashboard_lists_own_innovations_with_status_and_confirmed_interest(
    client, innovator, interest
):
    confirmed(interest["mine"], name="Another Person", status="closed")
    client.force_login(innovator)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert innovation_rows(response) == [
        ["My draft idea", "Draft", "1"],
        ["Reading circles", "Published", "2"],
    ]
    assert "Someone else's idea" not in response.content.decode()


def test_the_dashboard_without_innovations_says_so(client, other_innovator):
    client.force_login(UserFactory(username="newcomer"))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert innovation_rows(response) == []
    assert "You do not look after any innovation yet" in response.content.decode()
    assert result_count(response).startswith("0 registrations")


def test_the_dashboard_lists_only_confirmed_interest_in_own_innovations(
    client, innovator, interest
):
    client.force_login(innovator)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert listed(response) == {"Ada Confirmed", "Bob Contacted"}
    html = response.content.decode()
    assert "Nina Unconfirmed" not in html
    assert "Olga Other" not in html
    assert interest["olga"].email not in html
    assert result_count(response).startswith("2 registrations")
    rows = interest_rows(response)
    ada = rows[f"registration-{interest['ada'].pk}"]
    assert ada[1] == "Reading circles"
    assert "North West" in ada[0]
    assert ada[2] == "Find out more"
    assert "Confirmed" in ada[4]


def test_the_other_innovator_sees_only_their_own(client, other_innovator, interest):
    client.force_login(other_innovator)
    response = client.get(DASHBOARD)
    assert listed(response) == {"Olga Other"}
    assert innovation_rows(response) == [["Someone else's idea", "Published", "1"]]


def test_the_dashboard_filters_by_status(client, innovator, interest):
    client.force_login(innovator)

    contacted = client.get(DASHBOARD, {"status": "contacted"})
    assert contacted.status_code == 200
    assert listed(contacted) == {"Bob Contacted"}

    open_ = client.get(DASHBOARD, {"status": "confirmed"})
    assert listed(open_) == {"Ada Confirmed"}

    closed = client.get(DASHBOARD, {"status": "closed"})
    assert closed.status_code == 200
    assert listed(closed) == set()


def test_the_dashboard_filters_by_innovation(client, innovator, interest):
    client.force_login(innovator)

    response = client.get(DASHBOARD, {"innovation": interest["mine"].slug})
    assert response.status_code == 200
    assert listed(response) == {"Ada Confirmed"}

    draft = client.get(DASHBOARD, {"innovation": interest["draft"].slug, "status": "contacted"})
    assert listed(draft) == {"Bob Contacted"}

    theirs = client.get(DASHBOARD, {"innovation": interest["theirs"].slug})
    assert theirs.status_code == 200
    assert listed(theirs) == set()
    assert "Olga Other" not in theirs.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"status": "new"},
        {"status": "nonsense"},
        {"innovation": "not a slug!"},
    ],
)
def test_an_invalid_filter_is_a_400_listing_nothing(client, innovator, interest, query):
    client.force_login(innovator)

    response = client.get(DASHBOARD, query)

    assert response.status_code == 400
    tree = page(response)
    [problem] = [d for d in elements(tree, "div", role="alert")]
    assert "There is a problem with these filters" in text(problem)
    assert ("Select a valid choice" in text(problem)) or ("Enter a valid" in text(problem))
    assert listed(response) == set()
    assert result_count(response).startswith("0 registrations")


def test_the_dashboard_query_count_does_not_grow_with_registrations(client, innovator, interest):
    client.force_login(innovator)
    client.get(DASHBOARD)  # warm up whatever is loaded once per process

    with CaptureQueriesContext(connection) as few:
        response = client.get(DASHBOARD)
    assert len(interest_rows(response)) == 2

    for n in range(9):
        confirmed(interest["mine"], name=f"Person {n}", region=region("north-west"))
        confirmed(
            interest["draft"], name=f"Other {n}", status="contacted", interests=["join-network"]
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(DASHBOARD)
    assert len(interest_rows(response)) == 20

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_dashboard_query_count_is_small(
    client, innovator, interest, django_assert_max_num_queries
):
    for n in range(20):
        confirmed(interest["mine"], name=f"Person {n}", region=region("north-west"))
    client.force_login(innovator)
    with django_assert_max_num_queries(8):
        response = client.get(DASHBOARD)
    assert len(interest_rows(response)) == 22


# -- 7. Following up --------------------------------------------------------------------------


def follow_up_url(registration) -> str:
    return reverse("accounts:follow-up", args=[registration.pk])


def test_the_owner_marks_a_registration_contacted(client, innovator, interest):
    ada = interest["ada"]
    client.force_login(innovator)

    response = client.post(
        follow_up_url(ada), {"status": "contacted", "next": "/account/?status=confirmed"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/account/?status=confirmed#registration-{ada.pk}"
    ada.refresh_from_db()
    assert ada.status == "contacted"


def test_following_up_without_next_goes_back_to_the_dashboard(client, innovator, interest):
    bob = interest["bob"]
    client.force_login(innovator)

    response = client.post(follow_up_url(bob), {"status": "closed"})

    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}#registration-{bob.pk}"
    bob.refresh_from_db()
    assert bob.status == "closed"


@pytest.mark.parametrize("elsewhere", ["https://evil.example/steal", "//evil.example/"])
def test_following_up_ignores_a_next_to_another_host(client, innovator, interest, elsewhere):
    ada = interest["ada"]
    client.force_login(innovator)

    response = client.post(follow_up_url(ada), {"status": "contacted", "next": elsewhere})

    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}#registration-{ada.pk}"
    ada.refresh_from_db()
    assert ada.status == "contacted"


def test_the_dashboard_buttons_post_the_follow_up(client, innovator, interest):
    ada = interest["ada"]
    client.force_login(innovator)
    response = client.get(DASHBOARD)
    forms = [f for f in elements(page(response), "form", action=follow_up_url(ada))]
    statuses = sorted(
        dict(i.attributes)["value"] for f in forms for i in elements(f, "input", name="status")
    )
    assert statuses == ["closed", "contacted"], "every follow-up status but the current one"


def test_another_innovator_cannot_follow_up(client, other_innovator, interest):
    ada = interest["ada"]
    client.force_login(other_innovator)

    response = client.post(follow_up_url(ada), {"status": "contacted"})

    assert response.status_code == 404
    ada.refresh_from_db()
    assert ada.status == "confirmed"


def test_an_unconfirmed_registration_cannot_be_followed_up(client, innovator, interest):
    nina = interest["nina"]
    client.force_login(innovator)
    response = client.post(follow_up_url(nina), {"status": "contacted"})
    assert response.status_code == 404
    nina.refresh_from_db()
    assert nina.status == "new"


def test_interest_that_became_an_adoption_is_followed_up_there(client, innovator, interest):
    ada = interest["ada"]
    ada.adoption = AdoptionFactory(innovation=ada.innovation)
    ada.status = "adopted"
    ada.save()
    client.force_login(innovator)

    forms = list(elements(page(client.get(DASHBOARD)), "form", action=follow_up_url(ada)))
    assert forms == [], "no Mark buttons on interest that became an adoption"
    response = client.post(follow_up_url(ada), {"status": "contacted"})
    assert response.status_code == 400
    assert "become an adoption" in response.content.decode()
    ada.refresh_from_db()
    assert ada.status == "adopted"


def test_following_up_needs_signing_in(client, interest):
    ada = interest["ada"]

    response = client.post(follow_up_url(ada), {"status": "contacted"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{SIGN_IN}?next=")
    ada.refresh_from_db()
    assert ada.status == "confirmed"


def test_following_up_needs_a_post(client, innovator, interest):
    client.force_login(innovator)
    assert client.get(follow_up_url(interest["ada"]), {"status": "contacted"}).status_code == 405
    interest["ada"].refresh_from_db()
    assert interest["ada"].status == "confirmed"


@pytest.mark.parametrize("status", ["new", "adopted", "", "nonsense"])
def test_following_up_to_another_status_is_a_400(client, innovator, interest, status):
    ada = interest["ada"]
    client.force_login(innovator)

    response = client.post(follow_up_url(ada), {"status": status})

    assert response.status_code == 400
    ada.refresh_from_db()
    assert ada.status == "confirmed"


# -- 8. CSV -----------------------------------------------------------------------------------


CSV_HEADER = [
    "confirmed",
    "innovation",
    "name",
    "email",
    "organisation",
    "organisation kind",
    "role",
    "region",
    "interests",
    "message",
    "status",
]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_holds_exactly_the_owners_confirmed_interest(client, innovator, interest):
    client.force_login(innovator)

    response = client.get(CSV_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == CSV_HEADER
    by_name = {row[2]: dict(zip(CSV_HEADER, row, strict=True)) for row in rows}
    assert set(by_name) == {"Ada Confirmed", "Bob Contacted"}
    ada = by_name["Ada Confirmed"]
    assert ada["innovation"] == "Reading circles"
    assert ada["email"] == interest["ada"].email
    assert ada["region"] == "North West"
    assert ada["interests"] == "Find out more"
    assert ada["status"] == "Confirmed"
    assert ada["confirmed"] == interest["ada"].confirmed_at.isoformat()
    assert by_name["Bob Contacted"]["status"] == "Contacted"


def test_the_csv_is_filtered_as_the_dashboard(client, innovator, interest):
    client.force_login(innovator)

    contacted = csv_rows(client.get(CSV_URL, {"status": "contacted"}))
    assert contacted[0] == CSV_HEADER
    assert [row[2] for row in contacted[1:]] == ["Bob Contacted"]

    mine = csv_rows(client.get(CSV_URL, {"innovation": interest["mine"].slug}))
    assert [row[2] for row in mine[1:]] == ["Ada Confirmed"]

    theirs = csv_rows(client.get(CSV_URL, {"innovation": interest["theirs"].slug}))
    assert theirs == [CSV_HEADER]


def test_the_csv_never_holds_another_innovators_interest(client, other_innovator, interest):
    client.force_login(other_innovator)

    rows = csv_rows(client.get(CSV_URL))

    assert [row[2] for row in rows[1:]] == ["Olga Other"]
    body = "\n".join(",".join(row) for row in rows)
    assert "Ada Confirmed" not in body
    assert "Bob Contacted" not in body
    assert "Nina Unconfirmed" not in body


@pytest.mark.parametrize(
    "message", ['=HYPERLINK("http://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1)"]
)
def test_the_csv_escapes_formulas(client, innovator, interest, message):
    confirmed(interest["mine"], name="=cmd|' /C calc'!A0", message=message)
    client.force_login(innovator)

    rows = csv_rows(client.get(CSV_URL))

    [row] = [r for r in rows[1:] if r[9].endswith(message)]
    assert row[9] == "'" + message
    assert row[2] == "'=cmd|' /C calc'!A0"
    for cells in rows:
        for cell in cells:
            assert cell[:1] not in ("=", "+", "-", "@"), cell


@pytest.mark.parametrize("query", [{"status": "new"}, {"status": "nonsense"}])
def test_an_invalid_csv_filter_is_a_400(client, innovator, interest, query):
    client.force_login(innovator)

    response = client.get(CSV_URL, query)

    assert response.status_code == 400
    body = response.content.decode()
    assert body.startswith("status:")
    assert "Select a valid choice" in body
    assert "Ada Confirmed" not in body


def test_the_csv_needs_signing_in(client, interest):
    response = client.get(CSV_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SIGN_IN}?next=")


# -- Bugs found by these tests, fixed ---------------------------------------------------------


def test_an_email_too_long_to_be_a_username_is_a_form_error(client):
    email = "a" * 140 + "@example.org"  # 152 characters
    response = client.post(SIGN_UP, {"email": email})
    assert response.status_code == 400
    assert "150 characters or fewer" in response.content.decode()
    assert not OutgoingEmail.objects.exists()


def test_signing_up_again_before_confirming_sends_a_fresh_link(sign_up, mailoutbox):
    sign_up()
    sign_up()
    assert not User.objects.exists()
    assert len(mailoutbox) == 2
    assert "/account/verify/" in mailoutbox[1].body


def test_a_used_link_does_not_sign_in_again_nor_reopen_a_closed_account(
    sign_up, client, mailoutbox
):
    sign_up()
    link = link_in(mailoutbox[0])
    assert client.post(link, open_data()).status_code == 302
    client.post(reverse("accounts:sign-out"))

    again = client.post(link, open_data())
    assert again.status_code == 400
    assert "confirmed already" in again.content.decode()
    assert signed_in_user_id(client) is None

    user = User.objects.get()
    user.is_active = False  # a curator closes the account
    user.save()
    assert client.post(link, open_data()).status_code == 400
    user.refresh_from_db()
    assert user.is_active is False
    assert signed_in_user_id(client) is None


def test_an_account_made_in_the_admin_signs_in_by_its_email(client):
    User.objects.create_user(
        username="Jo.Admin", email="jo@example.org", password="pw-long-enough-1"
    )
    response = client.post(SIGN_IN, {"username": "JO@example.org", "password": "pw-long-enough-1"})
    assert response.status_code == 302
    assert signed_in_user_id(client) is not None


def test_someone_who_signed_up_with_your_address_first_cannot_keep_the_account(
    sign_up, client, mailoutbox
):
    sign_up(REMOTE_ADDR="203.0.113.66")  # someone else, first
    first_link = link_in(mailoutbox[0])
    sign_up()  # the holder of the address
    second_link = link_in(mailoutbox[1])

    # Whichever link the holder follows, the name and password are the ones they choose there.
    assert client.post(first_link, open_data()).status_code == 302
    user = User.objects.get()
    assert user.first_name == "Ada"
    assert user.check_password(NEW_PASSWORD)
    assert client.post(second_link, open_data(first_name="Someone")).status_code == 400


def test_accounts_never_confirmed_are_purged_after_30_days(innovator):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    account("ada@example.org", is_active=False)  # waiting since the old sign-up
    account("bo@example.org", is_active=False)
    old = timezone.now() - timedelta(days=31)
    User.objects.filter(is_active=False).update(date_joined=old)
    given_work = User.objects.get(email="bo@example.org")
    InnovationFactory().owners.add(given_work)  # a curator made them an owner meanwhile
    innovator.date_joined = old
    innovator.save()

    call_command("purge_unconfirmed", stdout=StringIO())

    assert set(User.objects.values_list("email", flat=True)) == {
        "bo@example.org",
        innovator.email,
    }
