"""Networks in the API: each innovation's nested rings and the thematic networks, with their
public ring sizes (members themselves are for facilitators, with the networks issue)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from catalogue.api.serializers import ApiUrl, RingSizesSerializer
from catalogue.utils import SLUG_PATTERN
from networks.models import Network


class NetworkSerializer(serializers.ModelSerializer):
    innovation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
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


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Thematic networks and the networks of published innovations, with ring sizes."""

    serializer_class = NetworkSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN  # anything else (a NUL byte) is a 404, never a query

    def get_queryset(self):
        return (
            Network.objects.public()
            .with_ring_sizes()
            .select_related("innovation")
            .order_by("name", "id")
        )
