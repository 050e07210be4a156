"""`POST /api/v1/alerts/`: ask for emails about new innovations a search finds (CONTRACT.md).

Anyone may ask, signed in or not: the same service, confirmation email and hourly limits as
the site's form (alerts.services). JSON only, like every anonymous write of this API: a form
body is one any web page can make its visitors' browsers send, and a JSON one needs a CORS
preflight that this API never grants to a write (kernel.api), so another site cannot sign its
visitors up. The answer is the same whether the address is new, waiting for its confirmation
or already confirmed, so it tells nobody anything about someone else's address.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from adopters.views import sender_key
from alerts import services
from alerts.models import Frequency
from kernel.api import JSONParser

JSON_ONLY = "Send the alert as JSON, with the header Content-Type: application/json."


class AlertSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="Where the emails go.")
    query = serializers.CharField(
        max_length=services.QUERY_MAX,
        allow_blank=True,
        required=False,
        default="",
        trim_whitespace=True,
        help_text="The search, as the query string of /api/v1/innovations/ or of the search "
        "page (q=loneliness&sector=health); validated as the search validates it. Page and "
        "sort are left out. Empty: every new innovation.",
    )
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    detail = serializers.CharField(read_only=True)


class AlertCreateView(generics.CreateAPIView):
    """Ask for an email alert: a link to confirm the address is emailed to it, and nothing else
    is sent there for this alert until the link is followed. More than the hourly limit from
    one network address, or the daily limit for one mailbox, is refused with 429 and
    Retry-After."""

    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser]
    serializer_class = AlertSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            data = request.data
        except exceptions.UnsupportedMediaType as exc:
            raise exceptions.UnsupportedMediaType(request.content_type, detail=JSON_ONLY) from exc
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        sent = serializer.validated_data
        try:
            alert = services.ask_for_alert(
                sent["email"],
                sent["query"],
                sent["frequency"],
                key=sender_key(request),
                absolute=request.build_absolute_uri,
            )
        except services.RateLimited as exc:
            raise exceptions.Throttled(wait=exc.retry_after) from exc
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        answer = {
            "email": sent["email"],
            "query": alert.query,
            "frequency": sent["frequency"],
            "detail": "We have emailed a link to confirm the address. Nothing else is sent "
            "for this alert until it is followed.",
        }
        return Response(answer, status=status.HTTP_201_CREATED)
