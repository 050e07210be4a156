from django.apps import AppConfig


class AdoptersConfig(AppConfig):
    name = "adopters"
    verbose_name = "Adopters"

    def ready(self) -> None:
        # A changed password revokes the account's API tokens.
        from adopters import receivers  # noqa: F401
        from catalogue.search import CHANGED_SINCE

        # An adoption is part of its innovation's public record: `modified_since` finds an
        # innovation whose adoptions were recorded or changed since.
        adoptions = "SELECT innovation_id FROM adopters_adoption WHERE updated_at >= %s"
        if adoptions not in CHANGED_SINCE:
            CHANGED_SINCE.append(adoptions)
