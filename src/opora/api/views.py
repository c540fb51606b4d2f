"""Read-only API views. Each one parses the query, calls a scoped selector and serializes.

Access: every queryset starts from `visible_schools(request.user)` (or
`visible_municipalities`), so a record outside the user's territory is simply absent —
a list leaves it out and a detail answers 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from opora.api import filters, serializers
from opora.api.selectors import visible_contexts, visible_results
from opora.assessments.models import Procedure, Subject
from opora.territory.selectors import visible_municipalities, visible_schools

STUDENTS_NOT_EXPOSED = (
    "Результаты отдельных обучающихся через API не выдаются: даже обезличенные, "
    "это персональные данные."
)


class Pagination(LimitOffsetPagination):
    """`limit`/`offset` paging; a page never holds more than `max_limit` rows."""

    max_limit = 1000
    limit_query_description = (
        "Сколько записей вернуть на странице (по умолчанию 100, не больше 1000)."
    )
    offset_query_description = "С какой по счёту записи начать (с нуля)."


SCHOOL_CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Код ОО, например `0101001`."
)


@extend_schema(tags=["Муниципалитеты"])
@extend_schema_view(
    list=extend_schema(
        summary="Список муниципалитетов",
        description="Муниципалитеты, доступные пользователю: для региона — все муниципалитеты "
        "региона, для остальных ролей — муниципалитеты, где есть доступные ему школы.",
    ),
    retrieve=extend_schema(
        summary="Муниципалитет",
        description="Один муниципалитет по идентификатору; 404, если он вне доступа.",
        parameters=[
            OpenApiParameter(
                "id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="Идентификатор муниципалитета.",
            )
        ],
    ),
)
class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.MunicipalitySerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet:
        return visible_municipalities(self.request.user)


@extend_schema(tags=["Школы"])
@extend_schema_view(
    list=extend_schema(
        summary="Список школ",
        description="Школы, доступные пользователю по роли и территории: регион видит школы "
        "своего региона, муниципалитет — свои, школа — только себя, куратор — закреплённые "
        "за ним школы.",
        parameters=filters.SCHOOL_PARAMETERS,
    ),
    retrieve=extend_schema(
        summary="Школа",
        description="Одна школа по коду ОО; 404, если школы нет или она вне доступа.",
        parameters=[SCHOOL_CODE],
    ),
)
class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.SchoolSerializer
    pagination_class = Pagination
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet:
        return visible_schools(self.request.user)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action == "list":
            return filters.filter_schools(queryset, self.request.query_params)
        return queryset

    @extend_schema(
        summary="Результаты школы",
        description="Результаты оценочных процедур одной школы по классам и предметам. "
        f"404, если школа вне доступа. {STUDENTS_NOT_EXPOSED}",
        parameters=[SCHOOL_CODE, *filters.CELL_PARAMETERS],
        responses=serializers.ResultSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="results")
    def results(self, request: Request, code: str | None = None) -> Response:
        school = self.get_object()
        results = filters.filter_results(
            visible_results(request.user).filter(school=school), request.query_params
        )
        page = self.paginate_queryset(results)
        return self.get_paginated_response(
            serializers.ResultSerializer(page, many=True, context={"request": request}).data
        )


@extend_schema(tags=["Результаты"])
@extend_schema_view(
    list=extend_schema(
        summary="Результаты оценочных процедур",
        description="Результаты, агрегированные по школе × году × процедуре × предмету × классу, "
        "только доступных пользователю школ; с вычисленными числом (`failures`) и долей "
        f"(`failure_share`) неуспешных результатов. {STUDENTS_NOT_EXPOSED}",
        parameters=filters.RESULT_PARAMETERS,
    ),
)
class ResultViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.ResultSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet:
        return visible_results(self.request.user)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return filters.filter_results(queryset, self.request.query_params)


@extend_schema(tags=["Социальный контекст"])
@extend_schema_view(
    list=extend_schema(
        summary="Социальный контекст школ",
        description="Показатели социальных условий доступных пользователю школ по годам, "
        "в процентах обучающихся школы.",
        parameters=filters.CONTEXT_PARAMETERS,
    ),
)
class SchoolContextViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.SchoolContextSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet:
        return visible_contexts(self.request.user)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return filters.filter_contexts(queryset, self.request.query_params)


@extend_schema(tags=["Справочники"])
@extend_schema_view(
    list=extend_schema(
        summary="Оценочные процедуры",
        description="Справочник процедур и способа их оценивания; одинаков для всех пользователей.",
    ),
)
class ProcedureViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.ProcedureSerializer
    pagination_class = Pagination
    queryset = Procedure.objects.order_by("name")


@extend_schema(tags=["Справочники"])
@extend_schema_view(
    list=extend_schema(
        summary="Предметы",
        description="Справочник предметов; одинаков для всех пользователей.",
    ),
)
class SubjectViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.SubjectSerializer
    pagination_class = Pagination
    queryset = Subject.objects.order_by("name")
