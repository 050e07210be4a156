"""axe-core in Chromium on every kind of page, in normal and error states: no violations of the
WCAG 2.0, 2.1 and 2.2 A and AA rules. Also what axe cannot see: every page reflows at 320 CSS
pixels without scrolling sideways, and keeps working with JavaScript off.

axe-core comes from the axe-playwright-python package (a test dependency, never served)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import signing
from django.template.loader import render_to_string
from django.utils import timezone

from adopters.follow_ups import follow_up_token
from adopters.models import Adoption
from adopters.services import verification_token
from alerts import services as alert_services
from alerts.models import Alert, Watch
from catalogue.freshness import review_token
from catalogue.models import LocalAuthority, Region
from networks.services import enrol, ensure_innovation_network
from tests.factories import (
    AdoptionFactory,
    BeneficiaryGroupFactory,
    InnovationFactory,
    OrganisationFactory,
    ReachFigureFactory,
    ResourceFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WCAG_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
AXE = Axe()
PASSWORD = "a-long-test-password"


def violations(page) -> list[str]:
    """axe's violations on the page as it is now, one line each, with the elements they hit."""
    results = AXE.run(page, options=WCAG_AA)
    return [
        f"{page.url} [{v['id']}] {v['help']}: "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


@pytest.fixture
def catalogue(settings):
    """A small catalogue with one innovation that has everything its page can show."""
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    owner = UserFactory(username="olu@example.org", email="olu@example.org")
    owner.set_password(PASSWORD)
    owner.save()
    health = SectorFactory(name="Health", slug="health")
    older = BeneficiaryGroupFactory(name="Older people", slug="older-people")
    lead = OrganisationFactory(name="Homeshare UK", slug="homeshare-uk")
    homeshare = InnovationFactory(
        title="Homeshare",
        slug="homeshare",
        summary="Older people with a spare room share their home with a younger person.",
        problem="Loneliness and the cost of housing.",
        how_it_works="A scheme matches the two and supports them.",
        core="A matched, supported arrangement.",
        adaptable="Who runs the scheme and how matches are made.",
        outcomes="Fewer people feel lonely.",
        stage="growing-scaling-spreading",
        evidence_level=2,
        evidence_summary="An evaluation found less loneliness.",
        scaling_ways=["out", "up"],
        lead_organisation=lead,
        cost_band="low",
        last_reviewed_on="2026-10-01",
    )
    homeshare.sectors.add(health)
    homeshare.beneficiaries.add(older)
    homeshare.owners.add(owner)
    for year, value in ((2018, 10), (2020, 25), (2022, 41)):
        ReachFigureFactory(
            innovation=homeshare, measure="schemes", value=value, date=f"{year}-01-01"
        )
    # Browser tests flush the database, the regions and local authorities a migration seeds
    # included.
    north_west = Region.objects.get_or_create(
        slug="north-west", defaults={"name": "North West", "kind": "region"}
    )[0]
    adoption = AdoptionFactory(
        innovation=homeshare,
        organisation=OrganisationFactory(name="Wirral Council", kind="local-authority"),
        region=north_west,
        # In a local authority, so that the innovation's page draws its hex map.
        local_authority=LocalAuthority.objects.get_or_create(
            code="E08000015", defaults={"name": "Wirral", "region": north_west}
        )[0],
        status="adopted",
        adapted=True,
        adaptations="Run by a housing association.",
    )
    # Stopped, with its reason: the innovation's page shows it as learning.
    AdoptionFactory(
        innovation=homeshare,
        organisation=OrganisationFactory(name="Southtown Council", kind="local-authority"),
        status="stopped",
        stopped_reason="Volunteers were hard to keep after the first year.",
    )
    # Sent a follow-up, whose link opens the form to update it.
    Adoption.objects.filter(pk=adoption.pk).update(follow_up_sent_at=timezone.now())
    adoption.refresh_from_db()
    ResourceFactory(title="Making it Big", kind="toolkit").innovations.add(homeshare)
    similar = InnovationFactory(title="Shared Lives", summary="Carers share family life.")
    similar.sectors.add(health)
    network = ensure_innovation_network(homeshare)
    UserFactory(username="curator@example.org", email="curator@example.org", is_staff=True)
    alert = Alert.objects.create(email="sam@example.org", query="q=homeshare", frequency="daily")
    watch = Watch.objects.create(email="sam@example.org", innovation=homeshare, frequency="weekly")
    return {
        "innovation": homeshare,
        "adoption": adoption,
        "network": network,
        "owner": owner,
        "alert": alert,
        "watch": watch,
        "follow_up": f"/adoptions/follow-up/{follow_up_token(adoption)}/",
    }


def confirm_token(subscription) -> str:
    kind = "alert" if isinstance(subscription, Alert) else "watch"
    return signing.dumps([kind, subscription.pk], salt="alerts.confirm")


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Email address").fill("olu@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "sign-in" not in url)


