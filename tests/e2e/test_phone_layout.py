"""The site on a phone: 320 by 640 CSS pixels in Chromium.

On the search page the first result is on the first screen: with JavaScript the filter panel is
folded behind a "Show filters" button (the MOJ filter layout, static/js/filters.mjs), and a
"Skip to results" link leads past the panel. Without JavaScript the panel shows as it always has.
No page scrolls sideways: a table wider than the screen scrolls inside its own box."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalogue.models import Region
from networks.services import ask_for_mentor, ask_to_join_learning, enrol, ensure_innovation_network
from tests.e2e.journeys import account, sign_in
from tests.e2e.test_accessibility import violations
from tests.factories import (
    AdoptionFactory,
    BeneficiaryGroupFactory,
    InnovationFactory,
    OrganisationFactory,
    ReachFigureFactory,
    RegistrationOfInterestFactory,
    ResourceFactory,
    SectorFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}
LONG = (
    "Run by a housing association rather than the council, with matches made by a volunteer "
    "panel, https://www.example.org/a-very-long-address-that-does-not-break-by-itself/report"
)


@pytest.fixture
def catalogue():
    """Enough innovations and vocabulary for a long filter panel, and one innovation with
    everything a page can put in a table: reach figures, adoptions, a network with requests."""
    owner = account("olu@example.org", first_name="Olu")
    sectors = [
        SectorFactory(name=name)
        for name in ("Health", "Social care", "Housing", "Education", "Employment", "Transport")
    ]
    groups = [
        BeneficiaryGroupFactory(name=name)
        for name in ("Older people", "Young people", "Carers", "Disabled people")
    ]
    homeshare = InnovationFactory(
        title="Homeshare",
        slug="homeshare",
        summary="Older people with a spare room share their home with a younger person.",
        stage="growing-scaling-spreading",
        evidence_level=2,
        lead_organisation=OrganisationFactory(name="Homeshare UK", slug="homeshare-uk"),
    )
    homeshare.sectors.add(sectors[0], sectors[2])
    homeshare.beneficiaries.add(groups[0])
    homeshare.owners.add(owner)
    for n in range(9):
        other = InnovationFactory(title=f"Breathe easy group {n}", stage="developing-testing")
        other.sectors.add(sectors[n % len(sectors)])
        other.beneficiaries.add(groups[n % len(groups)])
    for year, value in ((2018, 10), (2020, 25), (2022, 41)):
        ReachFigureFactory(
            innovation=homeshare,
            measure="schemes",
            value=value,
            date=f"{year}-01-01",
            source="Homeshare UK annual report, schemes and matches counted by the charity",
        )
    adoption = AdoptionFactory(
        innovation=homeshare,
        organisation=OrganisationFactory(name="Metropolitan Borough Council of Wirral"),
        # Browser tests flush the database, the regions a migration seeds included.
        region=Region.objects.get_or_create(
            slug="north-west", defaults={"name": "North West", "kind": "region"}
        )[0],
        area="Birkenhead and the surrounding wards",
        adapted=True,
        adaptations=LONG,
        recorded_by=owner,
    )
    ResourceFactory(title="Making it Big", kind="toolkit").innovations.add(homeshare)
    RegistrationOfInterestFactory(
        innovation=homeshare,
        name="Sam Example",
        email="sam.example.with.a.long.address@example.org",
        organisation_name="Cheshire West and Chester Council",
        message=LONG,
        status="confirmed",
        confirmed_at=timezone.now(),
    )
    network = ensure_innovation_network(homeshare)
    for name in ("Ben", "Cy"):
        joined = enrol(network, email=f"{name.lower()}@example.org", name=name, reason="Joined.")
        joined.ring = "learning"
        joined.joined_on = datetime.date(2025, 3, 1)
        joined.save()
        ask_for_mentor(joined, absolute=lambda path: path, message=LONG)
    ada = enrol(network, email="ada@example.org", name="Ada", reason="Joined.")
    ask_to_join_learning(ada, absolute=lambda path: path, message=LONG)
    return {"adoption": adoption, "network": network}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_js(browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    yield context.new_page()
    context.close()


def first_result(page):
    return page.locator(".app-result__title a").first


def test_the_first_result_is_on_the_first_screen(live_server, phone, catalogue):
    phone.goto(f"{live_server.url}/innovations/")
    toggle = phone.get_by_role("button", name="Show filters")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "search-form")
    expect(phone.locator("#search-form")).to_be_hidden()
    box = first_result(phone).bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE["height"]
    # Nothing to skip while the panel is folded away: the link shows only when focused.
    assert phone.get_by_role("link", name="Skip to results").bounding_box()["width"] <= 1


def test_the_button_shows_and_hides_the_filters(live_server, phone, catalogue):
    phone.goto(f"{live_server.url}/innovations/")
    phone.get_by_role("button", name="Show filters").click()
    toggle = phone.locator(".app-filter-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("Hide filters")
    expect(phone.locator("#search-form")).to_be_visible()
    expect(phone.get_by_label("Health (3)")).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text("Show filters")
    expect(phone.locator("#search-form")).to_be_hidden()


def test_filtering_works_with_the_panel_open(live_server, phone, catalogue):
    phone.goto(f"{live_server.url}/innovations/")
    phone.get_by_role("button", name="Show filters").click()
    phone.get_by_label("Health (3)").check()
    phone.wait_for_url("**sector=health**")
    expect(phone.locator(".result-count")).to_contain_text("3 innovations")
    # The new panel htmx swapped in stays open, and the button counts the filter.
    toggle = phone.locator(".app-filter-toggle")
    expect(toggle).to_have_text("Hide filters (1 selected)")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # The page stays where it was, the box just ticked in view and focused.
    expect(phone.get_by_label("Health (3)")).to_be_focused()
    expect(phone.get_by_label("Health (3)")).to_be_in_viewport()
    phone.get_by_label("Carers (1)").check()
    phone.wait_for_url("**carers**")
    expect(toggle).to_have_text("Hide filters (2 selected)")
    toggle.click()
    expect(toggle).to_have_text("Show filters (2 selected)")
    expect(phone.locator("#search-form")).to_be_hidden()
    expect(first_result(phone)).to_have_text("Breathe easy group 6")


def test_a_page_of_results_keeps_the_panel_folded(live_server, phone, catalogue):
    phone.goto(f"{live_server.url}/innovations/?sector=health&page_size=1")
    toggle = phone.get_by_role("button", name="Show filters (1 selected)")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    phone.get_by_role("link", name="Next page").click()
    phone.wait_for_url("**page=2**")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(phone.locator("#search-form")).to_be_hidden()


def test_back_shows_the_panel_as_it_was_left(live_server, phone, catalogue):
    phone.goto(f"{live_server.url}/innovations/")
    phone.get_by_role("button", name="Show filters").click()
    phone.get_by_label("Health (3)").check()
    phone.wait_for_url("**sector=health**")
    phone.go_back()
    phone.wait_for_url(f"{live_server.url}/innovations/")
    expect(phone.locator(".result-count")).to_contain_text("10 innovations")
    toggle = phone.locator(".app-filter-toggle")
    expect(toggle).to_have_text("Hide filters")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(phone.locator("#search-form")).to_be_hidden()
    expect(first_result(phone)).to_be_in_viewport()


def test_a_search_with_a_problem_opens_the_panel(live_server, phone, catalogue):
    """The error summary links to the keywords box, in the panel."""
    phone.goto(f"{live_server.url}/innovations/?evidence=nine&q=homeshare")
    expect(phone.locator(".app-filter-toggle")).to_have_attribute("aria-expanded", "true")
    expect(phone.locator("#f-q")).to_be_visible()


def test_the_skip_link_moves_focus_to_the_results(live_server, phone, catalogue):
    phone.goto(f"{live_server.url}/innovations/")
    phone.get_by_role("button", name="Show filters").click()
    skip = phone.get_by_role("link", name="Skip to results")
    # With the panel open the link is shown, above it.
    expect(skip).to_be_visible()
    assert skip.bounding_box()["y"] < phone.locator("#search-form").bounding_box()["y"]
    skip.click()
    expect(phone.locator("#results-heading")).to_be_focused()
    expect(first_result(phone)).to_be_in_viewport()
    # The next Tab goes on into the results.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.closest('#results') !== null")


def test_without_javascript_the_filters_show(live_server, phone_without_js, catalogue):
    page = phone_without_js
    page.goto(f"{live_server.url}/innovations/")
    expect(page.locator(".app-filter-toggle")).to_be_hidden()
    expect(page.locator("#search-form")).to_be_visible()
    expect(page.get_by_label("Health (3)")).to_be_visible()
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_visible()
    skip.click()
    page.wait_for_url("**#results-heading")
    expect(page.locator("#results-heading")).to_be_focused()
    expect(first_result(page)).to_be_in_viewport()


def test_on_a_wide_screen_the_panel_is_not_folded(live_server, page, catalogue):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/innovations/")
    expect(page.locator(".app-filter-toggle")).to_be_hidden()
    expect(page.locator("#search-form")).to_be_visible()
    skip = page.get_by_role("link", name="Skip to results")
    assert skip.bounding_box()["width"] <= 1
    skip.focus()
    expect(skip).to_be_visible()
    assert skip.bounding_box()["width"] > 50


def test_the_search_page_at_320_pixels_has_no_violations(live_server, phone, catalogue):
    phone.goto(f"{live_server.url}/innovations/?sector=health")
    found = violations(phone)
    phone.get_by_role("button", name="Show filters (1 selected)").click()
    expect(phone.locator("#search-form")).to_be_visible()
    found += violations(phone)
    assert found == []


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_no_public_page_scrolls_sideways(live_server, phone, catalogue):
    base = live_server.url
    paths = [
        "/",
        "/innovations/",
        "/innovations/?q=homeshare&sector=health",
        "/innovations/homeshare/",
        "/organisations/homeshare-uk/",
        f"/adoptions/{catalogue['adoption'].pk}/",
        "/resources/",
        "/how-innovations-spread/",
        "/networks/",
        f"/networks/{catalogue['network'].slug}/",
        "/submit-an-innovation/",
        "/account/sign-in/",
    ]
    wide = []
    for path in paths:
        phone.goto(base + path)
        if scrolls_sideways(phone):
            wide.append(path)
    assert wide == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_no_account_page_scrolls_sideways(live_server, phone, catalogue):
    base = live_server.url
    sign_in(phone, base, "olu@example.org")
    phone.wait_for_url("**/account/")
    wide = []
    for path in [
        "/account/",
        f"/networks/{catalogue['network'].slug}/facilitate/",
        f"/adoptions/{catalogue['adoption'].pk}/edit/",
        "/innovations/homeshare/edit/",
        "/innovations/homeshare/reach/",
    ]:
        phone.goto(base + path)
        if scrolls_sideways(phone):
            wide.append(path)
    assert wide == []


def test_a_wide_table_scrolls_in_its_own_box(live_server, phone, catalogue):
    """The adoption stories have five columns: wider than a phone, they scroll inside a box that
    takes the keyboard's focus and is named for screen readers."""
    phone.goto(f"{live_server.url}/innovations/homeshare/")
    box = phone.get_by_role("region", name="Table of every adoption recorded")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    box.focus()
    expect(box).to_be_focused()
    phone.keyboard.press("ArrowRight")
    for _ in range(20):
        if box.evaluate("el => el.scrollLeft") > 0:
            break
        phone.wait_for_timeout(50)
    assert box.evaluate("el => el.scrollLeft") > 0
    assert not scrolls_sideways(phone)
