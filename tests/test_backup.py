"""Backups and restores (config/backups.py, `manage.py backup` and `manage.py restore`).

The dump runs in another process, so it sees only committed rows: these tests use real
transactions. The main test restores into a database created for it on the same server and
compares every row of every table, and the sequences, with the database that was backed up.
"""

import datetime
import io
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from adopters.models import RegistrationOfInterest
from catalogue.models import Innovation, Region
from config import backups
from tests.factories import (
    AdoptionFactory,
    AdoptionStatusChangeFactory,
    BeneficiaryGroupFactory,
    InnovationFactory,
    MembershipFactory,
    NetworkFactory,
    ReachFigureFactory,
    RegistrationOfInterestFactory,
    ResourceFactory,
    SectorFactory,
    UserFactory,
)
from tests.processes import database_url, manage

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent

Snapshot = dict[str, list[str]]


def connect(dbname: str | None = None) -> psycopg.Connection:
    target = backups.Target.from_settings(
        {**connection.settings_dict, "NAME": dbname or connection.settings_dict["NAME"]}
    )
    return psycopg.connect(target.conninfo(), password=target.password or None, autocommit=True)


def snapshot(dbname: str | None = None) -> Snapshot:
    """Every row of every table in the public schema as text, in a stable order; every
    sequence's position; and the names of the indexes, constraints and triggers."""
    found: Snapshot = {}
    with connect(dbname) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in tables:
            query = sql.SQL("SELECT t::text FROM public.{} AS t ORDER BY 1").format(
                sql.Identifier(table)
            )
            found[table] = [row for (row,) in conn.execute(query)]
        found["(sequences)"] = [
            f"{name}={value}"
            for name, value in conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        found["(schema objects)"] = [
            name
            for (name,) in conn.execute(
                """
                SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public'
                UNION ALL
                SELECT 'constraint ' || c.conname FROM pg_constraint c
                  JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
                UNION ALL
                SELECT 'trigger ' || t.tgname FROM pg_trigger t
                  JOIN pg_class r ON r.oid = t.tgrelid
                  JOIN pg_namespace n ON n.oid = r.relnamespace
                  WHERE n.nspname = 'public' AND NOT t.tgisinternal
                UNION ALL
                SELECT 'extension ' || extname FROM pg_extension
                ORDER BY 1
                """
            )
        ]
    return found


def fill_catalogue() -> None:
    """A bit of everything: users, innovations with vocabularies, adoptions and their
    history, registrations of interest, networks and their members."""
    owner = UserFactory(username="owner", first_name="Ada")
    member = UserFactory(username="member")
    region = Region.objects.order_by("pk").first()  # seeded by a migration, if not flushed
    health, housing = SectorFactory(name="Health"), SectorFactory(name="Housing")
    for number in range(3):
        innovation = InnovationFactory(title=f"Shared lives {number}")
        innovation.sectors.add(health, *([housing] if number else []))
        innovation.beneficiaries.add(BeneficiaryGroupFactory(name="Older people"))
        innovation.owners.add(owner)
        ReachFigureFactory(innovation=innovation, value=10 * (number + 1))
        adoption = AdoptionFactory(
            innovation=innovation, region=region, area=f"Area {number}", recorded_by=owner
        )
        AdoptionStatusChangeFactory(adoption=adoption, changed_on=datetime.date(2021, 5, 1))
        RegistrationOfInterestFactory(innovation=innovation, name=f"Person {number} Ünïcode")
        network = NetworkFactory(innovation=innovation)
        MembershipFactory(network=network, user=member, email="member@example.org")
        MembershipFactory(network=network, ring="core")
    ResourceFactory().innovations.set(Innovation.objects.all())
    InnovationFactory(draft=True, title="An unpublished idea").owners.add(owner)


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database on the same server, dropped afterwards whatever happens."""
    name = f"{connection.settings_dict['NAME']}_restored"
    identifier = sql.Identifier(name)
    with connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    try:
        yield name
    finally:
        with connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))


@pytest.fixture
def wrong_version_tools(tmp_path, monkeypatch) -> Path:
    """A folder of pretend client tools that say they are PostgreSQL 99, named by PG_BIN."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for program in ("pg_dump", "pg_restore"):
        script = folder / program
        script.write_text(f'#!/bin/sh\necho "{program} (PostgreSQL) 99.1"\n')
        script.chmod(0o755)
    monkeypatch.setenv(backups.PG_BIN_ENV, str(folder))
    return folder


def backup_to(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", output=path, stdout=out)
    return out.getvalue()


def test_a_backup_restored_into_a_fresh_database_has_every_row(tmp_path, fresh_database):
    fill_catalogue()
    dump = tmp_path / "catalogue.dump"
    report = backup_to(dump)
    assert str(dump) in report
    assert dump.stat().st_mode & 0o077 == 0, "a backup holds personal data: owner only"
    before = snapshot()
    for table in ("catalogue_innovation_sectors", "adopters_registrationofinterest"):
        assert before[table], f"{table} should have rows, or the comparison proves nothing"

    # The real command, in its own process, with DATABASE_URL naming the fresh database.
    restored = manage("restore", str(dump), "--yes", DATABASE_URL=database_url(fresh_database))

    assert restored.returncode == 0, restored.stderr
    assert "Restored database" in restored.stdout
    after = snapshot(fresh_database)
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after the restore"


def test_a_restore_over_the_database_brings_back_what_changed_since(tmp_path):
    fill_catalogue()
    dump = tmp_path / "catalogue.dump"
    backup_to(dump)
    before = snapshot()
    RegistrationOfInterest.objects.all().delete()
    Innovation.objects.filter(status="draft").update(title="Renamed after the backup")
    UserFactory(username="arrived-after-the-backup")
    assert snapshot() != before

    out = io.StringIO()
    call_command("restore", str(dump), yes=True, stdout=out)

    assert snapshot() == before
    assert "Restored database" in out.getvalue()
    # The sequences came back too, so new rows do not collide with restored ones.
    assert UserFactory(username="after-the-restore").pk


def test_restore_without_yes_changes_nothing(tmp_path):
    fill_catalogue()
    dump = tmp_path / "catalogue.dump"
    backup_to(dump)
    RegistrationOfInterest.objects.all().delete()
    before = snapshot()

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(dump), stdout=io.StringIO())

    assert snapshot() == before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_restore_refuses_a_damaged_file_and_keeps_the_database(tmp_path, damage):
    fill_catalogue()
    dump = tmp_path / "catalogue.dump"
    backup_to(dump)
    whole = dump.read_bytes()
    dump.write_bytes(
        {"garbage": b"not a backup\n" * 100, "truncated": whole[: len(whole) // 2], "empty": b""}[
            damage
        ]
    )
    before = snapshot()

    with pytest.raises(CommandError, match="not a complete backup.*nothing was restored"):
        call_command("restore", str(dump), yes=True, stdout=io.StringIO())

    assert snapshot() == before


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.dump"), yes=True)


def test_backup_refuses_a_pg_dump_of_another_major_version(tmp_path, wrong_version_tools):
    output = tmp_path / "catalogue.dump"
    server_major = connection.pg_version // 10000

    with pytest.raises(CommandError) as refused:
        call_command("backup", output=output)

    message = str(refused.value)
    assert f"PostgreSQL {server_major}" in message
    assert "version 99.1" in message
    assert backups.PG_BIN_ENV in message
    assert list(tmp_path.iterdir()) == [wrong_version_tools], "no file, not even a partial one"


def test_restore_refuses_a_pg_restore_of_another_major_version(tmp_path, wrong_version_tools):
    dump = tmp_path / "catalogue.dump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(CommandError, match="pg_restore must be the same major version"):
        call_command("restore", str(dump), yes=True)


def test_the_refusal_is_a_message_and_an_exit_status_not_a_traceback(tmp_path):
    fake = tmp_path / "pg_dump"
    fake.write_text('#!/bin/sh\necho "pg_dump (PostgreSQL) 99.1"\n')
    fake.chmod(0o755)

    result = manage(
        "backup",
        f"--output={tmp_path / 'catalogue.dump'}",
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        PG_BIN=str(tmp_path),
    )

    assert result.returncode != 0
    assert "must be the same major version" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "catalogue.dump").exists()


def test_the_embedded_servers_own_tools_are_found_first():
    server_major = connection.pg_version // 10000
    embedded = backups.embedded_bin_dir()
    own = backups.tool_version(embedded / "pg_dump") if embedded else None
    if own is None or own.major != server_major or os.environ.get(backups.PG_BIN_ENV):
        pytest.skip("not on the embedded server, or PG_BIN chooses the tools")
    tool = backups.find_tool("pg_dump", server_major)
    assert tool.major == server_major
    assert tool.path.parent == embedded


def test_default_backup_names_sort_by_time_in_utc(tmp_path):
    two_hours_ahead = datetime.timezone(datetime.timedelta(hours=2))
    moment = datetime.datetime(2026, 3, 1, 1, 2, 3, tzinfo=two_hours_ahead)
    assert backups.default_backup_path(tmp_path, moment) == (
        tmp_path / "catalogue-20260228T230203Z.dump"
    )
