"""Charts drawn on the server as SVG: readable without JavaScript, printable, and each shown
beside a table of the same figures, with every value written on the chart, so that no reader
depends on the picture (or on colour) to get the numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from catalogue.models import ReachFigure

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 70, 50, 20, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the value, as written on the chart
    when: str  # the date, for the axis


@dataclass(frozen=True)
class LineChart:
    title: str
    description: str
    points: list[Point]
    ticks: list[tuple[float, str]]  # y position and label of each horizontal grid line
    path: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover (the loop always returns)


def _x(day: date, first: date, last: date) -> float:
    span = (last - first).days
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner / 2 if span == 0 else inner * (day - first).days / span)


def reach_chart(measure: str, figures: list[ReachFigure]) -> LineChart:
    """One measure's figures over time as a line chart, the y axis from zero."""
    figures = sorted(figures, key=lambda f: f.date)
    top = _nice_ceiling(max(f.value for f in figures))
    inner = HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + inner * (1 - value / top)

    first, last = figures[0].date, figures[-1].date
    points = [
        Point(
            round(_x(f.date, first, last), 1),
            round(y(f.value), 1),
            f"{f.value:,}",
            # Every date when they fit under the axis; otherwise the first and the last.
            f"{f.date:%b %Y}" if len(figures) <= 6 or i in (0, len(figures) - 1) else "",
        )
        for i, f in enumerate(figures)
    ]
    ticks = [(round(y(top * i / 4), 1), f"{round(top * i / 4):,}") for i in range(5)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    change = (
        f"from {figures[0].value:,} in {first:%B %Y} to {figures[-1].value:,} in {last:%B %Y}"
        if len(figures) > 1
        else f"{figures[0].value:,} in {first:%B %Y}"
    )
    return LineChart(
        title=measure[:1].upper() + measure[1:],
        description=f"{measure[:1].upper() + measure[1:]}: {change}.",
        points=points,
        ticks=ticks,
        path=path,
    )
