"""Restore the database from a file made by ``manage.py backup`` (``make restore``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from config import backups


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup made by `manage.py backup`. The file "
        "is checked whole before anything changes, and the restore is one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the .dump file to restore")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="do not ask: replace the database's contents (for scripts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = backups.Target.from_connection(connections[DEFAULT_DB_ALIAS])
        # Django's own connection may hold nothing, but must not sit inside a transaction
        # while pg_restore drops and recreates the tables it would be reading.
        connections[DEFAULT_DB_ALIAS].close()
        try:
            archive, pg_restore = backups.prepare_restore(options["path"], target)
            self.stdout.write(f"{archive.path} is {archive.summary}.")
            if not options["yes"]:
                self._confirm(target)
            left_alone = backups.restore(archive, pg_restore, target)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {target.describe()} from {archive.path}: {len(archive.tables)} tables, "
            f"{archive.entries} objects in all (pg_restore {pg_restore.version})."
        )
        if left_alone:
            self.stderr.write(
                "These tables are not in the backup and were left as they were: "
                f"{', '.join(left_alone)}. The backup was probably made before the migrations "
                "that created them; to start clean, restore into an empty database."
            )

    def _confirm(self, target: backups.Target) -> None:
        """Ask in a terminal; anywhere else (cron, CI, a pipe) a restore needs --yes, since
        nobody is there to answer."""
        warning = f"This replaces everything in {target.describe()}."
        if not sys.stdin.isatty():
            raise CommandError(f"{warning} Pass --yes to confirm; nothing was restored.")
        try:
            answer = input(f"{warning} Type 'yes' to go on: ")
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip().lower() != "yes":
            raise CommandError("Nothing was restored.")
