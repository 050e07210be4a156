"""`GET /api/v1/innovations/`: the search engine, as JSON, exactly as the contract says."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.api.serializers import InnovationDetailSerializer
from catalogue.models import Innovation, Sector
from catalogue.search import SearchError, SearchHit, SearchResult, search


def page_url(request: Request, page: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def result_json(hit: SearchHit, api_url: tuple[str, str]) -> dict[str, Any]:
    """One search result as the contract lists it (built directly: 20–100 per response)."""
    organisation = hit.lead_organisation
    return {
        "slug": hit.slug,
        "title": hit.title,
        "summary": hit.summary,
        "url": hit.url,
        "api_url": f"{api_url[0]}{hit.slug}{api_url[1]}",
        # Blank fixed-vocabulary values are absent values: null, never "".
        "stage": hit.stage or None,
        "kind": hit.kind or None,
        "evidence_level": hit.evidence_level,
        "adoption_count": hit.adoption_count,
        "sectors": [{"slug": sector.slug, "name": sector.name} for sector in hit.sectors],
        "lead_organisation": (
            {"name": organisation.name, "kind": organisation.kind} if organisation else None
        ),
        "highlight": hit.highlight,
    }


def search_response(request: Request, result: SearchResult) -> dict[str, Any]:
    # One reverse() per response: slugs need no escaping in a path.
    api_url = tuple(reverse("api:innovation-detail", args=["slug"]).rsplit("slug", 1))
    return {
        "count": result.count,
        "next": page_url(request, result.page + 1) if result.has_next else None,
        "previous": page_url(request, result.page - 1)
        if result.has_previous and result.page - 1 <= result.num_pages
        else None,
        "results": [result_json(hit, api_url) for hit in result.results],
        "facets": {
            facet: [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                for v in values
            ]
            for facet, values in result.facets.items()
        },
        "suggestions": result.suggestions,
    }


class InnovationSearchView(APIView):
    """Search published innovations: full text, disjunctive facets, sorting and paging."""

    def get(self, request: Request) -> Response:
        try:
            result = search(request.query_params)
        except SearchError as exc:
            raise ValidationError(exc.errors) from exc
        return Response(search_response(request, result))


class InnovationDetailView(generics.RetrieveAPIView):
    serializer_class = InnovationDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Innovation.objects.visible_to(self.request.user)
            .select_related("lead_organisation")
            .prefetch_related(
                Prefetch("sectors", Sector.objects.order_by("name")),
                "beneficiaries",
                "scaling_routes",
                "regions",
            )
        )
