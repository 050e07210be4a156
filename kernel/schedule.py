"""The worker's schedule: jobs that run every so often, once per period whatever runs them.

A job is a task (django_tasks) and a period. `queue_due()` is what every worker calls while it
runs (`manage.py worker`, every few seconds): for each job it names the current period by its
start (`slot`) and records a `ScheduledRun` for it; the primary key lets exactly one caller
record it, on whichever machine, and that caller queues the task in the same transaction. A
worker that was down for a period does not run the periods it missed: the next period runs
the job, which looks at what is due itself (an alert's digest, a follow-up) rather than at how
often it is called.

Runs older than a fortnight are forgotten: only the current slot matters for claiming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from kernel.models import ScheduledRun

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday: weekly slots start on Thursdays
KEPT_FOR = timedelta(days=14)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    task: Task[[], Any]
    # Into the period, when it runs: a daily job at 06:00 rather than at midnight.
    at: timedelta = timedelta(0)

    def slot(self, now: datetime) -> datetime:
        """The start of the period `now` falls in (shifted by `at`)."""
        periods = (now - EPOCH - self.at) // self.every
        return EPOCH + self.at + periods * self.every


def queue_due(jobs: list[Job], now: datetime) -> list[str]:
    """Queue each job whose current period has not been run yet; the names of those queued."""
    queued = []
    for job in jobs:
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=job.slot(now))
                job.task.enqueue()
        except IntegrityError:
            continue  # another worker has it
        queued.append(job.name)
    ScheduledRun.objects.filter(slot__lt=now - KEPT_FOR).delete()
    return queued


@task()
def prune_task_results() -> int:
    """The queue's record of tasks finished a fortnight ago goes; how many rows went."""
    finished = DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - KEPT_FOR)
    deleted, _ = finished.delete()
    return deleted
