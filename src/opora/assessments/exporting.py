"""Export services: the stored data back in the interchange formats, scoped to the user.

`formats.write_table(kind, export_table(kind, user), path)` gives back exactly what was
imported: the same columns and types as `formats.read_table` produces, rows in the order of
the natural key (codes and names compared as Unicode code points, the same on every database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
from django.db.models import QuerySet

from opora.assessments.models import CONTEXT_FACTORS, Result, SchoolContext, StudentResult
from opora.formats.columns import KEYS, KINDS, schema
from opora.territory.models import School
from opora.territory.selectors import visible_schools

if TYPE_CHECKING:
    from opora.accounts.models import User

# Spec column → ORM lookup, per kind.
_LOOKUPS: dict[str, dict[str, str]] = {
    "schools": {
        "school_id": "code",
        "name": "name",
        "municipality": "municipality__name",
        "settlement": "settlement",
        "students": "students",
        "kind": "kind",
        "distance_km": "distance_km",
        "latitude": "latitude",
        "longitude": "longitude",
    },
    "results": {
        "school_id": "school__code",
        "year": "year",
        "procedure": "procedure__name",
        "subject": "subject__name",
        "grade": "grade",
        "participants": "participants",
        "mark_2": "mark_2",
        "mark_3": "mark_3",
        "mark_4": "mark_4",
        "mark_5": "mark_5",
        "below_min": "below_min",
        "mean_score": "mean_score",
    },
    "context": {
        "school_id": "school__code",
        "year": "year",
        **{factor: factor for factor in CONTEXT_FACTORS},
        "social_index": "social_index",
    },
    "students": {
        "student_id": "student_id",
        "school_id": "school__code",
        "year": "year",
        "procedure": "procedure__name",
        "subject": "subject__name",
        "grade": "grade",
        "mark": "mark",
        "score": "score",
        "journal_mark": "journal_mark",
    },
}


def export_table(kind: str, user: User | None) -> pa.Table:
    """The stored rows of `kind` the user may see (`user` None: everything) as an Arrow table
    with the spec columns of the format.

    The register lists the schools in use (archived schools are left out); results, context
    and student results cover every school the user may see, archived ones included.
    """
    if kind not in KINDS:
        raise ValueError(f"Неизвестный вид файла «{kind}». Допустимые виды: {', '.join(KINDS)}.")
    return stored_table(kind, _queryset(kind, user))


def stored_table(kind: str, queryset: QuerySet[Any]) -> pa.Table:
    """Rows of a queryset of the model behind `kind` as a format table sorted by its key."""
    target = schema(kind)
    target = target.remove(target.get_field_index("row_number"))
    lookups = _LOOKUPS[kind]
    rows = queryset.values_list(*(lookups[f.name] for f in target))
    columns: list[list[Any]] = [[] for _ in target]
    appenders = [column.append for column in columns]
    for row in rows.iterator(chunk_size=20_000):
        for append, value in zip(appenders, row, strict=True):
            append(value)
    if kind == "schools":
        position = target.get_field_index("kind")
        columns[position] = [value or None for value in columns[position]]
    table = pa.table(
        [pa.array(values, type=f.type) for values, f in zip(columns, target, strict=True)],
        schema=target,
    )
    return table.sort_by([(name, "ascending") for name in KEYS[kind]])


def _queryset(kind: str, user: User | None) -> QuerySet[Any]:
    schools = School.objects.all() if user is None else visible_schools(user)
    if kind == "schools":
        return schools.filter(is_archived=False)
    model = {"results": Result, "context": SchoolContext, "students": StudentResult}[kind]
    if user is None:
        return model.objects.all()
    return model.objects.filter(school__in=schools.values("pk"))
