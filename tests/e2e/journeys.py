"""Steps the browser journeys share: accounts, signing in, and an innovator's submission."""

from __future__ import annotations

from catalogue.models import Innovation
from tests.factories import UserFactory

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


def open_submission_form(page, email: str) -> None:
    """From the page shown, as a visitor would: "Submit an innovation", sign in, the form."""
    page.get_by_role("link", name="Submit an innovation").click()
    page.get_by_role("button", name="Sign in to start").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/submit-an-innovation/")


def submit_street_tea_mornings(page) -> None:
    """Fill in the submission form with a complete entry and send it for review."""
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


def assert_submitted_for_review(page, innovator) -> Innovation:
    """Its page, seen by its owner, says where it stands; it is stored as submitted."""
    page.wait_for_url("**/innovations/street-tea-mornings/")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "is with the curators for review" in banner
    assert "Submitted for review" in page.locator(".govuk-warning-text").inner_text()
    innovation = Innovation.objects.get(slug="street-tea-mornings")
    assert innovation.status == "submitted"
    assert list(innovation.owners.all()) == [innovator]
    return innovation
