"""Student results and aggregated results of the same cell must agree.

A results file is checked against the stored student results of its cells, a students file
against the stored results of its cells (the file's students of a cell are taken as all the
students of that cell). The comparison itself is `formats.check_students_against_results`.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from opora.assessments.import_rows import Lookups
from opora.assessments.models import Result, StudentResult
from opora.assessments.upsert import select_rows
from opora.formats import RowError, check_students_against_results
from opora.formats.columns import KEYS, schema

_CELL = list(KEYS["results"])
_CELL_COLUMNS = ("school_id", "year", "procedure_id", "subject_id", "grade")
_STORED = {
    "students": (StudentResult, ("mark",)),
    "results": (Result, ("participants", "mark_2", "mark_3", "mark_4", "mark_5")),
}


def check_against_stored(kind: str, table: pa.Table, lookups: Lookups) -> list[RowError]:
    """Errors where the file disagrees with the stored rows of the other kind (same cells)."""
    other = "students" if kind == "results" else "results"
    if not _STORED[other][0].objects.exists():  # the common case, answered at once
        return []
    codes = pc.unique(table.column("school_id")).to_pylist()
    years = pc.unique(table.column("year")).to_pylist()
    stored = _stored_table(other, [lookups.schools[code] for code in codes], years, lookups)
    if stored.num_rows == 0:
        return []
    if kind == "results":
        return check_students_against_results(stored, table)
    results = _numbered_by_first_student(stored, table)
    return [
        RowError(
            error.row,
            None,
            None,
            f"не совпадает с загруженными ранее результатами: {error.message}",
        )
        for error in check_students_against_results(table, results)
    ]


def _stored_table(kind: str, school_ids: list[int], years: list[int], lookups: Lookups) -> pa.Table:
    """The stored rows of the cells' schools and years, with codes and names as in a file.

    Read with plain SQL (ids only) and decoded here: the results check may read every
    student of a region, and joins through the ORM would cost more than the whole check.
    """
    model, values = _STORED[kind]
    rows = select_rows(
        model._meta.db_table, (*_CELL_COLUMNS, *values), scope_ids=school_ids, years=years
    )
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * (5 + len(values))
    decode = {
        0: {pk: code for code, pk in lookups.schools.items()},
        2: {pk: name for name, pk in lookups.procedures.items()},
        3: {pk: name for name, pk in lookups.subjects.items()},
    }
    types = schema(kind)
    names = [*_CELL, *values]
    arrays = [
        pa.array(
            [decode[i][v] for v in column] if i in decode else list(column),
            type=types.field(name).type,
        )
        for i, (name, column) in enumerate(zip(names, columns, strict=True))
    ]
    return pa.table(arrays, names=names)


def _numbered_by_first_student(results: pa.Table, students: pa.Table) -> pa.Table:
    """Stored results with `row_number` = the first students-file row of the same cell, so
    that an error points at a row the user can find in the file being imported."""
    first = students.group_by(_CELL).aggregate([("row_number", "min")])
    first = first.rename_columns({"row_number_min": "row_number"})
    return results.join(first, keys=_CELL, join_type="inner")
