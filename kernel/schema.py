"""The OpenAPI schema's generator (its own module: it imports DRF's views, which import the
renderers and paging of kernel/api.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import Direction

from kernel.api import ErrorSerializer


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the errors every operation can answer documented: 400
    (malformed parameters or fields), 404 (no such object, or an unknown `format`), 429
    (throttled), and for writes 403 (not signed in, or not allowed) and 415 (a body in a format
    the API does not read, or one too malformed to tell).

    No 401 is documented where none is sent: DRF answers 401 only when the view's first
    authentication class names a `WWW-Authenticate` challenge, and SessionAuthentication, first
    in settings.REST_FRAMEWORK, names none, so a missing or wrong credential is a 403."""

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["400", "404", "429"]
        if self.method not in ("GET", "HEAD"):
            codes += ["403", "415"]
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code))
        return responses
