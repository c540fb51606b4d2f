"""Small glue between the lazy engines and the school-level NumPy code of this package."""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pyarrow as pa

from opora.analytics.cells import failure_columns
from opora.analytics.frames import distinct, to_lazy


def as_lazy(frame: Any) -> nw.LazyFrame:
    """Any table the analytics accept (narwhals frame, DuckDB relation, Spark frame, Arrow table)
    as a narwhals LazyFrame. Arrow tables run on DuckDB."""
    if isinstance(frame, nw.LazyFrame):
        return frame
    if isinstance(frame, nw.DataFrame):
        return frame.lazy()
    if isinstance(frame, pa.Table):
        return to_lazy(frame, "duckdb")
    native = nw.from_native(frame)
    return native if isinstance(native, nw.LazyFrame) else native.lazy()


def with_failures(results: nw.LazyFrame) -> nw.LazyFrame:
    """Add ``failures`` (cells.failure_columns: ``mark_2``, or ``below_min`` for ЕГЭ) unless the
    frame already has it (prepared results, judged cells); rows whose failures are unknown are
    dropped either way."""
    columns = results.collect_schema().names()
    if "failures" in columns:  # prepared results, judged cells: computed already
        return results.filter(~nw.col("failures").is_null())
    if "mark_2" not in columns and "below_min" not in columns:
        raise ValueError(
            "В таблице результатов нет столбцов «Отметка «2»» (mark_2) и «Ниже минимального "
            "порога» (below_min): не из чего посчитать неудовлетворительные результаты."
        )
    missing = [nw.lit(None, nw.Int64).alias(c) for c in ("mark_2", "below_min") if c not in columns]
    if missing:
        results = results.with_columns(*missing)
    failures = failure_columns()[0]
    return results.with_columns(failures).filter(~nw.col("failures").is_null())


def require_columns(frame: nw.LazyFrame, columns: list[str], what: str) -> None:
    """Raise a Russian error naming the missing interchange columns."""
    missing = [c for c in columns if c not in frame.collect_schema().names()]
    if missing:
        raise ValueError(
            f"В таблице «{what}» нет столбцов: {', '.join(missing)}. "
            "Проверьте, что файл соответствует формату обмена."
        )


def collect(
    frame: nw.LazyFrame, ints: tuple[str, ...] = (), floats: tuple[str, ...] = ()
) -> pa.Table:
    """Collect to Arrow with stable numeric types (DuckDB sums come back as decimals)."""
    casts = [nw.col(c).cast(nw.Int64) for c in ints] + [nw.col(c).cast(nw.Float64) for c in floats]
    if casts:
        frame = frame.with_columns(*casts)
    return frame.collect(backend="pyarrow").to_native()


def distinct_years(frame: nw.LazyFrame) -> list[int]:
    """The sorted distinct years of a frame (a tiny collect)."""
    years = distinct(frame, "year").collect(backend="pyarrow").to_native()
    return sorted(int(y) for y in years.column("year").to_pylist() if y is not None)


def consecutive_years(
    frame: nw.LazyFrame, keys: list[str], sums: list[str], years: list[int] | None = None
) -> nw.LazyFrame | None:
    """Pair every pair of consecutive years present in ``frame`` for each key.

    For each pair (y0, y1) of neighbouring years of the whole frame (the same pairs for all
    schools) the ``sums`` columns are summed per key separately for y0 (``<col>_from``) and y1
    (``<col>_to``), with ``year_from``/``year_to`` added. A key present in only one of the two
    years still gets a row (its other side is null), so callers can say «нет данных».
    Conditional sums instead of a full outer join keep both engines row-for-row identical.
    ``years`` saves the query for the distinct years when the caller already knows them.
    """
    years = distinct_years(frame) if years is None else sorted(years)
    parts = []
    for y0, y1 in zip(years, years[1:], strict=False):
        aggregations = []
        for column in sums:
            for year, side in ((y0, "from"), (y1, "to")):
                aggregations.append(
                    nw.when(nw.col("year") == year)
                    .then(nw.col(column))
                    .sum()
                    .alias(f"{column}_{side}")
                )
        part = (
            frame.filter(nw.col("year").is_in([y0, y1]))
            .group_by(keys)
            .agg(*aggregations)
            .with_columns(year_from=nw.lit(y0, nw.Int64), year_to=nw.lit(y1, nw.Int64))
        )
        parts.append(part)
    if not parts:
        return None  # fewer than two years: nothing to compare
    return nw.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
