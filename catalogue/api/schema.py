"""How the search endpoint is described in the OpenAPI schema (its view builds plain dicts)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from catalogue.facets import FACETS, SORTS, Facet
from catalogue.filtersets import MAX_QUERY_LENGTH, NO_CONTROL_CHARACTERS, PlaceListField
from kernel.paging import MAX_PAGE, MAX_PAGE_SIZE


class SummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class LeadOrganisationSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()


class SearchHitSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField()
    api_url = serializers.CharField()
    stage = serializers.CharField(allow_null=True)
    kind = serializers.CharField(allow_null=True)
    evidence_level = serializers.IntegerField(allow_null=True)
    adoption_count = serializers.IntegerField()
    sectors = SummarySerializer(many=True)
    lead_organisation = LeadOrganisationSerializer(allow_null=True)
    highlight = serializers.CharField(
        allow_null=True, help_text="With `q`: matched passages, HTML-escaped, matches in <mark>."
    )


class FacetValueSerializer(serializers.Serializer):
    value = serializers.JSONField(
        help_text="The parameter value (a slug, or a level for evidence)."
    )
    # Declared fields leave the class (DRF's metaclass pops them); mypy sees Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


FacetsSerializer = type(
    "FacetsSerializer",
    (serializers.Serializer,),
    {facet.name: FacetValueSerializer(many=True) for facet in FACETS},
)


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SearchHitSerializer(many=True)
    facets = FacetsSerializer()
    suggestions = serializers.ListField(child=serializers.CharField())
    match = serializers.ChoiceField(
        choices=["all", "some"],
        allow_null=True,
        help_text="With `q`: `all` when the results have every word, `some` when no innovation "
        "had them all and the search widened to most of them; null without `q`.",
    )
    corrected_q = serializers.CharField(
        allow_null=True,
        help_text="The query searched when misspelt words were corrected (`as_typed=yes` "
        "searches them as typed); otherwise null.",
    )


def _facet_parameter(facet: Facet) -> OpenApiParameter:
    """A facet's parameter, from its declaration (catalogue/facets.py)."""
    if facet.integer:
        low, high = min(facet.values), max(facet.values)
        items: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
    elif facet.choices:
        items = {"type": "string", "enum": facet.values}
    elif facet.places:  # region slugs and ONS codes, no longer than PlaceListField allows
        items = {
            "type": "string",
            "maxLength": PlaceListField.max_value_length,
            "pattern": NO_CONTROL_CHARACTERS,
        }
    else:  # slugs of a table's rows
        items = {"type": "string", "pattern": NO_CONTROL_CHARACTERS}
    return OpenApiParameter(
        facet.name,
        {"type": "array", "items": items},
        description=f"{facet.description} Repeat the parameter to select several (OR).",
        explode=True,
    )


# What the schema promises `modified_since` takes: a date, or a date and time to the minute,
# second or microsecond, with or without an offset. (The parameter takes more, such as the 29th
# to 31st of a month, which a pattern cannot tell valid from not.)
ISO_DATE_OR_TIME = (
    r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?)?$"
)

SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": NO_CONTROL_CHARACTERS},
        description='Full text, web-search syntax: words, "quoted phrase", or, -excluded. '
        "Words people use for the same thing find each other (synonyms curators keep), a "
        "misspelt word is corrected (`corrected_q`), and when no innovation has every word, "
        "those with most of them are returned (`match`).",
    ),
    OpenApiParameter(
        "as_typed",
        OpenApiTypes.STR,
        enum=["yes"],
        description="`yes`: search the words as typed, without correcting misspelt ones.",
    ),
    *(_facet_parameter(facet) for facet in FACETS),
    OpenApiParameter(
        "modified_since",
        {"type": "string", "pattern": ISO_DATE_OR_TIME},
        description="ISO 8601 date (2026-12-01) or date-time (2026-12-01T09:00:00Z): only "
        "innovations whose public record (the entry, its adoptions, reach figures or "
        "resources) changed at or after it, for harvesters. Malformed: 400.",
    ),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=[sort.name for sort in SORTS],
        description="Default: relevance with q, newest without.",
    ),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        description="Page from 1; past the last: empty.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"1 to {MAX_PAGE_SIZE}, default 20.",
    ),
]
