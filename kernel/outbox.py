"""Email that survives a broken mail server: queued with the change it tells about, sent after.

`queue()` writes the message in the caller's transaction and asks for it to be sent once that
transaction commits; `deliver()` sends one message and records either when it went or why it
did not; `deliver_unsent()` (run by `manage.py send_queued_email`) tries the ones still waiting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from kernel.mail import MailServerNotConfigured
from kernel.models import OutgoingEmail
from kernel.text import max_length, one_line

logger = logging.getLogger(__name__)


def queue(to: str, subject: str, body: str) -> OutgoingEmail:
    """Keep the message with the current transaction and send it once that commits.

    The subject is made one line: a header with a line break cannot be sent, and a title
    stored before one-line fields refused them must not stop every email that quotes it.
    """
    subject = Truncator(one_line(subject)).chars(max_length(OutgoingEmail, "subject"))
    email = OutgoingEmail.objects.create(to=to, subject=subject, body=body)
    # robust: a failure to send must not turn a committed registration into an error page.
    transaction.on_commit(lambda: deliver(email.pk), robust=True)
    return email


def deliver(pk: int) -> bool:
    """Send one queued message unless it has gone already or another process is sending it.

    Returns whether it went. A failure is recorded on the row (attempts, when, why) for the
    next `send_queued_email` run; it is never raised.
    """
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return False
        tried_before = email.last_attempt_at
        email.attempts += 1
        email.last_attempt_at = timezone.now()
        try:
            EmailMessage(
                # one_line again for messages queued before queue() made subjects one line.
                subject=one_line(email.subject),
                body=email.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[email.to],
            ).send()
        except MailServerNotConfigured as exc:
            # Not a try: nothing was attempted, so the message keeps its tries for later.
            email.attempts -= 1
            email.last_attempt_at = tried_before
            email.last_error = str(exc)
            logger.warning("Email %s not sent: %s", pk, exc)
        except Exception as exc:  # any failure of the mail server or its connection
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            # The kind of failure only: a server's refusal can quote the recipient's address.
            logger.warning(
                "Email %s not sent (attempt %s): %s", pk, email.attempts, type(exc).__name__
            )
        else:
            email.sent_at = email.last_attempt_at
            email.last_error = ""
            # Once gone, its text (names, links that sign people in) is not kept here.
            email.body = ""
        email.save(update_fields=["attempts", "last_attempt_at", "sent_at", "last_error", "body"])
        return email.sent_at is not None


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def deliver_unsent(*, max_attempts: int) -> DeliveryReport:
    """Try every message still waiting that has had fewer than `max_attempts` tries."""
    report = DeliveryReport()
    waiting = OutgoingEmail.objects.filter(sent_at__isnull=True)
    for pk in waiting.filter(attempts__lt=max_attempts).values_list("pk", flat=True):
        if deliver(pk):
            report.sent += 1
        else:
            report.failed += 1
    report.given_up = waiting.filter(attempts__gte=max_attempts).count()
    return report
