"""The privacy notice and the accessibility statement give an address to write to in the demo,
and say that it is the demo's (issue 18, item 6)."""

from __future__ import annotations

import pytest

from tests.html import elements, page, text
from tests.test_database import run_python

pytestmark = pytest.mark.django_db


def mailtos(response) -> list[str]:
    return [
        dict(a.attributes)["href"]
        for a in elements(page(response), "a")
        if dict(a.attributes).get("href", "").startswith("mailto:")
    ]


@pytest.mark.parametrize(
    ("path", "setting"),
    [("/privacy/", "PRIVACY_CONTACT"), ("/accessibility/", "ACCESSIBILITY_CONTACT")],
)
def test_the_demo_contact_is_given_and_said_to_be_the_demos(client, settings, path, setting):
    setattr(settings, setting, settings.DEMO_CONTACT)
    response = client.get(path)
    assert mailtos(response) == [f"mailto:{settings.DEMO_CONTACT}"]
    (note,) = elements(page(response), "div", class_="govuk-inset-text")
    assert "This is a demonstration" in text(note)
    assert setting in text(note)


@pytest.mark.parametrize(
    ("path", "setting"),
    [("/privacy/", "PRIVACY_CONTACT"), ("/accessibility/", "ACCESSIBILITY_CONTACT")],
)
def test_an_operators_contact_is_given_plainly(client, settings, path, setting):
    setattr(settings, setting, "dpo@council.example.org")
    response = client.get(path)
    assert mailtos(response) == ["mailto:dpo@council.example.org"]
    assert "This is a demonstration" not in response.content.decode()


@pytest.mark.parametrize(
    ("debug", "expected"), [("1", "admin@localhost admin@localhost"), ("0", "<> <>")]
)
def test_the_contacts_default_to_the_demo_address_only_while_debugging(debug, expected):
    result = run_python(
        """
        import os
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        from django.conf import settings
        print(settings.PRIVACY_CONTACT or "<>", settings.ACCESSIBILITY_CONTACT or "<>")
        """,
        DEBUG=debug,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="catalogue.example.org",
        DATABASE_URL="postgres://u:p@localhost/db",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
