"""Users with a role and a territory; the audit trail of every state change."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    REGION = "region", "регион (министерство, РЦОКО)"
    MUNICIPALITY = "municipality", "муниципалитет (МОУО)"
    SCHOOL = "school", "школа (ОО)"
    CURATOR = "curator", "куратор"


class User(AbstractUser):
    role = models.CharField("роль", max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "territory.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name="регион"
    )
    municipality = models.ForeignKey(
        "territory.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="муниципалитет",
    )
    school = models.ForeignKey(
        "territory.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="школа",
    )
    curated_schools = models.ManyToManyField(
        "territory.School", blank=True, related_name="curators", verbose_name="курируемые школы"
    )

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def clean(self) -> None:
        super().clean()
        needs = {
            Role.REGION: ("region", "регион"),
            Role.MUNICIPALITY: ("municipality", "муниципалитет"),
            Role.SCHOOL: ("school", "школу"),
        }
        if self.role in needs:
            field, label = needs[Role(self.role)]
            if getattr(self, f"{field}_id") is None:
                raise ValidationError(
                    {field: f"Для роли «{self.get_role_display()}» укажите {label}."}
                )

    @property
    def territory_label(self) -> str:
        if self.is_superuser and not self.role:
            return "все территории"
        if self.role == Role.REGION and self.region:
            return str(self.region)
        if self.role == Role.MUNICIPALITY and self.municipality:
            return str(self.municipality)
        if self.role == Role.SCHOOL and self.school:
            return self.school.name
        if self.role == Role.CURATOR:
            return f"курируемые школы: {self.curated_schools.count()}"
        return "нет доступа"


class AuditEvent(models.Model):
    """Who changed what and when. Never holds personal data of students."""

    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="пользователь",
    )
    action = models.CharField("действие", max_length=100)
    object_type = models.CharField("тип объекта", max_length=100, blank=True)
    object_id = models.CharField("объект", max_length=100, blank=True)
    summary = models.TextField("описание", blank=True)
    details = models.JSONField("подробности", default=dict, blank=True)

    class Meta:
        verbose_name = "запись журнала"
        verbose_name_plural = "журнал изменений"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.action} {self.summary}"
