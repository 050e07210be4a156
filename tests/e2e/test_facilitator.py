"""A facilitator's session in a real browser: a member asks to join the learning ring, the
facilitator approves it, graduates two people into the core at once, and the funnel follows."""

import pytest

from networks.models import Membership, RingMove
from networks.services import enrol
from tests.factories import InnovationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")


def test_a_facilitator_approves_a_request_and_graduates_two_people(live_server, browser):
    from catalogue.services import publish

    facilitator = UserFactory(username="fay@example.org", email="fay@example.org")
    UserFactory(username="ada@example.org", email="ada@example.org", first_name="Ada")
    innovation = InnovationFactory(title="Homeshare", status="draft", published_at=None)
    innovation.owners.add(facilitator)
    publish(innovation)
    network = innovation.network
    for name in ("Ben", "Cy"):
        joined = enrol(network, email=f"{name.lower()}@example.org", name=name, reason="Joined.")
        joined.ring = "learning"
        joined.save()

    ada = browser.new_context().new_page()
    sign_in(ada, live_server, "ada@example.org")
    ada.goto(f"{live_server.url}/networks/{network.slug}/")
    ada.get_by_role("button", name="Join the interest ring").click()
    assert "You are in the interest network" in ada.locator("#you").locator("..").inner_text()
    ada.get_by_label("Ask to join the learning ring").fill("We start a pilot in spring.")
    ada.get_by_role("button", name="Ask to join").click()
    assert "waiting for a facilitator" in ada.locator(".govuk-inset-text").inner_text()

    fay = browser.new_context().new_page()
    sign_in(fay, live_server, "fay@example.org")
    fay.goto(f"{live_server.url}/networks/{network.slug}/facilitate/")
    funnel = fay.locator("#funnel").locator("..")
    assert "Interest to learning" in funnel.inner_text()
    first_row = funnel.locator("tbody tr").first.locator("td")
    assert first_row.all_inner_texts() == ["3", "0", "0"]

    waiting = fay.locator("tr", has_text="We start a pilot in spring.")
    waiting.get_by_role("button", name="Accept").click()
    assert "Accepted." in fay.locator(".govuk-notification-banner").inner_text()
    assert Membership.objects.get(email="ada@example.org").ring == "learning"

    fay.get_by_label("Ben").check()
    fay.get_by_label("Cy").check()
    fay.get_by_label("To the ring").select_option("core")
    fay.get_by_label("Why they are moving").fill("Both started pilots in their own areas.")
    fay.get_by_role("button", name="Move them").click()
    banner = fay.locator(".govuk-notification-banner")
    assert "Moved 2 members to the core network." in banner.inner_text()

    first_row = fay.locator("#funnel").locator("..").locator("tbody tr").first.locator("td")
    assert first_row.all_inner_texts() == ["3", "1", "2"]
    moves = RingMove.objects.filter(to_ring="core").values_list("reason", "moved_by__username")
    assert sorted(moves) == [("Both started pilots in their own areas.", "fay@example.org")] * 2
