"""An innovator submits an innovation, a curator publishes it in the admin, and the public
finds it: in a real browser, keyboard-first where it matters."""

from __future__ import annotations

import pytest

from catalogue.models import Innovation
from tests.factories import SectorFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def account(email: str, **extra):
    user = UserFactory(username=email, email=email, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(page, base: str, email: str, then: str = "") -> None:
    page.goto(f"{base}/account/sign-in/{'?next=' + then if then else ''}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main button[type=submit]").click()


def test_submitted_published_and_found(live_server, browser):
    base = live_server.url
    SectorFactory(name="Health", slug="health")
    innovator = account("ines@example.org")
    account("cura@example.org", is_staff=True, is_superuser=True)

    page = browser.new_page()
    page.goto(f"{base}/")
    page.get_by_role("link", name="Submit an innovation").click()
    page.get_by_role("button", name="Sign in to start").click()
    page.get_by_label("Email address").fill("ines@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/submit-an-innovation/")

    # Sent empty: the error summary takes focus and its links lead to the fields.
    page.get_by_role("button", name="Send for review").click()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link", name="Enter the name of the innovation").click()
    assert page.evaluate("document.activeElement.id") == "id_title"

    page.get_by_label("Name of the innovation").fill("Street tea mornings")
    page.get_by_label("Summary").fill("Neighbours host a tea morning for people living alone.")
    page.get_by_label("Kind of innovation").select_option("service")
    page.get_by_label("Stage it has reached").select_option("developing-testing")
    page.get_by_label("The problem it addresses").fill("Older people see few neighbours.")
    page.get_by_label("How it works").fill("A resident hosts; the council lends chairs.")
    page.get_by_label("Organisation that leads it").fill("Tea Street Trust")
    page.get_by_label("Kind of organisation").select_option("charity")
    page.get_by_label("Health", exact=True).check()
    page.get_by_label("Scaling out").check()
    page.locator("#id_accurate").check()
    page.get_by_role("button", name="Send for review").click()

    page.wait_for_url("**/innovations/street-tea-mornings/")
    assert (
        "is with the curators for review" in page.locator(".govuk-notification-banner").inner_text()
    )
    assert "Submitted for review" in page.locator(".govuk-warning-text").inner_text()
    innovation = Innovation.objects.get(slug="street-tea-mornings")
    assert innovation.status == "submitted"
    assert list(innovation.owners.all()) == [innovator]

    # Nobody else sees it yet.
    public = browser.new_page()
    public.goto(f"{base}/innovations/street-tea-mornings/")
    assert "Page not found" in public.title()

    # A curator publishes it with the admin's action.
    curator = browser.new_page()
    sign_in(curator, base, "cura@example.org", then="/admin/catalogue/innovation/")
    curator.wait_for_url("**/admin/catalogue/innovation/")
    curator.get_by_role("row", name="Street tea mornings").get_by_role("checkbox").check()
    curator.locator("select[name=action]").select_option("publish_selected")
    curator.get_by_role("button", name="Go").click()
    innovation.refresh_from_db()
    assert innovation.status == "published"

    # Now the public finds it, and its owner's account page says it is published.
    public.goto(f"{base}/innovations/?q=tea+mornings")
    public.get_by_role("link", name="Street tea mornings").click()
    assert public.locator("h1").inner_text() == "Street tea mornings"
    page.goto(f"{base}/account/")
    assert "Published" in page.get_by_role("row", name="Street tea mornings").inner_text()
