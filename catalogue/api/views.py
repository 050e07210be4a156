"""The catalogue's API: the search (exactly as shared/CONTRACT.md says), innovations,
organisations, resources and the curated vocabularies, and the token that signs writes.
Innovations are added and edited here (docs/api.md, "Writing"); the rest is read-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Model, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from catalogue import services
from catalogue.api.filters import ResourceFilterSet
from catalogue.api.schema import (
    SEARCH_PARAMETERS,
    SearchHitSerializer,
    SearchResponseSerializer,
)
from catalogue.api.serializers import (
    RegionSerializer,
    ResourceSerializer,
    VocabularySerializer,
)
from catalogue.facets import FACET_CODES, KEY_BASE
from catalogue.models import (
    BeneficiaryGroup,
    FacetTotal,
    Innovation,
    Region,
    Resource,
    ScalingRoute,
    Sector,
)
from catalogue.search import SearchError, SearchHit, SearchResult, search
from kernel.api import ErrorSerializer
from kernel.text import SLUG_PATTERN, max_length


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
    before, after = reverse("api:innovation-detail", args=["slug"]).rsplit("slug", 1)
    api_url = (before, after)
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
        "match": result.match,
        "corrected_q": result.corrected_q,
    }


def innovation_api_url(innovation: Innovation) -> str:
    return reverse("api:innovation-detail", args=[innovation.slug])


class InnovationSearchView(APIView):
    """Search published innovations: full text, disjunctive facets, sorting and paging (the
    portal's InnovationListView adds the POST that creates one)."""

    row_serializer_class = SearchHitSerializer  # the CSV's columns (kernel.api.CSVRenderer)

    @extend_schema(
        operation_id="innovations_search",
        parameters=SEARCH_PARAMETERS,
        responses={200: SearchResponseSerializer, 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        try:
            result = search(request.query_params)
        except SearchError as exc:
            raise ValidationError(exc.errors) from exc
        return Response(search_response(request, result))


class CanEditInnovation(permissions.BasePermission):
    """Reading is for everyone who can see the innovation; editing for its owners and curators."""

    def has_object_permission(self, request: Request, view: Any, innovation: Innovation) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return services.can_edit(request.user, innovation)


class ResourceViewSet(viewsets.ReadOnlyModelViewSet):
    """The signposting directory: advice, toolkits, funding and evaluations."""

    serializer_class = ResourceSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN  # anything else (a NUL byte) is a 404, never a query
    filterset_class = ResourceFilterSet

    def get_queryset(self) -> QuerySet[Resource]:
        return Resource.objects.prefetch_related(
            Prefetch(
                "innovations",
                Innovation.objects.published().only("slug").order_by("slug"),
            )
        ).order_by("title", "id")


def _with_counts(queryset: QuerySet[Any], facet: str) -> QuerySet[Any]:
    """Annotate `count`: published innovations with the value (kept by FacetTotal)."""
    base = FACET_CODES[facet] * KEY_BASE
    total = FacetTotal.objects.filter(key=OuterRef("id") + base).values("count")[:1]
    return queryset.annotate(count=Coalesce(Subquery(total), 0))


class _VocabularyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VocabularySerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN  # anything else (a NUL byte) is a 404, never a query
    pagination_class = None  # short curated lists
    model: type[Model] = Sector
    facet = "sector"

    def get_queryset(self) -> QuerySet[Any]:
        return _with_counts(self.model._default_manager.order_by("name"), self.facet)


class SectorViewSet(_VocabularyViewSet):
    """Sectors, with how many published innovations each has."""

    model, facet = Sector, "sector"


class BeneficiaryViewSet(_VocabularyViewSet):
    """Who innovations help, with how many published innovations each has."""

    model, facet = BeneficiaryGroup, "beneficiary"


class ScalingRouteViewSet(_VocabularyViewSet):
    """Routes by which innovations scale, with how many published innovations each has."""

    model, facet = ScalingRoute, "scaling_route"


class RegionViewSet(_VocabularyViewSet):
    """Nations and regions; a nation's count covers its regions."""

    serializer_class = RegionSerializer
    model, facet = Region, "region"

    def get_queryset(self) -> QuerySet[Any]:
        return _with_counts(
            Region.objects.select_related("parent").order_by("position", "name"), "region"
        )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


def _username_length() -> int:
    user = get_user_model()
    return max_length(user, user.USERNAME_FIELD)


class BoundedAuthTokenSerializer(AuthTokenSerializer):
    """DRF's serializer with the username bounded as the account's own field is: a longer one
    names no account, and must not reach django-axes, whose failure record would not hold it."""

    username = serializers.CharField(
        label="Username", write_only=True, max_length=_username_length()
    )
    password = serializers.CharField(
        label="Password",
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
        max_length=4096,
    )


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the API token of that account (created on first
    use); send it as `Authorization: Token …`. Throttled like every other request."""

    serializer_class = BoundedAuthTokenSerializer
    # api_settings imports the classes a setting names; the stubs type them as dotted paths.
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES  # type: ignore[assignment]
    # DRF's view names its own parsers; the site's JSON parser refuses what could only fail later.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # type: ignore[assignment]

    # Needs no authentication: it is how a client gets its credential. `auth` is a list of
    # security requirements (objects), though drf-spectacular annotates it as names.
    @extend_schema(auth=[{}], responses={200: TokenResponseSerializer})  # type: ignore[list-item]
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # django-axes marks a locked-out sign-in on the request it was given (DRF's, here,
            # which its middleware does not see): the answer is the site's, a 429.
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(
                    wait=settings.AXES_COOLOFF_TIME * 3600,
                    detail="Too many failed attempts to sign in to this account from your "
                    "address; try again later.",
                ) from None
            raise
