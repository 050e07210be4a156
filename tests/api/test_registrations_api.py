"""Registering interest through the API: anyone may, with the site form's rules (consent,
honeypot, hourly limit), and every refusal names the field and stores nothing."""

import pytest

from adopters import services
from adopters.models import RegistrationOfInterest
from kernel.models import OutgoingEmail
from tests.factories import InnovationFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(slug: str) -> str:
    return f"/api/v1/innovations/{slug}/registrations/"


def post(client, slug, data, **extra):
    return client.post(url(slug), data, content_type="application/json", **extra)


def valid(**changes):
    return {
        "name": "Sam Patel",
        "email": "sam@example.org",
        "organisation_name": "Example Borough Council",
        "organisation_kind": "local-authority",
        "region": "north-west",
        "interests": ["explore-adopting", "find-out-more"],
        "message": "Could it run in libraries?",
        "consent": True,
        **changes,
    }


@pytest.fixture
def innovation():
    return InnovationFactory(title="Shared reading", slug="shared-reading")


def test_anyone_registers_interest_and_gets_the_consent_wording_back(
    client, innovation, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, innovation.slug, valid(interests=["find-out-more"] * 2))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["innovation"] == "shared-reading"
    assert body["status"] == "new"
    assert body["interests"] == ["find-out-more"]
    assert body["consent_text"] == services.consent_wording(innovation)
    assert "website" not in body
    assert "consent" not in body
    registration = RegistrationOfInterest.objects.get()
    assert registration.region.slug == "north-west"
    assert registration.confirmed_at is None
    assert registration.client_key == services.client_key("127.0.0.1")
    # The confirmation link went to the person, and nobody else has heard yet.
    assert [m.to for m in mailoutbox] == [["sam@example.org"]]
    assert "/interest/confirm/" in mailoutbox[0].body


def test_a_signed_in_client_registers_the_same_way(client, innovation):
    client.force_login(UserFactory())
    assert post(client, innovation.slug, valid()).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"interests": []}, "interests"),
        ({"interests": ["world-domination"]}, "interests"),
        ({"consent": False}, "consent"),
        ({"region": "atlantis"}, "region"),
        ({"region": "nul\x00byte"}, "region"),
        ({"name": "nul\x00byte"}, "name"),
        ({"organisation_kind": "cartel"}, "organisation_kind"),
        ({"website": "http://spam.example"}, "website"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_kept(
    client, innovation, changes, field
):
    response = post(client, innovation.slug, valid(**changes))
    assert response.status_code == 400
    assert field in response.json()
    assert not RegistrationOfInterest.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_consent_must_be_given_at_all(client, innovation):
    data = valid()
    del data["consent"]
    response = post(client, innovation.slug, data)
    assert response.status_code == 400
    assert "consent" in response.json()


def test_only_published_innovations_take_registrations(client):
    draft = InnovationFactory(draft=True, slug="hidden")
    assert post(client, draft.slug, valid()).status_code == 404
    assert post(client, "no-such-thing", valid()).status_code == 404
    assert not RegistrationOfInterest.objects.exists()


def test_registrations_cannot_be_read_back(client, innovation):
    assert client.get(url(innovation.slug)).status_code == 405


def test_the_hourly_limit_per_email_is_a_429_with_retry_after(client, innovation, settings):
    settings.REGISTRATION_LIMIT_PER_EMAIL = 2
    for _ in range(2):
        assert post(client, innovation.slug, valid()).status_code == 201
    response = post(client, innovation.slug, valid(email="SAM@example.org"))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "detail" in response.json()
    assert RegistrationOfInterest.objects.count() == 2
    # Someone else, from the same address, is still welcome.
    assert post(client, innovation.slug, valid(email="kim@example.org")).status_code == 201


def test_the_hourly_limit_per_network_address(client, innovation, settings):
    settings.REGISTRATION_LIMIT_PER_ADDRESS = 1
    assert post(client, innovation.slug, valid(email="a@example.org")).status_code == 201
    limited = post(client, innovation.slug, valid(email="b@example.org"))
    assert limited.status_code == 429
    other = post(client, innovation.slug, valid(email="c@example.org"), REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 201


def test_the_api_is_not_held_to_the_forms_minimum_fill_time(client, innovation, settings):
    # No form is shown, so there is no moment it was shown to time from.
    settings.REGISTRATION_MIN_FILL_SECONDS = 3600
    assert post(client, innovation.slug, valid()).status_code == 201


def test_a_filled_honeypot_is_a_400_on_the_website_field_not_a_pretend_success(client, innovation):
    response = post(client, innovation.slug, valid(website="http://spam.example"))
    assert response.status_code == 400
    assert response.json() == {"website": ["Leave this field out."]}
    assert not RegistrationOfInterest.objects.exists()
