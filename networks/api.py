"""Networks in the API: each innovation's nested rings and the thematic networks, with their
public ring sizes; their members and every move between rings, for their facilitators only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.models import Innovation
from kernel.api import ErrorSerializer
from kernel.api_fields import ApiUrl
from kernel.text import SLUG_PATTERN
from networks import services
from networks.models import Membership, Network, NetworkQuerySet, RingMove

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class RingSizesSerializer(serializers.Serializer):
    core = serializers.IntegerField(source="core_size")
    learning = serializers.IntegerField(source="learning_size")
    interest = serializers.IntegerField(source="interest_size")


class NetworkSerializer(serializers.ModelSerializer):
    innovation: serializers.SlugRelatedField[Innovation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    thematic = serializers.BooleanField(source="is_thematic", read_only=True)
    rings = RingSizesSerializer(source="*", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    api_url = ApiUrl("api:network-detail")

    class Meta:
        model = Network
        fields = [
            "slug",
            "name",
            "description",
            "innovation",
            "thematic",
            "rings",
            "url",
            "api_url",
        ]


class RingMoveSerializer(serializers.ModelSerializer):
    moved_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = RingMove
        fields = ["from_ring", "to_ring", "moved_at", "moved_by", "reason"]


class MemberSerializer(serializers.ModelSerializer):
    moves = RingMoveSerializer(many=True, read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "name",
            "email",
            "ring",
            "role",
            "joined_through",
            "joined_on",
            "left_on",
            "listed_publicly",
            "moves",
        ]


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Thematic networks and the networks of published innovations, with ring sizes."""

    serializer_class = NetworkSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN  # anything else (a NUL byte) is a 404, never a query

    def get_queryset(self) -> NetworkQuerySet:
        return (
            Network.objects.public()
            .with_ring_sizes()
            .select_related("innovation")
            .order_by("name", "id")
        )

    @extend_schema(
        responses={
            200: MemberSerializer(many=True),
            403: ErrorSerializer,
        }
    )
    @action(detail=True, pagination_class=None)
    def members(self, request: Request, slug: str | None = None) -> Response:
        """Every member, current and past, with their history of moves between rings: for the
        network's facilitators (and curators) only."""
        network = self.get_object()
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not services.facilitates(network, request.user):
            raise exceptions.PermissionDenied(
                "Only the network's facilitators and curators see its members."
            )
        members = network.memberships.prefetch_related(
            Prefetch("moves", RingMove.objects.select_related("moved_by").order_by("moved_at"))
        ).order_by("ring", "joined_on", "pk")
        return Response(MemberSerializer(members, many=True).data)
