from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "opora.territory"
    verbose_name = "Территории и школы"
