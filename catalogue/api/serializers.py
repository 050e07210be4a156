"""Serializers of the catalogue's API resources (field names follow the catalogue file).

The search list builds its results directly (catalogue/api/views.py, `result_json`); these
serve the detail and list endpoints of innovations, organisations, resources and vocabularies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.models import Model, Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import relations, serializers

from catalogue import completeness, services
from catalogue.choices import (
    CostBand,
    InnovationKind,
    ModerationStatus,
    RevisionStatus,
    ScalingWay,
    Stage,
)
from catalogue.models import (
    INNOVATION_EDITABLE,
    LOCAL_AUTHORITY_CODE,
    BeneficiaryGroup,
    Innovation,
    InnovationQuerySet,
    LocalAuthority,
    Organisation,
    ReachFigure,
    Region,
    Resource,
    ScalingRoute,
    Sector,
)
from kernel.api_fields import (
    ApiUrl,
    ChoiceOrNullField,
    EmailOrNullField,
    LinkField,
    refusals_as_400,
)


class NamedSerializer(serializers.Serializer):
    """A curated value, region or other named thing: its slug and name."""

    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class VocabularySerializer(NamedSerializer):
    """A sector, beneficiary group or scaling route, with how many published innovations."""

    count = serializers.IntegerField(
        read_only=True, help_text="Published innovations with this value."
    )


class RegionSerializer(VocabularySerializer):
    kind = serializers.CharField(read_only=True, help_text="`nation` or `region`.")
    nation = serializers.SlugField(
        source="parent.slug", read_only=True, allow_null=True, default=None
    )


class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "name", "kind"]


class LocalAuthoritySummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalAuthority
        fields = ["code", "name"]


class OrganisationSerializer(serializers.ModelSerializer):
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    website = LinkField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    api_url = ApiUrl("api:organisation-detail")
    innovations_led = serializers.IntegerField(
        read_only=True, help_text="Published innovations it leads."
    )
    adoption_count = serializers.IntegerField(
        source="adoption_total",
        read_only=True,
        help_text="Its adoptions of published innovations.",
    )

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "kind",
            "region",
            "website",
            "url",
            "api_url",
            "innovations_led",
            "adoption_count",
        ]


class InnovationSummarySerializer(serializers.ModelSerializer):
    api_url = ApiUrl("api:innovation-detail")

    class Meta:
        model = Innovation
        fields = ["slug", "title", "api_url"]


class ResourceSerializer(serializers.ModelSerializer):
    url = LinkField(help_text="Where the resource itself is.")
    api_url = ApiUrl("api:resource-detail")
    innovations: serializers.SlugRelatedField[Innovation] = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text="Slugs of the published innovations it is about (empty: general).",
    )

    class Meta:
        model = Resource
        fields = [
            "slug",
            "title",
            "kind",
            "publisher",
            "url",
            "description",
            "innovations",
            "api_url",
        ]


class ResourceSummarySerializer(ResourceSerializer):
    class Meta(ResourceSerializer.Meta):
        fields = ["slug", "title", "kind", "publisher", "url", "description", "api_url"]


class ReachFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReachFigure
        fields = ["measure", "value", "date", "source"]


class RevisionSerializer(serializers.Serializer):
    """Changes an owner proposed, as they wait for a curator or after one decided."""

    status = serializers.ChoiceField(choices=RevisionStatus.choices)
    version = serializers.IntegerField(help_text="Goes up each time the proposal changes.")
    changes = serializers.DictField(
        help_text="The proposed values by field: vocabularies, regions and organisations as "
        "{slug, name} (a new organisation as {name, kind}, added when accepted)."
    )
    proposed_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    reason = serializers.CharField(help_text="What the curator said with their decision.")
    decided_at = serializers.DateTimeField(allow_null=True)


class ReviewSerializer(serializers.Serializer):
    """Where an innovation stands with the curators, for its owners."""

    note = serializers.CharField(
        help_text="What a curator said with their last decision (why it was sent back)."
    )
    noted_at = serializers.DateTimeField(allow_null=True)
    revision = RevisionSerializer(allow_null=True)


class CompletenessSerializer(serializers.Serializer):
    """How complete the entry is (catalogue/completeness.py, docs/moderation.md)."""

    score = serializers.IntegerField(
        min_value=0,
        max_value=100,
        help_text="The share of the completeness checks the entry passes, rounded down: 100 "
        "when nothing is missing.",
    )
    missing = serializers.ListField(
        child=serializers.ChoiceField(choices=[check.key for check in completeness.CHECKS]),
        help_text="The checks it fails, in a fixed order.",
    )


class InnovationDetailSerializer(serializers.ModelSerializer):
    """Everything the innovation's page shows."""

    url = serializers.CharField(source="get_absolute_url", read_only=True)
    api_url = ApiUrl("api:innovation-detail")
    website = LinkField()
    contact_email = EmailOrNullField(help_text="The innovation's public contact.")
    stage = ChoiceOrNullField(Stage.choices)
    kind = ChoiceOrNullField(InnovationKind.choices)
    cost_band = ChoiceOrNullField(CostBand.choices)
    sectors = NamedSerializer(many=True, read_only=True)
    beneficiaries = NamedSerializer(many=True, read_only=True)
    scaling_routes = NamedSerializer(many=True, read_only=True)
    regions = NamedSerializer(many=True, read_only=True)
    scaling_ways = serializers.ListField(child=serializers.CharField(), read_only=True)
    lead_organisation = OrganisationSummarySerializer(read_only=True, allow_null=True)
    partners = OrganisationSummarySerializer(many=True, read_only=True)
    reach = ReachFigureSerializer(many=True, read_only=True)
    resources = ResourceSummarySerializer(many=True, read_only=True)
    review = serializers.SerializerMethodField()
    licence = serializers.SerializerMethodField()
    last_reviewed_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="When a curator last reviewed the entry, or its owners last confirmed it is "
        "up to date; null when never.",
    )
    review_due = serializers.BooleanField(
        read_only=True,
        help_text="True when the entry was never reviewed, or last reviewed more than 12 "
        "months ago.",
    )
    completeness = serializers.SerializerMethodField()

    class Meta:
        model = Innovation
        fields = [
            "slug",
            "title",
            "summary",
            "url",
            "api_url",
            "status",
            # What its editors write, but the title and summary (above) and where the entry
            # came from (a curator's note).
            *(name for name in INNOVATION_EDITABLE if name not in ("title", "summary", "source")),
            "adoption_count",
            "reach",
            "resources",
            "published_at",
            "last_reviewed_on",
            "review_due",
            "completeness",
            "updated_at",
            "review",
            "licence",
        ]

    def get_licence(self, innovation: Innovation) -> str:
        """The URL of the licence the record is published under (CONTENT_LICENCE_URL)."""
        return str(settings.CONTENT_LICENCE_URL)

    @extend_schema_field(CompletenessSerializer)
    def get_completeness(self, innovation: Innovation) -> dict[str, Any]:
        """Its score and the checks it fails (read with the innovation when it came through
        innovation_detail_queryset)."""
        return completeness.of(innovation).as_dict()

    @extend_schema_field(ReviewSerializer(allow_null=True))
    def get_review(self, innovation: Innovation) -> dict[str, Any] | None:
        """For its owners and curators only: the curators' last word, and the changes
        proposed (waiting, or the last decided)."""
        request = self.context.get("request")
        if request is None or not services.can_edit(request.user, innovation):
            return None
        return ReviewSerializer(
            {
                "note": innovation.moderation_note,
                "noted_at": innovation.moderated_at,
                "revision": services.latest_revision(innovation),
            }
        ).data


