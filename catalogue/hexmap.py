"""Where something has been adopted, as a hexagonal cartogram of the UK's local authority
districts: every district one hexagon of the same size, drawn on the server as SVG (no script,
no tiles, nothing from another host; the Content-Security-Policy allows no inline style, so
shading is by class, `static/css/site.css`), beside a table of the same figures.

The layout is Open Innovations' HexJSON of the 2023 districts (`catalogue/data/`, MIT licence):
pointy-top hexagons in an `odd-r` grid, column `q` and row `r`, rows counting up the map (north)
and odd rows pushed right by half a hexagon. Corners are computed on an integer lattice (half a
hexagon's width across, a quarter of its height down) so that two hexagons share an edge
exactly, which is how the regions' outlines are found: the edges of a region's hexagons that no
other hexagon of the same region shares.

`hex_map(counts, link)` is the one entry point: {ONS code: count} in, the SVG, the table's rows
and the legend's steps out, all from the same figures."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

HEXJSON = Path(__file__).resolve().parent / "data" / "uk-local-authority-districts-2023.hexjson"

# The HexJSON's region codes (ONS GSS: English regions, and the three other nations as a whole),
# named as the catalogue's regions are (migration 0003), in the catalogue's order.
REGION_NAMES = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and the Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
    "W92000004": "Wales",
    "S92000003": "Scotland",
    "N92000002": "Northern Ireland",
}

# A hexagon's size in SVG units: centre to corner. Pointy-top, so it is `2 * SIZE` tall and
# `sqrt(3) * SIZE` wide; rows are `1.5 * SIZE` apart.
SIZE = 10.0
HALF_WIDTH = SIZE * math.sqrt(3) / 2  # one lattice step across
QUARTER_HEIGHT = SIZE / 2  # one lattice step down
PADDING = 2  # lattice steps around the map, so that the outlines' strokes are not cut off

# A corner's offset from its hexagon's centre on the lattice, clockwise from the top.
CORNERS = ((0, -2), (1, -1), (1, 1), (0, 2), (-1, 1), (-1, -1))

# Shades: none, then at most this many steps from the fewest to the most.
STEPS = 4

Point = tuple[int, int]  # a lattice point
Edge = tuple[Point, Point]  # its two ends, in sorted order, so that both hexagons name it alike


@dataclass(frozen=True)
class Area:
    """A local authority district and its place on the cartogram."""

    code: str  # ONS GSS code, such as E06000014
    name: str
    region: str  # the GSS code of its region, or of its nation outside England
    q: int  # column
    r: int  # row, counting northwards

    @property
    def region_name(self) -> str:
        return REGION_NAMES.get(self.region, self.region)


@cache
def areas() -> dict[str, Area]:
    """The districts by ONS code, read from the vendored HexJSON once per process."""
    data = json.loads(HEXJSON.read_text(encoding="utf-8"))
    if data.get("layout") != "odd-r":
        raise ValueError(f"{HEXJSON.name}: expected an odd-r layout, not {data.get('layout')!r}")
    return {
        code: Area(code, hexagon["n"], hexagon["region"], int(hexagon["q"]), int(hexagon["r"]))
        for code, hexagon in data["hexes"].items()
    }


@cache
def _extent() -> tuple[int, int, int, int]:
    """The least column, the top row (the greatest r), and the lattice's width and height."""
    every = areas().values()
    q_min, q_max = min(a.q for a in every), max(a.q for a in every)
    r_min, r_max = min(a.r for a in every), max(a.r for a in every)
    # Columns are two steps apart, plus one for an odd row's shift, one on each side for the
    # hexagons' half widths; rows are three steps apart, plus two above and below for the points.
    width = 2 * (q_max - q_min) + 3 + 2 * PADDING
    height = 3 * (r_max - r_min) + 4 + 2 * PADDING
    return q_min, r_max, width, height


