"""Filters of the catalogue's API lists (the search has its own: catalogue/filtersets.py)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from catalogue.choices import OrganisationKind, ResourceKind
from catalogue.filtersets import StrictChoiceFilter, ValueListFilter
from catalogue.models import Organisation, Resource


class RegionFilter(ValueListFilter):
    """Region slugs, repeatable; a nation covers its regions. `field_name` is the path to the
    region from the model filtered."""

    def __init__(self, field_name: str = "region", **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Region slug; a nation covers its regions.")
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        if not value:
            return qs
        return qs.filter(
            Q(**{f"{self.field_name}__slug__in": value})
            | Q(**{f"{self.field_name}__parent__slug__in": value})
        )


class OrganisationFilterSet(django_filters.FilterSet):
    kind = StrictChoiceFilter(
        field_name="kind", choices=OrganisationKind.choices, help_text="Organisation kind."
    )
    region = RegionFilter()

    class Meta:
        model = Organisation
        fields: list[str] = []


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
