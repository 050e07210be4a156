"""A council officer who has never seen the site finds an innovation, reads it and registers
interest with the keyboard alone: no clicks, only Tab, Shift+Tab, typing, Space and Enter."""

from __future__ import annotations

import pytest

from adopters.models import RegistrationOfInterest
from tests.factories import InnovationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def focused(page) -> str:
    """The focused element: a form field's id, or a link's or button's text."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.tagName) ? e.id"
        " : (e.innerText || '').trim(); }"
    )


def tab_to(page, wanted: str, *, limit: int = 80) -> None:
    """Press Tab until the focus is on the field whose id, or the link or button whose text,
    is `wanted`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == wanted:
            return
    raise AssertionError(f"{wanted!r} cannot be reached with Tab")


def test_find_read_and_register_interest_by_keyboard(live_server, browser, settings):
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    InnovationFactory(
        title="Homeshare",
        slug="homeshare",
        summary="Older people with a spare room share their home with a younger person.",
    )
    InnovationFactory(title="Shared reading groups")
    page = browser.new_page()
    page.goto(live_server.url + "/")

    # The skip link is the first stop and takes the focus to the main content.
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to main content"
    tab_to(page, "home-q")
    page.keyboard.type("homeshare")
    page.keyboard.press("Enter")
    page.wait_for_url("**/innovations/?q=homeshare")

    tab_to(page, "Homeshare")
    page.keyboard.press("Enter")
    page.wait_for_url("**/innovations/homeshare/")
    # The focus is visible: GOV.UK's yellow focus colour on the focused link.
    tab_to(page, "Register interest")
    assert page.evaluate("getComputedStyle(document.activeElement).backgroundColor") == (
        "rgb(255, 221, 0)"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/innovations/homeshare/interest/")

    # Sent empty: the error summary takes the focus, and Enter on its first link goes to the
    # field in error.
    tab_to(page, "Register interest")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.className").startswith("govuk-error-summary")
    tab_to(page, "Enter your name")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_name"

    page.keyboard.type("Pat Adopter")
    page.keyboard.press("Tab")
    page.keyboard.type("pat@example.org")
    tab_to(page, "id_interests_0")
    page.keyboard.press("Space")
    tab_to(page, "id_consent")
    page.keyboard.press("Space")
    tab_to(page, "Register interest")
    page.keyboard.press("Enter")
    page.wait_for_url("**/innovations/homeshare/interest/sent/")

    registration = RegistrationOfInterest.objects.get()
    assert (registration.name, registration.email) == ("Pat Adopter", "pat@example.org")
    assert "Check your email" in page.locator("main").inner_text()
