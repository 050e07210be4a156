"""Reads from a real streaming replica, writes to the primary (issue 17, item 2).

A primary of the test's own holds a copy of the test database; a replica is made from it with
the wheel's own pg_basebackup and follows it. A long-lived process of the site (the test
client, driven line by line) shows: reads reach the replica and writes the primary; a client
that has just written reads from the primary, and would not see its session on a lagging
replica otherwise; with the primary stopped, pages still answer and writes are 503s, and
writes work again when it returns, with no restart; with the replica stopped, reads fall back
to the primary."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import InnovationFactory
from tests.servers import PG_BIN, Server, pg

ROOT = Path(__file__).resolve().parent.parent

_DRIVER = r"""
import json, sys, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from config.replicas import PIN_COOKIE

counts = {}
def counter(alias):
    def wrapper(execute, sql, params, many, context):
        counts[alias] = counts.get(alias, 0) + 1
        return execute(sql, params, many, context)
    return wrapper
for alias in ("default", "replica_0"):
    connections[alias].execute_wrappers.append(counter(alias))

import logging
logged = []
class Keep(logging.Handler):
    def emit(self, record):
        logged.append(getattr(record, "db_queries", None))
requests_log = logging.getLogger("catalogue.requests")
requests_log.setLevel(logging.INFO)
requests_log.addHandler(Keep())

client = Client(raise_request_exception=False)
for line in sys.stdin:
    command = json.loads(line)
    counts.clear()
    logged.clear()
    op = command["op"]
    if op == "get":
        response = client.get(command["path"])
    elif op == "post_json":
        response = client.post(command["path"], command["data"], content_type="application/json")
    elif op == "post_form":
        response = client.post(command["path"], command["data"])
    elif op == "create_user":
        get_user_model().objects.create_user(
            command["email"], command["email"], command["password"]
        )
        print(json.dumps({"done": True}), flush=True)
        continue
    elif op == "forget_pin":
        client.cookies.pop(PIN_COOKIE, None)
        print(json.dumps({"done": True}), flush=True)
        continue
    print(json.dumps({
        "status": response.status_code,
        "location": response.get("Location", ""),
        "retry_after": response.get("Retry-After", ""),
        "pinned": PIN_COOKIE in response.cookies,
        "queries": dict(counts),
        "logged_queries": logged[-1] if logged else None,
    }), flush=True)
"""


class Site:
    """A process of the site, sent one command a line, answering one JSON line each."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _DRIVER],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def send(self, op: str, **command: object) -> dict:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps({"op": op, **command}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the site's process ended"
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def psql(server: Server, sql: str) -> str:
    done = subprocess.run(
        [
            str(PG_BIN / "psql"),
            "-h",
            str(server.folder),
            "-p",
            str(server.port),
            "-U",
            "postgres",
            "-d",
            "catalogue",
            "-At",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.strip()


def wait_until(condition, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def primary_and_replica(transactional_db) -> Iterator[tuple[Server, Server]]:
    InnovationFactory(title="Homeshare", slug="homeshare", status="published")
    db = connection.settings_dict
    dump = Path(tempfile.mkdtemp(prefix="catalogue-copy-")) / "copy.dump"
    source = ["-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    pg("pg_dump", "-Fc", *source, "-f", str(dump), db["NAME"])
    primary = Server()
    primary.start()
    replica = None
    try:
        target = ["-h", str(primary.folder), "-p", str(primary.port), "-U", "postgres"]
        pg("createdb", *target, "catalogue")
        pg("pg_restore", *target, "-d", "catalogue", "--no-owner", str(dump))
        replica = Server(replica_of=primary)
        replica.start()
        wait_until(lambda: psql(replica, "SELECT pg_is_in_recovery()") == "t", "the replica")
        yield primary, replica
    finally:
        for server in (replica, primary):
            if server is not None:
                with contextlib.suppress(subprocess.CalledProcessError):
                    server.stop()  # unless the test stopped it already
                server.remove()
        shutil.rmtree(dump.parent, ignore_errors=True)


@pytest.fixture
def site(primary_and_replica, collected_static) -> Iterator[Site]:
    primary, replica = primary_and_replica
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=primary.url("catalogue"),
        DATABASE_REPLICA_URLS=replica.url("catalogue"),
        CONN_MAX_AGE="60",
        # As in production: a fault is its 503 page, not Django's debugging page.
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(collected_static),
        REQUEST_LOG="0",
        REGISTRATION_MIN_FILL_SECONDS="0",
    )
    process = Site(env)
    yield process
    process.close()


REGISTRATION = {
    "name": "Pat",
    "email": "pat@example.org",
    "interests": ["find-out-more"],
    "consent": True,
}


def test_reads_reach_the_replica_and_writes_the_primary(site):
    page = site.send("get", path="/innovations/homeshare/")
    assert page["status"] == 200
    assert page["queries"].get("replica_0", 0) > 0
    assert "default" not in page["queries"]
    assert not page["pinned"]
    # The request log counts the replica's statements too (config/logging.py).
    assert page["logged_queries"] == page["queries"]["replica_0"]

    written = site.send(
        "post_json", path="/api/v1/innovations/homeshare/registrations/", data=REGISTRATION
    )
    assert written["status"] == 201
    assert written["queries"].get("default", 0) > 0
    assert "replica_0" not in written["queries"]
    assert written["pinned"]


def test_a_client_that_has_just_written_reads_what_it_wrote(site, primary_and_replica):
    _, replica = primary_and_replica
    site.send("create_user", email="ada@example.org", password="violet-harbour-lantern-91")
    # The replica falls behind: what is written from now on is not on it.
    psql(replica, "SELECT pg_wal_replay_pause()")
    wait_until(
        lambda: psql(replica, "SELECT pg_get_wal_replay_pause_state()") == "paused",
        "the replica to pause",
    )
    signed_in = site.send(
        "post_form",
        path="/account/sign-in/",
        data={"username": "ada@example.org", "password": "violet-harbour-lantern-91"},
    )
    assert signed_in["status"] == 302
    assert signed_in["pinned"]

    account = site.send("get", path="/account/")
    assert account["status"] == 200, "the new session is read from the primary"
    assert "replica_0" not in account["queries"]

    # Without the pin, the same read would go to the lagging replica, which has no session.
    site.send("forget_pin")
    lagging = site.send("get", path="/account/")
    assert lagging["status"] == 302
    assert lagging["location"].startswith("/account/sign-in/")
    psql(replica, "SELECT pg_wal_replay_resume()")


def test_reads_go_on_while_the_primary_is_down_and_writes_come_back_with_it(
    site, primary_and_replica
):
    primary, _ = primary_and_replica
    assert site.send("get", path="/innovations/homeshare/")["status"] == 200
    primary.stop()

    page = site.send("get", path="/innovations/homeshare/")
    assert page["status"] == 200
    api = site.send("get", path="/api/v1/innovations/?q=homeshare")
    assert api["status"] == 200
    refused = site.send(
        "post_json", path="/api/v1/innovations/homeshare/registrations/", data=REGISTRATION
    )
    assert refused["status"] == 503
    assert refused["retry_after"] == "5"

    primary.start()
    site.send("forget_pin")
    again = site.send(
        "post_json", path="/api/v1/innovations/homeshare/registrations/", data=REGISTRATION
    )
    assert again["status"] == 201, "no restart of the site's process was needed"


def test_reads_fall_back_to_the_primary_when_the_replica_is_down(site, primary_and_replica):
    _, replica = primary_and_replica
    replica.stop()
    page = site.send("get", path="/innovations/homeshare/")
    assert page["status"] == 200
    assert page["queries"].get("default", 0) > 0
