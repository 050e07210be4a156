"""Emails people asked for: new innovations matching a saved search (`Alert`), and news of an
innovation they follow (`Watch`). Both need the address confirmed (double opt-in) before
anything but the confirmation is sent, and both go in one digest per mailbox
(alerts/services.py; docs/alerts.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from catalogue.models import Innovation
from kernel.text import single_line


def address_key(email: str) -> str:
    """An address as alerts know it: as typed, in lower case. Not its mailbox
    (kernel.mailboxes, which leaves out a +tag): that counts requests, but on most mail
    servers name+tag@ is not name@, so it must not decide who gets whose alerts."""
    return email.strip().lower()


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class Subscription(models.Model):
    """What alerts and follows share: who, how often, since when."""

    email = models.EmailField(validators=[single_line])
    # The address in lower case (address_key): one digest per address, one alert per search.
    address = models.CharField(max_length=254, editable=False)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    # When it was asked for (again, for one not confirmed yet): unconfirmed ones are deleted
    # CONFIRM_DAYS after (alerts.services.purge_unconfirmed).
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # What happened up to this moment has been looked at for a digest; the next one starts here.
    covered_until = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        self.address = address_key(self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class Alert(Subscription):
    """A saved search: emails about innovations newly published, or newly adopted, that it
    finds."""

    # The search's query string, as normalised by alerts.services.normalised_query.
    query = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["address", "query"], name="alert_once_per_search"),
            models.CheckConstraint(
                condition=Q(frequency__in=["daily", "weekly"]), name="alert_frequency_known"
            ),
        ]
        indexes = [models.Index("confirmed_at", name="alert_confirmed")]

    def __str__(self) -> str:
        return f"{self.query or 'every new innovation'} for {self.email}"


class Watch(Subscription):
    """An innovation someone follows: its new adoptions, reach figures and resources, and
    changes of its stage or evidence level."""

    innovation = models.ForeignKey(Innovation, on_delete=models.CASCADE, related_name="watches")

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "watches"
        constraints = [
            models.UniqueConstraint(
                fields=["address", "innovation"], name="watch_once_per_innovation"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["daily", "weekly"]), name="watch_frequency_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.innovation} followed by {self.email}"
