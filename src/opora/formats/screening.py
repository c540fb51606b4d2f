"""The fast path: one vectorised query turns the text cells into the typed table and flags
every row that *may* be wrong (``__suspect``). Flags err on the side of suspicion (a cell of
spaces only, say); ``diagnosis`` then looks at the flagged rows alone and names the errors.
A clean file therefore costs one scan and no per-row Python.

:func:`clean_csv_table` is faster still for the common case, a clean CSV file: DuckDB's CSV
reader parses the number columns itself (the same parser as ``TRY_CAST(text AS DOUBLE)``), so
no text cell is cast in SQL. It gives up (``None``) at the first sign of trouble, and the
careful path then reads the file again and names every error."""

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
    quick_number_sql,
    quote,
    trimmed_text_sql,
    valid_number_sql,
)


def _cell(plan: Plan, column: Column) -> str:
    if plan.present(column.name):
        return ident(plan.sources[column.name])
    return "CAST(NULL AS VARCHAR)"


def _first_layer(plan: Plan, column: Column, *, parsed: bool = False) -> list[str]:
    """Cleaned text (strings) or DOUBLE and the raw cell (numbers). ``parsed``: the source's
    number cells are DOUBLE already (the CSV reader parsed them), so the cell is the number and
    ``__c`` (only ever tested for NULL) is the cell too."""
    cell, name = _cell(plan, column), column.name
    if column.is_number:
        number = cell if parsed and plan.present(name) else quick_number_sql(cell)
        return [f"{number} AS {ident(name)}", f"{cell} AS {ident(name + '__c')}"]
    return [f"{trimmed_text_sql(cell)} AS {ident(name)}"]


def _second_layer(plan: Plan, column: Column) -> tuple[str, str | None]:
    """The typed value (SQL over the first layer) and the condition that makes the row
    suspect (or None)."""
    value = ident(column.name)
    if column.is_number:
        valid = valid_number_sql(plan, column, value)
        cast = f"TRY_CAST({value} AS BIGINT)" if column.type == "int" else value
        typed = f"CASE WHEN {valid} THEN {cast} END"
        if column.required:
            return typed, f"NOT {valid}"
        return typed, f"({ident(column.name + '__c')} IS NOT NULL AND NOT {valid})"
    if column.name == "settlement":
        allowed = ", ".join(quote(s) for s in SETTLEMENTS)
        lowered = f"lower({value})"
        return (
            f"CASE WHEN {lowered} IN ({allowed}) THEN {lowered} END",
            f"NOT COALESCE({lowered} IN ({allowed}), false)",
        )
    if column.name == "procedure":
        canonical = plan.canonical_procedure(value)
        return canonical, f"{canonical} IS NULL"
    suspect = f"{value} IS NULL" if column.required else None
    if column.name == "student_id":
        suspect = (
            f"{value} IS NULL OR COALESCE(contains({value}, ' ') "
            f"AND regexp_matches({value}, {quote(PERSONAL_NAME)}), false)"
        )
    return value, suspect


def _row_rules(plan: Plan) -> list[str]:
    """Suspicion across columns: procedure-dependent cells and results' arithmetic. Written
    over the first layer (numbers as DOUBLE): when a number is invalid the row is suspect
    anyway, and valid counts add up the same as integers."""
    procedure = plan.canonical_procedure(ident("procedure"))
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


def _key_hash(plan: Plan) -> str:
    keys = []
    for name in KEYS[plan.kind]:
        value = ident(name)
        keys.append(plan.canonical_procedure(value) if name == "procedure" else value)
    filled = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    return f"CASE WHEN {filled} THEN hash({', '.join(keys)}) END"


def screening_sql(plan: Plan, source: str, *, parsed: bool = False) -> str:
    """``SELECT`` the typed spec columns, ``__blank``, ``__suspect`` and ``__key`` (a hash of
    the key columns, to spot repeated keys cheaply) from ``source``. Two flat projections, so
    that DuckDB evaluates shared subexpressions once. ``parsed``: the number cells of
    ``source`` are DOUBLE already (see :func:`clean_csv_table`), the others text."""
    first = [part for column in plan.columns for part in _first_layer(plan, column, parsed=parsed)]
    raw_cells = [ident(plan.sources[c.name]) for c in plan.columns if plan.present(c.name)]
    if parsed:  # mixed types: no COALESCE over them
        first.append("(" + " AND ".join(f"{c} IS NULL" for c in raw_cells) + ") AS __blank")
    else:
        first.append(f"COALESCE({', '.join(raw_cells)}) IS NULL AS __blank")
    typed, suspicions = [], []
    for column in plan.columns:
        value, suspect = _second_layer(plan, column)
        typed.append(f"{value} AS {ident(column.name)}")
        if suspect:
            suspicions.append(f"({suspect})")
    suspicions += _row_rules(plan)
    return (
        f"SELECT {', '.join(typed)}, __blank, {' OR '.join(suspicions)} AS __suspect, "
        f"{_key_hash(plan)} AS __key FROM (SELECT {', '.join(first)} FROM {source})"
    )


def screen(
    con: duckdb.DuckDBPyConnection, plan: Plan, source: str, *, parsed: bool = False
) -> pa.Table:
    """Run the screening query: the typed table with ``row_number`` (file order: the i-th row
    is spreadsheet row i + 2), ``__blank``, ``__suspect`` and ``__key``."""
    relation = con.sql(screening_sql(plan, source, parsed=parsed))
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    table = fetch()
    numbers = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))
    return table.append_column("row_number", numbers)


def may_repeat_keys(screened: pa.Table) -> bool:
    """Whether two rows share a key hash (cheap, in Arrow); only then is grouping needed."""
    hashes = np.sort(pc.drop_null(screened.column("__key")).combine_chunks().to_numpy())
    return bool(np.any(hashes[1:] == hashes[:-1]))


def clean_csv_table(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    parsed_source: str,
    known_school_ids: Collection[str] | None,
) -> pa.Table | None:
    """The typed table of a CSV file without a single suspect row, or ``None``.

    ``parsed_source`` reads the file with DOUBLE number columns and no rejects table, so any
    cell the reader cannot parse, and any broken line, raises. ``None`` whenever anything might
    be wrong (a parse error, a suspect or blank row, a repeated key hash, a school missing from
    ``known_school_ids``, a procedure needing a column the file lacks): the careful path then
    finds and names the errors, or accepts the file all the same (a decimal comma, say). When a
    table is returned it is the one the careful path would return.
    """
    try:
        screened = screen(con, plan, parsed_source, parsed=True)
    except duckdb.Error:
        return None
    if _any(screened.column("__suspect")) or _any(screened.column("__blank")):
        return None
    procedures = screened.column("procedure") if plan.kind in ("results", "students") else None
    for column in plan.columns:
        if column.required_for and not plan.present(column.name) and procedures is not None:
            needing = [p.name for p in plan.procedures.values() if p.scoring == column.required_for]
            if _any(pc.is_in(procedures, value_set=pa.array(needing, pa.string()))):
                return None
    if may_repeat_keys(screened):
        return None
    if known_school_ids is not None and plan.kind != "schools":
        known = pa.array([str(k) for k in known_school_ids], pa.string())
        if not _all(pc.is_in(screened.column("school_id"), value_set=known)):
            return None
    return screened.drop_columns(["__blank", "__suspect", "__key"])


def _any(values: pa.ChunkedArray | pa.Array) -> bool:
    return bool(pc.any(values).as_py())


def _all(values: pa.ChunkedArray | pa.Array) -> bool:
    return len(values) == 0 or bool(pc.all(values).as_py())