def centre(q: int, r: int) -> Point:
    """The lattice point at the centre of the hexagon in column q, row r (odd-r: odd rows,
    negative ones included, sit half a hexagon to the right; rows count up the map)."""
    q_min, r_max, _, _ = _extent()
    return (2 * (q - q_min) + (r % 2) + 1 + PADDING, 3 * (r_max - r) + 2 + PADDING)


def corners(area: Area) -> list[Point]:
    x, y = centre(area.q, area.r)
    return [(x + dx, y + dy) for dx, dy in CORNERS]


def _xy(point: Point) -> str:
    x, y = point
    return f"{round(x * HALF_WIDTH, 2):g} {round(y * QUARTER_HEIGHT, 2):g}"


def _hexagon_path(area: Area) -> str:
    """The hexagon as a path: its top corner, then relative moves round it clockwise."""
    w, h = f"{round(HALF_WIDTH, 2):g}", f"{QUARTER_HEIGHT:g}"
    return f"M{_xy(corners(area)[0])}l{w} {h}v{SIZE:g}l-{w} {h}-{w}-{h}v-{SIZE:g}z"


def _edges(area: Area) -> list[Edge]:
    points = corners(area)
    return [
        (a, b) if a <= b else (b, a) for a, b in zip(points, points[1:] + points[:1], strict=True)
    ]


@cache
def region_outlines() -> dict[str, str]:
    """Each region's outline as a path: the edges of its hexagons that border another region
    or the sea, joined end to end into lines where they meet."""
    by_region: dict[str, list[Area]] = {}
    for area in areas().values():
        by_region.setdefault(area.region, []).append(area)
    outlines = {}
    for region, members in by_region.items():
        seen: dict[Edge, int] = {}
        for area in members:
            for edge in _edges(area):
                seen[edge] = seen.get(edge, 0) + 1
        # An edge two of its hexagons share is inside the region.
        outlines[region] = _joined([edge for edge, n in seen.items() if n == 1])
    return outlines


def _joined(edges: Iterable[Edge]) -> str:
    """Edges as one path, each run of edges that meet end to end one subpath."""
    ends: dict[Point, list[Edge]] = {}
    remaining = sorted(edges)
    for edge in remaining:
        for point in edge:
            ends.setdefault(point, []).append(edge)
    unused = set(remaining)
    parts = []
    for first in remaining:
        if first not in unused:
            continue
        unused.discard(first)
        line = [first[0], first[1]]
        while True:
            following = next((e for e in ends[line[-1]] if e in unused), None)
            if following is None:
                break
            unused.discard(following)
            line.append(following[1] if following[0] == line[-1] else following[0])
        closed = line[0] == line[-1]
        points = line[:-1] if closed else line
        parts.append("M" + "L".join(_xy(p) for p in points) + ("Z" if closed else ""))
    return "".join(parts)


@dataclass(frozen=True)
class Step:
    """One shade of the legend: counts from `low` to `high`."""

    number: int  # 1 (fewest) to STEPS (most); 0 is no adoptions
    low: int
    high: int

    @property
    def label(self) -> str:
        return f"{self.low:,}" if self.low == self.high else f"{self.low:,} to {self.high:,}"


