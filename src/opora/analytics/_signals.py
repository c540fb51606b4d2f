"""The signals of ``reliability`` computed vectorised, for every school at once.

One pooled table (school × year × procedure, collected from the engine) serves the ВПР/ГИА
comparison and the collapse of whole procedures; the cells of consecutive years are compared
on the engine and only the candidates are collected. Python writes the texts of the signals
alone, never loops over the results.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics import _phrases as say
from opora.analytics._frames import (
    as_lazy,
    collect,
    require_columns,
    with_failures,
)
from opora.analytics.cells import CELL_KEY, ROW_ID, UNIT_KEY
from opora.analytics.frames import without_dictionaries
from opora.analytics.stats import two_proportion_test
from opora.analytics.wording import number_texts
from opora.formats.clean_csv import key_numbers

SIGNAL_SCHEMA = pa.schema(
    [
        ("school_id", pa.string()),
        ("signal", pa.string()),
        ("year", pa.int64()),
        ("procedure", pa.string()),
        ("subject", pa.string()),
        ("grade", pa.int64()),
        ("p_value", pa.float64()),
        ("figures", pa.string()),
        ("text", pa.string()),
    ]
)

CHECK = "Это признак возможной необъективности результатов, требует проверки."


def results_frame(results: Any) -> nw.LazyFrame:
    """Results as a lazy frame with ``failures``, the columns every signal needs checked."""
    frame = with_failures(as_lazy(results))
    require_columns(frame, ["school_id", "year", "procedure", "participants"], "результаты")
    return frame


def top_mark_columns(frame: nw.LazyFrame, top_marks: str) -> list[str] | None:
    """The mark columns counted as top marks, or None when the results lack one of them."""
    columns = ["mark_5"] if top_marks == "5" else ["mark_4", "mark_5"]
    names = frame.collect_schema().names()
    return None if any(c not in names for c in columns) else columns


def pooled_table(
    frame: nw.LazyFrame,
    top_columns: list[str] | None,
    procedures: list[str] | None = None,
    source: pa.Table | None = None,
) -> pa.Table:
    """Participants, failures (and ``top`` marks) summed per school × year × procedure.

    With ``source``, the prepared Arrow table behind ``frame``, the engine groups the rows by
    their ``unit_key`` (one number per school × procedure) instead of two texts, and the
    texts are taken from ``source`` by the position of a row of each group; the table also
    keeps ``unit_key`` then.
    """
    sums = [nw.col("participants").sum(), nw.col("failures").sum()]
    ints = ["year", "participants", "failures"]
    if procedures is not None:
        frame = frame.filter(nw.col("procedure").is_in(procedures))
    if top_columns is not None:
        top = sum(
            (nw.col(c).fill_null(0) for c in top_columns[1:]), nw.col(top_columns[0]).fill_null(0)
        )
        frame = frame.with_columns(top=top)
        sums.append(nw.col("top").sum())
        ints.append("top")
    if not _numbered(frame, source):
        return collect(
            frame.group_by("school_id", "year", "procedure").agg(*sums), ints=tuple(ints)
        )
    pooled = collect(
        frame.group_by(UNIT_KEY, "year").agg(*sums, nw.col(ROW_ID).min()), ints=tuple(ints)
    )
    texts = source.select(["school_id", "procedure"]).take(pooled.column(ROW_ID))
    columns = {
        "school_id": texts.column("school_id").cast(pa.string()),
        "year": pooled.column("year"),
        "procedure": texts.column("procedure").cast(pa.string()),
        **{c: pooled.column(c) for c in ints[1:]},
        UNIT_KEY: pooled.column(UNIT_KEY),
    }
    return pa.table(columns)


def _numbered(frame: nw.LazyFrame, source: pa.Table | None) -> bool:
    """Whether ``frame`` holds prepared results whose rows ``source`` has by position."""
    names = frame.collect_schema().names()
    return (
        source is not None
        and ROW_ID in source.column_names
        and all(c in names for c in (ROW_ID, CELL_KEY, UNIT_KEY))
    )


def _ints(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False)


def vpr_vs_gia(
    pooled: pa.Table,
    *,
    vpr_max_failure: float,
    vpr_min_top: float,
    gia_min_failure: float,
    min_participants: int,
    top_marks: str,
    graded_procedure: str = "ВПР",
    gia_procedures: tuple[str, ...] = ("ОГЭ", "ЕГЭ"),
    max_year_gap: int = 1,
) -> pa.Table:
    """The ``vpr_vs_gia`` signals from the pooled table (vectorised: only the signals are
    written in Python). The ГИА of a school-year pools its ОГЭ and ЕГЭ; the nearest year first
    (the same, then one earlier, one later, …) whose pool is large enough and weak enough."""
    if pooled.num_rows == 0 or "top" not in pooled.column_names:
        return SIGNAL_SCHEMA.empty_table()
    pooled = pooled.filter(
        pc.and_(pc.is_valid(pooled.column("school_id")), pc.is_valid(pooled.column("year")))
    )
    procedure = pooled.column("procedure")
    n, failures, top = (_ints(pooled, c) for c in ("participants", "failures", "top"))
    is_vpr = pc.fill_null(pc.equal(procedure, graded_procedure), False).to_numpy(
        zero_copy_only=False
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        chosen = (
            is_vpr
            & (n >= min_participants)
            & (n > 0)
            & ~(failures / n > vpr_max_failure)
            & ~(top / n < vpr_min_top)
        )
    vpr = pooled.filter(pa.array(chosen))
    if vpr.num_rows == 0:
        return SIGNAL_SCHEMA.empty_table()
    gia_rows = pooled.filter(
        pc.and_(
            pc.fill_null(
                pc.is_in(procedure, value_set=pa.array(gia_procedures, pa.string())), False
            ),
            pc.is_in(
                pooled.column("school_id"), value_set=vpr.column("school_id").combine_chunks()
            ),
        )
    )
    pools = gia_rows.group_by(["school_id", "year"], use_threads=False).aggregate(
        [("participants", "sum"), ("failures", "sum"), ("procedure", "list")]
    )
    size, weak = _ints(pools, "participants_sum"), _ints(pools, "failures_sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        is_weak = (size >= min_participants) & (size > 0) & (weak / size >= gia_min_failure)
    pools = pools.filter(pa.array(is_weak))
    gia = {
        (school, year): (total, failed, names)
        for school, year, total, failed, names in zip(
            *(pools.column(c).to_pylist() for c in pools.column_names), strict=True
        )
    }
    candidates = [year for gap in range(1, max_year_gap + 1) for year in (-gap, gap)]
    top_word = "«5»" if top_marks == "5" else "«4» и «5»"
    signals = []
    columns = ("school_id", "year", "participants", "failures", "top")
    rows = zip(*(vpr.column(c).to_pylist() for c in columns), strict=True)
    for school, year, n_vpr, failed_vpr, top_vpr in rows:
        for gia_year in (year, *(year + offset for offset in candidates)):
            pool = gia.get((school, gia_year))
            if pool is not None:
                break
        else:
            continue
        gia_participants, gia_failures, names = pool
        procedures = ", ".join(sorted(names, key=gia_procedures.index))
        figures = {
            "vpr_failures": failed_vpr,
            "vpr_top": top_vpr,
            "vpr_participants": n_vpr,
            "gia_year": gia_year,
            "gia_failures": gia_failures,
            "gia_participants": gia_participants,
        }
        text = (
            f"{graded_procedure} {year}: «2» — {say.percent(failed_vpr / n_vpr)} "
            f"({say.count_of(failed_vpr, n_vpr)}), {top_word} — {say.percent(top_vpr / n_vpr)} "
            f"({say.count_of(top_vpr, n_vpr)}), а на ГИА {gia_year} ({procedures}) "
            f"неудовлетворительных результатов — {say.percent(gia_failures / gia_participants)} "
            f"({say.count_of(gia_failures, gia_participants)}). {CHECK}"
        )
        signals.append(
            signal(school, "vpr_vs_gia", year, graded_procedure, None, None, None, figures, text)
        )
    return signal_table(signals)


_PAIR_INTS = ("participants_from", "participants_to", "failures_from", "failures_to")


def collapse(
    frame: nw.LazyFrame,
    pooled: pa.Table,
    *,
    collapse_p: float,
    collapse_min_drop: float,
    min_participants: int,
    levels: Sequence[str],
    window: Sequence[int] | None = None,
    source: pa.Table | None = None,
) -> pa.Table:
    """``collapse`` signals: cells compared on the engine, whole procedures from ``pooled``.

    ``source`` is the prepared Arrow table behind ``frame`` when there is one (on either
    engine): the cells' texts are then taken from it by row position instead of going through
    the engine's joins.

    The pairs are neighbouring years of the results ending in a ``window`` year (every pair
    without a window). A significant drop is no signal when the year before the pair is known
    and the later share is not itself far below it: that is a recovery after a one-year dip.
    """
    every = sorted(pc.unique(pooled.column("year").drop_null()).to_pylist())
    judged = set(every if window is None else window)
    pairs = [(a, b) for a, b in zip(every, every[1:], strict=False) if b in judged]
    before = dict(zip(every[1:], every, strict=False))  # year → the year before it
    signals = []  # one table of signals per level
    for level in levels:
        if level == "cell":
            table = _cell_pairs(frame, pairs, before, min_participants, collapse_min_drop, source)
            if table is None:
                continue
        else:
            table = _procedure_pairs(pooled, pairs, before, min_participants, collapse_min_drop)
        if table.num_rows == 0:
            continue
        p = _p_values(table)
        significant = p < collapse_p
        table, p = table.filter(pa.array(significant)), p[significant]
        keep = ~_recovered(table, collapse_p, collapse_min_drop, min_participants)
        table, p = _with_cell_texts(table.filter(pa.array(keep)), source), p[keep]
        signals.append(_collapse_table(table, p))
    if not signals:
        return SIGNAL_SCHEMA.empty_table()
    return _sorted_signals(pa.concat_tables(signals))


def _p_values(table: pa.Table) -> np.ndarray:
    x0, n0, x1, n1 = (
        table.column(c).to_numpy(zero_copy_only=False)
        for c in ("failures_from", "participants_from", "failures_to", "participants_to")
    )
    return two_proportion_test(x0, n0, x1, n1)[1]


def _recovered(
    drops: pa.Table, collapse_p: float, min_drop: float, min_participants: int
) -> np.ndarray:
    """Whether each drop only returns to the level of the year before the pair: that year is
    judged (enough participants) and the later share is not lower than it by ``min_drop``
    with p < ``collapse_p``."""
    n = drops.column("participants_before").fill_null(0).to_numpy(zero_copy_only=False)
    x = drops.column("failures_before").fill_null(0).to_numpy(zero_copy_only=False)
    n1 = drops.column("participants_to").to_numpy(zero_copy_only=False)
    x1 = drops.column("failures_to").to_numpy(zero_copy_only=False)
    _, p = two_proportion_test(x, n, x1, n1)
    with np.errstate(divide="ignore", invalid="ignore"):
        fell_far = (x / n - x1 / n1 >= min_drop - 1e-12) & (p < collapse_p)
    return (n >= min_participants) & (n > 0) & ~fell_far


_CELL = ["school_id", "procedure", "subject", "grade"]
_BEFORE = ("participants_before", "failures_before")


def _cell_pairs(
    frame: nw.LazyFrame,
    pairs: list[tuple[int, int]],
    before: dict[int, int],
    min_participants: int,
    min_drop: float,
    source: pa.Table | None = None,
) -> pa.Table | None:
    """Cells of the year ``pairs`` whose failure share dropped by at least ``min_drop``, with
    the cell's figures in the year before the pair (``participants_before``,
    ``failures_before``; null when unknown).

    Only a cell whose earlier share was at least ``min_drop`` can drop that far: those few
    cells are joined to the later year's cells and to the year before (a cell is one row a
    year, as the interchange format requires; empty keys match as equal), far cheaper than
    grouping every cell. All the pairs are joined at once, on the cell and the year: each
    earlier row carries the year it is compared with and the year before it. Prepared results
    are matched on their ``cell_key``, other tables on the four key columns. Each side of a join starts from ``frame`` on its own: a part the
    sides shared would be materialised by DuckDB, text columns and all. With the ``source``
    table of prepared results the engine moves only numbers: the earlier side carries the
    row position (``row_id`` in place of the cell's texts, which :func:`_with_cell_texts`
    takes from ``source`` for the few signals at the end).
    """
    if not pairs:
        return None
    names = frame.collect_schema().names()
    described = [ROW_ID] if _numbered(frame, source) else _CELL
    if CELL_KEY in names:
        keys = [CELL_KEY]  # prepared results: one number per cell

        def keyed() -> nw.LazyFrame:
            return with_failures(frame)
    else:
        keys = [f"__{c}" for c in _CELL]

        def keyed() -> nw.LazyFrame:
            return with_failures(frame).with_columns(
                nw.col("school_id").fill_null("").alias("__school_id"),
                nw.col("procedure").fill_null("").alias("__procedure"),
                nw.col("subject").fill_null("").alias("__subject"),
                nw.col("grade").fill_null(-1).alias("__grade"),
            )

    n, failures = nw.col("participants"), nw.col("failures")
    n0, n1 = nw.col("participants_from"), nw.col("participants_to")
    drop = nw.col("failures_from") / n0 - nw.col("failures_to") / n1
    # Every pair of years in one pass of each side: the earlier rows carry the year they are
    # compared with (and the year before them), and the sides are joined on the cell and that
    # year. Three scans of the results whatever the number of pairs.
    later_of = _year_map([(y0, y1) for y0, y1 in pairs])
    before_of = _year_map([(y0, before[y0]) for y0, _ in pairs if y0 in before])
    earlier = (
        keyed()
        .filter(
            nw.col("year").is_in([y0 for y0, _ in pairs])
            & (n >= min_participants)
            & (n > 0)
            & (failures >= n * min_drop - 1e-9)
        )
        .select(
            *described,
            *keys,
            participants_from=n,
            failures_from=failures,
            year_from=nw.col("year"),
            year_to=later_of,
            year_before=before_of,
        )
    )
    later = (
        keyed()
        .filter(nw.col("year").is_in([y1 for _, y1 in pairs]) & (n >= min_participants) & (n > 0))
        .select(*keys, participants_to=n, failures_to=failures, year_to=nw.col("year"))
    )
    dropped = earlier.join(later, on=[*keys, "year_to"], how="inner").filter(
        drop >= min_drop - 1e-12
    )
    prior_years = sorted({before[y0] for y0, _ in pairs if y0 in before})
    if prior_years:
        prior = (
            keyed()
            .filter(nw.col("year").is_in(prior_years))
            .select(
                *keys,
                participants_before=n,
                failures_before=failures,
                year_before=nw.col("year"),
            )
        )
        dropped = dropped.join(prior, on=[*keys, "year_before"], how="left")
    else:
        dropped = dropped.with_columns(*(nw.lit(None, nw.Int64).alias(c) for c in _BEFORE))
    lazy = dropped.select(*described, *_PAIR_INTS, *_BEFORE, "year_from", "year_to")
    return collect(lazy, ints=(*_PAIR_INTS, *_BEFORE, "year_from", "year_to"))


def _year_map(pairs: list[tuple[int, int]]) -> nw.Expr:
    """The year paired with each row's ``year`` (null for a year of no pair)."""
    mapped: nw.Expr = nw.lit(None, nw.Int64)
    for year, other in pairs:
        mapped = nw.when(nw.col("year") == year).then(nw.lit(other, nw.Int64)).otherwise(mapped)
    return mapped


