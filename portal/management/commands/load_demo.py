from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from catalogue.models import Innovation

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "demo_catalogue.json"


class Command(BaseCommand):
    help = "Load the demo catalogue (the real innovations of the source documents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the catalogue already holds innovations.",
        )

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        if if_empty and Innovation.objects.exists():
            self.stdout.write("The catalogue already holds innovations; demo not loaded.")
            return
        call_command("import_catalogue", str(DEMO_FILE), stdout=self.stdout, stderr=self.stderr)
