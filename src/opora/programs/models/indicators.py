"""Target indicators with yearly targets and reported values."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opora.programs.models.programs import Program


class IndicatorUnit(models.TextChoices):
    PERCENT = "percent", "%"
    COUNT = "count", "количество"
    BOOLEAN = "boolean", "да/нет"
    LEVEL = "level", "уровень"


class IndicatorDirection(models.TextChoices):
    UP = "up", "не менее"
    DOWN = "down", "не более"


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", "рассчитывается по данным"
    REPORTED = "reported", "вносится ответственным с подтверждением"


class Indicator(models.Model):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="indicators", verbose_name="программа"
    )
    code = models.CharField("код", max_length=40)
    group = models.CharField("направление", max_length=500, blank=True)
    name = models.TextField("наименование")
    unit = models.CharField("единица", max_length=20, choices=IndicatorUnit.choices)
    direction = models.CharField(
        "направление изменения",
        max_length=10,
        choices=IndicatorDirection.choices,
        default=IndicatorDirection.UP,
    )
    baseline = models.FloatField("базовое значение", null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField("год базового значения", null=True, blank=True)
    source = models.CharField("источник", max_length=20, choices=IndicatorSource.choices)
    computation = models.CharField("способ расчёта", max_length=60, blank=True)
    levels = models.TextField("уровни (для показателя-уровня), по одному в строке", blank=True)
    position = models.PositiveIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "показатель"
        verbose_name_plural = "показатели"
        ordering = ["program", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="indicator_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name="показатель"
    )
    year = models.PositiveSmallIntegerField("год")
    value = models.FloatField("целевое значение")
    label = models.CharField("как в документе", max_length=200, blank=True)

    class Meta:
        verbose_name = "целевое значение"
        verbose_name_plural = "целевые значения"
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_unique_year")
        ]


class IndicatorValue(models.Model):
    """A value reported by a person, with evidence (for indicators that are not computed)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name="показатель"
    )
    year = models.PositiveSmallIntegerField("год")
    municipality = models.ForeignKey(
        "territory.Municipality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name="муниципалитет",
    )
    value = models.FloatField("значение")
    evidence_url = models.URLField("ссылка на подтверждение", max_length=500, blank=True)
    evidence_file = models.FileField(
        "подтверждающий документ", upload_to="programs/indicators/%Y/", blank=True
    )
    note = models.TextField("комментарий", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="внёс"
    )
    reported_at = models.DateTimeField("внесено", auto_now=True)

    class Meta:
        verbose_name = "значение показателя"
        verbose_name_plural = "значения показателей"
        # One value per indicator, year and municipality (none = the whole program); kept
        # unique by the service because NULLs are distinct in SQL unique constraints.
        indexes = [models.Index(fields=["indicator", "year"])]