def _with_cell_texts(drops: pa.Table, source: pa.Table | None) -> pa.Table:
    """Drops that carry a ``row_id`` get the texts of their cell from ``source`` instead."""
    if ROW_ID not in drops.column_names or source is None:
        return drops
    texts = source.select(_CELL).take(drops.column(ROW_ID))
    columns = {c: texts.column(c) for c in _CELL}
    columns.update({c: drops.column(c) for c in drops.column_names if c != ROW_ID})
    return pa.table(columns)


def _procedure_pairs(
    pooled: pa.Table,
    pairs: list[tuple[int, int]],
    before: dict[int, int],
    min_participants: int,
    min_drop: float,
) -> pa.Table:
    """Whole procedures of consecutive years whose failure share dropped by ``min_drop``
    (the same figures as :func:`consecutive_years` over the results, from the pooled table),
    with the procedure's figures in the year before the pair (``participants_before``,
    ``failures_before``; null where that year is unknown).

    The pooled table has one row per school × year × procedure: its figures are laid out as a
    procedure × year grid (NumPy), and each pair of years compares two columns of the grid.
    """
    rows = pooled.num_rows
    numbers = (
        _ints(pooled, UNIT_KEY)
        if UNIT_KEY in pooled.column_names
        else key_numbers(pooled, ("school_id", "procedure"))
    )
    units, unit = np.unique(numbers, return_inverse=True)
    first = np.zeros(len(units), dtype=np.int64)
    first[unit[::-1]] = np.arange(rows)[::-1]  # a row of each procedure, for its texts
    years = sorted(
        {y for pair in pairs for y in pair} | {before[y0] for y0, _ in pairs if y0 in before}
    )
    grid_n = np.zeros((len(units), len(years)), dtype=np.int64)
    grid_x = np.zeros((len(units), len(years)), dtype=np.int64)
    known = np.zeros((len(units), len(years)), dtype=bool)
    year, n, x = (_ints(pooled, c) for c in ("year", "participants", "failures"))
    at = {y: i for i, y in enumerate(years)}
    for y, i in at.items():
        mine = year == y
        grid_n[unit[mine], i] = n[mine]
        grid_x[unit[mine], i] = x[mine]
        known[unit[mine], i] = True
    parts = []
    for y0, y1 in pairs:
        n0, n1, x0, x1 = grid_n[:, at[y0]], grid_n[:, at[y1]], grid_x[:, at[y0]], grid_x[:, at[y1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            keep = (
                known[:, at[y0]]
                & known[:, at[y1]]
                & (n0 >= min_participants)
                & (n1 >= min_participants)
                & (n0 > 0)
                & (n1 > 0)
                & (x0 / n0 - x1 / n1 >= min_drop - 1e-12)
            )
        chosen = np.flatnonzero(keep)
        texts = pooled.select(["school_id", "procedure"]).take(pa.array(first[chosen]))
        prior = at.get(before.get(y0, -1))
        if prior is None:
            n_before = x_before = pa.nulls(len(chosen), pa.int64())
        else:
            mask = ~known[chosen, prior]
            n_before = pa.array(grid_n[chosen, prior], pa.int64(), mask=mask)
            x_before = pa.array(grid_x[chosen, prior], pa.int64(), mask=mask)
        parts.append(
            pa.table(
                {
                    "school_id": texts.column("school_id"),
                    "procedure": texts.column("procedure"),
                    "subject": pa.nulls(len(chosen), pa.string()),
                    "grade": pa.nulls(len(chosen), pa.int64()),
                    "participants_from": n0[chosen],
                    "participants_to": n1[chosen],
                    "failures_from": x0[chosen],
                    "failures_to": x1[chosen],
                    "participants_before": n_before,
                    "failures_before": x_before,
                    "year_from": pa.array(np.full(len(chosen), y0, dtype=np.int64)),
                    "year_to": pa.array(np.full(len(chosen), y1, dtype=np.int64)),
                }
            )
        )
    return pa.concat_tables(parts) if parts else pa.table({})


def _collapse_table(drops: pa.Table, p: np.ndarray) -> pa.Table:
    """The ``collapse`` signals of ``drops`` (their p-values ``p``) as a table of
    ``SIGNAL_SCHEMA``: the texts and the figures are written by Arrow kernels, not row by row.

    «ВПР, Математика, 5 кл.: доля «2» снизилась с 50 % (20 из 40) в 2023 г. до 3 % (1 из 40)
    в 2024 г. — на 48 п.п. (p < 0,001); такое резкое улучшение случайностью не объясняется.»
    """
    drops = without_dictionaries(drops)
    f0, n0, f1, n1 = (
        _ints(drops, c)
        for c in ("failures_from", "participants_from", "failures_to", "participants_to")
    )
    share0, share1 = f0 / n0, f1 / n1
    procedure, subject = (drops.column(c).cast(pa.string()) for c in ("procedure", "subject"))
    grade = drops.column("grade").cast(pa.int64())
    year_from, year_to = (drops.column(c).cast(pa.int64()) for c in ("year_from", "year_to"))
    threshold = pc.fill_null(pc.equal(procedure, "ЕГЭ"), False)
    phrase = pc.if_else(threshold, say.failure_share_phrase("ЕГЭ"), say.failure_share_phrase("ВПР"))
    text = pc.binary_join_element_wise(
        say.cell_label_texts(procedure, subject, grade), ": ", phrase, " снизилась с ",
        say.percent_texts(share0), " (", say.count_of_texts(f0, n0), ") в ", number_texts(year_from),
        " г. до ", say.percent_texts(share1), " (", say.count_of_texts(f1, n1), ") в ",
        number_texts(year_to), " г. — на ", say.points_texts(share0 - share1, signed=False), " (",
        say.p_value_texts(p), "); такое резкое улучшение случайностью не объясняется. ", CHECK,
        "",
    )  # fmt: skip
    # The figures as json.dumps writes them (keys in this order, «, » and «: »).
    figures = pc.binary_join_element_wise(
        '{"year_from": ', number_texts(year_from), ', "failures_from": ', number_texts(f0),
        ', "participants_from": ', number_texts(n0), ', "failures_to": ', number_texts(f1),
        ', "participants_to": ', number_texts(n1), "}", "",
    )  # fmt: skip
    rows = drops.num_rows
    return pa.table(
        {
            "school_id": drops.column("school_id").cast(pa.string()),
            "signal": pa.array(["collapse"] * rows, pa.string()),
            "year": year_to,
            "procedure": procedure,
            "subject": subject,
            "grade": grade,
            "p_value": pa.array(np.asarray(p, dtype=np.float64)),
            "figures": figures,
            "text": text,
        },
        schema=SIGNAL_SCHEMA,
    )


def _sorted_signals(table: pa.Table) -> pa.Table:
    """Signals in their order: school, year, procedure, subject (empty first), grade (empty as
    0); signals that tie keep their order."""
    keys = pa.table(
        {
            "school_id": table.column("school_id"),
            "year": table.column("year"),
            "procedure": table.column("procedure").fill_null(""),
            "subject": table.column("subject").fill_null(""),
            "grade": table.column("grade").fill_null(0),
        }
    )
    order = pc.sort_indices(keys, sort_keys=[(name, "ascending") for name in keys.column_names])
    return table.take(order)


def signal(
    school: str,
    code: str,
    year: int,
    procedure: str,
    subject: str | None,
    grade: int | None,
    p: float | None,
    figures: dict[str, Any],
    text: str,
) -> dict[str, Any]:
    return {
        "school_id": school,
        "signal": code,
        "year": int(year),
        "procedure": procedure,
        "subject": subject,
        "grade": None if grade is None else int(grade),
        "p_value": p,
        "figures": json.dumps(figures, ensure_ascii=False),
        "text": text,
    }


def signal_table(rows: list[dict[str, Any]]) -> pa.Table:
    if not rows:
        return SIGNAL_SCHEMA.empty_table()
    return _sorted_signals(pa.Table.from_pylist(rows, schema=SIGNAL_SCHEMA))
