"""What a CDN in front may keep (config/caching.py, issue 17 item 4): anonymous reads the same
for everyone are public for a minute; anything personal, signed in, carrying a form's token or
setting a cookie is private and not stored; conditional GETs keep working."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.factories import InnovationFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, stale-while-revalidate=60"
PRIVATE = "private, no-store"


@pytest.fixture
def published(db):
    return InnovationFactory(title="Homeshare", slug="homeshare", status="published")


def cache_control(response) -> str:
    return ", ".join(sorted(part.strip() for part in response["Cache-Control"].split(",")))


def normalised(value: str) -> str:
    return ", ".join(sorted(part.strip() for part in value.split(",")))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/innovations/",
        "/innovations/?q=homeshare",
        "/innovations/homeshare/",
        "/innovations/feed/",
        "/innovations/export.csv",
        "/api/v1/innovations/",
        "/api/v1/innovations/homeshare/",
        "/how-innovations-spread/",
    ],
)
def test_anonymous_reads_are_public_for_a_minute(published, path):
    response = Client().get(path)
    assert response.status_code == 200, path
    assert cache_control(response) == normalised(PUBLIC)
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Cookie", "Authorization"} <= vary


def test_the_time_follows_the_setting(published, settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    response = Client().get("/innovations/")
    assert "max-age=300" in response["Cache-Control"]


def test_a_signed_in_person_s_pages_are_private(published):
    client = Client()
    client.force_login(UserFactory())
    for path in ("/", "/innovations/homeshare/", "/account/", "/api/v1/innovations/"):
        assert cache_control(client.get(path)) == normalised(PRIVATE), path


def test_an_api_read_with_a_token_is_private(published):
    token = Token.objects.create(user=UserFactory())
    response = Client().get("/api/v1/innovations/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert cache_control(response) == normalised(PRIVATE)


def test_a_page_with_a_form_token_is_private(published):
    """The register-interest form carries a CSRF token: one visitor's, not to be shared."""
    response = Client().get("/innovations/homeshare/interest/")
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert cache_control(response) == normalised(PRIVATE)
    # Even for a visitor who already has the CSRF cookie.
    client = Client()
    client.get("/innovations/homeshare/interest/")
    again = client.get("/innovations/homeshare/interest/")
    assert cache_control(again) == normalised(PRIVATE)


def test_writes_and_errors_are_never_stored(published):
    client = Client()
    assert cache_control(client.post("/api/v1/auth/token/", {})) == normalised(PRIVATE)
    assert cache_control(client.get("/no-such-page/")) == normalised(PRIVATE)
    assert cache_control(client.get("/innovations/?page=x")) == normalised(PRIVATE)


def test_the_probes_keep_their_own_never_cache(client):
    assert "no-store" in client.get("/healthz")["Cache-Control"]
    assert "public" not in client.get("/readyz")["Cache-Control"]


def test_a_conditional_get_is_a_304_that_stays_public(published):
    client = Client()
    first = client.get("/innovations/homeshare/")
    etag = first["ETag"]
    again = client.get("/innovations/homeshare/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert cache_control(again) == normalised(PUBLIC)
