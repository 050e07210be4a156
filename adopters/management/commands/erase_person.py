"""Erase everything the catalogue holds about one person, then check that nothing is left."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from adopters.personal_data import erase_person, traces


class Command(BaseCommand):
    help = (
        "Delete or anonymise everything held about the person with this email address "
        "(registrations, memberships, contacts, account, emails, sign-in records, history), "
        "then search every text column for the address; exit 1 if any trace is left."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        for step, count in erase_person(email).items():
            self.stdout.write(f"{step}: {count}")
        left = traces(email)
        if left:
            found = "; ".join(f"{table}.{column} ({count} rows)" for table, column, count in left)
            raise CommandError(f"The address is still found in: {found}")
        self.stdout.write("No trace of the address is left in the database.")
