"""The task worker and its schedule (kernel/schedule.py, kernel/outbox.py, `manage.py worker`).

Most tests run tasks as they are queued (tests/conftest.py); the last ones put the database
queue back and start real workers, in processes of their own, against the test's database.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from kernel import outbox
from kernel.models import OutgoingEmail, ScheduledRun
from kernel.schedule import Job, queue_due
from portal.schedule import SCHEDULE
from tests.processes import ROOT, database_url, manage

CALLS: list[str] = []


@task()
def note_a_call() -> None:
    CALLS.append("called")


@pytest.fixture
def calls():
    CALLS.clear()
    yield CALLS
    CALLS.clear()


HOURLY = Job("test-hourly", timedelta(hours=1), note_a_call)
DAILY_AT_THREE = Job("test-daily", timedelta(days=1), note_a_call, at=timedelta(hours=3))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_period_is_named_by_its_start():
    assert HOURLY.slot(at("2026-12-07 10:59:59")) == at("2026-12-07 10:00")
    assert HOURLY.slot(at("2026-12-07 11:00:00")) == at("2026-12-07 11:00")
    assert DAILY_AT_THREE.slot(at("2026-12-07 02:59")) == at("2026-12-06 03:00")
    assert DAILY_AT_THREE.slot(at("2026-12-07 03:00")) == at("2026-12-07 03:00")
    weekly = Job("test-weekly", timedelta(weeks=1), note_a_call)
    assert weekly.slot(at("2026-12-09 12:00")) == at("2026-12-03 00:00")  # a Thursday


def test_a_job_runs_once_in_each_period_however_often_it_is_asked(db, calls):
    assert queue_due([HOURLY], at("2026-12-07 10:05")) == ["test-hourly"]
    assert queue_due([HOURLY], at("2026-12-07 10:05")) == []
    assert queue_due([HOURLY], at("2026-12-07 10:59")) == []
    assert calls == ["called"]

    assert queue_due([HOURLY], at("2026-12-07 11:00")) == ["test-hourly"]
    assert calls == ["called", "called"]
    assert ScheduledRun.objects.filter(job="test-hourly").count() == 2


def test_the_schedules_record_forgets_old_runs(db, calls):
    queue_due([HOURLY], at("2026-11-01 10:00"))
    queue_due([HOURLY], at("2026-12-07 10:00"))
    assert list(ScheduledRun.objects.values_list("slot", flat=True)) == [at("2026-12-07 10:00")]


# --- The outbox's retries


def test_each_failure_doubles_the_wait_up_to_six_hours():
    waits = [outbox.wait_after(attempts) for attempts in range(1, 12)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=6)
    assert waits == sorted(waits)


def test_a_message_is_tried_again_only_when_its_wait_is_over(db):
    now = timezone.now()

    def waiting(**fields):
        return OutgoingEmail.objects.create(to="a@example.org", subject="s", body="b", **fields)

    failed_once_long_ago = waiting(attempts=1, last_attempt_at=now - timedelta(minutes=2))
    failed_once_just_now = waiting(attempts=1, last_attempt_at=now - timedelta(seconds=30))
    failed_thrice = waiting(attempts=3, last_attempt_at=now - timedelta(minutes=3))  # waits 4
    given_up = waiting(attempts=outbox.MAX_ATTEMPTS, last_attempt_at=now - timedelta(days=2))
    just_queued = waiting()  # its own task is about to take it

    assert outbox.due_for_retry(now) == [failed_once_long_ago.pk]
    later = now + timedelta(minutes=2)
    assert set(outbox.due_for_retry(later)) == {
        failed_once_long_ago.pk,
        failed_once_just_now.pk,
        failed_thrice.pk,
        just_queued.pk,
    }
    assert given_up.pk not in outbox.due_for_retry(now + timedelta(days=30))


def test_the_retry_job_sends_what_is_due_and_records_it(db):
    email = OutgoingEmail.objects.create(
        to="a@example.org",
        subject="Tried before",
        body="Hello",
        attempts=1,
        last_attempt_at=timezone.now() - timedelta(minutes=5),
        last_error="SMTPServerDisconnected",
    )

    assert outbox.retry_due.call() == 1

    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 2
    assert email.last_error == ""
    assert [m.subject for m in mail.outbox] == ["Tried before"]


def test_extra_headers_go_with_the_message_on_one_line(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue(
            "a@example.org",
            "Digest",
            "Body",
            headers={"List-Unsubscribe": "<https://example.org/u/1>\r\nBcc: x@example.org"},
        )

    (message,) = mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe == "<https://example.org/u/1> Bcc: x@example.org"
    assert "Bcc" not in message.message()


# --- Real workers


def test_the_worker_says_so_when_tasks_run_at_once(db):
    result = manage("worker", "--batch", TASKS_BACKEND="immediate", DEBUG="1")

    assert result.returncode != 0
    assert "TASKS_BACKEND is 'immediate'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def database_queue(settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def worker_environment() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "DEBUG": "1",  # emails are printed (kernel.mail.ConsoleBackend): the test reads them
        "EMAIL_HOST": "",
    }


SUBJECT = re.compile(r"^Subject: (Message \d+)$", re.MULTILINE)


@pytest.mark.django_db(transaction=True)
def test_a_queued_email_waits_for_a_worker_and_then_goes_once(database_queue):
    with transaction.atomic():
        outbox.queue("a@example.org", "Message 1", "Hello")
    assert mail.outbox == []  # queued, not sent by the process that queued it

    result = manage("worker", "--batch", **worker_environment())

    assert result.returncode == 0, result.stderr
    assert SUBJECT.findall(result.stdout) == ["Message 1"]
    # The batch also ran every scheduled job once (portal/schedule.py), each without an error.
    ran = dict(DBTaskResult.objects.values_list("task_path", "status"))
    assert set(ran) >= {"kernel.outbox.send", *(job.task.module_path for job in SCHEDULE)}
    assert set(ran.values()) == {"SUCCESSFUL"}, ran
    assert OutgoingEmail.objects.get().sent_at is not None
    again = manage("worker", "--batch", **worker_environment())
    assert SUBJECT.findall(again.stdout) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_email_once(database_queue):
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.05"],
            cwd=ROOT,
            env=worker_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        # Both workers up (each has claimed or skipped this period's scheduled jobs).
        deadline = time.monotonic() + 60
        while ScheduledRun.objects.filter(job="retry-email").count() < 1:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
        time.sleep(1.5)

        count = 60
        with transaction.atomic():
            for number in range(count):
                outbox.queue(f"person{number}@example.org", f"Message {number}", "Hello")

        while OutgoingEmail.objects.filter(sent_at__isnull=True).exists():
            assert time.monotonic() < deadline + 60, "the emails were not all sent"
            time.sleep(0.1)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=30) for worker in workers]

    sent = [SUBJECT.findall(stdout) for stdout, _ in outputs]
    everything = sorted(sent[0] + sent[1], key=lambda s: int(s.split()[1]))
    assert everything == [f"Message {number}" for number in range(count)]  # each once
    assert all(sent), "both workers took a share"
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}
    assert all(worker.returncode == 0 for worker in workers), [err for _, err in outputs]


def test_curators_see_the_emails_given_up_on(admin_client):
    now = timezone.now()
    OutgoingEmail.objects.create(
        to="a@example.org", subject="Went", body="", sent_at=now, attempts=1
    )
    OutgoingEmail.objects.create(to="b@example.org", subject="Trying", body="b", attempts=2)
    OutgoingEmail.objects.create(
        to="c@example.org", subject="Gave up", body="c", attempts=outbox.MAX_ATTEMPTS
    )

    def listed(delivery: str) -> list[str]:
        page = admin_client.get(f"/admin/kernel/outgoingemail/?delivery={delivery}")
        return [email.subject for email in page.context["cl"].result_list]

    assert listed("sent") == ["Went"]
    assert listed("trying") == ["Trying"]
    assert listed("given-up") == ["Gave up"]