def steps(most: int) -> list[Step]:
    """The shades for counts from 1 to `most`: a shade per count up to STEPS, then STEPS equal
    ranges (so the darkest shade always holds the most)."""
    n = min(STEPS, most)
    return [Step(k, (k - 1) * most // n + 1, k * most // n) for k in range(1, n + 1)]


def step_of(count: int, most: int) -> int:
    """Which shade a count takes, with `most` the greatest count on the map (0 for none)."""
    if count <= 0:
        return 0
    n = min(STEPS, most)
    return -(-count * n // most)  # ceil(count * n / most), in integers


@dataclass(frozen=True)
class Row:
    """One adopted area: a row of the table, a shaded hexagon of the map."""

    code: str
    name: str
    region: str  # its region's name
    count: int
    step: int
    href: str


@dataclass(frozen=True)
class HexMap:
    svg: SafeString
    rows: list[Row]  # the adopted areas, most first, then by name
    steps: list[Step]
    title: str
    noun: tuple[str, str]  # what is counted: singular, plural


def hex_map(
    counts: Mapping[str, int],
    link: Callable[[str], str],
    *,
    title: str,
    noun: tuple[str, str] = ("adoption", "adoptions"),
    id_prefix: str = "hexmap",
    chosen: Collection[str] = (),
) -> HexMap:
    """The map of `counts` (ONS code → how many; codes the HexJSON does not know, and counts
    of 0, are left out of map and table alike), each adopted area a link to `link(code)`.
    Areas `chosen` (the search's own) are outlined and said to be chosen."""
    known = areas()
    adopted = {code: n for code, n in counts.items() if n > 0 and code in known}
    most = max(adopted.values(), default=0)

    def counted(count: int, code: str) -> str:
        said = f"{count:,} {noun[0] if count == 1 else noun[1]}" if count else f"no {noun[1]}"
        return f"{said} (chosen)" if code in chosen else said

    def hexagon(area: Area) -> SafeString:
        count = adopted.get(area.code, 0)
        path = _hexagon_path(area)
        if not count:
            # A picture with a name: not a link, as there is nothing to find there.
            return format_html(
                '<path class="app-hexmap__hex app-hexmap__hex--0" d="{}" role="img">'
                "<title>{}: {}</title></path>",
                path,
                area.name,
                counted(0, area.code),
            )
        return format_html(
            '<a class="app-hexmap__link" href="{}"><title>{}: {}</title>'
            '<path class="app-hexmap__hex app-hexmap__hex--{}" d="{}"></path></a>',
            link(area.code),
            area.name,
            counted(count, area.code),
            step_of(count, most),
            path,
        )

    # Read in the regions' order, each region's districts by name, so that a screen reader
    # walks the map region by region.
    by_region: dict[str, list[Area]] = {region: [] for region in _region_order()}
    for area in sorted(known.values(), key=lambda a: (a.name, a.code)):
        by_region[area.region].append(area)
    regions = format_html_join(
        "",
        '<g class="app-hexmap__region" role="group" aria-label="{}">{}</g>',
        (
            (
                REGION_NAMES.get(region, region),
                format_html_join("", "{}", ((hexagon(area),) for area in members)),
            )
            for region, members in by_region.items()
        ),
    )
    outlines = format_html_join(
        "",
        '<path class="app-hexmap__outline" d="{}"></path>',
        ((path,) for path in region_outlines().values()),
    )
    # Drawn last, so that no neighbour covers the line round a chosen area.
    outlines += format_html_join(
        "",
        '<path class="app-hexmap__chosen" d="{}"></path>',
        ((_hexagon_path(known[code]),) for code in sorted(set(chosen) & known.keys())),
    )
    _, _, width, height = _extent()
    svg = format_html(
        '<svg class="app-hexmap__map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}"'
        ' role="group" aria-labelledby="{}-title"><title id="{}-title">{}</title>{}'
        '<g class="app-hexmap__outlines" aria-hidden="true">{}</g></svg>',
        f"{round(width * HALF_WIDTH, 2):g}",
        f"{round(height * QUARTER_HEIGHT, 2):g}",
        id_prefix,
        id_prefix,
        title,
        regions,
        outlines,
    )
    rows = sorted(
        (
            Row(
                code,
                known[code].name,
                known[code].region_name,
                n,
                step_of(n, most),
                link(code),
            )
            for code, n in adopted.items()
        ),
        key=lambda row: (-row.count, row.name, row.code),
    )
    return HexMap(svg=svg, rows=rows, steps=steps(most), title=title, noun=noun)


def _region_order() -> list[str]:
    """The regions in the catalogue's order, then any the HexJSON has that it does not name."""
    present = {area.region for area in areas().values()}
    return [r for r in REGION_NAMES if r in present] + sorted(present - REGION_NAMES.keys())
