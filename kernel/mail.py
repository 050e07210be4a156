"""Where email goes when production has no mail server yet.

With `DEBUG` on and no `EMAIL_HOST`, messages are printed to the terminal, so that a developer
can follow the links. With `DEBUG` off that would write people's addresses and their private
confirmation links into the logs, so nothing is sent: every message stays in the outbox
(`adopters.OutgoingEmail`) with the reason, and `send_queued_email` sends them once
`EMAIL_HOST` is set, if that is soon: `purge_unconfirmed` deletes messages after 30 days, and
the links in them expire (an account's confirmation after 7 days, a password reset after 3).
`check --deploy` warns until it is set.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

NOT_CONFIGURED = "EMAIL_HOST is not set: the message stays queued until a mail server is"


class MailServerNotConfigured(Exception):
    pass


class ConsoleBackend(BaseEmailBackend):
    """While debugging: each message printed as a person reads it, between two banners that
    stand out from the request log, with its body as written (Django's console backend prints
    the encoded message, where a long link can be cut by quoted-printable line breaks)."""

    def __init__(self, *args: Any, stream: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not settings.DEBUG:  # even if a production setting names it: addresses, links
            raise MailServerNotConfigured(NOT_CONFIGURED)
        with self._lock:
            for message in email_messages:
                self.stream.write(printed(message, colour=self.stream.isatty()))
                self.stream.flush()
        return len(email_messages)


BANNER_WIDTH = 79


def printed(message: EmailMessage, *, colour: bool = False) -> str:
    """One message as the terminal shows it: a banner saying it was printed, not sent; who it
    is to and its subject; its plain-text body; a closing banner."""
    title = " EMAIL (printed, not sent: no EMAIL_HOST while debugging) "
    top = f"{'=' * 4}{title}".ljust(BANNER_WIDTH, "=")
    bottom = f"{'=' * 4} END OF EMAIL ".ljust(BANNER_WIDTH, "=")
    if colour:  # bold reverse video, seen at a glance among the log lines
        top, bottom = f"\x1b[1;7m{top}\x1b[0m", f"\x1b[1;7m{bottom}\x1b[0m"
    lines = [
        "",
        top,
        f"From:    {message.from_email}",
        f"To:      {', '.join(message.to)}",
        f"Subject: {message.subject}",
        "",
        str(message.body).rstrip("\n"),
        bottom,
        "",
    ]
    return "\n".join(lines) + "\n"


class NotConfiguredBackend(BaseEmailBackend):
    """Refuses every message, saying why; the outbox records the failure and keeps it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if email_messages and not self.fail_silently:
            raise MailServerNotConfigured(NOT_CONFIGURED)
        return 0


@checks.register(checks.Tags.security, deploy=True)
def check_mail_server(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if import_string(settings.EMAIL_BACKEND) is NotConfiguredBackend:
        return [
            checks.Warning(
                "No mail server: confirmation links and notifications are kept unsent.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD), "
                "then run `manage.py send_queued_email` for what was queued. Messages are "
                "deleted after 30 days, and the links in them expire sooner.",
                id="catalogue.W001",
            )
        ]
    return []
