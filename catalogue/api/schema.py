"""How the search endpoint is described in the OpenAPI schema (its view builds plain dicts)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from catalogue.choices import CostBand, InnovationKind, OrganisationKind, ScalingWay, Stage
from catalogue.filtersets import FACETS, MAX_QUERY_LENGTH, NO_CONTROL_CHARACTERS
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
    {facet: FacetValueSerializer(many=True) for facet in FACETS},
)


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SearchHitSerializer(many=True)
    facets = FacetsSerializer()
    suggestions = serializers.ListField(child=serializers.CharField())


def _repeatable(name: str, description: str, enum: list | None = None) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {
            "type": "array",
            "items": {"type": "string", **({"enum": enum} if enum else {})}
            if enum
            else {"type": "string", "pattern": NO_CONTROL_CHARACTERS},
        },
        description=f"{description} Repeat the parameter to select several (OR).",
        explode=True,
    )


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": NO_CONTROL_CHARACTERS},
        description='Full text, web-search syntax: words, "quoted phrase", or, -excluded.',
    ),
    _repeatable("sector", "Sector slug."),
    _repeatable("beneficiary", "Beneficiary group slug."),
    _repeatable("scaling_route", "Scaling route slug."),
    _repeatable("stage", "Stage.", Stage.values),
    _repeatable("kind", "Kind of innovation.", InnovationKind.values),
    _repeatable("scaling_way", "Way of scaling.", ScalingWay.values),
    _repeatable("organisation_kind", "The lead organisation's kind.", OrganisationKind.values),
    _repeatable("region", "Region slug; a nation (england) selects its regions."),
    _repeatable("cost_band", "Cost band.", CostBand.values),
    OpenApiParameter(
        "evidence",
        {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 5}},
        description="Evidence level 1–5. Repeat to select several.",
        explode=True,
    ),
    OpenApiParameter("adopted", OpenApiTypes.STR, enum=["yes", "no"]),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=["relevance", "newest", "most_adopted", "evidence", "title"],
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
