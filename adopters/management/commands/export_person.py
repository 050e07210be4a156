"""Print, as JSON, everything the catalogue holds about one person (a subject access request)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from adopters.personal_data import export_person


class Command(BaseCommand):
    help = "Print as JSON everything held about the person with this email address."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        self.stdout.write(json.dumps(export_person(email), indent=2, ensure_ascii=False))
