"""The fastest path, for the common case of a clean CSV file.

DuckDB's CSV reader parses the number columns itself (``DOUBLE``: the same parser as
``TRY_CAST(text AS DOUBLE)``, which the careful path uses), so no text cell is cast in SQL; one
flat query cleans the text columns and hashes the keys, and the rules about numbers are checked
column by column on the Arrow result (a minimum, a maximum, «all whole», «all finite»), far
cheaper than a condition per row. At the first sign of trouble (a cell the reader cannot
parse, a broken line, an empty required cell, a number out of range, a repeated key hash, a
school missing from the register, a procedure needing a column the file lacks …) it gives up
and the reader takes the careful path (``screening`` + ``diagnosis``), which names every error,
or accepts the file all the same (a decimal comma, a cell with spaces around a number). When
it returns a table, that table is the one the careful path would return.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.formats.columns import KEYS, Column
from opora.formats.plan import (
    EXACT_INTEGERS,
    PERSONAL_NAME,
    SETTLEMENTS,
    Plan,
    ident,
    quote,
)


def clean_csv_sql(plan: Plan, source: str) -> str:
    """``SELECT`` the spec columns, ``__key`` (a hash of the key columns) and, for students,
    ``__suspect`` from ``source``, a CSV scan whose number columns are DOUBLE and the others
    text. The procedure is put in its catalogue spelling (NULL when unknown), the settlement
    in lower case (NULL when not allowed); other text and the numbers are checked by
    :func:`clean_csv_table` in Arrow."""
    inner = []
    for column in plan.columns:
        cell = ident(plan.sources[column.name]) if plan.present(column.name) else None
        name = ident(column.name)
        if column.is_number:
            inner.append(f"{cell or 'CAST(NULL AS DOUBLE)'} AS {name}")
        elif column.name == "procedure":
            # Not trimmed: « ВПР» is no catalogue spelling, so it is NULL, and NULL is suspect.
            inner.append(f"{plan.canonical_procedure(cell or 'NULL')} AS {name}")
        else:  # trimmed by the careful path only; _clean finds the cells that need it
            inner.append(f"{cell or 'CAST(NULL AS VARCHAR)'} AS {name}")
    outer = [f"{_value(column)} AS {ident(column.name)}" for column in plan.columns]
    if plan.kind == "students":
        student = ident("student_id")
        outer.append(
            f"COALESCE(contains({student}, ' ') AND "
            f"regexp_matches({student}, {quote(PERSONAL_NAME)}), false) AS __suspect"
        )
    keys = ", ".join(ident(k) for k in KEYS[plan.kind])
    return (
        f"SELECT {', '.join(outer)}, hash({keys}) AS __key "
        f"FROM (SELECT {', '.join(inner)} FROM {source})"
    )


def clean_csv_table(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    source: str,
    known_school_ids: Collection[str] | None,
) -> pa.Table | None:
    """The typed table with ``row_number`` of a CSV file without a single suspect row, or
    ``None``. ``source`` reads the file with DOUBLE number columns and no rejects table, so
    that any cell the reader cannot parse, and any broken line, raises."""
    try:
        relation = con.sql(clean_csv_sql(plan, source))
        fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
        table = fetch()
    except duckdb.Error:
        return None
    table = _empty_text_as_null(plan, table)
    if table is None:
        return None
    try:  # a safe cast refuses a fraction, NaN and infinity: counts must be whole numbers
        for column in plan.columns:
            if column.type == "int":
                i = table.column_names.index(column.name)
                table = table.set_column(i, column.name, table.column(i).cast(pa.int64()))
    except pa.ArrowInvalid:
        return None
    if not _clean(plan, table):
        return None
    keys = np.sort(table.column("__key").combine_chunks().to_numpy())
    if np.any(keys[1:] == keys[:-1]):
        return None
    if known_school_ids is not None and plan.kind != "schools" and table.num_rows:
        known = pa.array([str(k) for k in known_school_ids], pa.string())
        if not pc.all(pc.is_in(table.column("school_id"), value_set=known)).as_py():
            return None
    numbers = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))
    helpers = [c for c in ("__suspect", "__key") if c in table.column_names]
    return table.drop_columns(helpers).append_column("row_number", numbers)


def _empty_text_as_null(plan: Plan, table: pa.Table) -> pa.Table | None:
    """Text cells as the careful path leaves them: ``None`` (give up) when a cell starts or ends
    with a space, a tab or a no-break space (``trimmed_text_sql`` would trim it); an empty cell
    (``""`` in the file) becomes NULL."""
    for column in plan.columns:
        if column.is_number or column.name in ("procedure", "settlement"):
            continue
        values = table.column(column.name)
        if len(values) == values.null_count:
            continue
        for space in (" ", "\t", "\u00a0"):
            if _any(pc.starts_with(values, space)) or _any(pc.ends_with(values, space)):
                return None
        if pc.min(pc.binary_length(values)).as_py() == 0:
            empty = pc.equal(pc.binary_length(values), 0)
            cleaned = pc.if_else(empty, pa.scalar(None, values.type), values)
            table = table.set_column(table.column_names.index(column.name), column.name, cleaned)
    return table


def _value(column: Column) -> str:
    """The typed value over the inner projection (numbers: still DOUBLE)."""
    value = ident(column.name)
    if column.name == "settlement":
        allowed = ", ".join(quote(s) for s in SETTLEMENTS)
        return f"CASE WHEN lower({value}) IN ({allowed}) THEN lower({value}) END"
    return value


def _clean(plan: Plan, table: pa.Table) -> bool:
    """Whether no row of ``table`` is suspect: the rules of ``screening`` checked per column.

    An empty required cell (a blank row has one too), an unknown procedure or settlement, a
    number that is not finite or out of bounds, a procedure without the marks or the
    threshold count it needs, marks that do not add up to the participants, more participants
    below the threshold than participants. Counts are whole (int64) by now; their sums are
    exact, so equal sums here are equal sums of ``screening``'s doubles too.
    """
    if "__suspect" in table.column_names and _any(table.column("__suspect")):
        return False
    for column in plan.columns:
        values = table.column(column.name)
        if column.required and values.null_count:
            return False
        if (
            column.is_number
            and len(values) > values.null_count
            and not _valid(plan, column, values)
        ):
            return False
    if plan.kind in ("results", "students"):
        procedure = table.column("procedure")
        rows_of: dict[str, pa.ChunkedArray] = {}  # scoring → rows of such procedures
        for column in plan.columns:
            if not column.required_for:
                continue
            scoring = column.required_for
            if scoring not in rows_of:
                rows_of[scoring] = pc.is_in(procedure, value_set=_names(plan, scoring))
            if not plan.present(column.name):
                if _any(rows_of[scoring]):  # the file lacks a column some rows need
                    return False
            elif table.column(column.name).null_count and _any(
                pc.and_(rows_of[scoring], pc.is_null(table.column(column.name)))
            ):
                return False
    if plan.kind == "results":
        graded = rows_of.get("graded")
        if graded is None:
            graded = pc.is_in(procedure, value_set=_names(plan, "graded"))
        marks = [table.column(f"mark_{m}") for m in range(2, 6)]
        total = pc.add(pc.add(pc.add(marks[0], marks[1]), marks[2]), marks[3])
        participants = table.column("participants")
        if _any(pc.and_(graded, pc.not_equal(total, participants))):
            return False
        if _any(pc.greater(table.column("below_min"), participants)):
            return False
    return True


def _valid(plan: Plan, column: Column, values: pa.ChunkedArray) -> bool:
    """Whether every present value is a valid number of the column (``valid_number_sql``);
    the counts are int64 already, so whole and finite."""
    if column.type != "int" and not _all(pc.is_finite(values)):
        return False
    extremes = pc.min_max(values)
    smallest, largest = extremes["min"].as_py(), extremes["max"].as_py()
    low, high = plan.bounds(column)
    if column.type == "int" and (smallest <= -EXACT_INTEGERS or largest >= EXACT_INTEGERS):
        return False
    return (low is None or smallest >= low) and (high is None or largest <= high)


def _names(plan: Plan, scoring: str) -> pa.Array:
    names = [p.name for p in plan.procedures.values() if p.scoring == scoring]
    return pa.array(names, pa.string())


def _any(values: pa.ChunkedArray | pa.Array) -> bool:
    return bool(pc.any(values).as_py())


def _all(values: pa.ChunkedArray | pa.Array) -> bool:
    return pc.all(values).as_py() is not False
