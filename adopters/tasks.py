"""The adopters' jobs on the worker's schedule (portal/schedule.py)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from adopters import follow_ups, services


@task()
def purge_unconfirmed() -> list[int]:
    """The daily purge (`manage.py purge_unconfirmed` runs the same): how many of each went."""
    return list(services.purge_unconfirmed())


@task()
def send_follow_ups() -> int:
    """Daily: ask how adoptions still on their way are going (adopters/follow_ups.py)."""
    return follow_ups.send_follow_ups(timezone.now())
