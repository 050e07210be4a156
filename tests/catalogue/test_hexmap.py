"""The hex map of local authorities (catalogue/hexmap.py): where each hexagon goes, what it is
called, how it is shaded and linked, and the regions' outlines."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from catalogue import hexmap
from catalogue.hexmap import Area, areas, centre, hex_map, region_outlines, step_of, steps

SVG = "{http://www.w3.org/2000/svg}"


def link(code: str) -> str:
    return f"/innovations/?adopted_in={code}"


def draw(counts: dict[str, int], **kwargs) -> tuple[hexmap.HexMap, ET.Element]:
    drawn = hex_map(counts, link, title="Where it has been adopted", **kwargs)
    return drawn, ET.fromstring(str(drawn.svg))  # noqa: S314 (our own SVG)


def hexagons(svg: ET.Element) -> list[ET.Element]:
    return [p for p in svg.iter(f"{SVG}path") if "app-hexmap__hex" in p.get("class", "")]


def named(svg: ET.Element) -> dict[str, str]:
    """Each hexagon's class by its name (its own <title>, or its link's)."""
    names = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("role") != "group":
            continue
        for child in group:
            shape = child.find(f"{SVG}path") if child.tag == f"{SVG}a" else child
            names[child.find(f"{SVG}title").text] = shape.get("class")
    return names


def test_the_hexjson_has_every_district_once():
    every = areas()
    assert len(every) == 361
    assert len({(a.q, a.r) for a in every.values()}) == 361
    by_nation = {letter: sum(code[0] == letter for code in every) for letter in "ESWN"}
    assert by_nation == {"E": 296, "S": 32, "W": 22, "N": 11}
    assert every["E06000014"] == Area("E06000014", "York", "E12000003", 9, 16)


def test_odd_rows_sit_half_a_hexagon_right_and_rows_count_up_the_map():
    # On the lattice a hexagon is 2 steps wide and rows are 3 steps apart.
    x0, y0 = centre(0, 0)
    assert centre(1, 0) == (x0 + 2, y0)
    assert centre(0, 1) == (x0 + 1, y0 - 3)  # odd row: shifted right, and drawn above
    assert centre(0, -1) == (x0 + 1, y0 + 3)  # negative odd rows too
    assert centre(0, 2) == (x0, y0 - 6)


def test_neighbours_in_odd_r_touch_and_others_do_not():
    """In odd-r, (q, r) with r odd touches (q, r±1) and (q+1, r±1); with r even, (q-1, r±1)
    and (q, r±1): their centres are one hexagon's width apart, as are (q±1, r)."""
    width = math.sqrt(3)  # in units of the hexagon's size

    def distance(a: tuple[int, int], b: tuple[int, int]) -> float:
        (xa, ya), (xb, yb) = centre(*a), centre(*b)
        return math.hypot((xa - xb) * width / 2, (ya - yb) / 2)

    for r in (-3, -2, 0, 1, 16, 17):
        shift = r % 2
        touching = [(-1, 0), (1, 0), (shift - 1, 1), (shift, 1), (shift - 1, -1), (shift, -1)]
        for dq, dr in touching:
            assert distance((5, r), (5 + dq, r + dr)) == pytest.approx(width)
        for dq in (shift - 2, shift + 1):
            assert distance((5, r), (5 + dq, r + 1)) > width * 1.5


def test_the_islands_and_only_they_touch_no_hexagon_of_their_own_region():
    """A check on the layout as a whole: with odd-r read rightly, the only districts with no
    neighbour in their own region are islands."""
    every = list(areas().values())
    at = {(a.q, a.r): a for a in every}
    alone = []
    for a in every:
        shift = a.r % 2
        around = [(a.q - 1, a.r), (a.q + 1, a.r)] + [
            (a.q + dq, a.r + dr) for dq in (shift - 1, shift) for dr in (1, -1)
        ]
        if not any(n in at and at[n].region == a.region for n in around):
            alone.append(a.name)
    assert sorted(alone) == [
        "Isle of Anglesey",
        "Isle of Wight",
        "Isles of Scilly",
        "Na h-Eileanan Siar",
        "Orkney Islands",
        "Shetland Islands",
    ]


def test_the_svg_is_xml_with_a_named_hexagon_for_every_district():
    drawn, svg = draw({"E06000014": 2})
    assert svg.tag == f"{SVG}svg"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", svg.get("viewBox"))
    assert svg.get("aria-labelledby") == "hexmap-title"
    assert svg.find(f"{SVG}title").text == "Where it has been adopted"
    assert len(hexagons(svg)) == 361
    names = named(svg)
    assert len(names) == 361
    assert names["York: 2 adoptions"] == "app-hexmap__hex app-hexmap__hex--2"
    assert names["Hartlepool: no adoptions"] == "app-hexmap__hex app-hexmap__hex--0"


def test_hexagons_are_grouped_by_region_in_the_catalogues_order():
    _, svg = draw({})
    groups = [g for g in svg.iter(f"{SVG}g") if g.get("role") == "group"]
    assert [g.get("aria-label") for g in groups] == list(hexmap.REGION_NAMES.values())
    assert sum(len(g) for g in groups) == 361
    london = next(g for g in groups if g.get("aria-label") == "London")
    assert len(london) == 33


def test_a_hexagon_is_a_pointy_topped_regular_hexagon():
    _, svg = draw({})
    d = hexagons(svg)[0].get("d")
    assert re.fullmatch(r"M[\d.]+ [\d.]+l8\.66 5v10l-8\.66 5-8\.66-5v-10z", d)


