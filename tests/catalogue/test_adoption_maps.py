"""The hex maps of where innovations have been adopted: on an innovation's page and for a search,
the SVG and its table say the same as the adoptions in the database, and cost no query per area."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adopters.models import Adoption
from tests.factories import AdoptionFactory, InnovationFactory, local_authority
from tests.html import elements, page, table_rows, text

pytestmark = pytest.mark.django_db

MAP_TABLE = "Adoptions piloting, adopted or scaled, by local authority"


def adopt(innovation, code: str | None, status: str = "adopted") -> Adoption:
    return AdoptionFactory(
        innovation=innovation,
        local_authority=local_authority(code) if code else None,
        region=local_authority(code).region if code else None,
        status=status,
    )


def drawn_links(root) -> dict[str, tuple[str, str]]:
    """Each linked hexagon of the page's map: its address → (its name, its class)."""
    found = {}
    for svg in elements(root, "svg", class_="app-hexmap__map"):
        for link in elements(svg, "a", class_="app-hexmap__link"):
            title = text(next(elements(link, "title")))
            shape = next(elements(link, "path"))
            found[dict(link.attributes)["href"]] = (title, dict(shape.attributes)["class"])
    return found


def counted_in_database(innovation) -> dict[str, int]:
    """{district name: active adoptions there}, straight from the database."""
    return dict(
        Counter(
            Adoption.objects.active()
            .filter(innovation=innovation, local_authority__isnull=False)
            .values_list("local_authority__name", flat=True)
        )
    )


@pytest.fixture
def spread():
    """An innovation adopted twice in York, piloted in Leeds, scaled in Cardiff, explored in
    Hartlepool (not counted: not active), and adopted somewhere not named."""
    innovation = InnovationFactory(title="Shared reading", slug="shared-reading")
    adopt(innovation, "E06000014")
    adopt(innovation, "E06000014", "scaled")
    adopt(innovation, "E08000035", "piloting")
    adopt(innovation, "W06000015", "scaled")
    adopt(innovation, "E06000001", "exploring")
    adopt(innovation, None)
    return innovation


def test_the_innovation_pages_map_and_table_agree_with_the_adoptions(client, spread):
    response = client.get(spread.get_absolute_url())
    assert response.status_code == 200
    root = page(response)
    expected = counted_in_database(spread)
    assert expected == {"York": 2, "Leeds": 1, "Cardiff": 1}

    rows = table_rows(root, MAP_TABLE)
    assert rows == [
        ["York", "Yorkshire and the Humber", "2"],
        ["Cardiff", "Wales", "1"],
        ["Leeds", "Yorkshire and the Humber", "1"],
    ]
    assert {name: int(n) for name, _, n in rows} == expected

    links = drawn_links(root)
    assert {title for title, _ in links.values()} == {
        f"{name}: {n} adoption{'s' if n > 1 else ''}" for name, n in expected.items()
    }
    assert links["/innovations/?adopted_in=E06000014"][1].endswith("--2")
    assert links["/innovations/?adopted_in=W06000015"][1].endswith("--1")
    # The table links each area to the same search as its hexagon.
    table_links = {
        dict(a.attributes)["href"]
        for table in elements(root, "table")
        if MAP_TABLE in text(table)
        for a in elements(table, "a")
    }
    assert table_links == set(links)
    # Every district is drawn and named, adopted or not.
    svg = next(elements(root, "svg", class_="app-hexmap__map"))
    assert len(list(elements(svg, "title"))) == 361 + 1  # and the map's own title
    hartlepool = [text(t) for t in elements(svg, "title") if text(t).startswith("Hartlepool")]
    assert hartlepool == ["Hartlepool: no adoptions"]


def test_no_map_when_no_active_adoption_names_a_local_authority(client):
    innovation = InnovationFactory()
    adopt(innovation, None)
    adopt(innovation, "E06000001", "exploring")
    html = client.get(innovation.get_absolute_url()).content.decode()
    assert "app-hexmap" not in html
    assert "Where it has been adopted" in html  # the section stays, with its other tables


def test_the_map_costs_no_query_per_area(client):
    """The map is counted from the adoptions the page lists anyway."""
    innovation = InnovationFactory(slug="counted")
    adopt(innovation, "E06000014")
    with CaptureQueriesContext(connection) as one:
        client.get(innovation.get_absolute_url())
    for code in ("E08000035", "W06000015", "S12000036", "N09000003"):
        adopt(innovation, code)
    with CaptureQueriesContext(connection) as five:
        response = client.get(innovation.get_absolute_url())
    assert len(drawn_links(page(response))) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


# -- The search page ---------------------------------------------------------------------------

SEARCH_TABLE = "Innovations adopted, by local authority"


