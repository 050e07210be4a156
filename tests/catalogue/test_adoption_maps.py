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
