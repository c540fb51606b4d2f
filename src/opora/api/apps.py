from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "opora.api"
    verbose_name = "API"
