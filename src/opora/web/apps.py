from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "opora.web"
    verbose_name = "Интерфейс"
