"""Read-only API of support programs: passports, roadmaps with due points, indicators.

Access: every queryset starts from `programs.selectors.visible_programs(request.user)` — the
same rule as the pages: the region's programs for its region, municipal programs of visible
municipalities, roadmaps of visible schools. Anything else answers 404.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from opora.api import programs_serializers as serializers
from opora.api.filters import _boolean, _integer, _parameter, _text
from opora.api.views import Pagination
from opora.programs.achievement import Calculator, achievement_row
from opora.programs.models import (
    Activity,
    DuePoint,
    Indicator,
    IndicatorValue,
    Level,
    Program,
    ProgramStatus,
)
from opora.programs.selectors import visible_programs
from opora.territory.models import School
from opora.territory.selectors import visible_municipalities, visible_schools


def filter_programs(programs: QuerySet[Program], params: Mapping[str, str]) -> QuerySet[Program]:
    """Apply `level`, `status`, `current`, `municipality_id`, `school_id`, `parent_id`."""
    for name, choices in (("level", Level), ("status", ProgramStatus)):
        value = _text(params, name)
        if value is None:
            continue
        if value not in choices.values:
            allowed = ", ".join(f"`{v}`" for v in choices.values)
            raise ValidationError(
                {name: [f"Значение «{value}» не подходит: укажите одно из {allowed}."]}
            )
        programs = programs.filter(**{name: value})
    current = _boolean(params, "current")
    if current is True:
        programs = programs.exclude(status=ProgramStatus.SUPERSEDED)
    elif current is False:
        programs = programs.filter(status=ProgramStatus.SUPERSEDED)
    municipality_id = _integer(params, "municipality_id", "12", low=1)
    if municipality_id is not None:
        programs = programs.filter(municipality_id=municipality_id)
    school_id = _text(params, "school_id")
    if school_id is not None:
        programs = programs.filter(school__code=school_id)
    parent_id = _integer(params, "parent_id", "3", low=1)
    if parent_id is not None:
        programs = programs.filter(parent_id=parent_id)
    return programs


PROGRAM_PARAMETERS = [
    _parameter(
        "level",
        OpenApiTypes.STR,
        "Уровень: `region`, `municipality` или `school` (дорожные карты школ).",
        enum=Level.values,
    ),
    _parameter(
        "status",
        OpenApiTypes.STR,
        "Статус: `draft`, `submitted`, `returned`, `approved` или `superseded`.",
        enum=ProgramStatus.values,
    ),
    _parameter(
        "current",
        OpenApiTypes.BOOL,
        "`true` — только действующие редакции (без заменённых новыми), `false` — только "
        "заменённые; без параметра — все.",
    ),
    _parameter(
        "municipality_id",
        OpenApiTypes.INT,
        "Идентификатор муниципалитета (поле `id` в `/api/v1/municipalities/`).",
    ),
    _parameter("school_id", OpenApiTypes.STR, "Код ОО — дорожные карты этой школы."),
    _parameter("parent_id", OpenApiTypes.INT, "Подчинённые программы данной программы."),
]
PROGRAM_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Идентификатор программы."
)
INDICATOR_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Идентификатор показателя."
)


@extend_schema(tags=["Программы"])
@extend_schema_view(
    list=extend_schema(
        summary="Программы поддержки и дорожные карты",
        description="Региональные и муниципальные программы и дорожные карты школ, доступные "
        "пользователю: регион видит программы своего региона, муниципалитет — свои "
        "программы и дорожные карты своих школ, школа — свою дорожную карту и программы "
        "своего муниципалитета и региона. Все редакции; `current=true` — только действующие.",
        parameters=PROGRAM_PARAMETERS,
    ),
    retrieve=extend_schema(
        summary="Программа с дорожной картой",
        description="Паспорт программы, разделы, мероприятия и контрольные точки со статусом на "
        "сегодня (`overdue` — просрочено — вычисляется). 404, если программа вне доступа.",
        parameters=[PROGRAM_ID],
    ),
)
class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination

    def get_serializer_class(self) -> type:
        if self.action == "retrieve":
            return serializers.ProgramDetailSerializer
        return serializers.ProgramSerializer

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> QuerySet[Program]:
        user = self.request.user
        programs = visible_programs(user).prefetch_related(
            Prefetch(
                "participants",
                queryset=School.objects.filter(pk__in=visible_schools(user).values("pk")).only(
                    "pk", "code"
                ),
                to_attr="visible_participants",
            )
        )
        if self.action == "retrieve":
            programs = programs.prefetch_related(
                "sections",
                Prefetch(
                    "activities",
                    queryset=Activity.objects.prefetch_related(
                        Prefetch("due_points", queryset=DuePoint.objects.order_by("due_date", "id"))
                    ),
                ),
            )
        return programs.order_by("id")

    def filter_queryset(self, queryset: QuerySet[Program]) -> QuerySet[Program]:
        if self.action == "list":
            return filter_programs(queryset, self.request.query_params)
        return queryset


@extend_schema(tags=["Показатели"])
@extend_schema_view(
    list=extend_schema(
        summary="Целевые показатели программ",
        description="Показатели доступных пользователю программ с целевыми значениями по годам "
        "и внесёнными значениями. Рассчитываемые значения и светофор — в карточке показателя.",
        parameters=[
            _parameter("program", OpenApiTypes.INT, "Показатели одной программы (её `id`)."),
            _parameter(
                "source",
                OpenApiTypes.STR,
                "`computed` — рассчитываемые Опорой, `reported` — вносимые ответственными.",
                enum=["computed", "reported"],
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="Показатель с достижением по годам",
        description="Показатель, его цели и достижение по годам программы: значение "
        "(рассчитанное по данным или внесённое), цель и светофор — те же цифры, что на "
        "странице «Достижение целевых показателей». 404, если программа вне доступа.",
        parameters=[INDICATOR_ID],
    ),
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination

    def get_serializer_class(self) -> type:
        if self.action == "retrieve":
            return serializers.IndicatorDetailSerializer
        return serializers.IndicatorSerializer

    def get_queryset(self) -> QuerySet[Indicator]:
        user = self.request.user
        values = IndicatorValue.objects.filter(
            municipality__isnull=True
        ) | IndicatorValue.objects.filter(municipality__in=visible_municipalities(user))
        return (
            Indicator.objects.filter(program__in=visible_programs(user))
            .prefetch_related(
                "targets", Prefetch("values", queryset=values, to_attr="visible_values")
            )
            .order_by("program_id", "position", "id")
        )

    def filter_queryset(self, queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
        if self.action != "list":
            return queryset
        params = self.request.query_params
        program = _integer(params, "program", "3", low=1)
        if program is not None:
            queryset = queryset.filter(program_id=program)
        source = _text(params, "source")
        if source is not None:
            if source not in ("computed", "reported"):
                raise ValidationError(
                    {
                        "source": [
                            f"Значение «{source}» не подходит: укажите `computed` или `reported`."
                        ]
                    }
                )
            queryset = queryset.filter(source=source)
        return queryset

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        indicator = self.get_object()
        calculator = Calculator(indicator.program, timezone.localdate())
        row = achievement_row(calculator, indicator)
        indicator.achievement = [
            {
                "year": cell["year"],
                "value": cell["value"],
                "numerator": cell["share"].numerator if cell["share"] else None,
                "denominator": cell["share"].denominator if cell["share"] else None,
                "target": cell["target"],
                "light": cell["light"],
            }
            for cell in row["cells"]
        ]
        return Response(self.get_serializer(indicator).data)
