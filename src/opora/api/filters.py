"""Query-parameter filters of the API lists and their OpenAPI description.

A filter parameter is named after the response field it restricts (`school_id`, `year`,
`procedure` ...), so a consumer uses the same vocabulary as in the interchange files.
A malformed value is a 400 with a Russian message; a well-formed value that matches nothing
gives an empty list.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from opora.assessments.models import Result, SchoolContext
from opora.territory.models import School, Settlement

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "да"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "нет"})


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _integer(
    params: Mapping[str, str], name: str, example: str, low: int = 0, high: int | None = None
) -> int | None:
    value = _text(params, name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        bounds = f"от {low} до {high}" if high is not None else f"не меньше {low}"
        raise ValidationError(
            {
                name: [
                    f"Значение «{value}» не подходит: укажите целое число {bounds}, например {example}."
                ]
            }
        )
    return number


def _boolean(params: Mapping[str, str], name: str) -> bool | None:
    value = _text(params, name)
    if value is None:
        return None
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ValidationError({name: [f"Значение «{value}» не подходит: укажите true или false."]})


def filter_schools(schools: QuerySet[School], params: Mapping[str, str]) -> QuerySet[School]:
    """Apply `municipality_id`, `settlement`, `kind`, `archived` and `q` to a school list."""
    municipality_id = _integer(params, "municipality_id", "12", low=1)
    if municipality_id is not None:
        schools = schools.filter(municipality_id=municipality_id)
    settlement = _text(params, "settlement")
    if settlement is not None:
        if settlement.lower() not in Settlement.values:
            raise ValidationError(
                {
                    "settlement": [
                        f"Тип поселения «{settlement}» не подходит: укажите «город» или «село»."
                    ]
                }
            )
        schools = schools.filter(settlement=settlement.lower())
    kind = _text(params, "kind")
    if kind is not None:
        schools = schools.filter(kind=kind)
    archived = _boolean(params, "archived")
    if archived is not None:
        schools = schools.filter(is_archived=archived)
    query = _text(params, "q")
    if query is not None:
        schools = schools.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return schools


def _filter_school_year(queryset: QuerySet, params: Mapping[str, str]) -> QuerySet:
    school_id = _text(params, "school_id")
    if school_id is not None:
        queryset = queryset.filter(school__code=school_id)
    municipality_id = _integer(params, "municipality_id", "12", low=1)
    if municipality_id is not None:
        queryset = queryset.filter(school__municipality_id=municipality_id)
    year = _integer(params, "year", "2024", low=1900, high=2100)
    if year is not None:
        queryset = queryset.filter(year=year)
    return queryset


def filter_results(results: QuerySet[Result], params: Mapping[str, str]) -> QuerySet[Result]:
    """Apply `school_id`, `municipality_id`, `year`, `procedure`, `subject`, `grade`."""
    results = _filter_school_year(results, params)
    procedure = _text(params, "procedure")
    if procedure is not None:
        results = results.filter(procedure__name=procedure)
    subject = _text(params, "subject")
    if subject is not None:
        results = results.filter(subject__name=subject)
    grade = _integer(params, "grade", "5", low=1, high=11)
    if grade is not None:
        results = results.filter(grade=grade)
    return results


def filter_contexts(
    contexts: QuerySet[SchoolContext], params: Mapping[str, str]
) -> QuerySet[SchoolContext]:
    """Apply `school_id`, `municipality_id` and `year` to a context list."""
    return _filter_school_year(contexts, params)


def _parameter(name: str, kind: OpenApiTypes, description: str, **extra) -> OpenApiParameter:
    return OpenApiParameter(
        name, kind, OpenApiParameter.QUERY, required=False, description=description, **extra
    )


MUNICIPALITY_ID = _parameter(
    "municipality_id",
    OpenApiTypes.INT,
    "Идентификатор муниципалитета (поле `id` в `/api/v1/municipalities/`).",
)
SCHOOL_ID = _parameter("school_id", OpenApiTypes.STR, "Код ОО, например `0101001`.")
YEAR = _parameter("year", OpenApiTypes.INT, "Год проведения процедуры, например `2024`.")

SCHOOL_PARAMETERS = [
    MUNICIPALITY_ID,
    _parameter(
        "settlement", OpenApiTypes.STR, "Тип поселения: `город` или `село`.", enum=Settlement.values
    ),
    _parameter("kind", OpenApiTypes.STR, "Вид ОО точно как в реестре, например `СОШ`."),
    _parameter(
        "archived",
        OpenApiTypes.BOOL,
        "`true` — только архивные школы, `false` — только действующие; без параметра — все.",
    ),
    _parameter("q", OpenApiTypes.STR, "Поиск по части наименования или кода ОО."),
]

CELL_PARAMETERS = [
    YEAR,
    _parameter("procedure", OpenApiTypes.STR, "Процедура по наименованию: `ВПР`, `ОГЭ`, `ЕГЭ` …"),
    _parameter("subject", OpenApiTypes.STR, "Предмет по наименованию, например `Математика`."),
    _parameter("grade", OpenApiTypes.INT, "Класс, от 1 до 11."),
]

RESULT_PARAMETERS = [SCHOOL_ID, MUNICIPALITY_ID, *CELL_PARAMETERS]
CONTEXT_PARAMETERS = [SCHOOL_ID, MUNICIPALITY_ID, YEAR]