def submit_empty(page) -> None:
    """Send the page's main form with nothing filled in, to see its error state."""
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()


def check(page, url: str, found: list[str], *, then=None) -> None:
    page.goto(url)
    if then:
        then(page)
    found.extend(violations(page))


def test_public_pages_have_no_violations(live_server, browser, catalogue):
    base = live_server.url
    page = browser.new_page()
    found: list[str] = []
    homeshare, owner = catalogue["innovation"], catalogue["owner"]
    confirm = f"/innovations/homeshare/confirm/{review_token(homeshare, owner)}/"
    for path in [
        "/",
        "/innovations/",
        "/innovations/?q=homeshare&sector=health",
        "/innovations/?q=homeshre",  # corrected: "Showing results for homeshare"
        "/innovations/?q=homeshre&as_typed=yes",  # as typed, nothing found: "did you mean"
        "/innovations/?q=homeshare+loneliness+zebras",  # widened to most of the words
        "/innovations/?evidence=9",  # a malformed search: the error summary
        "/innovations/homeshare/",
        "/organisations/homeshare-uk/",
        f"/adoptions/{catalogue['adoption'].pk}/",
        catalogue["follow_up"],
        "/adoptions/follow-up/not-a-link/",  # the page for a link that does not work
        "/resources/",
        "/resources/?kind=nope",
        "/how-innovations-spread/",
        "/accessibility/",
        "/privacy/",
        "/submit-an-innovation/",
        "/networks/",
        f"/networks/{catalogue['network'].slug}/",
        "/account/sign-up/",
        f"/account/verify/{verification_token('new@example.org')}/",
        "/account/password-reset/",
        "/no-such-page/",
        "/alerts/",
        "/alerts/new/?q=homeshare&sector=health",
        "/alerts/new/?evidence=9",  # a search that cannot be saved
        "/alerts/follow/homeshare/",
        "/alerts/check-your-email/",
        f"/alerts/confirm/{confirm_token(catalogue['alert'])}/",
        f"/alerts/confirm/{confirm_token(catalogue['watch'])}/",
        "/alerts/confirm/not-a-link/",
        f"/alerts/manage/{alert_services.manage_token('sam@example.org')}/",
        f"/alerts/stop/{alert_services.stop_token(catalogue['alert'])}/",
        f"/alerts/unsubscribe/{alert_services.stop_all_token('sam@example.org')}/",
        # The yearly email's link: the page that confirms an entry, and a link that does not work.
        confirm,
        "/innovations/homeshare/confirm/not-a-real-link/",
    ]:
        check(page, base + path, found)
    # The confirmation, once the owner has pressed the button.
    check(
        page,
        base + confirm,
        found,
        then=lambda p: (
            p.get_by_role("button", name="Yes, it is up to date").click(),
            p.wait_for_load_state(),
        ),
    )
    assert page.title().startswith("Entry confirmed")
    # The reach figures' table tab.
    check(
        page,
        base + "/innovations/homeshare/",
        found,
        then=lambda p: p.get_by_role("tab", name="Table").click(),
    )
    assert found == []


def test_forms_in_their_error_states_have_no_violations(live_server, browser, catalogue):
    base = live_server.url
    page = browser.new_page()
    found: list[str] = []
    for path in [
        "/innovations/homeshare/interest/",
        "/alerts/",
        "/alerts/new/?q=homeshare",
        "/alerts/follow/homeshare/",
        "/account/sign-in/",
        "/account/sign-up/",
        f"/account/verify/{verification_token('new@example.org')}/",
        "/account/password-reset/",
    ]:
        check(page, base + path, found, then=submit_empty)
        assert page.title().startswith("Error:"), path

    def stopped_without_a_reason(page) -> None:
        page.get_by_label("Stopped", exact=True).check()
        submit_empty(page)

    check(page, base + catalogue["follow_up"], found, then=stopped_without_a_reason)
    assert page.title().startswith("Error:")
    assert found == []


