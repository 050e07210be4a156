"""`make run`'s first lines (issue 18, item 6): the admin's sign-in, at the address the server
actually answers on and with the email address the sign-in page asks for."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from kernel.management.commands import ensure_admin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def password_file(tmp_path, monkeypatch):
    """The generated password is kept in a file of the test's own, not the checkout's var/."""
    path = tmp_path / "admin-password.txt"
    monkeypatch.setattr(ensure_admin, "PASSWORD_FILE", path)
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def test_first_run_prints_the_address_served_the_email_and_the_password(password_file):
    printed = run("--host", "127.0.0.1", "--port", "8123")
    password = password_file.read_text().strip()
    assert "Sign in at http://127.0.0.1:8123/account/sign-in/" in printed
    assert "email:    admin@localhost" in printed
    assert f"password: {password}" in printed
    assert "http://127.0.0.1:8123/admin/" in printed
    assert "8000" not in printed


def test_later_runs_print_the_same_sign_in(password_file):
    run()
    printed = run("--port", "9001")
    assert "Sign in at http://127.0.0.1:9001/account/sign-in/" in printed
    assert f"password: {password_file.read_text().strip()}" in printed


def test_the_printed_email_and_password_sign_in_on_the_public_page(client, password_file):
    run("--port", "8123")
    response = client.post(
        "/account/sign-in/",
        {"username": "admin@localhost", "password": password_file.read_text().strip()},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("0.0.0.0", "http://127.0.0.1:8000"),  # noqa: S104 (an address printed, not bound)
        ("::", "http://127.0.0.1:8000"),
        ("localhost", "http://localhost:8000"),
        ("::1", "http://[::1]:8000"),
        ("[::1]", "http://[::1]:8000"),
    ],
)
def test_an_address_listening_everywhere_is_printed_as_this_machine(host, address):
    assert ensure_admin.site_address(host, "8000") == address


def test_an_admin_without_an_email_is_given_one_to_sign_in_with():
    UserFactory(username="admin", email="", is_staff=True, is_superuser=True)
    printed = run("--email", "curator@example.org")
    assert get_user_model().objects.get(username="admin").email == "curator@example.org"
    assert "email:    curator@example.org" in printed
    assert "set elsewhere" in printed


def test_a_changed_password_is_not_printed(password_file):
    run()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("chosen by the admin")
    admin.save()
    printed = run()
    assert password_file.read_text().strip() not in printed
    assert "the one you chose" in printed
