from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The layer above the apps: the pages, API endpoints, admin pages, catalogue file and
    personal-data tools that show or change what several apps hold (docs/architecture.md)."""

    name = "portal"
    verbose_name = "Portal"
