from django.apps import AppConfig


class KernelConfig(AppConfig):
    """What every app builds on: paging, the API's shape, CSV cells, slugs, the audit history's
    admin, form and layout template tags, and the outbox of emails (docs/architecture.md)."""

    name = "kernel"
    verbose_name = "Email outbox"

    def ready(self) -> None:
        # The deployment checks of the project's own settings (`check --deploy`).
        # Counts failed sign-ins per network address (Django's user_login_failed).
        from kernel import (
            mail,  # noqa: F401
            sign_in_pace,  # noqa: F401
        )
