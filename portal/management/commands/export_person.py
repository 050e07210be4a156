"""Print, as JSON, everything the catalogue holds about one person (a subject access request)."""

import json
from typing import Any

from portal.management.person import PersonCommand
from portal.personal_data import export_person


class Command(PersonCommand):
    help = "Print as JSON everything held about the person with this email address."

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        self.stdout.write(json.dumps(export_person(email), indent=2, ensure_ascii=False))
