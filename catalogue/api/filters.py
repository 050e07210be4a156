"""Filters of the catalogue's API lists (the search has its own: catalogue/filtersets.py)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from catalogue.choices import OrganisationKind, ResourceKind
from catalogue.filtersets import StrictChoiceFilter, ValueListFilter
from catalogue.models import Organisation, Resource


class OrganisationFilterSet(django_filters.FilterSet):
    kind = StrictChoiceFilter(
        field_name="kind", choices=OrganisationKind.choices, help_text="Organisation kind."
    )
    region = ValueListFilter(
        method="filter_region", help_text="Region slug; a nation covers its regions."
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def filter_region(
        self, queryset: QuerySet[Organisation], name: str, value: list[str]
    ) -> QuerySet[Organisation]:
        if not value:
            return queryset
        return queryset.filter(Q(region__slug__in=value) | Q(region__parent__slug__in=value))


class ResourceFilterSet(django_filters.FilterSet):
    kind = StrictChoiceFilter(field_name="kind", choices=ResourceKind.choices)
    innovation = ValueListFilter(
        field_name="innovations__slug",
        method="filter_innovation",
        help_text="Slug of an innovation the resource is about.",
    )

    class Meta:
        model = Resource
        fields: list[str] = []

    def filter_innovation(
        self, queryset: QuerySet[Resource], name: str, value: list[str]
    ) -> QuerySet[Resource]:
        if not value:
            return queryset
        return queryset.filter(
            innovations__slug__in=value, innovations__status="published"
        ).distinct()
