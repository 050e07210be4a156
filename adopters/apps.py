from django.apps import AppConfig


class AdoptersConfig(AppConfig):
    name = "adopters"
    verbose_name = "Adopters"

    def ready(self) -> None:
        # A changed password revokes the account's API tokens.
        from adopters import receivers  # noqa: F401
