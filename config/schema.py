"""The OpenAPI schema's generator (its own module: it imports DRF's views, which import the
renderers and paging of config/api.py)."""

from __future__ import annotations

from drf_spectacular import openapi


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the errors every read can answer documented: 400
    (malformed parameters), 404 (no such object, or an unknown `format`), 429 (throttled)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response" or self.method not in ("GET", "HEAD"):
            return responses
        from catalogue.api.schema import ErrorSerializer

        for code in ("400", "404", "429"):
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code))
        return responses
