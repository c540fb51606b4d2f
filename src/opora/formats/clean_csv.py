"""The fastest path, for the common case of a clean CSV file.

DuckDB's CSV reader parses the number columns itself (``DOUBLE``: the same parser as
``TRY_CAST(text AS DOUBLE)``, which the careful path uses), so no text cell is cast in SQL, and
one flat query yields the typed table and a single «anything suspect?» flag per row. At the
first sign of trouble (a cell the reader cannot parse, a broken line, a suspect or blank row, a
repeated key hash, a school missing from the register, a procedure needing a column the file
lacks) it gives up and the reader takes the careful path (``screening`` + ``diagnosis``), which
names every error, or accepts the file all the same (a decimal comma, a cell with spaces around
a number). When it returns a table, that table is the one the careful path would return.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.formats.columns import KEYS, Column
from opora.formats.plan import (
    PERSONAL_NAME,
    SETTLEMENTS,
    Plan,
    ident,
    quote,
    trimmed_text_sql,
    valid_number_sql,
)


def clean_csv_sql(plan: Plan, source: str) -> str:
    """``SELECT`` the typed spec columns, ``__suspect`` and ``__key`` from ``source``, a CSV
    scan whose number columns are DOUBLE and the others text.

    The typed value of a suspect row is not the careful path's (an invalid count is cast
    rather than nulled), which is harmless: one suspect row sends the file down the careful
    path. The procedure is put in its catalogue spelling once, in the inner projection.
    """
    inner = []
    for column in plan.columns:
        cell = ident(plan.sources[column.name]) if plan.present(column.name) else None
        name = ident(column.name)
        if column.is_number:
            inner.append(f"{cell or 'CAST(NULL AS DOUBLE)'} AS {name}")
        elif column.name == "procedure":
            text = trimmed_text_sql(cell or "CAST(NULL AS VARCHAR)")
            inner.append(f"{plan.canonical_procedure(text)} AS {name}")
        else:
            inner.append(f"{trimmed_text_sql(cell or 'CAST(NULL AS VARCHAR)')} AS {name}")
    raw = [ident(plan.sources[c.name]) for c in plan.columns if plan.present(c.name)]
    inner.append("(" + " AND ".join(f"{c} IS NULL" for c in raw) + ") AS __blank")
    typed, suspicions = [], ["__blank"]
    for column in plan.columns:
        value, suspect = _typed(plan, column)
        typed.append(f"{value} AS {ident(column.name)}")
        if suspect:
            suspicions.append(f"({suspect})")
    suspicions += _row_rules(plan)
    keys = [ident(k) for k in KEYS[plan.kind]]
    return (
        f"SELECT {', '.join(typed)}, {' OR '.join(suspicions)} AS __suspect, "
        f"hash({', '.join(keys)}) AS __key FROM (SELECT {', '.join(inner)} FROM {source})"
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
    if pc.any(table.column("__suspect")).as_py() or _needs_missing_column(plan, table):
        return None
    keys = np.sort(table.column("__key").combine_chunks().to_numpy())
    if np.any(keys[1:] == keys[:-1]):
        return None
    if known_school_ids is not None and plan.kind != "schools":
        known = pa.array([str(k) for k in known_school_ids], pa.string())
        if table.num_rows and not pc.all(pc.is_in(table.column("school_id"), value_set=known)).as_py():
            return None
    numbers = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))
    return table.drop_columns(["__suspect", "__key"]).append_column("row_number", numbers)


def _typed(plan: Plan, column: Column) -> tuple[str, str | None]:
    """The typed value over the inner projection and the condition that makes a row suspect."""
    value = ident(column.name)
    if column.is_number:
        valid = valid_number_sql(plan, column, value)
        typed = f"TRY_CAST({value} AS BIGINT)" if column.type == "int" else value
        if column.required:
            return typed, f"NOT {valid}"
        return typed, f"({value} IS NOT NULL AND NOT {valid})"
    if column.name == "settlement":
        allowed = ", ".join(quote(s) for s in SETTLEMENTS)
        lowered = f"lower({value})"
        return (
            f"CASE WHEN {lowered} IN ({allowed}) THEN {lowered} END",
            f"NOT COALESCE({lowered} IN ({allowed}), false)",
        )
    suspect = f"{value} IS NULL" if column.required or column.name == "procedure" else None
    if column.name == "student_id":
        suspect = (
            f"{value} IS NULL OR COALESCE(contains({value}, ' ') "
            f"AND regexp_matches({value}, {quote(PERSONAL_NAME)}), false)"
        )
    return value, suspect


def _row_rules(plan: Plan) -> list[str]:
    """``screening``'s rules across columns, over the catalogue spelling of the procedure."""
    procedure = ident("procedure")
    rules = []
    for column in plan.columns:
        if column.required_for and plan.present(column.name):
            rules.append(
                f"{procedure} IN {plan.names_scored(column.required_for)} "
                f"AND {ident(column.name)} IS NULL"
            )
    if plan.kind == "results":
        rules.append(
            f"{procedure} IN {plan.names_scored('graded')} "
            "AND mark_2 + mark_3 + mark_4 + mark_5 <> participants"
        )
        rules.append("below_min > participants")
    return [f"COALESCE({rule}, false)" for rule in rules]


def _needs_missing_column(plan: Plan, table: pa.Table) -> bool:
    """Whether some row's procedure needs a column (marks, ``below_min``) the file lacks."""
    for column in plan.columns:
        if column.required_for and not plan.present(column.name):
            names = [p.name for p in plan.procedures.values() if p.scoring == column.required_for]
            needing = pc.is_in(table.column("procedure"), value_set=pa.array(names, pa.string()))
            if pc.any(needing).as_py():
                return True
    return False
