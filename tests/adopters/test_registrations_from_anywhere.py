"""Registrations of interest from anywhere (issue 14, finding 9): the per-email limit counts
mailboxes, so a +tag does not buy a fresh allowance; other sites' pages cannot make their
visitors' browsers register through the API; a form's start note is spent when used.
Registering stays open to anyone without an account."""

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from adopters.models import RegistrationOfInterest
from catalogue.models import Region
from kernel import mailboxes, once
from kernel.mailboxes import mailbox
from kernel.models import SpentToken
from tests.adopters.test_registration import STARTED_SALT, form_data, register_url, started
from tests.factories import InnovationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def innovation():
    return InnovationFactory(title="Shared reading", slug="shared-reading")


@pytest.fixture
def register(client, innovation, django_capture_on_commit_callbacks):
    """Send the site's form, from a new network address each time unless one is given."""
    addresses = iter(f"198.51.100.{n}" for n in range(1, 250))

    def post(**changes):
        address = changes.pop("REMOTE_ADDR", None) or next(addresses)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(register_url(innovation), form_data(**changes), REMOTE_ADDR=address)

    return post


# -- (a) The limit per email address counts mailboxes -----------------------------------------


def mailbox_of(address: str) -> str:
    """What kernel.mailboxes.mailbox makes of an address, as the database computes it."""
    return Region.objects.annotate(m=mailbox(address)).values_list("m", flat=True).first()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("ann@example.org", "ann@example.org"),
        ("Ann@Example.ORG", "ann@example.org"),
        ("ann+1@example.org", "ann@example.org"),
        ("ann+news+2@example.org", "ann@example.org"),
        ("ann.lee@example.org", "ann.lee@example.org"),  # dots matter outside Gmail
        ("ann@mail.example.org", "ann@mail.example.org"),
        ("A.n.n.Lee+x@gmail.com", "annlee@gmail.com"),
        ("annlee@googlemail.com", "annlee@gmail.com"),
        ("+tag@example.org", "@example.org"),
    ],
)
def test_the_mailbox_of_an_address(address, expected):
    assert mailbox_of(address) == expected
    # The cache's counts (account emails) use the Python twin of the same rule.
    assert mailboxes.mailbox_of(address) == expected


