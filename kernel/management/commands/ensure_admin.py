import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

PASSWORD_FILE = settings.BASE_DIR / "var" / "admin-password.txt"
# Addresses a server listens on that no browser can open: the sign-in names this machine.
_EVERY_INTERFACE = {"0.0.0.0", "::", ""}  # noqa: S104 (read, not bound)


def site_address(host: str, port: str) -> str:
    """The address a browser on this machine opens for a server listening on host:port."""
    host = host.strip("[]")
    if host in _EVERY_INTERFACE:
        host = "127.0.0.1"
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = (
        "Make sure a superuser exists for local use, with an email address to sign in with. "
        "Its password is generated on first run, kept in var/admin-password.txt (git-ignored, "
        "readable only by you) and printed with the address the server answers on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--email",
            help="The address to sign in with (the site's sign-in asks for an email); "
            "<username>@localhost unless given.",
        )
        parser.add_argument("--host", default="127.0.0.1", help="Where runserver listens.")
        parser.add_argument("--port", default="8000", help="The port runserver listens on.")

    def handle(
        self,
        *args: Any,
        username: str,
        email: str | None,
        host: str,
        port: str,
        **options: Any,
    ) -> None:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        email = email or f"{username}@localhost"
        if user is None:
            password = shown = secrets.token_urlsafe(12)
            user = User.objects.create_superuser(username, email, password)
            PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
            PASSWORD_FILE.unlink(missing_ok=True)
            # Created readable by its owner only, from the first byte.
            descriptor = os.open(PASSWORD_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(password + "\n")
            self.stdout.write(self.style.SUCCESS(f"Created admin account “{username}”."))
        else:
            if not user.email:
                # An account made before it had one: the sign-in page could not find it.
                user.email = email
                user.save(update_fields=["email"])
            if not PASSWORD_FILE.exists():
                shown = "set elsewhere (none was generated here)"
            else:
                shown = PASSWORD_FILE.read_text().strip()
                if not user.check_password(shown):
                    shown = "the one you chose (it was changed since it was generated)"
        address = site_address(host, port)
        lines = [
            f"Sign in at {address}{reverse('accounts:sign-in')}",
            f"  email:    {user.email}",
            f"  password: {shown}",
            f"The admin is at {address}{reverse('admin:index')} (username {username}).",
        ]
        self.stdout.write("\n".join(lines))
