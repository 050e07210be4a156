"""Reads from replicas, writes to the primary (DATABASE_REPLICA_URLS).

Each replica is a database alias, `replica_0`, `replica_1`…, next to `default` (the primary).
A GET or HEAD request reads from one replica that answers, chosen per request; everything else
(writes, the reads of a request that writes, commands, the worker) uses the primary. A client
that has just sent a write carries a cookie for REPLICA_PIN_SECONDS, and its reads go to the
primary meanwhile, so it sees what it wrote before the replicas have it. A replica that does not
answer is skipped for REPLICA_RETRY_SECONDS; with none answering, reads go to the primary. When
the primary is down, reads keep coming from the replicas and writes are 503s
(config/faults.py); both recover by themselves when it returns.
"""

from __future__ import annotations

import contextvars
import random
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponseBase

from config.database import database_from_url

REPLICA_PREFIX = "replica_"
PIN_COOKIE = "read_primary"
_SAFE = ("GET", "HEAD", "OPTIONS")

# The alias this request reads from (None: the primary, the router's default).
_reads_from: contextvars.ContextVar[str | None] = contextvars.ContextVar("reads_from", default=None)
# libpq's parameters that name a server, which a replica has its own of.
_WHERE_TO_CONNECT = frozenset(
    {"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service"}
)
# Replicas that did not answer, and until when they are left alone.
_down_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def replica_settings(urls: list[str], primary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The DATABASES entries of the replicas at these URLs, with the primary's options (its
    persistent connections, pooler and statement timeout) and no test database of their own
    (under test, a replica is the primary's test database)."""
    # The primary's options but those that say which server to reach (a URL's ?host=, say).
    shared = {
        key: value
        for key, value in primary.get("OPTIONS", {}).items()
        if key not in _WHERE_TO_CONNECT
    }
    replicas = {}
    for n, url in enumerate(urls):
        config = database_from_url(url, conn_max_age=primary.get("CONN_MAX_AGE", 0))
        config["OPTIONS"] = {**shared, **config.get("OPTIONS", {})}
        for key in ("DISABLE_SERVER_SIDE_CURSORS", "CONN_HEALTH_CHECKS"):
            if key in primary:
                config[key] = primary[key]
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"{REPLICA_PREFIX}{n}"] = config
    return replicas


def answering_replica() -> str | None:
    """A replica that answers now, tried in random order (None when none does)."""
    now = time.monotonic()
    candidates = [alias for alias in replica_aliases() if _down_until.get(alias, 0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        try:
            # One round trip: a kept connection to a replica that has gone fails here, not in
            # the middle of the page.
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
            return alias
        except DatabaseError:
            connections[alias].close()
            _down_until[alias] = now + settings.REPLICA_RETRY_SECONDS
    return None


class PrimaryReplicaRouter:
    """Reads where the request's middleware chose, writes and migrations to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _reads_from.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not replica_aliases():  # no replicas configured: everything uses the primary
            return self.get_response(request)
        reads_replica = request.method in _SAFE and PIN_COOKIE not in request.COOKIES
        token = _reads_from.set(answering_replica() if reads_replica else None)
        try:
            response = self.get_response(request)
        finally:
            _reads_from.reset(token)
        if request.method not in _SAFE:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
