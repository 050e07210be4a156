"""Commands run in a process of their own, against the test's database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url(dbname: str | None = None) -> str:
    """A DATABASE_URL for the test server, so a child process reaches the database we name
    (the test's own by default)."""
    s = connection.settings_dict
    credentials = quote(s["USER"], safe="")
    if s["PASSWORD"]:
        credentials += ":" + quote(s["PASSWORD"], safe="")
    host = quote(s["HOST"] or "localhost", safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(dbname or s['NAME'], safe='')}"


def manage(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """`manage.py args…`, run to the end, with `env` added to this process's environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
