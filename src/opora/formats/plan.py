"""What a validation run needs to know, and the SQL pieces shared by its queries.

The source relation (a CSV scan or a sheet) has one text column ``c<i>`` per file column; the
plan says which ``c<i>`` holds which spec column and how the file spells its header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from opora.formats.columns import Column, Scoring, columns
from opora.formats.procedures import Procedure

TRIM_CHARS = " \t\r\n\u00a0\u202f\ufeff"
EXACT_INTEGERS = 2**53
SETTLEMENTS = ("город", "село")
# Two capitalised words, Cyrillic or Latin («Иванов Иван», «Петрова А.», «Ivanov Ivan»).
PERSONAL_NAME = r"[А-ЯЁ][а-яё]+\s+[А-ЯЁ]|[A-Z][a-z]+\s+[A-Z][a-z]"
_GROUPED_NUMBER = "[-+]?\\d{1,3}([ \u00a0\u202f]\\d{3})+([.,]\\d+)?"
_SPACES = "[ \u00a0\u202f]"


def quiet_connection() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB (one per call: connections are not shared between threads)
    that prints no progress bar into the server's or the command's output."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def quote(text: str) -> str:
    """A SQL string literal.

    >>> quote("Школа «О'Нил»")
    "'Школа «О''Нил»'"
    """
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A SQL identifier.

    >>> ident("mark_2")
    '"mark_2"'
    """
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Plan:
    """The kind, where each spec column is in the source (``sources``: name → ``c<i>``), how
    its header is written, the procedure catalogue and the allowed years."""

    kind: str
    sources: dict[str, str]
    written: dict[str, str]
    procedures: Mapping[str, Procedure]
    year_range: tuple[int, int]

    @property
    def columns(self) -> list[Column]:
        return columns(self.kind)

    def present(self, name: str) -> bool:
        return name in self.sources

    def header(self, name: str) -> str:
        """The column's header as the file writes it (Russian header when absent)."""
        return self.written.get(name) or next(c.russian for c in self.columns if c.name == name)

    def bounds(self, column: Column) -> tuple[float | None, float | None]:
        if column.name == "year":
            return self.year_range
        return column.minimum, column.maximum

    def names_scored(self, scoring: Scoring) -> str:
        """SQL list of canonical procedure names with this scoring, e.g. ``('ВПР', 'ОГЭ')``."""
        names = [quote(p.name) for p in self.procedures.values() if p.scoring == scoring]
        return "(" + (", ".join(names) or "NULL") + ")"

    def canonical_procedure(self, text: str) -> str:
        """SQL: the catalogue name for a procedure text, exact spelling first (cheap), then
        case-insensitive; NULL when unknown."""
        exact = " ".join(
            f"WHEN {quote(p.name)} THEN {quote(p.name)}" for p in self.procedures.values()
        )
        folded = " ".join(
            f"WHEN {quote(p.name.strip().lower())} THEN {quote(p.name)}"
            for p in self.procedures.values()
        )
        if not exact:
            return "CAST(NULL AS VARCHAR)"
        return f"(CASE {text} {exact} ELSE (CASE lower({text}) {folded} END) END)"


def valid_number_sql(plan: Plan, column: Column, number: str) -> str:
    """SQL condition: ``number`` (a DOUBLE) is a valid value of ``column`` (integral for
    counts, within bounds); NULL-safe (false for NULL)."""
    parts = [f"{number} IS NOT NULL", f"isfinite({number})"]
    if column.type == "int":
        parts.append(f"{number} = trunc({number}) AND abs({number}) < {EXACT_INTEGERS}")
    low, high = plan.bounds(column)
    if low is not None:
        parts.append(f"{number} >= {low}")
    if high is not None:
        parts.append(f"{number} <= {high}")
    return "COALESCE(" + " AND ".join(parts) + ", false)"


def careful_number_sql(text: str) -> str:
    """SQL: a trimmed text as a DOUBLE with a decimal point or comma, digits possibly grouped
    by spaces («1 234,5»); NULL when it is not a number."""
    grouped = (
        f"CASE WHEN regexp_full_match({text}, {quote(_GROUPED_NUMBER)}) THEN "
        f"TRY_CAST(replace(regexp_replace({text}, {quote(_SPACES)}, '', 'g'), ',', '.') "
        "AS DOUBLE) END"
    )
    return f"COALESCE(TRY_CAST(replace({text}, ',', '.') AS DOUBLE), {grouped})"


def quick_number_sql(cell: str) -> str:
    """SQL: an untrimmed cell as a DOUBLE; a plain cast first (most cells), the careful parse
    only for the cells it fails on."""
    # A decimal comma is common (Russian Excel): swap it before the cast rather than letting
    # every such cell fail into the careful path.
    plain = f"CASE WHEN contains({cell}, ',') THEN replace({cell}, ',', '.') ELSE {cell} END"
    careful = careful_number_sql(f"trim({cell}, {quote(TRIM_CHARS)})")
    return f"COALESCE(TRY_CAST({plain} AS DOUBLE), CASE WHEN {cell} IS NOT NULL THEN {careful} END)"


def trimmed_text_sql(cell: str) -> str:
    """SQL: a cell without surrounding spaces, NULL when empty. Trimming is costly, so it runs
    only on cells that start or end with a space, a tab or a non-breaking space."""
    edges = " OR ".join(
        f"{cell} LIKE {quote(pattern)}"
        for space in (" ", "\t", "\u00a0")
        for pattern in (space + "%", "%" + space)
    )
    return f"NULLIF(CASE WHEN {edges} THEN trim({cell}, {quote(TRIM_CHARS)}) ELSE {cell} END, '')"
