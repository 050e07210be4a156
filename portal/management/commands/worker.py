"""`manage.py worker`: the task worker and its schedule, until stopped (docs/operations.md).

The worker is django-tasks' database worker (`db_worker`): it takes one queued task at a time,
locking its row so that no other worker, on this machine or another, runs it too. Beside it a
thread wakes every few seconds and queues the scheduled jobs whose time has come
(portal/schedule.py), each once per period however many workers run.

`--batch` queues what is due now, runs every task that is ready, and exits: for cron, or for a
test that waits for an email.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from kernel.schedule import queue_due
from portal.schedule import SCHEDULE

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the task worker and its schedule until stopped (--batch: what is due, then exit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Queue the scheduled jobs that are due, run every ready task, then exit.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between looks at the queue when it is empty (default 1).",
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=15.0,
            help="Seconds between looks at the schedule (default 15).",
        )

    def handle(self, *args: Any, batch: bool, interval: float, tick: float, **options: Any) -> None:
        if settings.TASKS_BACKEND != "database":
            raise CommandError(
                "TASKS_BACKEND is 'immediate': every task runs when it is queued, so there is "
                "nothing for a worker to take. Unset it (or set it to 'database') to use one."
            )
        if batch:
            self._queue_due()
            call_command(
                "db_worker", batch=True, interval=interval, startup_delay=False, reload=False
            )
            return
        stop = threading.Event()
        scheduler = threading.Thread(
            target=self._keep_time, args=(stop, tick), name="schedule", daemon=True
        )
        scheduler.start()
        try:
            # Not its autoreloader: it would start a second process, with a second schedule.
            call_command("db_worker", interval=interval, reload=False)
        finally:
            stop.set()

    def _queue_due(self) -> None:
        queued = queue_due(SCHEDULE, timezone.now())
        if queued:
            logger.info("Queued scheduled jobs: %s", ", ".join(queued))

    def _keep_time(self, stop: threading.Event, tick: float) -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                self._queue_due()
            except Exception:  # a database away for a moment: the next tick tries again
                logger.exception("Could not queue the scheduled jobs")
            stop.wait(tick)
        connection.close()
