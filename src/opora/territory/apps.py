from django.apps import AppConfig
from django.db.backends.signals import connection_created


class TerritoryConfig(AppConfig):
    name = "opora.territory"
    verbose_name = "Территории и школы"

    def ready(self) -> None:
        from opora.territory.sqlite_text import install

        connection_created.connect(install, dispatch_uid="opora-sqlite-unicode-like")
