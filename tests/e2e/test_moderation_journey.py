"""Moderation people can follow, in a real browser: an innovator submits, a curator sends the
entry back with a reason, the innovator changes it and sends it again, the curator publishes
it; then the owner proposes a change that the public does not see until a curator accepts it.
axe checks the new pages and their states (the edit form, with errors too; the entry page and
the account page as the owner sees them)."""

from __future__ import annotations

import pytest

from catalogue.models import Innovation, InnovationRevision
from kernel.models import OutgoingEmail
from tests.e2e.journeys import (
    account,
    assert_submitted_for_review,
    open_submission_form,
    sign_in,
    submit_street_tea_mornings,
)
from tests.e2e.test_accessibility import violations
from tests.factories import SectorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ENTRY = "/innovations/street-tea-mornings/"


def review_page(curator, base: str) -> None:
    """From the admin home, as a curator would: the entry at the top of what waits."""
    curator.goto(f"{base}/admin/")
    waiting = curator.locator("#waiting-for-curators")
    waiting.get_by_role("link", name="Street tea mornings").click()
    curator.wait_for_url("**/moderate/")


def test_send_back_resubmit_publish_then_a_change_waits_for_a_curator(live_server, browser):
    base = live_server.url
    SectorFactory(name="Health", slug="health")
    innovator = account("ines@example.org")
    account("cura@example.org", is_staff=True, is_superuser=True)

    owner = browser.new_context().new_page()
    owner.goto(f"{base}/")
    open_submission_form(owner, "ines@example.org")
    submit_street_tea_mornings(owner)
    innovation = assert_submitted_for_review(owner, innovator)
    assert OutgoingEmail.objects.filter(
        to="cura@example.org", subject="Submitted for review: Street tea mornings"
    ).exists()

    # The curator finds it waiting and cannot send it back without saying why.
    curator = browser.new_context().new_page()
    sign_in(curator, base, "cura@example.org", then="/admin/")
    curator.wait_for_url("**/admin/")
    review_page(curator, base)
    curator.get_by_role("button", name="Send back to its owners").click()
    assert "Say why you are sending it back" in curator.locator("#entry-decision").inner_text()
    innovation.refresh_from_db()
    assert innovation.status == "submitted"
    curator.locator("#entry-decision").get_by_label("What to tell its owners").fill(
        "Say how many streets run it today."
    )
    curator.get_by_role("button", name="Send back to its owners").click()
    assert "sent back to its owners" in curator.locator(".messagelist").inner_text()

    # The owner reads why on the account page and the entry, changes it and sends it again.
    owner.goto(f"{base}/account/")
    row = owner.get_by_role("row", name="Street tea mornings")
    assert "Sent back" in row.inner_text()
    assert "Say how many streets run it today." in row.inner_text()
    assert violations(owner) == []
    row.get_by_role("link", name="Change").click()
    owner.wait_for_url("**/edit/")
    assert "Say how many streets run it today." in owner.locator(".govuk-inset-text").inner_text()
    assert violations(owner) == []
    owner.get_by_label("Name of the innovation").fill("")
    owner.get_by_role("button", name="Save and send for review").click()
    assert owner.title().startswith("Error:")
    assert violations(owner) == []  # the error state too
    owner.get_by_label("Name of the innovation").fill("Street tea mornings")
    owner.get_by_label("Summary").fill("Neighbours on 12 streets host a tea morning each week.")
    owner.get_by_role("button", name="Save and send for review").click()
    owner.wait_for_url(f"**{ENTRY}")
    assert (
        "is with the curators for review"
        in owner.locator(".govuk-notification-banner").inner_text()
    )
    innovation.refresh_from_db()
    assert innovation.status == "submitted"

    # The curator publishes it; the owner is told.
    review_page(curator, base)
    curator.get_by_role("button", name="Publish").click()
    innovation.refresh_from_db()
    assert innovation.status == "published"
    assert OutgoingEmail.objects.filter(
        to="ines@example.org", subject="Published: Street tea mornings"
    ).exists()

    # The owner proposes a change: it waits, and the public keeps the reviewed version.
    owner.goto(f"{base}{ENTRY}edit/")
    assert violations(owner) == []
    owner.get_by_label("Summary").fill("Neighbours on 400 streets host tea mornings.")
    owner.get_by_role("button", name="Propose these changes").click()
    owner.wait_for_url(f"**{ENTRY}")
    panel = owner.locator("#review").locator("..")
    assert "Waiting for a curator" in panel.inner_text()
    assert "Neighbours on 400 streets host tea mornings." in panel.inner_text()
    assert violations(owner) == []

    public = browser.new_context().new_page()
    public.goto(f"{base}{ENTRY}")
    assert "Neighbours on 12 streets" in public.locator(".govuk-body-l").inner_text()
    assert "400 streets" not in public.content()

    # The curator compares and accepts; now the public sees it.
    review_page(curator, base)
    assert "400 streets" in curator.locator("#content-main table").inner_text()
    curator.get_by_role("button", name="Accept the changes").click()
    assert InnovationRevision.objects.get().status == "accepted"
    public.reload()
    assert "Neighbours on 400 streets" in public.locator(".govuk-body-l").inner_text()
    assert Innovation.objects.get().summary == "Neighbours on 400 streets host tea mornings."
