"""Shared fixtures: one user per access level (STYLE.md), and a fresh API-less client each."""

import pytest

from tests.factories import InnovationFactory, UserFactory


@pytest.fixture
def curator(db):
    """Staff who curate the catalogue: can use the admin and see drafts."""
    return UserFactory(username="curator", is_staff=True, is_superuser=True)


@pytest.fixture
def innovator(db):
    """An innovator who owns one draft innovation."""
    return UserFactory(username="innovator")


@pytest.fixture
def other_innovator(db):
    return UserFactory(username="other-innovator")


@pytest.fixture
def own_draft(innovator):
    innovation = InnovationFactory(draft=True, title="My draft idea")
    innovation.owners.add(innovator)
    return innovation


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """A fast hasher: the real one is slow on purpose, and tests make hundreds of passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Each task runs as it is queued, in the test's own process: an email a request queues is
    in `mail.outbox` when the transaction commits. tests/kernel/test_worker.py sets the database
    queue back, and runs real workers."""
    settings.TASKS_BACKEND = "immediate"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _api_limits(settings):
    """Each test starts with empty throttle counters and limits it will not reach by accident;
    tests of throttling set their own rates."""
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """The static files collected once, as production collects them (whitenoise's compressed
    manifest storage, which refuses a reference to a file that does not exist)."""
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", "--no-input", verbosity=0)
    return root
