"""`manage.py send_alerts`: send the digests that are due now (the worker does it hourly)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alerts import services


class Command(BaseCommand):
    help = (
        "Send every confirmed alert and follow that is due its digest of what is new since "
        "the previous one; nothing to those with nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Treat every confirmed alert and follow as due, whenever it last had a digest.",
        )

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        report = services.send_digests(force=force)
        self.stdout.write(
            f"Sent {report.sent} digest(s) with {report.sections} alert(s) or follow(s) in "
            f"them; {report.nothing_new} address(es) had nothing new."
        )
