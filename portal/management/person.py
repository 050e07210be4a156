"""What export_person and erase_person share: one argument, an email address, checked."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email


class PersonCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The person's email address, in any case.")

    def execute(self, *args: Any, **options: Any) -> str | None:
        email = options.get("email", "")
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        return super().execute(*args, **options)
