"""Delete registrations of interest that nobody confirmed (run it daily from cron)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from adopters import services


class Command(BaseCommand):
    help = (
        "Delete registrations of interest left unconfirmed for longer than the confirmation "
        "link works, queued emails as old, and records of failed sign-ins older than a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        registrations, emails, attempts, accounts = services.purge_unconfirmed()
        self.stdout.write(
            f"Deleted {registrations} registration(s) unconfirmed after "
            f"{settings.REGISTRATION_CONFIRM_DAYS} days, {emails} email(s) as old, "
            f"{attempts} record(s) of failed sign-ins older than a day, and {accounts} "
            "account(s) never confirmed."
        )
