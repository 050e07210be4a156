"""API tokens a person can see and revoke, and that never outlive a password change, a reset or
an erasure (issue 14, finding 2)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from portal.personal_data import erase_person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a-long-test-password"  # what UserFactory gives every user
NEW_PASSWORD = "violet-harbour-lantern-91"
TOKEN = "/api/v1/auth/token/"
RESET_LINK = re.compile(r"http://testserver(/account/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def ada(db):
    return UserFactory(username="ada@example.org", email="ada@example.org")


def token_for(client, user) -> str:
    response = client.post(TOKEN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()["token"]


def works(client, key: str) -> bool:
    """Whether the token still signs a request (from a client with no session: an unknown
    token is a 401, where no token at all would read as anonymous)."""
    response = Client().get("/api/v1/adoptions/", HTTP_AUTHORIZATION=f"Token {key}")
    return response.status_code == 200


def test_a_password_reset_revokes_the_token(
    client, ada, mailoutbox, django_capture_on_commit_callbacks
):
    key = token_for(client, ada)
    assert works(client, key)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password-reset/", {"email": ada.email})
    link = RESET_LINK.search(mailoutbox[0].body).group(1)
    set_password = client.get(link)["Location"]
    client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert not works(client, key)
    assert not Token.objects.filter(user=ada).exists()


def test_a_curator_setting_a_password_in_the_admin_revokes_the_token(client, ada, curator_client):
    key = token_for(client, ada)
    response = curator_client.post(
        f"/admin/auth/user/{ada.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not works(client, key)


def test_any_new_password_revokes_the_token(client, ada):
    key = token_for(client, ada)
    ada.set_password(NEW_PASSWORD)
    ada.save()
    assert not works(client, key)


def test_a_hash_upgraded_at_sign_in_keeps_the_token(client, ada, settings):
    """Django rehashes a password with a stronger hasher when it checks it: not a new password."""
    key = token_for(client, ada)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert client.post(TOKEN, {"username": ada.username, "password": PASSWORD}).status_code == 200
    ada.refresh_from_db()
    assert ada.password.startswith("pbkdf2_")
    assert works(client, key)


def test_other_changes_to_the_account_keep_the_token(client, ada):
    key = token_for(client, ada)
    ada.first_name = "Ada"
    ada.save()
    assert works(client, key)


def test_erasure_revokes_the_token(client, ada):
    key = token_for(client, ada)
    erase_person(ada.email)
    assert not works(client, key)


def test_the_account_page_shows_the_token_and_revokes_it(client, ada):
    key = token_for(client, ada)
    client.force_login(ada)
    page = client.get("/account/").content.decode()
    assert key[:6] in page
    assert key not in page, "the page shows a prefix to recognise it, not the whole token"
    assert "Revoke your API token" in page

    response = client.post("/account/api-token/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/account/#api-token"
    assert not works(client, key)
    after = client.get("/account/").content.decode()
    assert "Your API token is revoked." in after
    assert "You have no API token." in after


def test_revoking_takes_only_your_own_token(client, ada):
    grace = UserFactory(username="grace@example.org", email="grace@example.org")
    hers = token_for(client, grace)
    token_for(client, ada)
    client.force_login(ada)
    client.post("/account/api-token/revoke/")
    assert works(client, hers)


def test_revoking_needs_a_signed_in_post_with_its_csrf_token(client, ada):
    key = token_for(client, ada)
    assert client.post("/account/api-token/revoke/").status_code == 302  # to sign in
    assert works(client, key)
    client.force_login(ada)
    assert client.get("/account/api-token/revoke/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)
    assert strict.post("/account/api-token/revoke/").status_code == 403
    assert works(client, key)
