"""What every endpoint of the API shares: paging, errors, throttling and the CSV format."""

from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import (
    exceptions,
    pagination,
    parsers,
    renderers,
    serializers,
    throttling,
)
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.paging import MAX_PAGE, MAX_PAGE_SIZE, PagingForm
from kernel.text import csv_cell

if TYPE_CHECKING:
    # Not at run time: rest_framework.views reads the renderer and parser settings, which name
    # classes in this module, when it is first imported.
    from rest_framework.views import APIView


class ErrorSerializer(serializers.Serializer):
    """An error: `detail`, or for malformed input a list of messages per parameter or field."""

    detail = serializers.CharField(required=False)


class Pagination(pagination.PageNumberPagination):
    """`page` and `page_size` as in the search API: malformed values are a 400 naming the
    parameter, and a page past the last is empty rather than an error."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    request: Request  # set by paginate_queryset before anything reads it

    def paginate_queryset(
        self, queryset: QuerySet[Any, Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        form = PagingForm(request.query_params)
        if not form.is_valid():
            # The stubs type ErrorList as a UserList of ValidationError; it is also a list (of
            # messages), which DRF takes as field errors.
            raise exceptions.ValidationError(form.errors)  # type: ignore[arg-type]
        self.request = request
        self.size = form.cleaned_data["page_size"] or self.page_size
        self.number = form.cleaned_data["page"] or 1
        self.count = queryset.count()
        start = (self.number - 1) * self.size
        return list(queryset[start : start + self.size]) if start < self.count else []

    def _url(self, number: int) -> str:
        params = self.request.query_params.copy()
        params["page"] = str(number)
        return self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")

    def get_paginated_response(self, data: Any) -> Response:
        last = max(1, -(-self.count // self.size))
        return Response(
            OrderedDict(
                count=self.count,
                next=self._url(self.number + 1) if self.number < last else None,
                previous=self._url(min(self.number - 1, last)) if self.number > 1 else None,
                results=data,
            )
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, from 1. A page past the last is empty.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Results per page, 1 to {MAX_PAGE_SIZE} (default 20).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


# No body the API takes nests deeper than a few levels; a deeper one is refused before anything
# walks it (Python's JSON decoder, and every recursive step after it, stops at about 1,000).
MAX_JSON_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """JSON bodies, refusing what could only fail later: nesting deeper than MAX_JSON_DEPTH
    (1,000 nested arrays in 2 kB would exhaust the recursion limit), and lone surrogates (half a
    UTF-16 pair), which PostgreSQL cannot store and no response could echo back."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise _too_deep() from error
        if _depth(data) > MAX_JSON_DEPTH:
            raise _too_deep()
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise exceptions.ParseError(
                "The JSON holds a lone surrogate (\\ud800–\\udfff), which is not text."
            ) from error
        return data


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(
        f"The JSON nests arrays or objects more than {MAX_JSON_DEPTH} levels deep."
    )


def _depth(data: object) -> int:
    """How deeply arrays and objects nest in parsed JSON, counted without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            stack.extend((item, depth + 1) for item in value)
    return deepest


# What other origins may do with the API: read it.
CORS_READS = ("GET", "HEAD", "OPTIONS")
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
)


class ReadOnlyCorsMiddleware:
    """Other origins may read the API, never write to it: the CORS headers that
    django-cors-headers adds are taken off responses to anything but a read, and off a
    preflight asking for a write, whatever its settings say (they only limit the methods a
    preflight lists, and a form-encoded POST needs no preflight at all; the endpoints anyone
    may write to take JSON only, which does).

    Without these headers a browser neither sends another site's JSON write (its preflight
    fails) nor lets the other site read what a write answered (a token, say)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        wanted = request.method or ""
        if wanted == "OPTIONS":
            wanted = request.headers.get("Access-Control-Request-Method", "OPTIONS")
        if wanted.upper() not in CORS_READS:
            for header in CORS_HEADERS:
                if header in response:
                    del response[header]
        return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 before a view runs (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a bad host): JSON under
    /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's errors, always JSON: `{"detail": …}`, or field errors `{"field": [messages]}`."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    # Imported here: rest_framework.views reads the renderer and parser settings, which name
    # classes in this module, when it is first imported.
    from rest_framework import views

    return views.exception_handler(exc, context)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON for an unknown URL under /api/, like the API's other errors; the site's page
    (templates/404.html) elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def client_address(request: HttpRequest | Request) -> str:
    """The network address a request came from, trusting X-Forwarded-For only as far as
    API_NUM_PROXIES proxies: the API throttles, the registrations' limit and the sign-in
    lock-out all count by it."""
    # get_ident reads only request.META, which a Django request has too; the stubs ask for DRF's.
    return throttling.BaseThrottle().get_ident(request) or ""  # type: ignore[arg-type]


