"""The alerts' job on the worker's schedule (portal/schedule.py)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from alerts import services


@task()
def send_alerts() -> int:
    """Every hour: the digests that are due (each alert or follow is due daily or weekly);
    how many were sent."""
    return services.send_digests().sent


@task()
def purge_unconfirmed() -> int:
    """Daily: alerts and follows nobody confirmed within a week go, with their addresses."""
    return services.purge_unconfirmed(timezone.now())