def test_only_adopted_areas_are_links_each_to_its_own_filter():
    _, svg = draw({"E06000014": 1, "W06000015": 3, "E06000001": 0})
    links = {a.get("href"): a.find(f"{SVG}title").text for a in svg.iter(f"{SVG}a")}
    assert links == {
        "/innovations/?adopted_in=E06000014": "York: 1 adoption",
        "/innovations/?adopted_in=W06000015": "Cardiff: 3 adoptions",
    }
    # The rest are pictures with a name, not links.
    rest = [p for p in hexagons(svg) if p.get("role") == "img"]
    assert len(rest) == 359
    assert all(p.find(f"{SVG}title").text.endswith(": no adoptions") for p in rest)


def test_chosen_areas_are_outlined_and_said_to_be_chosen():
    _, svg = draw({"E06000014": 2}, chosen=["E06000014", "E06000001", "nonsense"])
    names = named(svg)
    assert "York: 2 adoptions (chosen)" in names
    assert "Hartlepool: no adoptions (chosen)" in names
    assert "Leeds: no adoptions" in names
    lines = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "app-hexmap__chosen"]
    assert len(lines) == 2
    hidden = next(g for g in svg.iter(f"{SVG}g") if g.get("aria-hidden") == "true")
    assert all(line in list(hidden) for line in lines)


def test_shades_split_the_counts_into_at_most_four_steps():
    assert [(s.low, s.high) for s in steps(3)] == [(1, 1), (2, 2), (3, 3)]
    assert [(s.low, s.high) for s in steps(10)] == [(1, 2), (3, 5), (6, 7), (8, 10)]
    assert steps(0) == []
    for most in range(1, 30):
        for count in range(1, most + 1):
            step = steps(most)[step_of(count, most) - 1]
            assert step.low <= count <= step.high
    assert step_of(0, 5) == 0
    assert steps(10)[1].label == "3 to 5"
    assert steps(1)[0].label == "1"


def test_each_hexagon_takes_its_counts_shade():
    _, svg = draw({"E06000014": 1, "W06000015": 4, "S12000036": 8})
    shades = {
        a.find(f"{SVG}title").text: a.find(f"{SVG}path").get("class")[-1]
        for a in svg.iter(f"{SVG}a")
    }
    assert shades == {
        "York: 1 adoption": "1",
        "Cardiff: 4 adoptions": "2",
        "City of Edinburgh: 8 adoptions": "4",
    }


def test_the_table_has_the_maps_figures_most_first_then_by_name():
    drawn, svg = draw(
        {"E06000014": 2, "W06000015": 5, "E06000001": 2, "E06000002": 0, "X99999999": 4},
        noun=("innovation", "innovations"),
    )
    assert [(r.name, r.region, r.count, r.href) for r in drawn.rows] == [
        ("Cardiff", "Wales", 5, link("W06000015")),
        ("Hartlepool", "North East", 2, link("E06000001")),
        ("York", "Yorkshire and the Humber", 2, link("E06000014")),
    ]
    # The same figures as the map's links: an unknown code is on neither.
    on_map = {a.get("href"): a.find(f"{SVG}title").text for a in svg.iter(f"{SVG}a")}
    assert on_map == {r.href: f"{r.name}: {r.count} innovations" for r in drawn.rows}


def test_names_and_addresses_are_escaped(monkeypatch):
    tricky = {
        "E06000014": Area("E06000014", 'York <script>alert("x")</script> & Co', "E12000003", 9, 16)
    }
    monkeypatch.setattr(hexmap, "areas", lambda: {**areas.__wrapped__(), **tricky})
    drawn = hex_map(
        {"E06000014": 1},
        lambda code: f"/innovations/?q=a&adopted_in={code}&x=\"'",
        title="Where <b>these</b> have been adopted",
    )
    svg = str(drawn.svg)
    assert "<script>" not in svg
    assert "<b>" not in svg
    parsed = ET.fromstring(svg)  # noqa: S314 (our own SVG)
    york = next(parsed.iter(f"{SVG}a"))
    assert york.get("href") == "/innovations/?q=a&adopted_in=E06000014&x=\"'"
    assert york.find(f"{SVG}title").text == 'York <script>alert("x")</script> & Co: 1 adoption'
    assert parsed.find(f"{SVG}title").text == "Where <b>these</b> have been adopted"


def test_every_region_is_outlined_along_its_borders():
    outlines = region_outlines()
    assert set(outlines) == set(hexmap.REGION_NAMES)
    _, svg = draw({})
    drawn = [p.get("d") for p in svg.iter(f"{SVG}path") if p.get("class") == "app-hexmap__outline"]
    assert sorted(drawn) == sorted(outlines.values())
    # The outlines sit inside a group screen readers skip.
    hidden = next(g for g in svg.iter(f"{SVG}g") if g.get("aria-hidden") == "true")
    assert len(hidden) == 12


def test_an_outline_runs_round_a_region_and_its_islands():
    """Northern Ireland is one block of hexagons: one closed line. Scotland has its islands
    (Orkney, Shetland, the Western Isles) apart: a closed line round each."""
    northern_ireland = region_outlines()["N92000002"]
    assert northern_ireland.count("M") == 1
    assert northern_ireland.endswith("Z")
    scotland = region_outlines()["S92000003"]
    assert scotland.count("M") == scotland.count("Z") >= 4
    # An island of one hexagon is outlined by its six edges.
    assert any(part.count("L") == 5 for part in scotland.split("M")[1:])


def test_an_outline_is_every_edge_of_the_region_not_shared_within_it():
    """London's outline has one segment per edge of its hexagons that no other London hexagon
    shares: none between two of its boroughs."""
    london = [a for a in areas().values() if a.region == "E12000007"]
    edges = [edge for area in london for edge in hexmap._edges(area)]
    border = [edge for edge in edges if edges.count(edge) == 1]
    outline = region_outlines()["E12000007"]
    assert outline.count("L") + outline.count("Z") == len(border) < len(edges)
