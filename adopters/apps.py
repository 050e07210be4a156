from django.apps import AppConfig


class AdoptersConfig(AppConfig):
    name = "adopters"
    verbose_name = "Adopters"