def test_signed_in_pages_and_their_errors_have_no_violations(live_server, browser, catalogue):
    base = live_server.url
    page = browser.new_page()
    sign_in(page, base)
    found: list[str] = []
    network = catalogue["network"].slug
    for path in [
        "/account/",
        "/innovations/homeshare/",  # with its owners' panels: what is missing, the review
        "/innovations/homeshare/edit/",
        f"/networks/{network}/facilitate/",
        f"/adoptions/{catalogue['adoption'].pk}/edit/",
    ]:
        check(page, base + path, found)

    def bad_figure(page) -> None:
        page.locator("#id_reach-0-value").fill("lots")
        submit_empty(page)

    def move_nobody(page) -> None:
        page.get_by_role("button", name="Move them").click()
        page.wait_for_load_state()

    enrol(catalogue["network"], email="kim@example.org", name="Kim", reason="To be listed")
    for path, make_errors in [
        (f"/networks/{network}/facilitate/", move_nobody),
        ("/submit-an-innovation/", submit_empty),
        ("/innovations/homeshare/reach/", bad_figure),
        ("/innovations/homeshare/adopt/", submit_empty),
    ]:
        check(page, base + path, found)
        check(page, base + path, found, then=make_errors)
        assert page.title().startswith("Error:"), path
    # A page this account may not see: the 403 page.
    other = InnovationFactory(title="Not theirs", slug="not-theirs")
    check(page, f"{base}/innovations/{other.slug}/reach/", found)
    assert "You cannot do this" in page.title()
    assert found == []


def test_the_adoption_maps_have_no_violations_and_name_each_area(live_server, browser, catalogue):
    """The hex maps of the innovation's page and of the search: every district a named
    picture, the adopted ones links to the search, which a keyboard reaches and follows."""
    page = browser.new_page()
    page.goto(f"{live_server.url}/innovations/homeshare/")
    hex_map = page.get_by_role("group", name="Map of the local authorities where it has been")
    assert hex_map.is_visible()
    assert hex_map.get_by_role("img", name="Hartlepool: no adoptions").count() == 1
    assert hex_map.get_by_role("group", name="North West").is_visible()
    wirral = hex_map.get_by_role("link", name="Wirral: 1 adoption")
    assert wirral.get_attribute("href") == "/innovations/?adopted_in=E08000015"
    assert violations(page) == []
    wirral.focus()
    assert violations(page) == []  # the focused hexagon too
    page.keyboard.press("Enter")
    page.wait_for_url("**/innovations/?adopted_in=E08000015")
    # The search page maps its results the same way, and a click narrows the search to the area.
    search_map = page.get_by_role("group", name="Map of the local authorities where these")
    assert search_map.get_by_role("img", name="Hartlepool: no innovations").count() == 1
    assert violations(page) == []
    page.goto(f"{live_server.url}/innovations/?q=homeshare")
    search_map.get_by_role("link", name="Wirral: 1 innovation").click()
    page.wait_for_url("**/innovations/?q=homeshare&adopted_in=E08000015")
    assert page.locator(".result-count").inner_text().startswith("1 innovation")


def test_the_500_page_has_no_violations(live_server, browser, catalogue):
    """Django renders 500.html without a request; the browser is handed that page as a server
    error at a URL of the live server, so that its styles load."""
    html = render_to_string("500.html")
    page = browser.new_page()
    url = f"{live_server.url}/__server-error__"
    page.route(url, lambda route: route.fulfill(status=500, body=html, content_type="text/html"))
    page.goto(url)
    assert "Sorry" in page.title() or "problem" in page.title().lower()
    assert violations(page) == []


@pytest.mark.parametrize(
    "path",
    ["/", "/innovations/?q=homeshare", "/innovations/homeshare/", "/resources/", "/account/"],
)
def test_pages_reflow_at_320_pixels(live_server, browser, catalogue, path):
    """WCAG 1.4.10: at 320 CSS pixels (a 1280-pixel window zoomed to 400 %) nothing but data
    tables may need sideways scrolling."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    if path == "/account/":
        sign_in(page, live_server.url)
    page.goto(live_server.url + path)
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => !el.closest('table') && el.getBoundingClientRect().right > 321
                    && getComputedStyle(el).visibility !== 'hidden'
                    && !el.closest('.govuk-visually-hidden, .app-honeypot, .govuk-skip-link'))
            .map(el => el.tagName + '.' + el.className)"""
    )
    context.close()
    assert overflowing == []


def test_the_innovation_page_works_without_javascript(live_server, page_without_js, catalogue):
    page_without_js.goto(f"{live_server.url}/innovations/homeshare/")
    # Both tabs' panels are on the page, one after the other: the chart and its table.
    assert page_without_js.locator("#reach-chart svg[role=img]").is_visible()
    assert page_without_js.locator("#reach-table table").is_visible()
    assert Adoption.objects.count() == 2  # adopted, and stopped
    assert page_without_js.get_by_role("link", name="Register interest").is_visible()


def test_the_innovation_page_prints_without_menus_and_buttons(live_server, page, catalogue):
    page.goto(f"{live_server.url}/innovations/homeshare/")
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not page.locator(".govuk-footer").is_visible()
    assert not page.get_by_role("button", name="Register interest").is_visible()
    # What the page is about still prints, both reach panels included.
    assert page.locator("h1").is_visible()
    assert page.locator("#core-and-adaptable").is_visible()
    assert page.locator("#reach-chart svg").is_visible()
    assert page.locator("#reach-table table").is_visible()
