from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.importing import ImportFailed, import_catalogue, parse_json


class Command(BaseCommand):
    help = (
        "Import a catalogue file (see docs/import-format.md). All or nothing: on any problem "
        "nothing is written, every problem is listed with its location, and the exit code is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A JSON file in the catalogue format.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror})") from exc
        try:
            report = import_catalogue(parse_json(raw))
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{failure} from {file}") from failure
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {file}"))
