"""The yearly analysis of causes of low results of one school."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CauseAnalysis(models.Model):
    school = models.ForeignKey(
        "territory.School",
        on_delete=models.CASCADE,
        related_name="cause_analyses",
        verbose_name="школа",
    )
    year = models.PositiveSmallIntegerField("год")
    summary = models.TextField("выводы", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="изменил"
    )
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "анализ причин низких результатов"
        verbose_name_plural = "анализы причин низких результатов"
        ordering = ["school", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="cause_analysis_unique")
        ]


class CauseRating(models.Model):
    """How strongly one cause (a code of opora.programs.causes.CAUSES) acts in the school."""

    analysis = models.ForeignKey(
        CauseAnalysis, on_delete=models.CASCADE, related_name="ratings", verbose_name="анализ"
    )
    cause = models.CharField("причина", max_length=40)
    rating = models.PositiveSmallIntegerField("выраженность", default=0)
    evidence = models.TextField("обоснование", blank=True)
    prefilled = models.TextField("что показывают данные", blank=True)

    class Meta:
        verbose_name = "оценка причины"
        verbose_name_plural = "оценки причин"
        constraints = [
            models.UniqueConstraint(fields=["analysis", "cause"], name="cause_rating_unique")
        ]
