"""Separate databases for benchmarks on the project's embedded server (or on DATABASE_URL's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def server() -> dict:
    """Connection settings of the project's PostgreSQL (starting the embedded one if needed)."""
    sys.path.insert(0, str(ROOT))
    from config.database import database_from_url, start_embedded

    url = os.environ.get("DATABASE_URL")
    return (
        database_from_url(url, conn_max_age=0) if url else start_embedded(ROOT / "var" / "postgres")
    )


def url_for(db: dict, name: str) -> str:
    host = quote(db["HOST"], safe="") if db["HOST"].startswith("/") else db["HOST"]
    port = f":{db['PORT']}" if db.get("PORT") else ""
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}{port}/{name}"


def recreate(db: dict, name: str) -> str:
    """Drop and create database `name`; return its DATABASE_URL."""
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or None,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url_for(db, name)


def manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603
