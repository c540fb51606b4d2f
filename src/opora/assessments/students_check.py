"""Student results and aggregated results of the same cell must agree.

A results file is checked against the stored student results of its cells, a students file
against the stored results of its cells (the file's students of a cell are taken as all the
students of that cell). The comparison itself is `formats.check_students_against_results`.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from opora.assessments.exporting import stored_table
from opora.assessments.import_rows import Lookups
from opora.assessments.models import Result, StudentResult
from opora.formats import RowError, check_students_against_results
from opora.formats.columns import KEYS

_CELL = list(KEYS["results"])


def check_against_stored(kind: str, table: pa.Table, lookups: Lookups) -> list[RowError]:
    """Errors where the file disagrees with the stored rows of the other kind (same cells)."""
    codes = pc.unique(table.column("school_id")).to_pylist()
    school_ids = [lookups.schools[code] for code in codes]
    years = pc.unique(table.column("year")).to_pylist()
    other = StudentResult if kind == "results" else Result
    stored = other.objects.filter(school_id__in=school_ids, year__in=years)
    if not stored.exists():
        return []
    if kind == "results":
        return check_students_against_results(stored_table("students", stored), table)
    results = _numbered_by_first_student(stored_table("results", stored), table)
    return [
        RowError(
            error.row,
            None,
            None,
            f"не совпадает с загруженными ранее результатами: {error.message}",
        )
        for error in check_students_against_results(table, results)
    ]


def _numbered_by_first_student(results: pa.Table, students: pa.Table) -> pa.Table:
    """Stored results with `row_number` = the first students-file row of the same cell, so
    that an error points at a row the user can find in the file being imported."""
    first = students.group_by(_CELL).aggregate([("row_number", "min")])
    first = first.rename_columns({"row_number_min": "row_number"})
    return results.join(first, keys=_CELL, join_type="inner")
