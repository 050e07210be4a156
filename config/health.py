"""Probes for whatever runs the site (a load balancer, an orchestrator).

`/healthz`: the process is up and answering (no database involved), for liveness checks.
`/readyz`: the database answers too (and Redis, when REDIS_URL shares state through it), for
readiness checks: 503 when one does not, so traffic is sent elsewhere until it does.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Not ready: the database does not answer (%s)", type(exc).__name__)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    answer = {"status": "ok", "database": "ok"}
    if settings.REDIS_URL:
        try:
            cache.set("readyz", "ok", 10)
            if cache.get("readyz") != "ok":
                raise ConnectionError("the cache did not keep what was written")
        except Exception as exc:  # redis-py's errors, whatever the failure
            logger.warning("Not ready: Redis does not answer (%s)", type(exc).__name__)
            return JsonResponse(
                {"status": "unavailable", "database": "ok", "cache": "unreachable"}, status=503
            )
        answer["cache"] = "ok"
    return JsonResponse(answer)
