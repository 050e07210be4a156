"""The search page in a real browser: with JavaScript off it is a plain GET form; with it on,
results and counts update in place, the URL follows and Back works."""

import pytest

from tests.factories import InnovationFactory, SectorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    health, care = SectorFactory(name="Health"), SectorFactory(name="Social care")
    for n in range(3):
        InnovationFactory(title=f"Breathe easy group {n}").sectors.add(health)
    InnovationFactory(title="Shared lives").sectors.add(care)
    InnovationFactory(title="Running to visit neighbours", summary="Runners visit older people.")


def test_filters_work_without_javascript(live_server, page_without_js, catalogue):
    page = page_without_js
    page.goto(f"{live_server.url}/innovations/")
    assert "5 innovations" in page.locator(".result-count").inner_text()
    page.get_by_label("Health (3)").check()
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url("**sector=health**")
    assert "3 innovations" in page.locator(".result-count").inner_text()
    # The selected filter is a tag that removes itself.
    page.get_by_role("link", name="Remove this filter: Sector: Health").click()
    page.wait_for_load_state()
    assert "5 innovations" in page.locator(".result-count").inner_text()


def test_text_search_and_sort_without_javascript(live_server, page_without_js, catalogue):
    page = page_without_js
    page.goto(f"{live_server.url}/innovations/?q=runners")
    assert page.locator(".app-result__title").all_inner_texts() == ["Running to visit neighbours"]
    assert page.locator(".app-result__summary mark").first.inner_text() == "Runners"
    page.goto(f"{live_server.url}/innovations/")
    page.select_option("#f-sort", "title")
    page.get_by_role("button", name="Sort").click()
    page.wait_for_url("**sort=title**")
    titles = page.locator(".app-result__title").all_inner_texts()
    assert titles == sorted(titles)


def test_results_update_in_place_with_javascript(live_server, page, catalogue):
    page.goto(f"{live_server.url}/innovations/")
    page.evaluate("window.__marker = 'same page'")  # survives only if there is no full reload
    page.get_by_label("Health (3)").check()
    page.wait_for_url("**sector=health**")
    assert "3 innovations" in page.locator(".result-count").inner_text()
    assert page.evaluate("window.__marker") == "same page"
    # Counts of the other facets followed the filter; the chosen facet keeps its alternatives.
    assert page.get_by_label("Social care (1)").is_visible()

    page.go_back()
    page.wait_for_url(f"{live_server.url}/innovations/")
    page.wait_for_function("document.querySelector('.result-count').innerText.includes('5')")
    assert "5 innovations" in page.locator(".result-count").inner_text()


def test_bad_search_shows_the_error_summary(live_server, page, catalogue):
    response = page.goto(f"{live_server.url}/innovations/?evidence=seven")
    assert response.status == 400
    assert page.get_by_role("alert").is_visible()
    assert "Evidence level" in page.get_by_role("alert").inner_text()
