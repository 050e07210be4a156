"""Erase everything the catalogue holds about one person, then check that nothing is left."""

from typing import Any

from django.core.management.base import CommandError

from portal.management.person import PersonCommand
from portal.personal_data import erase_person, traces


class Command(PersonCommand):
    help = (
        "Delete or anonymise everything held about the person with this email address "
        "(registrations, memberships, contacts, account, emails, sign-in records, history), "
        "then search every text column for the address; exit 1 if any trace is left."
    )

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        for step, count in erase_person(email).items():
            self.stdout.write(f"{step}: {count}")
        left = traces(email)
        if left:
            found = "; ".join(f"{table}.{column} ({count} rows)" for table, column, count in left)
            raise CommandError(f"The address is still found in: {found}")
        self.stdout.write("No trace of the address is left in the database.")
