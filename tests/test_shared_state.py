"""With REDIS_URL, what the processes of the site count and keep is shared through one real
Redis server, started here on a private port (issue 17, item 1); without it, nothing changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.servers import redis_server

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

# One process of the site: N anonymous API reads, their statuses printed as JSON.
_PROCESS = """
import json, sys, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
client = Client(REMOTE_ADDR="192.0.2.10")
print(json.dumps([client.get("/api/v1/regions/").status_code for _ in range(int(sys.argv[1]))]))
"""


@pytest.fixture
def redis_url(tmp_path):
    with redis_server(tmp_path) as url:
        yield url


def process_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://{db['USER']}@/{db['NAME']}?host={db['HOST']}&port={db['PORT']}",
        API_ANON_RATE="6/minute",
        REQUEST_LOG="0",
        **extra,
    )
    return env


def site_process(requests: int, env: dict[str, str]) -> list[int]:
    done = subprocess.run(
        [sys.executable, "-c", _PROCESS, str(requests)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_share_one_throttle_through_redis(redis_url):
    env = process_env(REDIS_URL=redis_url)
    first = site_process(4, env)
    second = site_process(4, env)
    assert first == [200, 200, 200, 200]
    assert second == [200, 200, 429, 429], "the second process counts on from the first"


def test_without_redis_each_process_counts_alone():
    env = process_env()
    assert site_process(4, env) == [200] * 4
    assert site_process(4, env) == [200] * 4


def test_readyz_checks_redis_when_it_is_configured(client, settings, tmp_path):
    with redis_server(tmp_path) as url:
        settings.REDIS_URL = url
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    # The server has stopped: the site is not ready for traffic.
    away = client.get("/readyz")
    assert away.status_code == 503
    assert away.json()["cache"] == "unreachable"


def test_readyz_asks_nothing_of_a_cache_that_is_not_shared(client):
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_sessions_are_read_through_the_cache_when_it_is_shared(tmp_path):
    """A signed-in person stays signed in whichever process answers."""
    with redis_server(tmp_path) as url:
        shown = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "--verbosity",
                "0",
                "-c",
                "from django.conf import settings; print(settings.SESSION_ENGINE, "
                "settings.CACHES['default']['BACKEND'])",
            ],
            cwd=ROOT,
            env=process_env(REDIS_URL=url),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    assert shown.stdout.split() == [
        "django.contrib.sessions.backends.cached_db",
        "django.core.cache.backends.redis.RedisCache",
    ]
