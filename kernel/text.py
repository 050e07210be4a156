from __future__ import annotations

from django.db import models
from django.utils.text import slugify

# What a slug in a URL may be (Django's <slug:> converter); the API's routers use it for lookups.
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 200) -> str:
    """slugify(text), with -2, -3… appended when another row already has it."""
    base = slugify(text)[:max_length] or "item"
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return slug


def max_length(model: type[models.Model], name: str) -> int:
    """The max_length of one of a model's text fields."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return field.max_length


def row_id(text: str) -> int | None:
    """A row id sent as text (a query string, a form field): plain ASCII digits that fit a
    bigint, or None, so that "²", "-1" or a thousand digits find nothing instead of a 500."""
    if text.isascii() and text.isdecimal() and len(text) < 19:
        return int(text)
    return None


class Echo:
    """A file that hands back what is written to it: csv.writer rows for a streamed response."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula (=, +, -, @, tab, return)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
