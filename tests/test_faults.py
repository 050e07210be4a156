"""Faults, for real: the database restarts under traffic, a statement runs too long.

The restart test runs the application as production does (gunicorn, DEBUG off, persistent
connections with health checks) against a PostgreSQL server of its own, stops that server while
requests keep coming, starts it again, and expects quick 503s meanwhile and a full recovery
without restarting the application."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.factories import InnovationFactory
from tests.servers import Server, free_port, pg

ROOT = Path(__file__).resolve().parent.parent


# -- A statement cut off by statement_timeout --------------------------------------------------


@pytest.fixture
def slow_search(monkeypatch):
    """The search engine's statement replaced by one that outlasts a 100 ms statement_timeout,
    so that PostgreSQL itself cancels it, as it would a runaway search."""

    def search(params, **options):
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 100")
            try:
                cursor.execute("SELECT pg_sleep(2)")
            finally:
                cursor.execute("SET statement_timeout = 0")

    monkeypatch.setattr("catalogue.views.search", search)
    monkeypatch.setattr("catalogue.api.views.search", search)


@pytest.mark.django_db(transaction=True)
def test_a_search_cut_off_by_the_statement_timeout_is_a_503(slow_search):
    client = Client(raise_request_exception=False)
    started = time.monotonic()
    page = client.get("/innovations/", {"q": "support"})
    assert time.monotonic() - started < 1.5
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "took too long" in page.content.decode()
    api = client.get("/api/v1/innovations/", {"q": "support"})
    assert api.status_code == 503
    assert api.json() == {
        "detail": "This request took too long and was stopped. Try a narrower search."
    }


def test_the_statement_timeout_setting_reaches_every_connection():
    env = {**os.environ, "STATEMENT_TIMEOUT_MS": "1234"}
    shown = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('SHOW statement_timeout'); print(c.fetchone()[0])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip().splitlines()[-1] == "1234ms", shown.stderr


# -- The database restarts under traffic -------------------------------------------------------


def get(url: str) -> tuple[int, float, str]:
    """Status, seconds taken and body of a GET; 0 when the connection itself failed."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 (http only)
            return response.status, time.monotonic() - started, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, error.read().decode()
    except OSError:
        return 0, time.monotonic() - started, ""


@pytest.fixture
def own_database(transactional_db):
    """A server of its own holding a copy of the test database (schema, seeded regions, and
    one innovation), so that stopping it disturbs nothing else."""
    InnovationFactory(title="Homeshare", slug="homeshare")
    db = connection.settings_dict
    dump = Path(tempfile.mkdtemp(prefix="catalogue-copy-")) / "copy.dump"
    source = ["-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    pg("pg_dump", "-Fc", *source, "-f", str(dump), db["NAME"])
    server = Server()
    server.start()
    target = ["-h", str(server.folder), "-p", str(server.port), "-U", "postgres"]
    try:
        pg("createdb", *target, "catalogue")
        pg("pg_restore", *target, "-d", "catalogue", "--no-owner", str(dump))
        yield server
    finally:
        server.stop()
        server.remove()
        shutil.rmtree(dump.parent, ignore_errors=True)


@pytest.fixture
def application(own_database, collected_static):
    """gunicorn, configured as gunicorn.conf.py says, on a port of its own."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": own_database.url("catalogue"),
        "CONN_MAX_AGE": "60",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(collected_static),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "REQUEST_LOG": "0",
    }
    # Its output goes to a file: a pipe nobody reads would fill up and stop it.
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn"], cwd=ROOT, env=env, stdout=output, stderr=output
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if get(base + "/healthz")[0] == 200:
                break
            time.sleep(0.1)
        else:
            process.kill()
            output.seek(0)
            pytest.fail("gunicorn did not start: " + output.read()[-2000:])
        yield base
        process.terminate()
        process.wait(timeout=60)


def test_the_site_answers_503_while_the_database_restarts_and_recovers_alone(
    application, own_database
):
    pages = ["/innovations/homeshare/", "/api/v1/innovations/", "/innovations/?q=homeshare"]
    for path in pages:
        assert get(application + path)[0] == 200, path
    # gunicorn refuses a request line over its limit before Django sees it.
    assert get(application + "/innovations/?q=" + "a" * 9000)[0] == 400

    # Traffic keeps coming from four clients while the database stops and starts again.
    seen: list[tuple[int, float]] = []
    stop = threading.Event()

    def traffic() -> None:
        while not stop.is_set():
            for path in pages:
                status, seconds, _ = get(application + path)
                seen.append((status, seconds))

    clients = [threading.Thread(target=traffic) for _ in range(4)]
    for client in clients:
        client.start()
    time.sleep(0.5)
    own_database.stop()
    time.sleep(2)
    # While it is down: a quick 503, as a page and as JSON, and the probes tell them apart.
    page = get(application + "/innovations/homeshare/")
    api = get(application + "/api/v1/innovations/")
    ready, healthy = get(application + "/readyz"), get(application + "/healthz")
    own_database.start()
    time.sleep(1)
    stop.set()
    for client in clients:
        client.join()

    assert page[0] == 503
    assert page[1] < 5
    assert "Sorry, the service is unavailable" in page[2]
    assert api[0] == 503
    assert '"detail"' in api[2]
    assert (ready[0], healthy[0]) == (503, 200)
    statuses = {status for status, _ in seen}
    assert statuses <= {200, 503}, statuses  # never a 500, never a dropped connection
    assert 503 in statuses
    assert max(seconds for _, seconds in seen) < 5

    # Recovered by itself: the same workers, new connections.
    for path in pages:
        assert get(application + path)[0] == 200, path


def test_gunicorn_settings_are_what_the_operations_guide_says(monkeypatch):
    """docs/operations.md's promises about workers come from gunicorn.conf.py."""
    from gunicorn.config import Config

    monkeypatch.delenv("STATEMENT_TIMEOUT_MS", raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = Config()
    namespace: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 (our own file)
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    assert config.worker_class_str == "gthread"
    assert (config.workers, config.threads) == (3, 4)
    assert config.timeout == 30
    assert config.max_requests == 5000
    assert config.limit_request_line == 8190
    assert config.accesslog is None
    assert os.environ["STATEMENT_TIMEOUT_MS"] == "5000"
