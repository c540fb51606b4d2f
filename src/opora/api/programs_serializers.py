"""Read-only representations of support programs, roadmaps and indicators.

The status of a due point is computed on every read («просрочено» — `overdue` — is never
stored), so the serializers need ``today`` in their context.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opora.programs.models import (
    Activity,
    DuePoint,
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    IndicatorUnit,
    IndicatorValue,
    Level,
    PointStatus,
    Program,
    ProgramStatus,
    Section,
)
from opora.programs.models.indicators import IndicatorDirection
from opora.programs.models.roadmaps import OVERDUE_LABEL

POINT_STATUSES = [*PointStatus.choices, ("overdue", OVERDUE_LABEL)]
LIGHTS = [
    ("green", "достигнут"),
    ("yellow", "близок к цели (не менее 90 %)"),
    ("red", "не достигнут"),
    ("grey", "нет значения или цели"),
]


def _today(serializer: serializers.Serializer) -> dt.date:
    return serializer.context.get("today") or dt.date.today()


def _text(help_text: str, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=help_text, **kwargs)


def _id(help_text: str, **kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, help_text=help_text, **kwargs)


class DuePointSerializer(serializers.ModelSerializer):
    id = _id("Идентификатор контрольной точки.")
    due_date = serializers.DateField(
        read_only=True, help_text="Срок: дата, к которой мероприятие должно дать результат."
    )
    label = _text("Период, к которому относится точка («I полугодие 2021», «июль 2022» …).")
    status = serializers.SerializerMethodField(
        help_text="Статус на сегодня: `planned` — запланировано, `in_progress` — выполняется, "
        "`done` — выполнено, `cancelled` — отменено, `overdue` — просрочено (вычисляется: "
        "срок прошёл, а точка не выполнена и не отменена)."
    )
    status_label = serializers.SerializerMethodField(help_text="Статус по-русски.")
    completed_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Дата выполнения (для выполненных)."
    )
    on_time = serializers.SerializerMethodField(
        help_text="Выполнено в срок (не позже срока); пусто, если точка не выполнена."
    )
    result_note = _text("Описание достигнутого результата.")
    evidence_url = _text("Ссылка на подтверждающий документ; пустая строка, если её нет.")

    class Meta:
        model = DuePoint
        fields = [
            "id",
            "due_date",
            "label",
            "status",
            "status_label",
            "completed_on",
            "on_time",
            "result_note",
            "evidence_url",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=POINT_STATUSES))
    def get_status(self, point: DuePoint) -> str:
        return point.status_code(_today(self))

    @extend_schema_field(OpenApiTypes.STR)
    def get_status_label(self, point: DuePoint) -> str:
        return point.status_label(_today(self))

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_on_time(self, point: DuePoint) -> bool | None:
        if point.status != PointStatus.DONE or point.completed_on is None:
            return None
        return point.completed_on <= point.due_date


class ActivitySerializer(serializers.ModelSerializer):
    id = _id("Идентификатор мероприятия.")
    section_id = _id(
        "Раздел дорожной карты (см. `sections`); пусто, если вне раздела.", allow_null=True
    )
    number = _text("№ п/п, как в документе.")
    title = _text("Наименование мероприятия.")
    deadline = _text("Срок, как он записан в документе («ежегодно, июль», «2021-2023» …).")
    deadline_recognized = serializers.BooleanField(
        read_only=True,
        help_text="Срок распознан и разложен на контрольные точки; `false` — точек нет, срок "
        "нужно уточнить.",
    )
    responsible = _text("Ответственные исполнители.")
    expected_result = _text("Ожидаемый результат.")
    quality_indicator = _text("Показатель оценки качества.")
    cause = _text("Код причины низких результатов, на которую направлено мероприятие.")
    due_points = DuePointSerializer(
        many=True, read_only=True, help_text="Контрольные точки мероприятия по срокам."
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "section_id",
            "number",
            "title",
            "deadline",
            "deadline_recognized",
            "responsible",
            "expected_result",
            "quality_indicator",
            "cause",
            "due_points",
        ]


class SectionSerializer(serializers.ModelSerializer):
    id = _id("Идентификатор раздела.")
    number = _text("Номер раздела, как в документе.")
    title = _text("Наименование раздела.")

    class Meta:
        model = Section
        fields = ["id", "number", "title"]


class ProgramSerializer(serializers.ModelSerializer):
    id = _id("Идентификатор программы.")
    level = serializers.ChoiceField(
        choices=Level.choices,
        read_only=True,
        help_text="Уровень: `region` — региональная программа, `municipality` — муниципальная "
        "(адресная) программа, `school` — дорожная карта школы.",
    )
    name = _text("Наименование.")
    status = serializers.ChoiceField(
        choices=ProgramStatus.choices,
        read_only=True,
        help_text="Статус: `draft` — черновик, `submitted` — на рассмотрении, `returned` — "
        "возвращена на доработку, `approved` — утверждена, `superseded` — заменена новой "
        "редакцией.",
    )
    version = _id("Номер редакции (актуализации), начиная с 1.")
    region = _text("Наименование региона.", source="region.name")
    municipality_id = _id(
        "Идентификатор муниципалитета; пусто у региональной программы.", allow_null=True
    )
    municipality = _text(
        "Наименование муниципалитета; пусто у региональной программы.",
        source="municipality.name",
        allow_null=True,
    )
    school_id = _text(
        "Код ОО школы — только у дорожной карты школы.", source="school.code", allow_null=True
    )
    parent_id = _id(
        "Вышестоящая программа: муниципальная для дорожной карты, региональная для "
        "муниципальной; пусто, если не указана.",
        allow_null=True,
    )
    previous_id = _id("Предыдущая редакция; пусто у первой.", allow_null=True)
    period_start = serializers.DateField(read_only=True, help_text="Начало реализации.")
    period_end = serializers.DateField(read_only=True, help_text="Окончание реализации.")
    order_number = _text("Номер приказа об утверждении; пустая строка, если не указан.")
    order_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="Дата приказа об утверждении."
    )
    approved_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Когда утверждена в Опоре."
    )
    source_run_id = _id(
        "Утверждённый расчёт выявления ШНОР/ШНСУ, из которого взяты школы-участники.",
        allow_null=True,
    )
    participants = serializers.SerializerMethodField(
        help_text="Коды ОО школ-участников — только доступных пользователю."
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "level",
            "name",
            "status",
            "version",
            "region",
            "municipality_id",
            "municipality",
            "school_id",
            "parent_id",
            "previous_id",
            "period_start",
            "period_end",
            "order_number",
            "order_date",
            "approved_at",
            "source_run_id",
            "participants",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_participants(self, program: Program) -> list[str]:
        visible = getattr(program, "visible_participants", None)
        schools = visible if visible is not None else program.participants.all()
        return sorted(s.code for s in schools)


class ProgramDetailSerializer(ProgramSerializer):
    order_url = _text("Ссылка на приказ; пустая строка, если не указана.")
    goal = _text("Цель.")
    tasks = _text("Задачи.")
    expected_results = _text("Ожидаемые результаты.")
    coordinator = _text("Координатор.")
    working_group = _text("Рабочая группа.")
    funding = _text("Финансовое обеспечение.")
    sections = SectionSerializer(many=True, read_only=True, help_text="Разделы дорожной карты.")
    activities = ActivitySerializer(
        many=True,
        read_only=True,
        help_text="Мероприятия в порядке таблицы дорожной карты, с контрольными точками.",
    )

    class Meta(ProgramSerializer.Meta):
        fields = [
            *ProgramSerializer.Meta.fields,
            "order_url",
            "goal",
            "tasks",
            "expected_results",
            "coordinator",
            "working_group",
            "funding",
            "sections",
            "activities",
        ]


class TargetSerializer(serializers.ModelSerializer):
    year = _id("Год.")
    value = serializers.FloatField(read_only=True, help_text="Целевое значение.")
    label = _text("Цель, как она записана в документе.")

    class Meta:
        model = IndicatorTarget
        fields = ["year", "value", "label"]


class ReportedValueSerializer(serializers.ModelSerializer):
    year = _id("Год.")
    municipality_id = _id(
        "Муниципалитет, за который внесено значение; пусто — значение по программе в целом.",
        allow_null=True,
    )
    value = serializers.FloatField(read_only=True, help_text="Значение.")
    evidence_url = _text("Ссылка на подтверждение; пустая строка, если её нет.")
    note = _text("Комментарий внёсшего значение (источник, пояснения).")

    class Meta:
        model = IndicatorValue
        fields = ["year", "municipality_id", "value", "evidence_url", "note"]


class IndicatorSerializer(serializers.ModelSerializer):
    id = _id("Идентификатор показателя.")
    program_id = _id("Программа, к которой относится показатель.")
    code = _text("Номер показателя в программе («8.2», «M1» …).")
    group = _text("Направление (группа показателей).")
    name = _text("Наименование.")
    unit = serializers.ChoiceField(
        choices=IndicatorUnit.choices,
        read_only=True,
        help_text="Единица: `percent` — проценты (0–100), `count` — количество, `boolean` — "
        "да (1) / нет (0), `level` — уровень из списка `levels` (0 — лучший).",
    )
    direction = serializers.ChoiceField(
        choices=IndicatorDirection.choices,
        read_only=True,
        help_text="`up` — цель «не менее», `down` — цель «не более».",
    )
    source = serializers.ChoiceField(
        choices=IndicatorSource.choices,
        read_only=True,
        help_text="`computed` — рассчитывается Опорой по данным, `reported` — вносится "
        "ответственным с подтверждением.",
    )
    computation = _text("Способ расчёта (для рассчитываемых), например `on_time_share`.")
    levels = serializers.SerializerMethodField(
        help_text="Уровни показателя-уровня от лучшего к худшему; пустой список для остальных."
    )
    baseline = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Базовое значение."
    )
    baseline_year = _id("Год базового значения.", allow_null=True)
    targets = TargetSerializer(many=True, read_only=True, help_text="Целевые значения по годам.")
    reported = serializers.SerializerMethodField(
        help_text="Внесённые значения (для вносимых показателей): по программе в целом и по "
        "доступным пользователю муниципалитетам."
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "program_id",
            "code",
            "group",
            "name",
            "unit",
            "direction",
            "source",
            "computation",
            "levels",
            "baseline",
            "baseline_year",
            "targets",
            "reported",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_levels(self, indicator: Indicator) -> list[str]:
        return indicator.levels.splitlines() if indicator.levels else []

    @extend_schema_field(ReportedValueSerializer(many=True))
    def get_reported(self, indicator: Indicator) -> list[dict[str, Any]]:
        values = getattr(indicator, "visible_values", None)
        if values is None:
            values = indicator.values.filter(municipality__isnull=True)
        ordered = sorted(values, key=lambda v: (v.year, v.municipality_id or 0))
        return ReportedValueSerializer(ordered, many=True).data


class AchievementSerializer(serializers.Serializer):
    year = _id("Год.")
    value = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Значение по программе в целом: рассчитанное Опорой или внесённое; пусто, "
        "если данных нет.",
    )
    numerator = _id("Для рассчитываемых долей: сколько школ (точек) учтено.", allow_null=True)
    denominator = _id("Для рассчитываемых долей: из скольких.", allow_null=True)
    target = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Целевое значение на этот год."
    )
    light = serializers.ChoiceField(
        choices=LIGHTS,
        read_only=True,
        help_text="Светофор: `green` — цель достигнута, `yellow` — близко (не менее 90 % цели), "
        "`red` — не достигнута, `grey` — нет значения или цели.",
    )


class IndicatorDetailSerializer(IndicatorSerializer):
    achievement = AchievementSerializer(
        many=True,
        read_only=True,
        help_text="Достижение по годам программы — те же цифры, что на странице показателей.",
    )

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "achievement"]
