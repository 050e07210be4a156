"""Back up the whole database to one file with pg_dump (``make backup``; docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from config import backups


class Command(BaseCommand):
    help = (
        "Write a pg_dump custom-format backup of the database, by default to "
        "backups/catalogue-YYYYMMDDTHHMMSSZ.dump. Uses pg_dump of the server's major version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="where to write the backup (default: a new timestamped file in backups/)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = backups.Target.from_connection(connections[DEFAULT_DB_ALIAS])
        output: Path = options["output"] or backups.default_backup_path(
            Path(settings.BASE_DIR) / "backups"
        )
        try:
            path, pg_dump, server_version = backups.backup(target, output)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = backups.human_size(path.stat().st_size)
        self.stdout.write(
            f"Backed up {target.describe()} (PostgreSQL {server_version}, "
            f"pg_dump {pg_dump.version}) to {_shown(path)} ({size})."
        )


def _shown(path: Path) -> str:
    """The path as the operator would type it: relative when it is under the current folder."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)
