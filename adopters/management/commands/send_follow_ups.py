"""Email whoever recorded each adoption that is due a follow-up (run it daily)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from adopters import follow_ups


class Command(BaseCommand):
    help = (
        "Email a link to update each adoption still exploring, planning or piloting whose "
        "follow-up is due (three months after the latest news of it, then every six). "
        "Running it again the same day sends nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = follow_ups.send_follow_ups(timezone.now())
        self.stdout.write(f"Sent {sent} follow-up email(s).")