def test_a_plus_tag_does_not_escape_the_limit_per_email(register, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 2
    assert register(email="ann+1@example.org").status_code == 302
    assert register(email="ann+2@example.org").status_code == 302

    refused = register(email="Ann+3@Example.org")

    assert refused.status_code == 429
    assert RegistrationOfInterest.objects.count() == 2
    assert register(email="bob@example.org").status_code == 302


def test_the_plain_address_counts_with_its_tagged_ones(register, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 2
    register(email="ann+1@example.org")
    register(email="ann@example.org")
    assert register(email="ann+again@example.org").status_code == 429


def test_gmail_dots_do_not_escape_the_limit_per_email(register, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 2
    register(email="ann.lee@gmail.com")
    register(email="annlee@googlemail.com")
    assert register(email="a.n.n.l.e.e+x@gmail.com").status_code == 429


def test_dots_elsewhere_are_different_mailboxes(register, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 1
    assert register(email="jo.smith@example.gov.uk").status_code == 302
    assert register(email="josmith@example.gov.uk").status_code == 302


def test_the_address_is_kept_as_typed(register):
    register(email="Ann+Reading@Example.org")
    assert RegistrationOfInterest.objects.get().email == "Ann+Reading@Example.org"


def test_the_api_counts_mailboxes_too(client, innovation, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 1
    url = f"/api/v1/innovations/{innovation.slug}/registrations/"
    body = {"name": "Sam", "interests": ["find-out-more"], "consent": True}

    first = client.post(url, {**body, "email": "sam+a@example.org"}, "application/json")
    again = client.post(url, {**body, "email": "sam+b@example.org"}, "application/json")

    assert (first.status_code, again.status_code) == (201, 429)


# -- (b) Only JSON, which other sites' pages cannot send without the API's leave ---------------

EVIL = "https://evil.example"


def api_url(innovation) -> str:
    return f"/api/v1/innovations/{innovation.slug}/registrations/"


def api_body(**changes) -> dict:
    return {
        "name": "Sam Patel",
        "email": "sam@example.org",
        "interests": ["find-out-more"],
        "consent": True,
        **changes,
    }


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/x-www-form-urlencoded",
            "name=Sam&email=sam%40example.org&interests=find-out-more&consent=true",
        ),
        ("text/plain", '{"name": "Sam", "email": "sam@example.org", "consent": true}'),
        ("text/plain;charset=UTF-8", '{"name": "Sam", "email": "sam@example.org"}'),
    ],
    ids=["form-encoded", "text-plain", "text-plain-charset"],
)
def test_a_body_any_page_could_send_is_a_415_and_nothing_is_kept(
    client, innovation, mailoutbox, content_type, body
):
    response = client.post(api_url(innovation), body, content_type=content_type, HTTP_ORIGIN=EVIL)

    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    assert "Access-Control-Allow-Origin" not in response
    assert not RegistrationOfInterest.objects.exists()
    assert mailoutbox == []


def test_a_multipart_body_is_a_415(client, innovation):
    """What an HTML form with enctype="multipart/form-data" sends (the test client's default)."""
    form = {"name": "Sam", "email": "sam@example.org", "interests": "find-out-more"}
    response = client.post(api_url(innovation), {**form, "consent": "true"}, HTTP_ORIGIN=EVIL)
    assert response.status_code == 415
    assert not RegistrationOfInterest.objects.exists()


def test_json_with_a_charset_is_taken(client, innovation):
    response = client.post(
        api_url(innovation), api_body(), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201
    assert RegistrationOfInterest.objects.get().email == "sam@example.org"


def test_other_sites_are_refused_the_preflight_a_json_post_needs(client, innovation):
    preflight = client.options(
        api_url(innovation),
        HTTP_ORIGIN=EVIL,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    cors = {name for name in preflight.headers if name.lower().startswith("access-control-")}
    assert cors == set()


def test_reads_stay_open_to_other_sites(client, innovation):
    preflight = client.options(
        "/api/v1/innovations/", HTTP_ORIGIN=EVIL, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    read = client.get("/api/v1/innovations/", HTTP_ORIGIN=EVIL)
    assert read["Access-Control-Allow-Origin"] == "*"


def test_a_write_s_answer_carries_no_cors_headers(client, innovation):
    response = client.post(
        api_url(innovation), api_body(), content_type="application/json", HTTP_ORIGIN=EVIL
    )
    assert response.status_code == 201
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


def test_the_schema_documents_json_only(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/innovations/{slug}/registrations/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json"}


# -- (c) A form's start note is spent when used ------------------------------------------------


def shown_form(client, innovation) -> str:
    """The start note of the form as a person is shown it."""
    return client.get(register_url(innovation)).context["form"].initial["started"]


def backdated(note: str, seconds: float = 10) -> str:
    """The same note (same nonce), as if the form had been shown `seconds` earlier."""
    value = signing.loads(note, salt=STARTED_SALT)
    return signing.dumps({**value, "shown_at": value["shown_at"] - seconds}, salt=STARTED_SALT)


def test_a_start_note_sends_one_registration_only(client, register, innovation, mailoutbox):
    note = backdated(shown_form(client, innovation))
    assert register(started=note, email="ann@example.org").status_code == 302

    again = register(started=note, email="bob@example.org")

    assert again.status_code == 400
    assert "This form has been sent already" in again.content.decode()
    assert list(RegistrationOfInterest.objects.values_list("email", flat=True)) == [
        "ann@example.org"
    ]
    assert len(mailoutbox) == 1


def test_after_a_refusal_the_form_s_fresh_note_works(client, register, innovation, settings):
    note = backdated(shown_form(client, innovation))
    register(started=note)
    refused = register(started=note, email="bob@example.org")
    fresh = refused.context["form"].data["started"]
    assert fresh != note

    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    assert register(started=fresh, email="bob@example.org").status_code == 302
    assert RegistrationOfInterest.objects.count() == 2


def test_a_note_sent_too_quickly_is_not_spent(client, register, innovation, settings):
    note = shown_form(client, innovation)
    assert register(started=note).status_code == 400  # under the minimum fill time
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    assert register(started=note).status_code == 302


def test_a_note_is_not_spent_while_the_form_has_mistakes(client, register, innovation):
    note = backdated(shown_form(client, innovation))
    assert register(started=note, name="").status_code == 400
    assert register(started=note).status_code == 302


def test_a_note_given_before_notes_were_single_use_is_taken_once(register):
    """A bare time, as forms shown before this change carry."""
    note = started()
    assert register(started=note).status_code == 302
    assert register(started=note, email="bob@example.org").status_code == 400


def test_spend_says_whether_a_token_was_used_before():
    day = timedelta(days=1)
    assert once.spend("abc", purpose="one", valid_for=day) is True
    assert once.spend("abc", purpose="one", valid_for=day) is False
    assert once.spend("abc", purpose="another", valid_for=day) is True
    assert "abc" not in "".join(SpentToken.objects.values_list("digest", flat=True))


def test_spent_tokens_are_forgotten_once_they_would_expire():
    once.spend("old", purpose="one", valid_for=timedelta(seconds=1))
    SpentToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    once.spend("new", purpose="one", valid_for=timedelta(days=1))
    assert SpentToken.objects.count() == 1
    assert once.spend("old", purpose="one", valid_for=timedelta(days=1)) is True
