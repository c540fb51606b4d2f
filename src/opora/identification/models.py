"""Stored identification runs and the verdict of every school in a run.

A run keeps everything needed to reproduce and audit it: the methodology text as given, the
SHA-256 of the input tables, who ran it and when, the window years and a summary (counts per
category, the fitted context model, warnings). The region approves a run by an order; the
latest approved run of a region is the list later programs use.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from opora.analytics.verdicts import CATEGORY_LABELS, CATEGORY_ORDER
from opora.territory.models import Region, School


class RunStatus(models.TextChoices):
    DRAFT = "draft", "черновик"
    APPROVED = "approved", "утверждён"


class IdentificationRun(models.Model):
    """One run of a methodology over the stored data of a region (расчёт идентификации)."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="identification_runs",
        verbose_name="регион",
    )
    methodology_name = models.CharField("методика", max_length=500)
    methodology_source = models.CharField("источник методики", max_length=200, blank=True)
    methodology_text = models.TextField("текст методики")
    input_checksum = models.CharField("контрольная сумма входных данных", max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="запустил",
    )
    created_at = models.DateTimeField("запущен", auto_now_add=True)
    window_years = models.JSONField("годы окна", default=list)
    status = models.CharField(
        "статус", max_length=20, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="утвердил",
    )
    approved_at = models.DateTimeField("утверждён", null=True, blank=True)
    order_number = models.CharField("номер приказа", max_length=100, blank=True)
    order_date = models.DateField("дата приказа", null=True, blank=True)
    summary = models.JSONField("сводка", default=dict, blank=True)

    class Meta:
        verbose_name = "расчёт идентификации"
        verbose_name_plural = "расчёты идентификации"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "status", "approved_at"])]

    def __str__(self) -> str:
        return f"Расчёт № {self.pk} от {self.created_at:%d.%m.%Y %H:%M}"

    @property
    def is_approved(self) -> bool:
        return self.status == RunStatus.APPROVED

    @property
    def window_label(self) -> str:
        years = [int(y) for y in self.window_years or []]
        return ", ".join(str(y) for y in sorted(years)) or "—"

    @property
    def counts(self) -> dict[str, int]:
        """Schools per category code over the whole region, in the order of the categories."""
        stored = (self.summary or {}).get("counts", {})
        return {code: int(stored.get(code, 0)) for code in CATEGORY_ORDER}

    @property
    def order_label(self) -> str:
        if not self.is_approved:
            return ""
        date = f" от {self.order_date:%d.%m.%Y}" if self.order_date else ""
        return f"приказ № {self.order_number}{date}"


class Verdict(models.Model):
    """The categories of one school in one run, with the figures and the reasons in words."""

    run = models.ForeignKey(
        IdentificationRun,
        on_delete=models.CASCADE,
        related_name="verdicts",
        verbose_name="расчёт",
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="verdicts", verbose_name="школа"
    )
    categories = models.CharField("категории", max_length=200, blank=True)
    status = models.CharField("статус оценки", max_length=100, blank=True)
    context_index = models.FloatField("индекс социального неблагополучия", null=True, blank=True)
    expected_share = models.FloatField("ожидаемая доля неуспевающих", null=True, blank=True)
    actual_share = models.FloatField("доля неуспевающих", null=True, blank=True)
    contribution = models.FloatField("вклад ОО", null=True, blank=True)
    contribution_lo = models.FloatField("вклад ОО: нижняя граница", null=True, blank=True)
    contribution_hi = models.FloatField("вклад ОО: верхняя граница", null=True, blank=True)
    shrunk_share = models.FloatField(
        "доля неуспевающих с поправкой на число участников", null=True, blank=True
    )
    reasons = models.JSONField("основания", default=list, blank=True)
    evidence = models.JSONField("данные", default=dict, blank=True)

    class Meta:
        verbose_name = "вердикт"
        verbose_name_plural = "вердикты"
        ordering = ["run", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "school"], name="verdict_unique_school")
        ]

    def __str__(self) -> str:
        return f"{self.school.code}: {self.category_labels or 'без категорий'}"

    @property
    def codes(self) -> list[str]:
        return [code for code in self.categories.split(";") if code]

    @property
    def category_labels(self) -> str:
        return "; ".join(CATEGORY_LABELS.get(code, code) for code in self.codes)

    def has(self, code: str) -> bool:
        return code in self.codes
