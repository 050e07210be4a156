from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        # The deployment checks of the project's own settings (`check --deploy`).
        from config import mail  # noqa: F401
