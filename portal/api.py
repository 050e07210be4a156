"""The API's innovation and organisation endpoints, which show what several apps hold: an
innovation with its adoptions and its network's rings, an organisation with its adoptions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adopters.choices import AdoptionStatus
from adopters.models import Adoption
from catalogue import services as catalogue_services
from catalogue.api import serializers as catalogue_serializers
from catalogue.api.filters import OrganisationFilterSet
from catalogue.api.serializers import InnovationWriteSerializer, OrganisationSerializer
from catalogue.api.views import CanEditInnovation, InnovationSearchView, innovation_api_url
from catalogue.choices import ModerationStatus
from catalogue.models import Innovation, InnovationQuerySet, Organisation
from kernel.api_fields import ApiUrl
from kernel.text import SLUG_PATTERN
from networks.api import RingSizesSerializer
from networks.models import Network
from portal.queries import public_organisations


class InnovationNetworkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    api_url = ApiUrl("api:network-detail")
    rings = RingSizesSerializer(source="*")


class AdoptionSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Adoptions recorded, whatever their status.")
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Adoptions by status (only those with any)."
    )
    by_region = serializers.DictField(
        child=serializers.IntegerField(), help_text="Adoptions by region slug."
    )
    api_url = serializers.CharField(help_text="The adoptions themselves.")


def _after(fields: list[str], anchor: str, *added: str) -> list[str]:
    at = fields.index(anchor) + 1
    return [*fields[:at], *added, *fields[at:]]


class InnovationDetailSerializer(catalogue_serializers.InnovationDetailSerializer):
    """Everything the innovation's page shows: the catalogue's record, where it has been
    adopted, and its learning network's rings."""

    adoptions = serializers.SerializerMethodField()
    network = serializers.SerializerMethodField()

    class Meta(catalogue_serializers.InnovationDetailSerializer.Meta):
        fields = _after(
            catalogue_serializers.InnovationDetailSerializer.Meta.fields,
            "reach",
            "adoptions",
            "network",
        )

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
        if network is None or not innovation.is_published:
            return None  # a draft's network is not public yet
        return InnovationNetworkSerializer(network).data


def innovation_detail_queryset(queryset: InnovationQuerySet | None = None) -> QuerySet[Innovation]:
    """Innovations (all, or those given) with everything InnovationDetailSerializer reads, in a
    fixed number of queries."""
    return catalogue_serializers.innovation_detail_queryset(queryset).prefetch_related(
        Prefetch("adoptions", Adoption.objects.select_related("region")),
        Prefetch("network", Network.objects.with_ring_sizes(), to_attr="network_with_sizes"),
    )


def innovation_detail(innovation: Innovation, request: Request) -> dict[str, Any]:
    """What a write answers with: the innovation as a GET would show it now."""
    fresh = innovation_detail_queryset().get(pk=innovation.pk)
    return InnovationDetailSerializer(fresh, context={"request": request}).data


class InnovationListView(InnovationSearchView):
    """Search published innovations: full text, disjunctive facets, sorting and paging; and
    add one (signed in)."""

    @extend_schema(
        operation_id="innovations_create",
        request=InnovationWriteSerializer,
        responses={201: InnovationDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        """Add an innovation: a draft owned by whoever adds it (or submitted for review)."""
        serializer = InnovationWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        innovation = serializer.save()
        return Response(
            innovation_detail(innovation, request),
            status=201,
            headers={"Location": innovation_api_url(innovation)},
        )


@extend_schema_view(
    get=extend_schema(responses={200: InnovationDetailSerializer}),
    put=extend_schema(
        request=InnovationWriteSerializer,
        responses={200: InnovationDetailSerializer, 202: InnovationDetailSerializer},
    ),
    patch=extend_schema(
        request=InnovationWriteSerializer,
        responses={200: InnovationDetailSerializer, 202: InnovationDetailSerializer},
    ),
)
class InnovationDetailView(generics.RetrieveUpdateAPIView):
    """One innovation with everything its page shows (published ones; drafts for their owners
    and curators). Its owners and curators edit it; `status` moves it through moderation."""

    lookup_field = "slug"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, CanEditInnovation]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.request.method in permissions.SAFE_METHODS:
            return InnovationDetailSerializer
        return InnovationWriteSerializer

    def get_queryset(self) -> QuerySet[Innovation]:
        return innovation_detail_queryset(Innovation.objects.visible_to(self.request.user))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """200 when the changes are written; 202 when some wait for a curator (an owner's
        edit of a published innovation, say): the answer shows the innovation as it stands,
        and `review.revision` what waits."""
        partial = kwargs.pop("partial", False)
        innovation = self.get_object()
        serializer = self.get_serializer(innovation, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        waiting = _waiting_version(innovation)
        innovation = serializer.save()
        held = _waiting_version(innovation) not in (None, waiting)
        return Response(innovation_detail(innovation, request), status=202 if held else 200)


def _waiting_version(innovation: Innovation) -> int | None:
    revision = catalogue_services.pending_revision(innovation)
    return None if revision is None else revision.version


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations that lead, partner in or adopt innovations."""

    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN  # anything else (a NUL byte) is a 404, never a query
    filterset_class = OrganisationFilterSet

    def get_queryset(self) -> QuerySet[Organisation]:
        # As on the site: organisations known only through unpublished entries are not public.
        published = Q(led_innovations__status=ModerationStatus.PUBLISHED)
        return (
            public_organisations()
            .select_related("region")
            .annotate(
                innovations_led=Count("led_innovations", filter=published, distinct=True),
                adoption_total=Count(
                    "adoptions",
                    filter=Q(adoptions__innovation__status=ModerationStatus.PUBLISHED),
                    distinct=True,
                ),
            )
            .order_by("name", "id")
        )


# The API's endpoints as the root lists them: the name a client knows each by, and its URL name.
API_ENDPOINTS = {
    "innovations": "api:innovation-list",
    "organisations": "api:organisation-list",
    "adoptions": "api:adoption-list",
    "networks": "api:network-list",
    "resources": "api:resource-list",
    "sectors": "api:sector-list",
    "beneficiaries": "api:beneficiary-list",
    "scaling_routes": "api:scaling-route-list",
    "regions": "api:region-list",
    "alerts": "api:alert-create",
    "token": "api:token",
    "schema": "api:schema",
    "docs": "api:docs",
}


class ApiRootView(APIView):
    """`GET /api/v1/`: the API's endpoints, and the licence its content is published under."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, auth=[{}])  # type: ignore[list-item]
    def get(self, request: Request) -> Response:
        return Response(
            {
                "licence": settings.CONTENT_LICENCE_URL,
                "endpoints": {
                    name: request.build_absolute_uri(reverse(url_name))
                    for name, url_name in API_ENDPOINTS.items()
                },
            }
        )
