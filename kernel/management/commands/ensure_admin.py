import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

PASSWORD_FILE = settings.BASE_DIR / "var" / "admin-password.txt"


class Command(BaseCommand):
    help = (
        "Make sure a superuser exists for local use. Its password is generated on first run, "
        "kept in var/admin-password.txt (git-ignored, readable only by you) and printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username, f"{username}@localhost", password)
            PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
            PASSWORD_FILE.unlink(missing_ok=True)
            # Created readable by its owner only, from the first byte.
            descriptor = os.open(PASSWORD_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(password + "\n")
            self.stdout.write(self.style.SUCCESS(f"Created admin account “{username}”."))
        elif PASSWORD_FILE.exists():
            password = PASSWORD_FILE.read_text().strip()
            if not user.check_password(password):
                self.stdout.write(
                    f"Admin account “{username}” exists; its password was changed since it "
                    "was generated, so use the one you chose."
                )
                return
        else:
            self.stdout.write(f"Admin account “{username}” exists (password set elsewhere).")
            return
        self.stdout.write(
            f"Sign in at http://127.0.0.1:8000/admin/ as {username} with password: {password}"
        )
