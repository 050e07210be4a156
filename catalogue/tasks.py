"""The catalogue's job on the worker's schedule (portal/schedule.py)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from catalogue import freshness


@task()
def ask_for_reviews() -> int:
    """Daily: owners of entries due a review asked to confirm or update them; how many emails."""
    return freshness.ask_owners_to_review(timezone.now()).emails
