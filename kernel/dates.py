"""Calendar arithmetic the standard library leaves out."""

from __future__ import annotations

import calendar
from datetime import date


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later, or that month's last day when it is
    shorter (31 August and six months is 28 or 29 February), as PostgreSQL adds an interval."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
