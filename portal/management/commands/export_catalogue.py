import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalogue.choices import ModerationStatus
from catalogue.models import Innovation
from portal.exporting import export_catalogue


class Command(BaseCommand):
    help = "Print the catalogue as JSON in the import file's shape (see docs/import-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="Only published innovations, with the organisations and adoptions they need.",
        )

    def handle(self, *args: Any, published_only: bool, **options: Any) -> None:
        innovations = (
            Innovation.objects.filter(status=ModerationStatus.PUBLISHED) if published_only else None
        )
        document = export_catalogue(innovations)
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
