"""The forms of the main journeys with JavaScript turned off, as the accessibility statement
promises: registering interest in an innovation and submitting one. Each is a plain HTML form
posted to the server, whose errors come back as a GOV.UK error summary linking to the fields.

The JavaScript-on versions of these journeys are in test_adopter_journey.py,
test_keyboard_journey.py and test_submission.py."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from adopters.models import RegistrationOfInterest
from catalogue.models import Innovation
from tests.e2e.journeys import (
    account,
    assert_submitted_for_review,
    open_submission_form,
    submit_street_tea_mornings,
)
from tests.factories import InnovationFactory, SectorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def assert_scripts_are_off(page) -> None:
    """supported.js, the first script on every page, adds `js-enabled` to the body when it runs."""
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")


def follow_error_link(page, message: str, field_id: str) -> None:
    """Without scripts an error summary's link is a plain link to the field's id: following it
    makes the field the page's target and brings it into view."""
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link", name=message)
    assert link.get_attribute("href") == f"#{field_id}"
    link.click()
    page.wait_for_url(f"**#{field_id}")
    expect(page.locator(f"#{field_id}:target")).to_have_count(1)
    expect(page.locator(f"#{field_id}")).to_be_in_viewport()


def test_register_interest_without_javascript(live_server, page_without_js, settings):
    # The minimum fill time is still checked (its signed start is in the page's HTML, not added
    # by a script) but is not waited for.
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    InnovationFactory(
        title="Homeshare",
        slug="homeshare",
        summary="Older people with a spare room share their home with a younger person.",
    )
    mail.outbox.clear()
    page = page_without_js
    page.goto(f"{live_server.url}/innovations/homeshare/")
    assert_scripts_are_off(page)
    # A link drawn as a GOV.UK button, so its role is "button".
    page.get_by_role("button", name="Register interest", exact=True).click()
    page.wait_for_url("**/innovations/homeshare/interest/")
    assert page.locator("input[type=hidden][name=started]").get_attribute("value")

    # Sent empty: the server answers with the error summary, each problem linking to its field.
    page.get_by_role("button", name="Register interest").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert summary.locator("a").all_inner_texts() == [
        "Enter your name",
        "Enter your email address",
        "Select at least one thing you would like to do",
        "Tick the box to agree, or we cannot keep your details",
    ]
    assert "Enter your name" in page.locator("#id_name-error").inner_text()
    follow_error_link(page, "Enter your name", "id_name")
    follow_error_link(page, "Select at least one thing you would like to do", "id_interests_0")
    follow_error_link(page, "Tick the box to agree, or we cannot keep your details", "id_consent")
    assert RegistrationOfInterest.objects.count() == 0

    page.get_by_label("Your name", exact=True).fill("Pat Adopter")
    page.get_by_label("Email address", exact=True).fill("pat@example.org")
    page.get_by_label("Organisation (optional)", exact=True).fill("Example Borough Council")
    page.get_by_label("Kind of organisation (optional)").select_option("local-authority")
    page.get_by_label("Explore adopting it").check()
    page.get_by_label("Message (optional)", exact=True).fill("Could it work in a market town?")
    page.get_by_label(re.compile("^I agree")).check()

    # Sent sooner than a person could have filled it in: refused with a problem that links
    # nowhere, the answers kept, and sending it again (the wait is over) works.
    settings.REGISTRATION_MIN_FILL_SECONDS = 3600
    page.get_by_role("button", name="Register interest").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert "sent too quickly" in summary.inner_text()
    assert summary.locator("a").count() == 0
    assert page.get_by_label("Your name", exact=True).input_value() == "Pat Adopter"
    assert page.get_by_label("Explore adopting it").is_checked()
    assert page.get_by_label(re.compile("^I agree")).is_checked()
    assert RegistrationOfInterest.objects.count() == 0
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    page.get_by_role("button", name="Register interest").click()

    page.wait_for_url("**/innovations/homeshare/interest/sent/")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert "confirm your interest in Homeshare" in page.locator(".govuk-panel").inner_text()
    registration = RegistrationOfInterest.objects.get()
    assert (registration.name, registration.email, registration.organisation_name) == (
        "Pat Adopter",
        "pat@example.org",
        "Example Borough Council",
    )
    assert registration.confirmed_at is None
    (confirmation,) = mail.outbox
    assert confirmation.to == ["pat@example.org"]


def test_submit_an_innovation_without_javascript(live_server, page_without_js):
    base = live_server.url
    SectorFactory(name="Health", slug="health")
    innovator = account("ines@example.org")
    page = page_without_js

    page.goto(f"{base}/")
    assert_scripts_are_off(page)
    open_submission_form(page, "ines@example.org")

    # Sent empty: the error summary lists the problems in the order of the page.
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    problems = page.locator(".govuk-error-summary a").all_inner_texts()
    assert problems[0] == "Enter the name of the innovation"
    assert "Choose at least one sector" in problems
    assert problems[-1] == "Confirm that the facts are accurate and may be published"
    follow_error_link(page, "Enter the name of the innovation", "id_title")
    follow_error_link(page, "Choose at least one sector", "id_sectors_0")
    assert not Innovation.objects.exists()

    submit_street_tea_mornings(page)
    assert_submitted_for_review(page, innovator)
