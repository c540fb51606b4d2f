"""Do student-level results agree with the aggregated results of the same cells?"""

from __future__ import annotations

import pyarrow as pa

from opora.formats.columns import KEYS
from opora.formats.plan import quiet_connection
from opora.formats.report import RowError, plural

_CELL = KEYS["results"]
_MARKS = (2, 3, 4, 5)


def check_students_against_results(students: pa.Table, results: pa.Table) -> list[RowError]:
    """Compare every results row with the students of the same school × year × procedure ×
    subject × grade: the number of students must equal ``participants`` and, where both files
    have marks, the count of each mark must equal ``mark_2`` … ``mark_5``. Cells present in only
    one file are not compared. Errors point at the results row (its ``row_number``).

    >>> results = pa.table({"school_id": ["1"], "year": [2024], "procedure": ["ВПР"],
    ...     "subject": ["Математика"], "grade": [5], "participants": [3], "mark_2": [1],
    ...     "mark_3": [1], "mark_4": [1], "mark_5": [0], "row_number": [2]})
    >>> students = pa.table({"student_id": ["a", "b"], "school_id": ["1", "1"],
    ...     "year": [2024, 2024], "procedure": ["ВПР", "ВПР"], "subject": ["Математика"] * 2,
    ...     "grade": [5, 5], "mark": [2, 4]})
    >>> print(check_students_against_results(students, results)[0].as_text())
    Строка 2, столбец «Участников», значение «3»: в файле обучающихся по этой строке (код ОО 1, 2024, ВПР, Математика, 5 класс) 2 записи, а участников указано 3. Исправьте один из файлов.
    """
    with quiet_connection() as con:
        con.register("students", _with_columns(students, ["mark"]))
        con.register("results", _with_columns(results, [f"mark_{m}" for m in _MARKS]))
        keys = ", ".join(_CELL)
        counts = ", ".join(f"count(*) FILTER (WHERE mark = {m}) AS s{m}" for m in _MARKS)
        marks = ", ".join(f"r.mark_{m}" for m in _MARKS)
        rows = con.execute(
            f"WITH s AS (SELECT {keys}, count(*) AS n, count(mark) AS marked, {counts} "
            f"FROM students GROUP BY {keys}) "
            f"SELECT r.row_number, {', '.join('r.' + k for k in _CELL)}, r.participants, "
            f"s.n, s.marked, {marks}, {', '.join(f's.s{m}' for m in _MARKS)} "
            f"FROM results r JOIN s USING ({keys}) ORDER BY r.row_number, {keys}"
        ).fetchall()
    errors = []
    for row in rows:
        row_number, cell, participants, count, marked = row[0], row[1:6], *row[6:9]
        reported, counted = row[9:13], row[13:17]
        where = f"код ОО {cell[0]}, {cell[1]}, {cell[2]}, {cell[3]}, {cell[4]} класс"
        if participants != count:
            errors.append(
                RowError(
                    row_number,
                    "Участников",
                    str(participants),
                    f"в файле обучающихся по этой строке ({where}) {count} "
                    f"{plural(count, 'запись', 'записи', 'записей')}, а участников указано "
                    f"{participants}. Исправьте один из файлов.",
                )
            )
        if not marked:
            continue
        for mark, expected, actual in zip(_MARKS, reported, counted, strict=True):
            if expected is not None and expected != actual:
                errors.append(
                    RowError(
                        row_number,
                        f"Отметка «{mark}»",
                        str(expected),
                        f"по файлу обучающихся отметку «{mark}» получили {actual}, "
                        f"а здесь указано {expected} ({where}).",
                    )
                )
    return errors


def _with_columns(table: pa.Table, optional: list[str]) -> pa.Table:
    """Add the optional columns and ``row_number`` as nulls when a table lacks them."""
    for name in [*optional, "row_number"]:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.int64()))
    return table
