from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "opora.identification"
    verbose_name = "Идентификация"
