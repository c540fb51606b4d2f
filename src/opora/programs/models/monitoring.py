"""Progress reports per monitoring period."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opora.programs.models.programs import Program


class ProgressReport(models.Model):
    """The owner's report for one monitoring period (a quarter, a half-year or a year)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="progress_reports", verbose_name="программа"
    )
    period_start = models.DateField("начало периода")
    period_end = models.DateField("конец периода")
    summary = models.TextField("итоги периода", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="представил"
    )
    submitted_at = models.DateTimeField("представлен", auto_now_add=True)

    class Meta:
        verbose_name = "отчёт о ходе реализации"
        verbose_name_plural = "отчёты о ходе реализации"
        ordering = ["program", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["program", "period_start"], name="report_unique_period")
        ]
