"""An innovator submits an innovation, a curator publishes it in the admin, and the public
finds it: in a real browser, keyboard-first where it matters."""

from __future__ import annotations

import pytest

from tests.e2e.journeys import (
    account,
    assert_submitted_for_review,
    open_submission_form,
    sign_in,
    submit_street_tea_mornings,
)
from tests.factories import SectorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_submitted_published_and_found(live_server, browser):
    base = live_server.url
    SectorFactory(name="Health", slug="health")
    innovator = account("ines@example.org")
    account("cura@example.org", is_staff=True, is_superuser=True)

    page = browser.new_page()
    page.goto(f"{base}/")
    open_submission_form(page, "ines@example.org")

    # Sent empty: the error summary takes focus and its links lead to the fields.
    page.get_by_role("button", name="Send for review").click()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link", name="Enter the name of the innovation").click()
    assert page.evaluate("document.activeElement.id") == "id_title"

    submit_street_tea_mornings(page)
    innovation = assert_submitted_for_review(page, innovator)

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
