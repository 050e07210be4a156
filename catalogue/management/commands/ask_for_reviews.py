"""Ask the owners of each published entry due a review to confirm it or change it (run it
daily: the task worker's schedule does)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from catalogue import freshness


class Command(BaseCommand):
    help = (
        "Email the owners of every published innovation due a review (never reviewed, or not "
        "for twelve months), and not asked in the last twelve months, a link to confirm it is "
        "up to date or to change it. Running it twice the same day sends nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = freshness.ask_owners_to_review(timezone.now())
        self.stdout.write(
            f"Asked the owners of {report.innovations} innovation(s) to review them: "
            f"{report.emails} email(s) queued."
        )
