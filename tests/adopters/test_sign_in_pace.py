"""One address guessing across many accounts is slowed, not locked (issue 14, finding 10):
past SIGN_IN_ADDRESS_LIMIT failures it may try once every SIGN_IN_ADDRESS_PACE_SECONDS, on the
site's form and the API's token endpoint alike, while other addresses are untouched."""

import pytest
from django.core.cache import cache

from kernel.sign_in_pace import _pace_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # what UserFactory gives every user
SIGN_IN = "/account/sign-in/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.SIGN_IN_ADDRESS_LIMIT = 3
    settings.SIGN_IN_ADDRESS_PACE_SECONDS = 10


def account(email: str):
    return UserFactory(username=email, email=email)


def guess_across_accounts(client, n: int, **extra) -> None:
    """One wrong password on n different accounts: never enough to lock any one of them."""
    for i in range(n):
        account(f"person{i}@example.org")
        response = client.post(
            SIGN_IN, {"username": f"person{i}@example.org", "password": "Winter2026"}, **extra
        )
        assert response.status_code == 400


def test_after_the_limit_an_address_tries_once_per_pause(client):
    guess_across_accounts(client, 3)
    ada = account("ada@example.org")
    right = {"username": "ada@example.org", "password": PASSWORD}

    first = client.post(SIGN_IN, {"username": "x@example.org", "password": "Spring2026"})
    assert first.status_code == 400  # let through, and judged as usual
    slowed = client.post(SIGN_IN, right)
    assert slowed.status_code == 429
    assert slowed["Retry-After"] == "10"
    assert "once every 10 seconds" in slowed.content.decode()
    assert "_auth_user_id" not in client.session

    cache.delete(_pace_key("127.0.0.1"))  # the pause has passed
    after = client.post(SIGN_IN, right)
    assert after.status_code == 302
    assert client.session["_auth_user_id"] == str(ada.pk)


def test_other_addresses_are_not_slowed(client):
    guess_across_accounts(client, 3, REMOTE_ADDR="10.0.0.1")
    client.post(SIGN_IN, {"username": "x@example.org", "password": "y"}, REMOTE_ADDR="10.0.0.1")
    account("ada@example.org")
    right = {"username": "ada@example.org", "password": PASSWORD}
    assert client.post(SIGN_IN, right, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post(SIGN_IN, right, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_below_the_limit_nothing_is_slowed(client):
    guess_across_accounts(client, 2)
    account("ada@example.org")
    right = {"username": "ada@example.org", "password": PASSWORD}
    for _ in range(3):
        client.post(SIGN_IN, right)
        client.post("/account/sign-out/")
    assert client.post(SIGN_IN, right).status_code == 302


def test_the_token_endpoint_counts_and_is_slowed_too(client):
    for i in range(3):
        account(f"person{i}@example.org")
        response = client.post(TOKEN, {"username": f"person{i}@example.org", "password": "x"})
        assert response.status_code == 400
    account("ada@example.org")
    client.post(TOKEN, {"username": "ada@example.org", "password": "wrong"})
    slowed = client.post(TOKEN, {"username": "ada@example.org", "password": PASSWORD})
    assert slowed.status_code == 429
    assert slowed["Retry-After"] == "10"
    assert "from your address" in slowed.json()["detail"]


def test_failures_on_the_form_slow_the_token_endpoint(client):
    """One count per address, wherever the guesses come in."""
    guess_across_accounts(client, 3)
    client.post(TOKEN, {"username": "nobody@example.org", "password": "x"})
    assert (
        client.post(TOKEN, {"username": "nobody@example.org", "password": "x"}).status_code == 429
    )
