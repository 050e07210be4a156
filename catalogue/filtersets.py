"""The search parameters of shared/CONTRACT.md as form fields, and their validation.

`SEARCH_FIELDS` holds a field for `q`, one for each facet of `catalogue.facets.FACETS` and one
for `sort` (`SORTS`); `clean_parameters` validates a request's parameters with them and gives
every malformed one's messages (a 400). `catalogue.search` does the filtering, the counting and
the ordering. The field and filter classes also serve the API's other lists
(`catalogue/api/filters.py`).
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field

from catalogue.facets import FACETS, SORTS, Facet

MAX_QUERY_LENGTH = 500

# NUL cannot be stored by PostgreSQL; the other C0 controls (but tab, newline and carriage
# return) cannot be written in XML 1.0, which the Atom feed is.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

# What a text parameter may hold: no NUL or other control characters but tab and line breaks.
NO_CONTROL_CHARACTERS = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]*$"


def _refuse_nul(values: list[str]) -> None:
    for value in values:
        if "\x00" in value:
            raise forms.ValidationError("Contains a NUL byte, which is not allowed.")
        if _CONTROL.search(value):
            raise forms.ValidationError("Contains a control character, which is not allowed.")


class ValueListField(forms.Field):
    """A repeatable parameter (`?sector=a&sector=b`) whose values are kept as given.

    Unknown values are not errors: an unknown slug simply selects nothing (CONTRACT.md).
    """

    widget = forms.SelectMultiple

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))

    def validate(self, value: list[str]) -> None:
        _refuse_nul(value)


class PlaceListField(ValueListField):
    """Region slugs and local authorities' ONS codes (`adopted_in`): unknown ones select
    nothing, but a value longer than any of them could be is malformed."""

    max_value_length = 50  # Region.slug's max_length; an ONS code is 9

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        for place in value:
            if len(place) > self.max_value_length:
                raise forms.ValidationError(
                    f"“{place[:40]}…” is longer than a region slug or an ONS code can be "
                    f"({self.max_value_length} characters)."
                )


class EvidenceField(ValueListField):
    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]  # levels, not slugs
        levels = []
        for raw in super().to_python(value):
            _refuse_nul([raw])
            if raw not in {"1", "2", "3", "4", "5"}:
                raise forms.ValidationError(f"“{raw[:40]}” is not an evidence level from 1 to 5.")
            levels.append(int(raw))
        return levels

    def validate(self, value: list[int]) -> None:  # type: ignore[override]  # levels, not slugs
        pass


class ChoiceListField(ValueListField):
    """A repeatable parameter whose values must be among its choices (`adopted=maybe` is a 400)."""

    def __init__(self, *, choices: list[str], **kwargs: Any):
        super().__init__(**kwargs)
        self.choices = choices

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        for raw in value:
            if raw not in self.choices:
                raise forms.ValidationError(
                    f"“{raw[:40]}” is not one of {', '.join(self.choices)}."
                )


class TextField(forms.CharField):
    def __init__(self, **kwargs: Any):
        kwargs.update(required=False, max_length=MAX_QUERY_LENGTH, strip=True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""  # never None: empty_value is ""
        _refuse_nul([text])
        return text


class StrictChoiceField(forms.ChoiceField):
    """A single choice whose bad values are 400s (sort=random)."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        _refuse_nul([text])
        return text


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "pattern": NO_CONTROL_CHARACTERS}}
)
class ValueListFilter(django_filters.Filter):
    """A repeatable parameter (documented as an array in the API schema)."""

    field_class = ValueListField


class StrictChoiceFilter(django_filters.Filter):
    field_class = StrictChoiceField


# --- The search's parameters -------------------------------------------------------------------


def _facet_field(facet: Facet) -> forms.Field:
    if facet.strict:
        return ChoiceListField(
            required=False, label=facet.label, choices=[str(value) for value in facet.values]
        )
    if facet.integer:
        return EvidenceField(required=False, label=facet.label)
    if facet.places:
        return PlaceListField(required=False, label=facet.label)
    # Slugs, fixed or not: a slug the catalogue does not know selects nothing (not a 400).
    return ValueListField(required=False, label=facet.label)


# Every search parameter but paging (kernel.paging), by name. Fields are never changed after
# this, so one set serves every request.
SEARCH_FIELDS: dict[str, forms.Field] = {
    "q": TextField(label="Search"),
    **{facet.name: _facet_field(facet) for facet in FACETS},
    "sort": StrictChoiceField(
        required=False, label="Sort by", choices=[(sort.name, sort.label) for sort in SORTS]
    ),
    # `modified_since`: only innovations whose public record changed at or after it (for
    # harvesters; CONTRACT.md, December 2026). An ISO 8601 date or date-time.
    "modified_since": forms.DateTimeField(
        required=False,
        label="Changed since",
        error_messages={
            "invalid": "Give a date or a date and time in ISO 8601, like 2026-12-01 or "
            "2026-12-01T09:00:00Z."
        },
    ),
    # `as_typed=yes`: search the words as typed, without correcting misspelt ones.
    "as_typed": StrictChoiceField(
        required=False, label="Search the words as typed", choices=[("", "No"), ("yes", "Yes")]
    ),
}
LABELS: dict[str, str] = {name: str(field.label) for name, field in SEARCH_FIELDS.items()}


def clean_parameters(
    fields: dict[str, forms.Field], params: QueryDict
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate request parameters as a form of these fields would, without building one.

    A search validates its parameters on every request; a form instance deep-copies every
    field and widget first (about a millisecond). The fields, messages and values are the same.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, field in fields.items():
        try:
            cleaned[name] = field.clean(field.widget.value_from_datadict(params, {}, name))
        except forms.ValidationError as error:
            errors[name] = [str(message) for message in error.messages]
    return cleaned, errors


def sort_in_force(data: dict[str, Any]) -> str:
    """The sort in force: relevance by default with a query, newest otherwise."""
    chosen = data.get("sort") or ""
    if chosen == "relevance" and not data.get("q"):
        return "newest"
    return chosen or ("relevance" if data.get("q") else "newest")


def selected_in(data: dict[str, Any]) -> dict[str, list[Any]]:
    """The facet values selected, by parameter, in cleaned parameters."""
    selected: dict[str, list[Any]] = {}
    for facet in FACETS:
        value = data.get(facet.name)
        if value:
            selected[facet.name] = value if isinstance(value, list) else [value]
    return selected
