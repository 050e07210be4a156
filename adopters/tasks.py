"""The adopters' jobs on the worker's schedule (portal/schedule.py)."""

from __future__ import annotations

from django_tasks import task

from adopters import services


@task()
def purge_unconfirmed() -> list[int]:
    """The daily purge (`manage.py purge_unconfirmed` runs the same): how many of each went."""
    return list(services.purge_unconfirmed())
