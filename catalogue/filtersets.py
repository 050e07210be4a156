"""The one definition of the search parameters of shared/CONTRACT.md.

The search page, `GET /api/v1/innovations/`, the CSV export and the Atom feed all filter through
`InnovationFilterSet`; `catalogue.search` adds ranking, facets, highlights and suggestions on
top of it. Filters read the facet columns that the database derives on every innovation
(`sector_ids`, `region_ids`, `organisation_kind`, `adoption_count`, …), so none needs a join.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field

from catalogue.choices import (
    CostBand,
    InnovationKind,
    OrganisationKind,
    ScalingWay,
    Stage,
)
from catalogue.facets import FACET_CODES, KEY_BASE, NO_KEY, TABLES, fixed_key
from catalogue.models import Innovation, SearchEntry

SEARCH_CONFIG = "english_unaccent"
MAX_QUERY_LENGTH = 500


def search_query(q: str) -> SearchQuery:
    """Web-search syntax: words, "quoted phrase", or, -excluded; stemmed and unaccented."""
    return SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)


# NUL cannot be stored by PostgreSQL; the other C0 controls (but tab, newline and carriage
# return) cannot be written in XML 1.0, which the Atom feed is.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def keys_sql(facet: str, values: list[Any]) -> tuple[str, list[Any]]:
    """SQL selecting the facet keys of the given values of one facet, with its parameters.

    Curated vocabularies and regions are looked up by slug (a region's key also stands for its
    nation's, so `england` selects every English region); unknown values select nothing.
    """
    if facet in TABLES:
        base = FACET_CODES[facet] * KEY_BASE
        return f"SELECT id + {base} FROM {TABLES[facet]} WHERE slug = ANY(%s)", [  # noqa: S608
            [str(v) for v in values]
        ]
    keys = [key for v in values if (key := fixed_key(facet, v)) is not None]
    return "SELECT unnest(%s::bigint[])", [keys or [NO_KEY]]


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


class TextField(forms.CharField):
    def __init__(self, **kwargs: Any):
        kwargs.update(required=False, max_length=MAX_QUERY_LENGTH, strip=True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""  # never None: empty_value is ""
        _refuse_nul([text])
        return text


class StrictChoiceField(forms.ChoiceField):
    """A single choice whose bad values are 400s (adopted=maybe, sort=random)."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        _refuse_nul([text])
        return text


# What a text parameter may hold: no NUL or other control characters but tab and line breaks.
NO_CONTROL_CHARACTERS = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]*$"


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "pattern": NO_CONTROL_CHARACTERS}}
)
class ValueListFilter(django_filters.Filter):
    """A repeatable parameter (documented as an array in the API schema)."""

    field_class = ValueListField


class TextFilter(django_filters.Filter):
    field_class = TextField


class EvidenceFilter(django_filters.Filter):
    field_class = EvidenceField


class StrictChoiceFilter(django_filters.Filter):
    field_class = StrictChoiceField


