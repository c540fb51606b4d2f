"""Set-based writes for imports: load the existing rows of a table, upsert many rows at once.

One `INSERT ... ON CONFLICT (natural key) DO UPDATE ... WHERE <a value differs>` statement run
with `executemany` in chunks works the same on SQLite (≥ 3.24) and PostgreSQL, and leaves rows
whose values did not change untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

Key = tuple[Any, ...]
Values = tuple[Any, ...]

WRITE_CHUNK = 10_000
READ_CHUNK = 500
COPY_FROM = 1_000  # on PostgreSQL, more rows than this go through COPY


@dataclass(frozen=True)
class TableShape:
    """A database table seen by an import: its natural key and the columns an import sets."""

    table: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    scope_column: str = "school_id"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key + self.values


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _differs(left: str, right: str) -> str:
    """A null-safe "values differ" comparison in the current database's dialect."""
    if connection.vendor == "postgresql":
        return f"{left} IS DISTINCT FROM {right}"
    return f"{left} IS NOT {right}"


def upsert_statement(shape: TableShape) -> str:
    """The INSERT ... ON CONFLICT statement for one row of `shape` (placeholders `%s`)."""
    table = _quote(shape.table)
    columns = ", ".join(_quote(c) for c in shape.columns)
    placeholders = ", ".join(["%s"] * len(shape.columns))
    conflict = ", ".join(_quote(c) for c in shape.key)
    assignments = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in shape.values)
    changed = " OR ".join(
        _differs(f"{table}.{_quote(c)}", f"excluded.{_quote(c)}") for c in shape.values
    )
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments} WHERE {changed}"
    )


def insert_statement(shape: TableShape) -> str:
    """A plain INSERT of one row of `shape` (placeholders `%s`)."""
    columns = ", ".join(_quote(c) for c in shape.columns)
    placeholders = ", ".join(["%s"] * len(shape.columns))
    return f"INSERT INTO {_quote(shape.table)} ({columns}) VALUES ({placeholders})"


def write_rows(
    shape: TableShape,
    new: Sequence[Sequence[Any]],
    changed: Sequence[Sequence[Any]] = (),
    *,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = WRITE_CHUNK,
) -> None:
    """Write the rows an import found `new` (not stored yet) and `changed` (stored, with other
    values); each row is key columns then value columns, no key twice. Call inside the
    transaction in which the rows were compared with the database.

    On SQLite (one writer at a time: nobody can add a row since the comparison) new rows go
    in with a plain INSERT — an upsert whose SET names a foreign key is several times slower
    there; PostgreSQL upserts everything, through COPY when there are many rows.
    """
    if connection.vendor == "postgresql":
        rows = [*new, *changed]
        if len(rows) > COPY_FROM:
            _copy_upsert(shape, rows, progress=progress, chunk=chunk)
            return
        batches = [(upsert_statement(shape), rows)]
    else:
        batches = [(insert_statement(shape), new), (upsert_statement(shape), changed)]
    total, done = len(new) + len(changed), 0
    with connection.cursor() as cursor:
        for sql, rows in batches:
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                cursor.executemany(sql, part)
                done += len(part)
                if progress:
                    progress(done, total)
    if progress and not total:
        progress(0, 0)


def _copy_upsert(
    shape: TableShape,
    rows: Sequence[Sequence[Any]],
    *,
    progress: Callable[[int, int], None] | None,
    chunk: int,
) -> None:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT ... SELECT upsert
    (an order of magnitude faster than row-by-row statements)."""
    staging = _quote(f"opora_staging_{shape.table}")
    columns = ", ".join(_quote(c) for c in shape.columns)
    insert = upsert_statement(shape).replace(
        f"VALUES ({', '.join(['%s'] * len(shape.columns))})",
        f"SELECT {columns} FROM {staging}",
    )
    total = len(rows)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} AS "
            f"SELECT {columns} FROM {_quote(shape.table)} WITH NO DATA"
        )
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        for start in range(0, total, chunk):
            with raw.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
                for row in rows[start : start + chunk]:
                    copy.write_row(row)
            if progress:
                progress(min(start + chunk, total) * 9 // 10, total)
        cursor.execute(insert)
        cursor.execute(f"DROP TABLE {staging}")
    if progress:
        progress(total, total)


def existing_rows(
    shape: TableShape, *, scope_ids: Iterable[Any], years: Iterable[int] | None = None
) -> dict[Key, Values]:
    """Existing rows whose scope column (school or student) is one of `scope_ids`, of the
    given years, as {key: values}."""
    width = len(shape.key)
    return {
        tuple(row[:width]): tuple(row[width:])
        for row in select_rows(
            shape.table, shape.columns, scope_ids=scope_ids, years=years, scope=shape.scope_column
        )
    }


def select_rows(
    table: str,
    columns: Sequence[str],
    *,
    scope_ids: Iterable[Any],
    years: Iterable[int] | None = None,
    scope: str = "school_id",
) -> list[tuple[Any, ...]]:
    """`columns` of the rows of `table` whose `scope` column is one of `scope_ids` (and of the
    given years), in chunks so that no statement exceeds the database's parameter limit."""
    ids = sorted(set(scope_ids))
    year_list = sorted(set(years)) if years is not None else None
    selected = ", ".join(_quote(c) for c in columns)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), READ_CHUNK):
            part = ids[start : start + READ_CHUNK]
            sql = (
                f"SELECT {selected} FROM {_quote(table)} "
                f"WHERE {_quote(scope)} IN ({', '.join(['%s'] * len(part))})"
            )
            params: list[Any] = list(part)
            if year_list is not None:
                sql += f" AND {_quote('year')} IN ({', '.join(['%s'] * len(year_list))})"
                params += year_list
            cursor.execute(sql, params)
            found.extend(cursor.fetchall())
    return found
