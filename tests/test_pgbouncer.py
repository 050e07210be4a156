"""The site behind a real PgBouncer in transaction pooling mode (issue 17, item 3): search, the
CSV export (its rows a chunk at a time, no server-side cursor) and a registration of interest
(an advisory lock inside a transaction), from a process of the site whose DATABASE_URL points
at PgBouncer; and settings that refuse what PgBouncer cannot do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from adopters.models import RegistrationOfInterest
from config.database import with_pooler, with_statement_timeout
from tests.factories import InnovationFactory
from tests.servers import pgbouncer

ROOT = Path(__file__).resolve().parent.parent

# A process of the site: a search, the CSV export, and a registration, through the test client.
_PROCESS = """
import json, re, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.conf import settings
from django.test import Client
client = Client()
search = client.get("/api/v1/innovations/", {"q": "homeshare"})
export = client.get("/innovations/export.csv")
rows = b"".join(export.streaming_content).decode().splitlines()
form = client.get("/innovations/homeshare/interest/").content.decode()
started = re.search(r'name="started" value="([^"]+)"', form).group(1)
registered = client.post("/innovations/homeshare/interest/", {
    "name": "Pat", "email": "pat@example.org", "interests": "find-out-more",
    "consent": "on", "started": started,
})
print(json.dumps({
    "search": [search.status_code, search.json()["count"]],
    "export": [export.status_code, len(rows)],
    "registered": registered.status_code,
    "server_side_cursors": not settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
}))
"""


@pytest.mark.django_db(transaction=True)
def test_search_export_and_registration_work_through_pgbouncer():
    for n in range(3):
        InnovationFactory(
            title="Homeshare" if n == 0 else f"Homeshare {n}",
            slug="homeshare" if n == 0 else f"homeshare-{n}",
            status="published",
        )
    db = connection.settings_dict
    with pgbouncer(host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=db["USER"]) as url:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=url,
            DATABASE_POOLER="pgbouncer",
            CONN_MAX_AGE="60",
            REGISTRATION_MIN_FILL_SECONDS="0",
            REQUEST_LOG="0",
        )
        done = subprocess.run(
            [sys.executable, "-c", _PROCESS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["search"] == [200, 3]
    assert answer["export"] == [200, 4]  # the header and three innovations
    assert answer["registered"] == 302
    assert answer["server_side_cursors"] is False
    assert RegistrationOfInterest.objects.get().email == "pat@example.org"


def test_pgbouncer_settings_turn_off_what_outlives_a_transaction():
    config = with_pooler({"ENGINE": "django.db.backends.postgresql", "OPTIONS": {}}, "pgbouncer")
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["OPTIONS"]["prepare_threshold"] is None
    assert "options" not in config["OPTIONS"]


def test_a_statement_timeout_option_is_refused_behind_pgbouncer():
    timed = with_statement_timeout({"OPTIONS": {}}, 5000)
    with pytest.raises(ImproperlyConfigured, match="ALTER ROLE"):
        with_pooler(timed, "pgbouncer")


def test_django_s_own_pool_replaces_persistent_connections():
    config = with_pooler({"OPTIONS": {}, "CONN_MAX_AGE": 60}, "django")
    assert config["OPTIONS"]["pool"] is True
    assert config["CONN_MAX_AGE"] == 0


def test_an_unknown_pooler_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOLER"):
        with_pooler({}, "pgpool")


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_email_through_pgbouncer(settings):
    """The task queue needs no LISTEN/NOTIFY: its worker takes tasks (SELECT … FOR UPDATE SKIP
    LOCKED, in a transaction) and claims scheduled runs through transaction pooling."""
    from django.db import transaction

    from kernel import outbox
    from kernel.models import OutgoingEmail, ScheduledRun

    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        outbox.queue("pat@example.org", "Through the pooler", "Hello")
    db = connection.settings_dict
    with pgbouncer(host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=db["USER"]) as url:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env.update(
            DATABASE_URL=url,
            DATABASE_POOLER="pgbouncer",
            TASKS_BACKEND="database",
            DEBUG="1",
            EMAIL_HOST="",
            REQUEST_LOG="0",
        )
        done = subprocess.run(
            [sys.executable, "manage.py", "worker", "--batch"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("Subject: Through the pooler") == 1
    assert OutgoingEmail.objects.get().sent_at is not None
    assert ScheduledRun.objects.filter(job="retry-email").count() == 1
