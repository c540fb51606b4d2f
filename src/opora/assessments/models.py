"""Assessment procedures and subjects as data; aggregated and student-level results; context."""

from __future__ import annotations

from django.db import models

from opora import factors
from opora.territory.models import School


class Scoring(models.TextChoices):
    GRADED = "graded", "отметки «2»–«5»"
    THRESHOLD = "threshold", "минимальный порог (баллы)"


class Procedure(models.Model):
    name = models.CharField("наименование", max_length=100, unique=True)
    full_name = models.CharField("полное наименование", max_length=300, blank=True)
    scoring = models.CharField("оценивание", max_length=20, choices=Scoring.choices)

    class Meta:
        verbose_name = "оценочная процедура"
        verbose_name_plural = "оценочные процедуры"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    name = models.CharField("наименование", max_length=200, unique=True)

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Result(models.Model):
    """Aggregated results of one school × year × procedure × subject × grade."""

    # The composite unique constraint leads with school: a separate FK index only slows writes.
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    year = models.PositiveSmallIntegerField("год")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, verbose_name="процедура")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name="предмет")
    grade = models.PositiveSmallIntegerField("класс")
    participants = models.PositiveIntegerField("участников")
    mark_2 = models.PositiveIntegerField("отметка «2»", null=True, blank=True)
    mark_3 = models.PositiveIntegerField("отметка «3»", null=True, blank=True)
    mark_4 = models.PositiveIntegerField("отметка «4»", null=True, blank=True)
    mark_5 = models.PositiveIntegerField("отметка «5»", null=True, blank=True)
    below_min = models.PositiveIntegerField("ниже минимального порога", null=True, blank=True)
    mean_score = models.FloatField("средний балл", null=True, blank=True)

    class Meta:
        verbose_name = "результат"
        verbose_name_plural = "результаты"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "procedure", "subject", "grade"],
                name="result_unique_cell",
            )
        ]
        indexes = [models.Index(fields=["year", "procedure"])]

    @property
    def failures(self) -> int | None:
        return self.below_min if self.mark_2 is None else self.mark_2

    @property
    def failure_share(self) -> float | None:
        failures = self.failures
        if failures is None or not self.participants:
            return None
        return failures / self.participants


class StudentResult(models.Model):
    """One pseudonymous student's result. Never holds a name."""

    student_id = models.CharField("код обучающегося", max_length=64)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="student_results", db_index=False
    )
    year = models.PositiveSmallIntegerField("год")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, verbose_name="процедура")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name="предмет")
    grade = models.PositiveSmallIntegerField("класс")
    mark = models.PositiveSmallIntegerField("отметка", null=True, blank=True)
    score = models.FloatField("балл", null=True, blank=True)
    journal_mark = models.PositiveSmallIntegerField("отметка в журнале", null=True, blank=True)

    class Meta:
        verbose_name = "результат обучающегося"
        verbose_name_plural = "результаты обучающихся"
        constraints = [
            models.UniqueConstraint(
                fields=["student_id", "year", "procedure", "subject", "grade"],
                name="student_result_unique",
            )
        ]
        indexes = [models.Index(fields=["school", "year"])]


CONTEXT_FACTORS: tuple[str, ...] = factors.CODES


class SchoolContext(models.Model):
    """Social conditions of a school in a year (percentages of its students)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="contexts")
    year = models.PositiveSmallIntegerField("год")
    large_families = models.FloatField("из многодетных семей, %", null=True, blank=True)
    non_native_russian = models.FloatField("русский язык не родной, %", null=True, blank=True)
    parent_higher_education = models.FloatField(
        "хотя бы один родитель с высшим образованием, %", null=True, blank=True
    )
    both_parents_higher_education = models.FloatField(
        "оба родителя с высшим образованием, %", null=True, blank=True
    )
    both_parents_unemployed = models.FloatField(
        "оба родителя безработные, %", null=True, blank=True
    )
    parent_disabled = models.FloatField("хотя бы один родитель — инвалид, %", null=True, blank=True)
    foster_care = models.FloatField("из приёмных семей, под опекой, %", null=True, blank=True)
    families_in_danger = models.FloatField(
        "из семей в социально опасном положении, %", null=True, blank=True
    )
    juvenile_commission = models.FloatField("на учёте в КДН, %", null=True, blank=True)
    low_income = models.FloatField("из малоимущих семей, %", null=True, blank=True)
    special_needs = models.FloatField("обучающиеся с ОВЗ и дети-инвалиды, %", null=True, blank=True)
    social_index = models.FloatField("индекс социального неблагополучия", null=True, blank=True)

    class Meta:
        verbose_name = "социальный контекст"
        verbose_name_plural = "социальный контекст"
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="context_unique_school_year")
        ]
