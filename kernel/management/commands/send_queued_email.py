"""Send the emails still waiting: the ones whose first try failed (run it from cron)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kernel import outbox


class Command(BaseCommand):
    help = "Try again to send queued emails that have not gone yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=10,
            help="Give up on a message after this many tries (default 10); it stays recorded.",
        )

    def handle(self, *args: Any, max_attempts: int, **options: Any) -> None:
        report = outbox.deliver_unsent(max_attempts=max_attempts)
        self.stdout.write(
            f"Sent {report.sent}; not sent {report.failed}, to try again later; "
            f"given up after {max_attempts} tries: {report.given_up}."
        )
