"""Ctrl-C on `make run` stops the embedded PostgreSQL (issue 18, item 6): the server stops when
its last holder exits, so the list of holders must not keep processes that have gone, and the
dev server's reloading parent holds it so that a reload does not restart it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import database


def departed_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_holders_that_have_gone_are_forgotten(tmp_path):
    holders = tmp_path / ".handle_pids.json"
    gone = departed_pid()
    holders.write_text(json.dumps([gone, os.getpid()]))
    database.forget_departed_holders(tmp_path)
    assert json.loads(holders.read_text()) == [os.getpid()]


def test_a_list_of_living_holders_is_left_as_it_is(tmp_path):
    holders = tmp_path / ".handle_pids.json"
    holders.write_text(json.dumps([os.getpid()]))
    database.forget_departed_holders(tmp_path)
    assert json.loads(holders.read_text()) == [os.getpid()]


EMBEDDED = {"default": {"ENGINE": "config.embedded_db", "DATA_DIR": "var/elsewhere"}}


@pytest.fixture
def started(monkeypatch):
    calls: list[Path] = []
    monkeypatch.setattr(database, "embedded_address", lambda data_dir: calls.append(data_dir))
    monkeypatch.delenv("RUN_MAIN", raising=False)
    return calls


def test_the_reloading_parent_holds_the_embedded_server(started):
    database.hold_across_reloads(["manage.py", "runserver", "127.0.0.1:8001"], EMBEDDED)
    assert started == [Path("var/elsewhere")]


@pytest.mark.parametrize(
    "argv",
    [
        ["manage.py", "runserver", "--noreload"],
        ["manage.py", "migrate"],
        ["manage.py"],
    ],
)
def test_nothing_else_starts_the_server_early(started, argv):
    database.hold_across_reloads(argv, EMBEDDED)
    assert started == []


def test_the_serving_child_leaves_it_to_its_first_connection(started, monkeypatch):
    monkeypatch.setenv("RUN_MAIN", "true")
    database.hold_across_reloads(["manage.py", "runserver"], EMBEDDED)
    assert started == []


def test_a_database_of_ones_own_is_left_alone(started):
    other = {"default": {"ENGINE": "django.db.backends.postgresql"}}
    database.hold_across_reloads(["manage.py", "runserver"], other)
    assert started == []