def innovation_detail_queryset(
    queryset: InnovationQuerySet | None = None,
) -> InnovationQuerySet:
    """Innovations (all, or those given) with everything InnovationDetailSerializer reads, in a
    fixed number of queries."""
    queryset = Innovation.objects.all() if queryset is None else queryset
    return completeness.with_completeness(queryset.with_vocabularies()).prefetch_related(
        Prefetch("partners", Organisation.objects.order_by("name")),
        Prefetch("reach", ReachFigure.objects.order_by("measure", "date")),
        Prefetch("resources", Resource.objects.order_by("title")),
    )


_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,220}")


MAX_REFERENCES = 100


class SlugReferences(relations.ManyRelatedField):
    """A list of references by slug, at most MAX_REFERENCES long (each costs a lookup)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list) and len(data) > MAX_REFERENCES:
            raise serializers.ValidationError(f"At most {MAX_REFERENCES} values.")
        return super().to_internal_value(data)


class SlugReference(serializers.SlugRelatedField):
    """A reference by slug. Anything that cannot be a slug (a NUL byte, which PostgreSQL
    refuses, a lone surrogate, a thousand characters) is "not found" before any query."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> SlugReferences:
        shared = {k: v for k, v in kwargs.items() if k in relations.MANY_RELATION_KWARGS}
        return SlugReferences(child_relation=cls(*args, **kwargs), **shared)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not _SLUG.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:80])
        return super().to_internal_value(data)


