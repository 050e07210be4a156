"""SQL assembled in pieces: a piece's text and the values of its placeholders, kept together.

The search (`catalogue/search.py`) and the reading of a text query (`catalogue/query.py`) build
their statements from constant fragments, names from the declarations and placeholders; every
value from a request travels as a parameter, never in the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Sql:
    """A piece of SQL and the values of its placeholders, in the order they appear in it."""

    text: str
    params: tuple[Any, ...] = ()

    def __add__(self, other: Sql) -> Sql:
        return Sql(self.text + other.text, self.params + other.params)


def join(separator: str, parts: Iterable[Sql]) -> Sql:
    parts = list(parts)
    return Sql(
        separator.join(part.text for part in parts),
        tuple(value for part in parts for value in part.params),
    )
