"""Email that survives a broken mail server: queued with the change it tells about, sent after.

`queue()` writes the message in the caller's transaction and, once that transaction commits,
asks the task worker to send it (`send`, on the task queue of docs/operations.md); `deliver()`
sends one message and records either when it went or why it did not; `retry_due()` (the
worker's schedule, every minute) tries again the ones whose last try failed, waiting longer
after each failure; `deliver_unsent()` (`manage.py send_queued_email`) tries every one still
waiting, now. The outbox is the record of what was sent: a message goes once, whichever of
these reaches it first, however many workers run (`deliver` locks its row).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django_tasks import task

from kernel.mail import MailServerNotConfigured
from kernel.models import OutgoingEmail
from kernel.text import max_length, one_line

logger = logging.getLogger(__name__)


# How many times a message is tried before the worker gives up on it (it stays recorded, and
# `send_queued_email --max-attempts` can try it again), and the wait before the next try:
# a minute after the first failure, doubling each time up to six hours, so ten tries span
# about a day and a half.
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


def queue(
    to: str, subject: str, body: str, *, headers: dict[str, str] | None = None
) -> OutgoingEmail:
    """Keep the message with the current transaction and send it once that commits.

    The subject is made one line: a header with a line break cannot be sent, and a title
    stored before one-line fields refused them must not stop every email that quotes it.
    `headers` are extra header lines (an alert's List-Unsubscribe); their values are made
    one line too.
    """
    subject = Truncator(one_line(subject)).chars(max_length(OutgoingEmail, "subject"))
    headers = {name: one_line(value) for name, value in (headers or {}).items()}
    email = OutgoingEmail.objects.create(to=to, subject=subject, body=body, headers=headers)
    # robust: a queue that is away must not turn a committed registration into an error page;
    # the message waits in the outbox, and retry_due() finds it.
    transaction.on_commit(lambda: send.enqueue(email.pk), robust=True)
    return email


@task()
def send(pk: int) -> bool:
    """The worker's task: send one queued message (see deliver)."""
    return deliver(pk)


def wait_after(attempts: int) -> timedelta:
    """How long after its last failed try a message is tried again."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def due_for_retry(now: datetime) -> list[int]:
    """Messages not sent whose wait after their last failure is over, oldest first.

    A message never tried is left alone for a minute after it was queued: its own `send`
    task is about to take it.
    """
    waiting = OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    due = []
    for pk, attempts, tried, created in waiting.values_list(
        "pk", "attempts", "last_attempt_at", "created_at"
    ):
        since = tried if tried is not None else created
        if since + (wait_after(attempts) if attempts else FIRST_RETRY) <= now:
            due.append(pk)
    return due


@task()
def retry_due() -> int:
    """The worker's schedule runs this every minute: try again what is due; how many went."""
    return sum(deliver(pk) for pk in due_for_retry(timezone.now()))


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
                headers=email.headers,
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
            # Once gone, its text (names, links that sign people in) is not kept here, nor its
            # headers (an alert's List-Unsubscribe link works for as long as the alerts do).
            email.body = ""
            email.headers = {}
        changed = ["attempts", "last_attempt_at", "sent_at", "last_error", "body", "headers"]
        email.save(update_fields=changed)
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
