from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = "Learning networks"

    def ready(self) -> None:
        # Networks follow the catalogue and the adopters through the signals those apps offer.
        from networks import receivers  # noqa: F401