class LocalAuthorityReference(SlugReference):
    """A local authority by its ONS code (`E06000014`). Anything that cannot be one is "not
    found" before any query."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("queryset", LocalAuthority.objects.select_related("region"))
        kwargs.setdefault("help_text", "ONS code of a UK local authority district (E06000014).")
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not LOCAL_AUTHORITY_CODE.fullmatch(data):
            self.fail("does_not_exist", slug_name="ONS code", value=str(data)[:80])
        return super().to_internal_value(data)


def _slugs(model: type[Model], **kwargs: Any) -> SlugReference:
    return SlugReference(queryset=model._default_manager.all(), many=True, required=False, **kwargs)


class InnovationWriteSerializer(serializers.ModelSerializer):
    """What innovators and curators send to create or edit an innovation.

    Vocabularies, regions and organisations are given by slug and must exist. `status` moves
    the innovation through moderation (catalogue.services.move): owners may submit a draft or
    take a submission back, curators may make every move. New innovations are drafts (or
    submitted). The rules are catalogue.services.create_innovation and edit_innovation.
    """

    sectors = _slugs(Sector)
    beneficiaries = _slugs(BeneficiaryGroup)
    scaling_routes = _slugs(ScalingRoute)
    regions = _slugs(Region)
    # Typed, not picked from a list: the browsable API's forms would otherwise list every
    # organisation, including those known only through unpublished entries.
    partners = _slugs(Organisation, style={"base_template": "input.html"})
    lead_organisation = SlugReference(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        style={"base_template": "input.html"},
    )
    scaling_ways = serializers.ListField(
        child=serializers.ChoiceField(choices=ScalingWay.choices), required=False
    )
    year_started = serializers.IntegerField(
        min_value=1800, max_value=2100, required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=ModerationStatus.choices, required=False)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        write_only=True,
        help_text="Why `status` moves it: required of a curator sending an entry back to its "
        "owners (`draft`), who are emailed it; optional otherwise.",
    )

    class Meta:
        model = Innovation
        fields = [*INNOVATION_EDITABLE, "status", "reason"]

    def validate_scaling_ways(self, ways: list[str]) -> list[str]:
        return list(dict.fromkeys(ways))

    def create(self, data: dict[str, Any]) -> Innovation:
        status = data.pop("status", ModerationStatus.DRAFT)
        data.pop("reason", None)
        request = self.context["request"]
        with _refusals_as_400():
            return services.create_innovation(
                data, by=request.user, status=status, absolute=request.build_absolute_uri
            )

    def update(self, innovation: Innovation, data: dict[str, Any]) -> Innovation:
        status = data.pop("status", None)
        reason = data.pop("reason", "")
        request = self.context["request"]
        with _refusals_as_400():
            return services.edit_innovation(
                innovation,
                data,
                by=request.user,
                status=status,
                reason=reason,
                absolute=request.build_absolute_uri,
            )


@contextmanager
def _refusals_as_400() -> Iterator[None]:
    """A refused moderation move as a 400 on `status`; what the database refuses as a 400 too
    (the writes are undone)."""
    try:
        with refusals_as_400():
            yield
    except services.ModerationError as error:
        raise serializers.ValidationError({"status": [str(error)]}) from error
