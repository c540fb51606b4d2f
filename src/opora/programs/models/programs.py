"""A program at one of three levels with its passport, and the review trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Level(models.TextChoices):
    REGION = "region", "региональная программа"
    MUNICIPALITY = "municipality", "муниципальная (адресная) программа"
    SCHOOL = "school", "дорожная карта школы"


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", "черновик"
    SUBMITTED = "submitted", "на рассмотрении"
    RETURNED = "returned", "возвращена на доработку"
    APPROVED = "approved", "утверждена"
    SUPERSEDED = "superseded", "заменена новой редакцией"


EDITABLE_STATUSES = (ProgramStatus.DRAFT, ProgramStatus.RETURNED)


class Program(models.Model):
    """A regional program, a municipal (address) program or a school roadmap.

    A municipal program belongs to a regional one and a school roadmap to a municipal one
    (``parent``). An annual revision (актуализация) is a new row whose ``previous`` points to
    the version it replaces; the old version stays, marked superseded.
    """

    level = models.CharField("уровень", max_length=20, choices=Level.choices)
    name = models.CharField("наименование", max_length=500)
    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="programs", verbose_name="регион"
    )
    municipality = models.ForeignKey(
        "territory.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name="муниципалитет",
    )
    school = models.ForeignKey(
        "territory.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roadmaps",
        verbose_name="школа",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="вышестоящая программа",
    )
    order_number = models.CharField("номер приказа", max_length=100, blank=True)
    order_date = models.DateField("дата приказа", null=True, blank=True)
    order_url = models.URLField("ссылка на приказ", max_length=500, blank=True)
    period_start = models.DateField("начало реализации")
    period_end = models.DateField("окончание реализации")
    goal = models.TextField("цель", blank=True)
    tasks = models.TextField("задачи", blank=True)
    expected_results = models.TextField("ожидаемые результаты", blank=True)
    coordinator = models.CharField("координатор", max_length=500, blank=True)
    working_group = models.TextField("рабочая группа", blank=True)
    funding = models.TextField("финансовое обеспечение", blank=True)
    participants = models.ManyToManyField(
        "territory.School",
        blank=True,
        related_name="support_programs",
        verbose_name="школы-участники",
    )
    # The identification app will store approved runs; until then the link stays empty and
    # participants are chosen by hand.
    source_run_id = models.IntegerField("утверждённый расчёт выявления", null=True, blank=True)
    template_key = models.CharField("шаблон", max_length=100, blank=True)
    status = models.CharField(
        "статус", max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    version = models.PositiveSmallIntegerField("редакция", default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        verbose_name="предыдущая редакция",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="автор",
    )
    submitted_at = models.DateTimeField("направлена на рассмотрение", null=True, blank=True)
    approved_at = models.DateTimeField("утверждена", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="утвердил",
    )

    class Meta:
        verbose_name = "программа"
        verbose_name_plural = "программы"
        ordering = ["level", "name", "-version"]
        indexes = [
            models.Index(fields=["level", "status"]),
            models.Index(fields=["municipality", "level"]),
            models.Index(fields=["school", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def period_label(self) -> str:
        if self.period_start.year == self.period_end.year:
            return f"{self.period_start.year} г."
        return f"{self.period_start.year}–{self.period_end.year} гг."

    @property
    def owner_label(self) -> str:
        if self.level == Level.SCHOOL and self.school_id:
            return self.school.name
        if self.level == Level.MUNICIPALITY and self.municipality_id:
            return self.municipality.name
        return self.region.name


class CommentKind(models.TextChoices):
    COMMENT = "comment", "комментарий"
    SUBMIT = "submit", "направлена на рассмотрение"
    RETURN = "return", "возвращена на доработку"
    APPROVE = "approve", "утверждена"


class ReviewComment(models.Model):
    """A reviewer's or curator's remark; kept across returns and revisions."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="comments", verbose_name="программа"
    )
    activity = models.ForeignKey(
        "programs.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        verbose_name="мероприятие",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="автор"
    )
    kind = models.CharField("вид", max_length=20, choices=CommentKind.choices)
    text = models.TextField("текст", blank=True)
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "замечание"
        verbose_name_plural = "замечания"
        ordering = ["created_at", "id"]