# Throttles read their rates when a request comes, so that settings can change them (tests);
# DRF's own classes copy the rates once, at import.
class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(self.scope)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(self.scope)


# The columns of a row: a name for each field, and for a nested object the same of its own.
Shape = dict[str, "Shape | None"]


class CSVRenderer(renderers.BaseRenderer):
    """`?format=csv` on list endpoints: one row per result, nested values flattened.

    Lists of objects become their slugs (or names) joined by "; ", objects become
    `field.key` columns, and cells that a spreadsheet would run as a formula are escaped. The
    columns come from the rows' serializer when the view names one (`row_shape`): an empty
    list still has its header row, and a null object has the same empty `field.key` cells as
    any other row rather than a column of its own.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        view = (renderer_context or {}).get("view")
        shape = row_shape(view) if view is not None else None
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:  # an error or a single object
            rows = [data] if isinstance(data, dict) else []
        flat = [self._flatten(row, shape) for row in rows]
        columns: list[str] = []
        for row in flat or [self._flatten(dict.fromkeys(shape or {}), shape)]:
            columns += [key for key in row if key not in columns]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        if columns:
            writer.writeheader()
        for row in flat:
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
        return out.getvalue().encode(self.charset)

    def _flatten(self, row: dict, shape: Shape | None, prefix: str = "") -> dict[str, str]:
        flat: dict[str, str] = {}
        for key, value in row.items():
            name, nested = f"{prefix}{key}", (shape or {}).get(key)
            if value is None and nested:
                flat.update(self._flatten(dict.fromkeys(nested), nested, f"{name}."))
            elif isinstance(value, dict):
                flat.update(self._flatten(value, nested, f"{name}."))
            elif isinstance(value, list):
                flat[name] = "; ".join(self._label(item) for item in value)
            else:
                flat[name] = "" if value is None else str(value)
        return flat

    @staticmethod
    def _label(item: Any) -> str:
        if isinstance(item, dict):
            for key in ("slug", "name", "measure", "id"):
                if key in item:
                    return str(item[key])
            return ", ".join(f"{k}={v}" for k, v in item.items())
        return str(item)


def row_shape(view: Any) -> Shape | None:
    """The columns of the rows a view answers with, from their serializer: the one it names as
    `row_serializer_class` (the search, whose view builds plain dicts), or a generic view's
    own for its list and detail GETs; None for anything else (a viewset's extra actions)."""
    serializer = getattr(view, "row_serializer_class", None)
    if serializer is not None:
        return _shape(serializer())
    request = getattr(view, "request", None)
    # A viewset's extra actions answer rows of their own; a view that is not a viewset (an
    # innovation's detail) has no action at all.
    if (
        hasattr(view, "get_serializer")
        and getattr(view, "action", None) in (None, "list", "retrieve")
        and request is not None
        and request.method == "GET"
    ):
        return _shape(view.get_serializer())
    return None


def _shape(serializer: serializers.Serializer) -> Shape:
    return {
        name: _shape(field) if isinstance(field, serializers.Serializer) else None
        for name, field in serializer.fields.items()
        if not field.write_only
    }
