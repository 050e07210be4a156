"""Serializers of the catalogue's API resources (field names follow the catalogue file).

The search list builds its results directly (catalogue/api/views.py, `result_json`); these
serve the detail and list endpoints of innovations, organisations, resources and vocabularies.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adopters.choices import AdoptionStatus
from adopters.models import Adoption
from catalogue.models import Innovation, Organisation, ReachFigure, Resource


class LinkField(serializers.URLField):
    """A web address, or null when there is none (never "", which is not a URL)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None


class EmailOrNullField(serializers.EmailField):
    """An email address, or null when there is none."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None


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


class OrganisationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    website = LinkField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    api_url = serializers.SerializerMethodField()
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

    def get_api_url(self, organisation: Organisation) -> str:
        return reverse("api:organisation-detail", args=[organisation.slug])


class InnovationSummarySerializer(serializers.ModelSerializer):
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Innovation
        fields = ["slug", "title", "api_url"]

    def get_api_url(self, innovation: Innovation) -> str:
        return reverse("api:innovation-detail", args=[innovation.slug])


class ResourceSerializer(serializers.ModelSerializer):
    url = LinkField(help_text="Where the resource itself is.")
    api_url = serializers.SerializerMethodField()
    innovations = serializers.SlugRelatedField(
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

    def get_api_url(self, resource: Resource) -> str:
        return reverse("api:resource-detail", args=[resource.slug])


class ResourceSummarySerializer(ResourceSerializer):
    class Meta(ResourceSerializer.Meta):
        fields = ["slug", "title", "kind", "publisher", "url", "description", "api_url"]


class ReachFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReachFigure
        fields = ["measure", "value", "date", "source"]


class RingSizesSerializer(serializers.Serializer):
    core = serializers.IntegerField(source="core_size")
    learning = serializers.IntegerField(source="learning_size")
    interest = serializers.IntegerField(source="interest_size")


class InnovationNetworkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    api_url = serializers.SerializerMethodField()
    rings = RingSizesSerializer(source="*")

    def get_api_url(self, network: Any) -> str:
        return reverse("api:network-detail", args=[network.slug])


class AdoptionSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Adoptions recorded, whatever their status.")
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Adoptions by status (only those with any)."
    )
    by_region = serializers.DictField(
        child=serializers.IntegerField(), help_text="Adoptions by region slug."
    )
    api_url = serializers.CharField(help_text="The adoptions themselves.")


class InnovationDetailSerializer(serializers.ModelSerializer):
    """Everything the innovation's page shows."""

    url = serializers.CharField(source="get_absolute_url", read_only=True)
    api_url = serializers.SerializerMethodField()
    website = LinkField()
    contact_email = EmailOrNullField(help_text="The innovation's public contact.")
    sectors = NamedSerializer(many=True, read_only=True)
    beneficiaries = NamedSerializer(many=True, read_only=True)
    scaling_routes = NamedSerializer(many=True, read_only=True)
    regions = NamedSerializer(many=True, read_only=True)
    scaling_ways = serializers.ListField(child=serializers.CharField(), read_only=True)
    lead_organisation = OrganisationSummarySerializer(read_only=True, allow_null=True)
    partners = OrganisationSummarySerializer(many=True, read_only=True)
    reach = ReachFigureSerializer(many=True, read_only=True)
    adoptions = serializers.SerializerMethodField()
    network = serializers.SerializerMethodField()
    resources = ResourceSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Innovation
        fields = [
            "slug",
            "title",
            "summary",
            "url",
            "api_url",
            "status",
            "problem",
            "how_it_works",
            "core",
            "adaptable",
            "outcomes",
            "evidence_level",
            "evidence_summary",
            "stage",
            "kind",
            "scaling_ways",
            "scaling_routes",
            "sectors",
            "beneficiaries",
            "regions",
            "lead_organisation",
            "partners",
            "year_started",
            "cost_band",
            "cost_notes",
            "funding_model",
            "website",
            "contact_name",
            "contact_email",
            "adoption_count",
            "reach",
            "adoptions",
            "network",
            "resources",
            "published_at",
            "last_reviewed_on",
            "updated_at",
        ]

    def get_api_url(self, innovation: Innovation) -> str:
        return reverse("api:innovation-detail", args=[innovation.slug])

    @extend_schema_field(AdoptionSummarySerializer)
    def get_adoptions(self, innovation: Innovation) -> dict[str, Any]:
        adoptions: list[Adoption] = list(innovation.adoptions.all())
        by_status = {status: 0 for status in AdoptionStatus.values}
        by_region: dict[str, int] = {}
        for adoption in adoptions:
            by_status[adoption.status] += 1
            if adoption.region is not None:
                by_region[adoption.region.slug] = by_region.get(adoption.region.slug, 0) + 1
        return {
            "count": len(adoptions),
            "by_status": {status: n for status, n in by_status.items() if n},
            "by_region": by_region,
            "api_url": reverse("api:adoption-list") + f"?innovation={innovation.slug}",
        }

    @extend_schema_field(InnovationNetworkSerializer(allow_null=True))
    def get_network(self, innovation: Innovation) -> dict[str, Any] | None:
        network = getattr(innovation, "network_with_sizes", None)
        return InnovationNetworkSerializer(network).data if network else None

    def to_representation(self, instance: Innovation) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Blank fixed-vocabulary values are absent values: null, never "".
        for name in ("stage", "kind", "cost_band"):
            data[name] = data[name] or None
        return data
