from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "opora.assessments"
    verbose_name = "Оценочные процедуры"
