"""What the worker runs on its own, and how often (kernel/schedule.py; docs/operations.md).

It lives in the portal because it names every app's jobs.
"""

from __future__ import annotations

from datetime import timedelta

from adopters import tasks as adopters_tasks
from alerts import tasks as alerts_tasks
from catalogue import tasks as catalogue_tasks
from kernel import outbox
from kernel.schedule import Job, prune_task_results

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

SCHEDULE: list[Job] = [
    # Emails whose last try failed, each after its own back-off (kernel/outbox.py).
    Job("retry-email", MINUTE, outbox.retry_due),
    # Digests of alerts and follows: each is due daily or weekly, and looked at every hour.
    Job("send-alerts", HOUR, alerts_tasks.send_alerts, at=5 * MINUTE),
    # Alerts and follows nobody confirmed within a week, with their addresses.
    Job("purge-unconfirmed-alerts", DAY, alerts_tasks.purge_unconfirmed, at=3 * HOUR),
    # Registrations and accounts nobody confirmed, old queued emails, old failed sign-ins.
    Job("purge-unconfirmed", DAY, adopters_tasks.purge_unconfirmed, at=3 * HOUR),
    # Owners of entries due a review (never, or not for a year) asked to confirm or update them.
    Job("review-requests", DAY, catalogue_tasks.ask_for_reviews, at=9 * HOUR + 30 * MINUTE),
    # Adoptions exploring, planning or piloting asked how they are going (3 months, then 6).
    Job("follow-ups", DAY, adopters_tasks.send_follow_ups, at=9 * HOUR),
    # The queue's record of finished tasks, after a fortnight.
    Job("prune-task-results", DAY, prune_task_results, at=3 * HOUR + 30 * MINUTE),
]
