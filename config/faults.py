"""Failing fast and politely when the database is away or a statement runs too long.

Django answers an uncaught exception with the 500 handler, called while the exception is being
handled. This handler looks at it: a database that cannot be reached (restarting, failing
over) or a statement cut off by `statement_timeout` is a 503 with Retry-After, as JSON under
/api/ and the site's page elsewhere. Nothing here touches the database. The next request finds
the database again by itself: a connection that failed is discarded at the end of the
request, and CONN_HEALTH_CHECKS tests a kept one before reuse (docs/operations.md, "Faults").
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from psycopg import errors

from config.logging import current_request_id

RETRY_AFTER_SECONDS = 5


def database_fault(exc: BaseException | None) -> str | None:
    """What kind of database fault `exc` is: "timeout", "unavailable", or None."""
    if isinstance(exc, OperationalError) and isinstance(exc.__cause__, errors.QueryCanceled):
        return "timeout"
    if isinstance(exc, (OperationalError, InterfaceError)):
        return "unavailable"
    return None


def server_error(request: HttpRequest) -> HttpResponse:
    fault = database_fault(sys.exc_info()[1])
    if fault is None:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Server error."}, status=500)
        # As Django's own handler, rendered without the request's context (which could fail
        # again), but with the request's id for whoever reports the problem.
        return HttpResponse(
            render_to_string("500.html", {"request_id": current_request_id()}), status=500
        )
    if fault == "timeout":
        detail = "This request took too long and was stopped. Try a narrower search."
    else:
        detail = "The service is unavailable for a moment. Try again in a few seconds."
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail}, status=503)
    else:
        html = render_to_string("503.html", {"detail": detail, "request_id": current_request_id()})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
