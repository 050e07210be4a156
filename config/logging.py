"""Structured logs: one JSON object per line, and one line per request with its timing, every
line during a request carrying its request id.

A request's line says what was asked for and how it went, never who asked: the route pattern
(`innovations/<slug:slug>/`) rather than the path, which can carry confirmation tokens; no
query string (a search can hold a name); no network address, cookie or user. See
docs/operations.md, "Monitoring".
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("catalogue.requests")

# The id of the request being answered, for every log line written while it is (None outside
# one: a command, the worker, start-up).
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# What a request id from a proxy may look like: a UUID, or any short run of safe characters.
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_for(request: HttpRequest) -> str:
    """The id of this request: the one the proxy in front sent in REQUEST_ID_HEADER, when it
    is set and the header looks like an id, or a new one. A client reaching the site directly
    could send any header, so it is only read when an operator names it."""
    header = settings.REQUEST_ID_HEADER
    sent = request.headers.get(header, "") if header else ""
    return sent if _GOOD_ID.fullmatch(sent) else uuid.uuid4().hex


class AddRequestId(logging.Filter):
    """Puts the current request's id on each record (`request_id`), when there is one."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, then its extra fields
    (and the traceback, for errors)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """The same record for a person at a terminal: time, level, logger, message, key=value."""

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        line = f"{self.formatTime(record)} {record.levelname} {record.name} {record.getMessage()}"
        line = f"{line} {extra}" if extra else line
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


# An address in a message, kept to its scheme and host: what follows (a path, a query) can
# carry a token or an email address, as another site's Referer of a refused form post may.
_URL = re.compile(r"\b(https?://[^/\s'\"?#]+)[^\s'\"]*")


class WithholdRequestDetails(logging.Filter):
    """Django's own warnings and errors (`django.request`, `django.security.*`: a 500, a CSRF
    failure, a bad Host header) name the request's path in their message, sometimes another
    address (the Referer of a refused post), and carry the request itself, which a formatter
    would print whole. The path becomes the route pattern, as in the request log; any other
    address is cut to its scheme and host; the request object is dropped (its method stays)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):
            return True
        delattr(record, "request")
        match = getattr(request, "resolver_match", None)
        route = match.route if match else None
        try:
            message = record.getMessage()
        except Exception:  # a log call whose arguments do not fit its message
            message = "<message withheld: it could not be formatted>"
        paths = {request.get_full_path(), request.path}
        # Django escapes what it puts in a message (`\u00e9` for `é`): withhold that form too.
        paths |= {path.encode("unicode_escape").decode("ascii") for path in paths}
        for text in sorted(paths, key=len, reverse=True):
            if text and text != "/":
                message = message.replace(text, route or "<path withheld>")
        record.msg, record.args = _URL.sub(r"\1", message), ()
        record.method, record.route = request.method, route
        return True


class _QueryTimer:
    """Counts the database statements of a request and the time spent waiting for them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self,
        execute: Callable[[str, Any, bool, dict[str, Any]], Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def _quiet(request: HttpRequest) -> bool:
    """While debugging, the stylesheets, scripts and images of each page (served by WhiteNoise,
    under STATIC_URL, outside any route) are not logged: a page's one line, and the emails
    printed between them, stay readable. In production every request is logged."""
    return (
        settings.DEBUG
        and request.resolver_match is None
        and request.path.startswith(str(settings.STATIC_URL))
    )


class RequestLogMiddleware:
    """Logs each request once it is answered: method, route, view, status, duration, database
    statements and their time, response size."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        timer = _QueryTimer()
        token = _request_id.set(request_id_for(request))
        try:
            # Every database's statements: with replicas, a page may read from one alone.
            with contextlib.ExitStack() as timed:
                for each in connections.all():
                    timed.enter_context(each.execute_wrapper(timer))
                response = self.get_response(request)
            response["X-Request-ID"] = _request_id.get() or ""
            if not _quiet(request):
                self._log(request, response, started, timer)
        finally:
            _request_id.reset(token)
        return response

    def _log(
        self, request: HttpRequest, response: HttpResponse, started: float, timer: _QueryTimer
    ) -> None:
        match = request.resolver_match
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": match.route if match else None,
                "view": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "db_queries": timer.count,
                "db_ms": round(timer.seconds * 1000, 1),
                "bytes": None if response.streaming else len(response.content),
                "partial": request.headers.get("HX-Request") == "true",
            },
        )
