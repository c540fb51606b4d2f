from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    name = "opora.assessments"
    verbose_name = "Оценочные процедуры"

    def ready(self) -> None:
        from opora.assessments.catalogue import _after_migrate

        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="opora-default-procedures")
