"""The kernel's tables: the outbox of emails waiting to be sent (kernel/outbox.py), the
single-use tokens that have been used (kernel/once.py), and the runs of the worker's
schedule (kernel/schedule.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class OutgoingEmail(models.Model):
    """An email the catalogue has to send, kept until it has gone.

    Rows are written in the same transaction as what they tell about, and sent after it commits;
    a failure is recorded on the row and `manage.py send_queued_email` tries again, so a broken
    mail server delays messages but never loses them (or the registration they confirm).
    """

    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Extra header lines, such as an alert's List-Unsubscribe and List-Unsubscribe-Post.
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(Lower("to"), name="outgoing_email_to_ci"),
            models.Index(
                "created_at", condition=Q(sent_at__isnull=True), name="outgoing_email_unsent"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(attempts__gt=0),
                name="outgoing_email_sent_after_attempt",
                violation_error_message="An email cannot be sent without an attempt.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"


class SpentToken(models.Model):
    """A single-use token that has been used, kept until it would be refused anyway.

    Only a digest of the token and its purpose is kept (kernel/once.py): enough to know it
    again, nothing to read.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "spent token"

    def __str__(self) -> str:
        return f"{self.digest[:12]}… until {self.expires_at:%Y-%m-%d %H:%M}"


class ScheduledRun(models.Model):
    """One run of a scheduled job, claimed by the first worker to reach it.

    A job's runs are named by the start of their period (`slot`): every worker that wakes in
    the period tries to record the run, and the primary key lets one of them, on whichever
    machine, queue the job (kernel/schedule.py).
    """

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "scheduled run"
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once"),
        ]
        indexes = [models.Index("queued_at", name="scheduled_run_queued_at")]

    def __str__(self) -> str:
        return f"{self.job} for {self.slot:%Y-%m-%d %H:%M}"
