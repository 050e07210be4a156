"""The adopter's journey in a real browser: find an innovation, register interest, confirm from
the email, and the innovator sees it on their dashboard, follows it up and records the adoption."""

import re

import pytest
from django.core import mail

from adopters.models import Adoption, RegistrationOfInterest
from networks.models import Membership
from tests.factories import InnovationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def homeshare(settings):
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    from catalogue.services import publish

    innovator = UserFactory(username="olu@example.org", email="olu@example.org")
    innovation = InnovationFactory(
        title="Homeshare",
        summary="Older people with a spare room share their home with a younger person.",
        status="draft",
        published_at=None,
    )
    innovation.owners.add(innovator)
    publish(innovation)
    InnovationFactory(title="Shared reading groups")
    return innovation


def link_in(message, path: str) -> str:
    return re.search(rf"https?://\S+{path}\S+", message.body).group(0)


def test_from_finding_an_innovation_to_a_recorded_adoption(live_server, browser, homeshare):
    mail.outbox.clear()
    adopter = browser.new_context().new_page()
    adopter.goto(f"{live_server.url}/innovations/")
    adopter.get_by_label("Keywords").fill("homeshare")
    adopter.get_by_label("Keywords").press("Enter")
    adopter.get_by_role("link", name="Homeshare").first.click()
    adopter.wait_for_url("**/innovations/homeshare/")

    # A link drawn as a GOV.UK button, so its role is "button".
    adopter.get_by_role("button", name="Register interest", exact=True).click()
    adopter.wait_for_url("**/innovations/homeshare/interest/")
    adopter.get_by_role("button", name="Register interest").click()  # nothing filled in
    assert adopter.title().startswith("Error:")
    summary = adopter.locator(".govuk-error-summary")
    assert "Enter your name" in summary.inner_text()
    summary.get_by_role("link", name="Enter your name").click()
    assert adopter.evaluate("document.activeElement.id") == "id_name"

    adopter.get_by_label("Your name", exact=True).fill("Pat Adopter")
    adopter.get_by_label("Email address", exact=True).fill("pat@example.org")
    adopter.get_by_label("Organisation (optional)", exact=True).fill("Example Borough Council")
    adopter.get_by_label("Explore adopting it").check()
    adopter.get_by_label("Message (optional)", exact=True).fill("Could it work in a market town?")
    adopter.get_by_label(re.compile("^I agree")).check()
    adopter.get_by_role("button", name="Register interest").click()
    assert adopter.get_by_role("heading", name="Check your email").is_visible()
    assert RegistrationOfInterest.objects.get().confirmed_at is None

    (confirmation,) = mail.outbox
    assert confirmation.to == ["pat@example.org"]
    adopter.goto(link_in(confirmation, "/interest/confirm/"))
    adopter.get_by_role("button", name="Confirm my email address").click()
    assert adopter.get_by_role("heading", name="Interest confirmed").is_visible()
    assert Membership.objects.get(email="pat@example.org").ring == "interest"
    notice = mail.outbox[-1]
    assert notice.to == ["olu@example.org"]
    assert "Could it work in a market town?" in notice.body

    innovator = browser.new_context().new_page()
    innovator.goto(f"{live_server.url}/account/")
    innovator.get_by_label("Email address", exact=True).fill("OLU@example.org")
    innovator.get_by_label("Password", exact=True).fill(PASSWORD)
    innovator.locator("main").get_by_role("button", name="Sign in").click()
    innovator.wait_for_url("**/account/")
    row = innovator.locator("tr", has_text="Pat Adopter")
    assert "Could it work in a market town?" in row.inner_text()
    row.get_by_role("button", name="Mark contacted").click()
    assert "Contacted" in innovator.locator("tr", has_text="Pat Adopter").inner_text()

    innovator.locator("tr", has_text="Pat Adopter").get_by_role(
        "link", name="Record as an adoption"
    ).click()
    assert innovator.get_by_label("Organisation", exact=True).input_value() == (
        "Example Borough Council"
    )
    innovator.get_by_label("Kind of organisation", exact=True).select_option("local-authority")
    innovator.get_by_label("Status", exact=True).select_option("piloting")
    innovator.get_by_label("We adapted it rather than taking it as it is").check()
    innovator.get_by_label("What was adapted, and why (optional)").fill("Matched by the library")
    innovator.locator("main").get_by_role("button", name="Record the adoption").click()
    assert innovator.get_by_role(
        "heading", name="Homeshare at Example Borough Council"
    ).is_visible()

    adoption = Adoption.objects.get()
    assert adoption.status == "piloting"
    assert RegistrationOfInterest.objects.get().status == "adopted"
    # Piloting brought the adopter's contact into the core ring.
    assert Membership.objects.get(email="pat@example.org").ring == "core"
