"""Roadmap sections, activities and their dated due points."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from opora.programs.models.programs import Program


class Section(models.Model):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="sections", verbose_name="программа"
    )
    number = models.CharField("номер", max_length=20, blank=True)
    title = models.TextField("наименование раздела")
    position = models.PositiveIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "раздел дорожной карты"
        verbose_name_plural = "разделы дорожной карты"
        ordering = ["program", "position", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Activity(models.Model):
    """One row of a roadmap table: the columns of the seed documents."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="activities", verbose_name="программа"
    )
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name="раздел",
    )
    number = models.CharField("№ п/п", max_length=20, blank=True)
    title = models.TextField("мероприятие")
    deadline = models.CharField("сроки", max_length=300)
    deadline_recognized = models.BooleanField("срок распознан", default=True)
    responsible = models.TextField("ответственные", blank=True)
    expected_result = models.TextField("ожидаемый результат", blank=True)
    quality_indicator = models.TextField("показатель оценки качества", blank=True)
    cause = models.CharField("причина низких результатов", max_length=40, blank=True)
    position = models.PositiveIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        ordering = ["program", "position", "id"]
        indexes = [models.Index(fields=["program", "cause"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title[:80]}".strip()


class PointStatus(models.TextChoices):
    PLANNED = "planned", "запланировано"
    IN_PROGRESS = "in_progress", "выполняется"
    DONE = "done", "выполнено"
    CANCELLED = "cancelled", "отменено"


OVERDUE_LABEL = "просрочено"
OPEN_STATUSES = (PointStatus.PLANNED, PointStatus.IN_PROGRESS)


def is_overdue(status: str, due_date: dt.date, today: dt.date) -> bool:
    """Overdue is computed, never typed: an open point whose date has passed."""
    return status in OPEN_STATUSES and due_date < today


class DuePoint(models.Model):
    """A dated point at which an activity must show a result."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="due_points", verbose_name="мероприятие"
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="due_points", verbose_name="программа"
    )
    due_date = models.DateField("срок")
    label = models.CharField("период", max_length=100, blank=True)
    status = models.CharField(
        "статус", max_length=20, choices=PointStatus.choices, default=PointStatus.PLANNED
    )
    completed_on = models.DateField("выполнено", null=True, blank=True)
    result_note = models.TextField("результат", blank=True)
    evidence_file = models.FileField(
        "подтверждающий документ", upload_to="programs/evidence/%Y/", blank=True
    )
    evidence_url = models.URLField("ссылка на подтверждение", max_length=500, blank=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="изменил",
    )

    class Meta:
        verbose_name = "контрольная точка"
        verbose_name_plural = "контрольные точки"
        ordering = ["activity", "due_date"]
        indexes = [
            models.Index(fields=["program", "due_date"]),
            models.Index(fields=["status", "due_date"]),
        ]

    def overdue(self, today: dt.date | None = None) -> bool:
        return is_overdue(self.status, self.due_date, today or dt.date.today())

    def status_label(self, today: dt.date | None = None) -> str:
        if self.overdue(today):
            return OVERDUE_LABEL
        return PointStatus(self.status).label

    def status_code(self, today: dt.date | None = None) -> str:
        return "overdue" if self.overdue(today) else self.status
