"""The fast path: one vectorised query turns the text cells into the typed table and flags
every row that *may* be wrong (``__suspect``). Flags err on the side of suspicion (a cell of
spaces only, say); ``diagnosis`` then looks at the flagged rows alone and names the errors.
A clean file therefore costs one scan and no per-row Python."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

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


def _first_layer(plan: Plan, column: Column) -> list[str]:
    """Cleaned text (strings) or DOUBLE and the raw cell (numbers)."""
    cell, name = _cell(plan, column), column.name
    if column.is_number:
        return [f"{quick_number_sql(cell)} AS {ident(name)}", f"{cell} AS {ident(name + '__c')}"]
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


def screening_sql(plan: Plan, source: str) -> str:
    """``SELECT`` the typed spec columns, ``__blank``, ``__suspect`` and ``__key`` (a hash of
    the key columns, to spot repeated keys cheaply) from ``source``. Two flat projections, so
    that DuckDB evaluates shared subexpressions once."""
    first = [part for column in plan.columns for part in _first_layer(plan, column)]
    raw_cells = [ident(plan.sources[c.name]) for c in plan.columns if plan.present(c.name)]
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


def screen(con: duckdb.DuckDBPyConnection, plan: Plan, source: str) -> pa.Table:
    """Run the screening query: the typed table with ``row_number`` (file order: the i-th row
    is spreadsheet row i + 2), ``__blank``, ``__suspect`` and ``__key``."""
    relation = con.sql(screening_sql(plan, source))
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    table = fetch()
    numbers = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))
    return table.append_column("row_number", numbers)
