from __future__ import annotations

import re

from django.core.exceptions import ValidationError
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


# What has no place in a one-line value (a title, a name, an email address): the C0 controls
# (U+0000 to U+001F: tab, line feed and carriage return among them), DEL and the C1 controls
# (U+007F to U+009F, NEL among them), and Unicode's line and paragraph separators. Any of them
# in a title that an email's subject quotes makes that email unsendable; in a name they break
# CSV rows, headers and the layout of every page that shows it.
NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SINGLE_LINE_MESSAGE = "Enter this on one line (no line breaks or control characters)"


def single_line(value: object) -> None:
    """A validator for one-line text fields: refuses line breaks and control characters.

    On a model's field it runs in model forms, the admin and DRF model serializers; declared
    form and serializer fields (and the importer's records) list it themselves.
    """
    if isinstance(value, str) and NOT_ONE_LINE.search(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")


def one_line(text: str) -> str:
    """The text with its line breaks and control characters, and the spaces around them, made
    one space: for what must be one line whatever was stored before the fields refused them
    (an email's subject quoting a title)."""
    return " ".join(piece.strip() for piece in NOT_ONE_LINE.split(text) if piece.strip())