class InnovationFilterSet(django_filters.FilterSet):
    """Every search parameter of the contract except paging, defined once."""

    q = TextFilter(method="filter_q", label="Search")
    sector = ValueListFilter(method="filter_facet", label="Sector")
    beneficiary = ValueListFilter(method="filter_facet", label="Who it helps")
    scaling_route = ValueListFilter(method="filter_facet", label="Scaling route")
    stage = ValueListFilter(method="filter_facet", label="Stage")
    kind = ValueListFilter(method="filter_facet", label="Kind")
    scaling_way = ValueListFilter(method="filter_facet", label="Way of scaling")
    organisation_kind = ValueListFilter(method="filter_facet", label="Lead organisation")
    region = ValueListFilter(method="filter_facet", label="Where it operates")
    cost_band = ValueListFilter(method="filter_facet", label="Cost")
    evidence = EvidenceFilter(method="filter_facet", label="Evidence level")
    adopted = StrictChoiceFilter(
        method="filter_facet",
        label="Adopted",
        choices=[("yes", "Adopted"), ("no", "Not yet adopted")],
    )
    sort = StrictChoiceFilter(
        method="filter_nothing",  # ordering is applied last, in filter_queryset
        label="Sort by",
        choices=[
            ("relevance", "Relevance"),
            ("newest", "Newest"),
            ("most_adopted", "Most adopted"),
            ("evidence", "Strongest evidence"),
            ("title", "Title"),
        ],
    )

    class Meta:
        model = Innovation
        fields: list[str] = []

    # --- filters ------------------------------------------------------------------------------

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        # Matched through the search entries' index (published innovations only).
        entries = SearchEntry.objects.filter(search_vector=search_query(value))
        return queryset.filter(pk__in=entries.values("innovation_id"))

    # Every facet filter is an overlap of the innovation's facet keys (catalogue/facets.py) with
    # the keys of the values asked for: one GIN-indexed column. The search engine counts and
    # pages through the same keys (`keys_sql`), so both always select the same innovations.

    def filter_facet(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        values = value if isinstance(value, list) else [value]
        if not values or values == [""]:
            return queryset
        sql, params = keys_sql(name, values)
        keys = RawSQL(f"ARRAY({sql})", params, ArrayField(BigIntegerField()))  # noqa: S611 - values are parameters
        return queryset.filter(facet_keys__overlap=keys)

    def filter_nothing(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset

    # --- ordering -----------------------------------------------------------------------------

    @property
    def current_sort(self) -> str:
        return sort_in_force(self.form.cleaned_data)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        q = self.form.cleaned_data.get("q")
        if q:
            # Ranked over the filtered set only: the WHERE clause runs before the rank.
            queryset = queryset.annotate(rank=SearchRank(F("search_vector"), search_query(q)))
        return queryset.order_by(*ORDERINGS[self.current_sort])

    def selected(self) -> dict[str, list[Any]]:
        return selected_in(self.form.cleaned_data)


def sort_in_force(data: dict[str, Any]) -> str:
    """The sort in force: relevance by default with a query, newest otherwise."""
    chosen = data.get("sort") or ""
    if chosen == "relevance" and not data.get("q"):
        return "newest"
    return chosen or ("relevance" if data.get("q") else "newest")


def selected_in(data: dict[str, Any]) -> dict[str, list[Any]]:
    """The facet values selected, by parameter, in cleaned parameters."""
    selected: dict[str, list[Any]] = {}
    for name in FACETS:
        value = data.get(name)
        if value:
            selected[name] = value if isinstance(value, list) else [value]
    return selected


@functools.cache
def parameter_fields() -> dict[str, forms.Field]:
    """The form fields of the filter set's parameters, built once (they are never changed)."""
    return InnovationFilterSet(queryset=Innovation.objects.none()).get_form_class().base_fields


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


ORDERINGS: dict[str, list[Any]] = {
    # Published innovations always have a publication date; "-published_at" walks the
    # (status, -published_at) index, so the newest page needs no sort at all.
    "relevance": [F("rank").desc(), "-published_at", "-id"],
    "newest": ["-published_at", "-id"],
    "most_adopted": ["-adoption_count", "title", "id"],
    "evidence": [F("evidence_level").desc(nulls_last=True), "title", "id"],
    "title": ["title", "id"],
}

# The facets of the contract's response, in its order, with their fixed choices where fixed.
FACETS: dict[str, list[tuple[Any, str]] | None] = {
    "sector": None,
    "beneficiary": None,
    "scaling_route": None,
    "stage": Stage.choices,
    "kind": InnovationKind.choices,
    "scaling_way": ScalingWay.choices,
    "organisation_kind": OrganisationKind.choices,
    "region": None,
    "cost_band": CostBand.choices,
    "evidence": [(level, f"Level {level}") for level in range(1, 6)],
    "adopted": [("yes", "Adopted"), ("no", "Not yet adopted")],
}
