"""Serializers of the search API (shared/CONTRACT.md, "Search API")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from catalogue.models import Innovation, Organisation, Sector


class SectorSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["slug", "name"]


class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["name", "kind"]


class InnovationResultSerializer(serializers.ModelSerializer):
    """One search result, as the contract lists it."""

    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    sectors = SectorSummarySerializer(many=True, read_only=True)
    lead_organisation = OrganisationSummarySerializer(read_only=True, allow_null=True)
    highlight = serializers.SerializerMethodField()

    class Meta:
        model = Innovation
        fields = [
            "slug",
            "title",
            "summary",
            "url",
            "api_url",
            "stage",
            "kind",
            "evidence_level",
            "adoption_count",
            "sectors",
            "lead_organisation",
            "highlight",
        ]

    def get_url(self, innovation: Innovation) -> str:
        return innovation.get_absolute_url()

    def get_api_url(self, innovation: Innovation) -> str:
        return reverse("api:innovation-detail", args=[innovation.slug])

    def get_highlight(self, innovation: Innovation) -> str | None:
        return getattr(innovation, "highlight", None)

    def to_representation(self, instance: Innovation) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Blank fixed-vocabulary values are absent values: null, never "".
        for name in ("stage", "kind"):
            data[name] = data[name] or None
        return data


class InnovationDetailSerializer(InnovationResultSerializer):
    """The innovation's own record (the full detail arrives with the API issue)."""

    scaling_ways = serializers.ListField(child=serializers.CharField(), read_only=True)
    beneficiaries = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    scaling_routes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    regions = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta(InnovationResultSerializer.Meta):
        fields = [
            *(f for f in InnovationResultSerializer.Meta.fields if f != "highlight"),
            "problem",
            "how_it_works",
            "core",
            "adaptable",
            "outcomes",
            "evidence_summary",
            "scaling_ways",
            "scaling_routes",
            "beneficiaries",
            "regions",
            "year_started",
            "cost_band",
            "website",
            "published_at",
            "updated_at",
        ]
