"""Region → municipalities → schools."""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    name = models.CharField("наименование", max_length=200, unique=True)
    code = models.CharField("код", max_length=20, blank=True)

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name="регион"
    )
    name = models.CharField("наименование", max_length=200)

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Settlement(models.TextChoices):
    CITY = "город", "город"
    VILLAGE = "село", "село"


class School(models.Model):
    """A school (ОО). Never deleted: archived instead, so history stays intact."""

    code = models.CharField("код ОО", max_length=40, unique=True)
    name = models.CharField("наименование", max_length=500)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name="муниципалитет"
    )
    settlement = models.CharField("тип поселения", max_length=10, choices=Settlement.choices)
    students = models.PositiveIntegerField("обучающихся")
    kind = models.CharField("вид ОО", max_length=100, blank=True)
    distance_km = models.FloatField("расстояние до центра, км", null=True, blank=True)
    latitude = models.FloatField("широта", null=True, blank=True)
    longitude = models.FloatField("долгота", null=True, blank=True)
    is_archived = models.BooleanField("в архиве", default=False)

    class Meta:
        verbose_name = "школа"
        verbose_name_plural = "школы"
        ordering = ["code"]
        indexes = [models.Index(fields=["municipality", "is_archived"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
