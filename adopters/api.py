"""Adoptions in the API: who adopted which innovation, where, how far it got, what changed.

Read-only for now; recording adoptions through the API comes with the writes (docs/api.md).
Contact details of adopters are never shown.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, Q
from django.urls import reverse
from rest_framework import serializers, viewsets

from adopters.choices import AdoptionStatus
from adopters.models import Adoption, AdoptionStatusChange
from catalogue.api.serializers import InnovationSummarySerializer, OrganisationSummarySerializer
from catalogue.filtersets import ValueListFilter


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdoptionStatusChange
        fields = ["status", "changed_on", "note"]


class AdoptionSerializer(serializers.ModelSerializer):
    innovation = InnovationSummarySerializer(read_only=True)
    organisation = OrganisationSummarySerializer(read_only=True)
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    history = StatusChangeSerializer(many=True, read_only=True)
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Adoption
        fields = [
            "id",
            "innovation",
            "organisation",
            "region",
            "area",
            "status",
            "adapted",
            "adaptations",
            "started_on",
            "ended_on",
            "people_reached",
            "outcomes",
            "lessons",
            "will_talk",
            "verified",
            "history",
            "api_url",
        ]

    def get_api_url(self, adoption: Adoption) -> str:
        return reverse("api:adoption-detail", args=[adoption.pk])


class AdoptionFilterSet(django_filters.FilterSet):
    innovation = ValueListFilter(field_name="innovation__slug", lookup_expr="in")
    organisation = ValueListFilter(field_name="organisation__slug", lookup_expr="in")
    region = ValueListFilter(method="filter_region", help_text="A nation covers its regions.")
    status = django_filters.MultipleChoiceFilter(choices=AdoptionStatus.choices)

    class Meta:
        model = Adoption
        fields: list[str] = []

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(region__slug__in=value) | Q(region__parent__slug__in=value))


class AdoptionViewSet(viewsets.ReadOnlyModelViewSet):
    """Adoptions of published innovations, filterable by innovation, organisation, region and
    status (each repeatable)."""

    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilterSet
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return (
            Adoption.objects.public()
            .select_related("innovation", "organisation", "region")
            .prefetch_related(
                Prefetch("history", AdoptionStatusChange.objects.order_by("changed_on", "id"))
            )
            .order_by("innovation__title", "organisation__name", "id")
        )