@pytest.fixture
def catalogue():
    """Shared reading adopted twice in York and scaled in Cardiff; Homeshare adopted in York
    and piloting in Leeds; a homework club only explored in Hartlepool; a draft adopted in
    Edinburgh (not public)."""
    reading = InnovationFactory(title="Shared reading")
    adopt(reading, "E06000014")
    adopt(reading, "E06000014", "piloting")
    adopt(reading, "W06000015", "scaled")
    homeshare = InnovationFactory(title="Homeshare")
    adopt(homeshare, "E06000014")
    adopt(homeshare, "E08000035", "piloting")
    adopt(InnovationFactory(title="Homework club"), "E06000001", "exploring")
    adopt(InnovationFactory(title="Hidden", draft=True), "S12000036")


def innovations_adopted_in_database(**search) -> dict[str, int]:
    """{district name: published innovations with an active adoption there}, from the
    database, among the innovations whose title contains `title`, if given."""
    adoptions = Adoption.objects.active().public().filter(local_authority__isnull=False)
    if "title" in search:
        adoptions = adoptions.filter(innovation__title__icontains=search["title"])
    pairs = set(adoptions.values_list("local_authority__name", "innovation"))
    return dict(Counter(name for name, _ in pairs))


def result_count(client, query: str) -> int:
    root = page(client.get(f"/innovations/{query}"))
    counted = next(p for p in elements(root, "p") if "result-count" in dict(p.attributes)["class"])
    return int(text(next(elements(counted, "strong"))).replace(",", ""))


def test_the_search_pages_map_and_table_agree_with_the_adoptions(client, catalogue):
    root = page(client.get("/innovations/"))
    expected = innovations_adopted_in_database()
    assert expected == {"York": 2, "Cardiff": 1, "Leeds": 1}
    assert "Where these have been adopted" in text(root)
    rows = table_rows(root, SEARCH_TABLE)
    assert rows == [
        ["York", "Yorkshire and the Humber", "2"],
        ["Cardiff", "Wales", "1"],
        ["Leeds", "Yorkshire and the Humber", "1"],
    ]
    links = drawn_links(root)
    assert {title for title, _ in links.values()} == {
        f"{name}: {n} innovation{'s' if n > 1 else ''}" for name, n in expected.items()
    }
    assert set(links) == {
        "?adopted_in=E06000014",
        "?adopted_in=W06000015",
        "?adopted_in=E08000035",
    }


def test_the_map_follows_the_search_and_each_area_finds_as_many_as_it_shows(client, catalogue):
    root = page(client.get("/innovations/?q=homeshare&page=1"))
    assert {name: int(n) for name, _, n in table_rows(root, SEARCH_TABLE)} == (
        innovations_adopted_in_database(title="homeshare")
    )
    links = drawn_links(root)
    # The query is kept, the page is not.
    assert set(links) == {"?q=homeshare&adopted_in=E06000014", "?q=homeshare&adopted_in=E08000035"}
    for query, (title, _) in links.items():
        assert title.endswith(": 1 innovation")
        assert result_count(client, query) == 1


def test_an_area_replaces_the_places_already_chosen(client, catalogue):
    """Where they have been adopted is counted as a facet is, leaving out its own choice: the
    map still shows York with two, and choosing York finds those two."""
    root = page(client.get("/innovations/?adopted_in=W06000015&sort=title"))
    links = drawn_links(root)
    assert links["?adopted_in=E06000014&sort=title"][0] == "York: 2 innovations"
    assert links["?adopted_in=W06000015&sort=title"][0] == "Cardiff: 1 innovation (chosen)"
    assert result_count(client, "?adopted_in=E06000014&sort=title") == 2


def test_no_map_when_no_result_has_been_adopted_in_a_named_place(client, catalogue):
    html = client.get("/innovations/?q=homework").content.decode()
    assert "Homework club" in html
    assert "app-hexmap" not in html
    assert "Where these have been adopted" not in html


def test_the_search_pages_map_costs_no_query_per_area(client, catalogue):
    with CaptureQueriesContext(connection) as few:
        client.get("/innovations/")
    for code in ("S12000036", "N09000003", "E09000001"):
        adopt(InnovationFactory(title=f"Adopted in {code}"), code)
    with CaptureQueriesContext(connection) as more:
        response = client.get("/innovations/")
    assert len(drawn_links(page(response))) == 6
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_map_needs_nothing_the_content_security_policy_forbids(client, spread):
    """No inline style or script, nothing from another host: shades are classes."""
    response = client.get(spread.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy
    assert "script-src 'self'" in policy
    html = response.content.decode()
    start = html.index('<div class="app-hexmap">')
    hex_map = html[start : html.index("</table>", start)]
    assert "style" not in hex_map
    assert "<script" not in hex_map
    assert "http" not in hex_map.replace('xmlns="http://www.w3.org/2000/svg"', "")
