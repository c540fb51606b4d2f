"""ШНОР and the risk group: stably low results by the rule of ``[low_results]``.

The heavy part (filters, window, per-cell verdicts, aggregation to school × year) runs as
Narwhals lazy expressions on DuckDB or PySpark; the school-level table (one row per school) is
collected to Arrow/NumPy for counting years, shrinkage and the Russian reasons.

Two rules:

- ``rule = "cells"`` (the seed 004 order): a low year has at least ``min_low_cells`` low cells
  making at least ``min_low_share`` of the judged cells; ШНОР has at least ``years_required``
  low years in the window.
- ``rule = "rosobrnadzor"``: the unit is a whole procedure (participants pooled over subjects
  and grades per school × year); ШНОР when some year has at least
  ``[risk_indicator].min_low_procedures`` low procedures and (``combine = "and"``) or
  (``combine = "or"``) some procedure is low ``consecutive_years`` window years running.

The risk group: at least one low year (``rosobrnadzor``: at least one low procedure) in the
window, not ШНОР. Schools without a judged cell in the window have status «недостаточно данных».

>>> import pyarrow as pa
>>> from opora.analytics.frames import to_lazy
>>> from opora.analytics.methodology import DEFAULT
>>> results = pa.table({"school_id": ["01", "01"], "year": [2023, 2024],
...     "procedure": ["ВПР", "ВПР"], "subject": ["Математика"] * 2, "grade": [5, 6],
...     "participants": [20, 21], "mark_2": [6, 9]})
>>> outcome = assess_low_results(to_lazy(prepare_results(results)), DEFAULT)
>>> sorted(outcome.low_results.flagged), outcome.years
(['01'], (2023, 2024))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics.cells import (
    CELL_COLUMNS,
    CELL_SCHEMA,
    EPSILON,
    LAZY_CELL_COLUMNS,
    STATUS_JUDGED,
    STATUS_TOO_FEW,
    finish_cells,
    judged_cells,
    prepare_results,
    window_years,
    worst_cells,
)
from opora.analytics.frames import collect, distinct
from opora.analytics.methodology import LowResultsRule, Methodology, RiskIndicatorRule
from opora.analytics.stats import shrunk_shares
from opora.analytics.verdicts import REASONS_SCHEMA, CategoryResult, reason_lists
from opora.analytics.wording import (
    CELLS,
    cell_phrase_texts,
    number_texts,
    percent_texts,
    plural,
    plural_texts,
    years_phrase,
)

__all__ = ["LowResultsOutcome", "assess_low_results", "prepare_results", "MAX_CELLS_IN_REASONS"]

MAX_CELLS_IN_REASONS = 5

SCHOOL_YEAR_SCHEMA: dict[str, pa.DataType] = {
    "school_id": pa.string(),
    "year": pa.int64(),
    "cells": pa.int64(),
    "judged_cells": pa.int64(),
    "low_cells": pa.int64(),
    "failures": pa.int64(),
    "participants": pa.int64(),
    "max_share": pa.float64(),
}
WORST_SCHEMA: dict[str, pa.DataType] = {c: CELL_SCHEMA[c] for c in LAZY_CELL_COLUMNS}
CELL_KEY = ("school_id", "year", "procedure", "subject", "grade")


@dataclass
class LowResultsOutcome:
    """Everything the low-results rule found, kept for the other rules and the reasons.

    ``schools`` has one row per school (register ∪ results): school_id, status, cells,
    judged_cells, low_cells, judged_years, low_years, failures, participants (pooled over the
    judged cells of the window), actual_share, shrunk_share, shrunk_rank (1 = most failures),
    max_share, low_results, risk. ``school_years`` has the same counts per school × year.
    ``worst`` holds up to five low cells per school, worst first. ``cells`` is the lazy
    judged-cell frame.
    """

    years: tuple[int, ...]
    rule: LowResultsRule
    cells: nw.LazyFrame
    school_years: pa.Table
    schools: pa.Table
    worst: pa.Table
    low_results: CategoryResult
    risk: CategoryResult
    status_reasons: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # The Rosobrnadzor indicator's procedures low years running, per school (for the reasons).
    persistent: dict[str, list[tuple[str, list[int]]]] = field(default_factory=dict)

    def cell_table(self) -> pa.Table:
        """Collect the cell detail (every window cell, judged or not) sorted by its key."""
        table = _sorted(collect(self.cells, CELL_SCHEMA), CELL_KEY)
        return finish_cells(table, self.rule).select(list(CELL_COLUMNS))


def assess_low_results(
    results: nw.LazyFrame,
    method: Methodology,
    school_ids: Sequence[str] | pa.Array | None = None,
    years: Sequence[int] | None = None,
    *,
    reasons: bool = True,
) -> LowResultsOutcome:
    """Judge cells, count low years and flag ШНОР and the risk group with reasons.

    ``results`` is a lazy frame of :func:`prepare_results`; ``school_ids`` (the register) adds
    schools with no results (default: every school of ``results``); ``years`` overrides the
    window (normally found from the data). ``reasons=False`` leaves the reasons to a later
    :func:`write_reasons` (the categories then have their details only), so that the caller
    can write them while the engine works on something else.

    >>> import pyarrow as pa
    >>> from opora.analytics.frames import to_lazy
    >>> from opora.analytics.methodology import DEFAULT
    >>> t = prepare_results(pa.table({"school_id": ["7"], "year": [2024], "procedure": ["ВПР"],
    ...     "subject": ["Математика"], "grade": [5], "participants": [4], "mark_2": [4]}))
    >>> assess_low_results(to_lazy(t), DEFAULT).schools["status"].to_pylist()
    ['недостаточно данных']
    """
    rule = method.low_results
    if school_ids is None:
        # Without a register every school of the results is listed, judged or not.
        found = collect(distinct(results, "school_id"))
        school_ids = [s for s in found.column("school_id").to_pylist() if s is not None]
    window = tuple(years) if years is not None else window_years(results, rule)
    # Several queries start from the judged cells; recomputing them from the Arrow scan was
    # measured cheaper on DuckDB than collecting them once (1.6 million rows nationally).
    cells = judged_cells(results, rule, window)
    school_years = _school_years(cells)
    schools = _schools(school_years, school_ids, rule, window)
    warnings = _window_warnings(rule, window)
    if rule.rule == "rosobrnadzor":
        low_units = collect(distinct(cells.filter(nw.col("low")), "school_id", "year", "procedure"))
        schools, persistent = _rosobrnadzor(schools, low_units, method.risk_indicator, window)
    else:
        persistent = {}
        low = schools.column("low_years").to_numpy() >= rule.years_required
        schools = _with(schools, "low_results", low)
        judged = schools.column("judged_cells").to_numpy() > 0
        risk = (schools.column("low_years").to_numpy() >= 1) & ~low & judged
        schools = _with(schools, "risk", risk)
    # The low cells (a low cell is judged) are ranked in Arrow: the engine only filters them.
    low_cells = collect(cells.filter(nw.col("low")), WORST_SCHEMA)
    worst = finish_cells(worst_cells(low_cells, MAX_CELLS_IN_REASONS), rule)
    details = _details(schools)
    outcome = LowResultsOutcome(
        years=window,
        rule=rule,
        cells=cells,
        school_years=school_years,
        schools=schools,
        worst=worst,
        low_results=CategoryResult("low_results", details=details),
        risk=CategoryResult("risk", details=details),
        warnings=warnings,
        persistent=persistent,
    )
    if reasons:
        write_reasons(outcome, method)
    return outcome


def write_reasons(outcome: LowResultsOutcome, method: Methodology) -> None:
    """Give the ШНОР and the risk group of ``outcome`` their reasons (Arrow and NumPy only: no
    engine query, so it may run in a thread of its own)."""
    details = outcome.low_results.details
    low_reasons, risk_reasons = _write_reasons(outcome, method, outcome.persistent)
    outcome.low_results = CategoryResult("low_results", details=details, texts=low_reasons)
    outcome.risk = CategoryResult("risk", details=details, texts=risk_reasons)


def _school_years(cells: nw.LazyFrame) -> pa.Table:
    judged = nw.col("judged")
    frame = cells.group_by("school_id", "year").agg(
        nw.len().alias("cells"),
        judged.cast(nw.Int64).sum().alias("judged_cells"),
        nw.col("low").cast(nw.Int64).sum().alias("low_cells"),
        nw.when(judged).then(nw.col("failures")).otherwise(0).sum().alias("failures"),
        nw.when(judged).then(nw.col("participants")).otherwise(0).sum().alias("participants"),
        nw.when(judged).then(nw.col("share")).max().alias("max_share"),
    )
    table = collect(frame, SCHOOL_YEAR_SCHEMA).select(list(SCHOOL_YEAR_SCHEMA))
    return _sorted(table, ("school_id", "year"))


def _schools(
    school_years: pa.Table,
    school_ids: Sequence[str] | pa.Array | None,
    rule: LowResultsRule,
    window: tuple[int, ...],
) -> pa.Table:
    judged = school_years.column("judged_cells").to_numpy()
    low = school_years.column("low_cells").to_numpy()
    low_year = (
        (judged > 0) & (low >= rule.min_low_cells) & (low >= rule.min_low_share * judged - EPSILON)
    )
    years = school_years.append_column("low_year", pa.array(low_year.astype(np.int64)))
    years = years.append_column("judged_year", pa.array((judged > 0).astype(np.int64)))
    grouped = years.group_by("school_id").aggregate(
        [
            ("cells", "sum"),
            ("judged_cells", "sum"),
            ("low_cells", "sum"),
            ("failures", "sum"),
            ("participants", "sum"),
            ("max_share", "max"),
            ("judged_year", "sum"),
            ("low_year", "sum"),
        ]
    )
    found = grouped.column("school_id").combine_chunks()
    extra = _missing_ids(school_ids, found)
    ids = pa.concat_arrays([found, extra])
    order = pc.sort_indices(ids)
    ids = ids.take(order)

    def column(name: str, fill: float = 0) -> np.ndarray:
        values = grouped.column(name).combine_chunks()
        padded = pa.concat_arrays([values, pa.nulls(len(extra), values.type)]).take(order)
        return padded.fill_null(fill).to_numpy(zero_copy_only=False)

    failures = column("failures_sum").astype(np.int64)
    participants = column("participants_sum").astype(np.int64)
    judged_cells = column("judged_cells_sum").astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        actual = np.where(participants > 0, failures / participants, np.nan)
    shrunk, _, _ = shrunk_shares(failures, participants)
    rank = _rank_descending(shrunk)  # ids are sorted, so ties go by school_id
    status = pc.if_else(pa.array(judged_cells > 0), STATUS_JUDGED, STATUS_TOO_FEW)
    return pa.table(
        {
            "school_id": ids,
            "status": status,
            "cells": column("cells_sum").astype(np.int64),
            "judged_cells": judged_cells,
            "low_cells": column("low_cells_sum").astype(np.int64),
            "judged_years": column("judged_year_sum").astype(np.int64),
            "low_years": column("low_year_sum").astype(np.int64),
            "failures": failures,
            "participants": participants,
            "actual_share": pa.array(actual, pa.float64(), mask=np.isnan(actual)),
            "shrunk_share": pa.array(shrunk, pa.float64(), mask=np.isnan(shrunk)),
            "shrunk_rank": pa.array(rank, pa.int64(), mask=rank == 0),
            "max_share": _nan_to_null(column("max_share_max", np.nan)),
        }
    )


def _missing_ids(school_ids: Sequence[str] | pa.Array | None, found: pa.Array) -> pa.Array:
    """The distinct ids of ``school_ids`` (the register) that ``found`` lacks, nulls left out."""
    if school_ids is None or not len(school_ids):
        return pa.array([], pa.string())
    given = school_ids if isinstance(school_ids, pa.Array) else pa.array(list(school_ids))
    given = pc.unique(given.cast(pa.string()).drop_null())
    return given.filter(pc.invert(pc.is_in(given, value_set=found)))


def _sorted(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    """Sort collected rows in Arrow: cheaper than a distributed sort and the same everywhere."""
    return table.sort_by([(k, "ascending") for k in keys])


def _nan_to_null(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), mask=np.isnan(values))


def _rank_descending(values: np.ndarray) -> np.ndarray:
    """1 = largest value; ties keep the (sorted) school_id order; NaN gets 0 (no rank)."""
    valid = ~np.isnan(values)
    order = np.argsort(np.where(valid, -values, np.inf), kind="stable")[: int(valid.sum())]
    rank = np.zeros(len(values), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return rank


def _with(table: pa.Table, name: str, values: np.ndarray) -> pa.Table:
    array = pa.array(values)
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, array)
    return table.append_column(name, array)


def _rosobrnadzor(
    schools: pa.Table,
    low_units: pa.Table,
    rule: RiskIndicatorRule,
    window: tuple[int, ...],
) -> tuple[pa.Table, dict[str, list[tuple[str, list[int]]]]]:
    """Apply the indicator: many low procedures in a year and/or one procedure low years running."""
    position = {year: i for i, year in enumerate(window)}
    per_year: dict[tuple[str, int], set[str]] = defaultdict(set)
    per_procedure: dict[tuple[str, str], set[int]] = defaultdict(set)
    for school, year, procedure in zip(
        low_units.column("school_id").to_pylist(),
        low_units.column("year").to_pylist(),
        low_units.column("procedure").to_pylist(),
        strict=True,
    ):
        per_year[(school, year)].add(procedure)
        per_procedure[(school, procedure)].add(position[year])
    many_years: dict[str, int] = defaultdict(int)
    for (school, _year), procedures in per_year.items():
        if len(procedures) >= rule.min_low_procedures:
            many_years[school] += 1
    persistent: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
    for (school, procedure), positions in sorted(per_procedure.items()):
        run = _longest_run(positions)
        if len(run) >= rule.consecutive_years:
            persistent[school].append((procedure, [window[i] for i in run]))
    ids = schools.column("school_id").to_pylist()
    many = np.array([many_years.get(s, 0) for s in ids], dtype=np.int64)
    lasting = np.array([s in persistent for s in ids])
    flagged = (many > 0) & lasting if rule.combine == "and" else (many > 0) | lasting
    any_low = schools.column("low_cells").to_numpy() > 0
    schools = _with(schools, "low_years", many)
    schools = _with(schools, "low_results", flagged)
    schools = _with(schools, "risk", any_low & ~flagged)
    return schools, dict(persistent)


def _longest_run(positions: set[int]) -> list[int]:
    best: list[int] = []
    current: list[int] = []
    for p in sorted(positions):
        current = [*current, p] if current and p == current[-1] + 1 else [p]
        if len(current) > len(best):
            best = current
    return best


def _window_warnings(rule: LowResultsRule, window: tuple[int, ...]) -> list[str]:
    if not window:
        return ["В результатах нет ни одного года по выбранным процедурам и предметам."]
    if len(window) < rule.window_years:
        return [
            f"В результатах {plural(len(window), ('год', 'года', 'лет'))} "
            f"({years_phrase(window)}), а методика рассматривает {rule.window_years}: "
            "окно короче, чем требует методика."
        ]
    return []


def _details(schools: pa.Table) -> pa.Table:
    return schools.select(
        [
            "school_id",
            "status",
            "judged_cells",
            "low_cells",
            "judged_years",
            "low_years",
            "failures",
            "participants",
            "actual_share",
            "shrunk_share",
            "shrunk_rank",
            "low_results",
            "risk",
        ]
    )


def _write_reasons(
    outcome: LowResultsOutcome,
    method: Methodology,
    persistent: dict[str, list[tuple[str, list[int]]]],
) -> tuple[pa.Table, pa.Table]:
    """The reasons of the ШНОР and the risk group (two tables of ``REASONS_SCHEMA``) and those
    of the schools without a judged cell (``outcome.status_reasons``); the other schools need
    none, so nothing is done for them.

    A flagged school's reasons are its head (the low years), its worst low cells and, when it
    has more, «и ещё N низких ячеек». They are written by Arrow kernels and put into one list
    per school by positions computed with NumPy: no Python string per cell.
    """
    rule = method.low_results
    s = outcome.schools
    empty = np.flatnonzero(s.column("judged_cells").to_numpy() == 0)
    if len(empty):
        said: dict[int, str] = {}
        counts = s.column("cells").to_numpy()[empty].tolist()
        for school, cells in zip(
            s.column("school_id").take(empty).to_pylist(), counts, strict=True
        ):
            if cells not in said:
                said[cells] = _insufficient(rule, outcome.years, cells)
            outcome.status_reasons[school] = said[cells]
    is_low = s.column("low_results").to_numpy(zero_copy_only=False)
    chosen = np.flatnonzero(is_low | s.column("risk").to_numpy(zero_copy_only=False))
    if not len(chosen):
        return REASONS_SCHEMA.empty_table(), REASONS_SCHEMA.empty_table()
    flagged = s.column("school_id").take(chosen).combine_chunks()
    low_years = s.column("low_years").to_numpy()[chosen]
    low_cells = s.column("low_cells").to_numpy()[chosen]
    low_flags = is_low[chosen]
    if rule.rule == "rosobrnadzor":
        noun = ("низкая процедура", "низкие процедуры", "низких процедур")
        by_year = _window_counts(outcome.school_years, flagged, outcome.years)
        heads = pa.array(
            [
                _rosobrnadzor_head(
                    {year: counts[k] for year, counts in by_year.items()},
                    persistent.get(school, []),
                    method,
                    outcome.years,
                )
                for k, school in enumerate(flagged.to_pylist())
            ],
            pa.string(),
        )
    else:
        noun = ("низкая ячейка", "низкие ячейки", "низких ячеек")
        heads = _cells_heads(
            outcome.school_years, flagged, low_years, low_flags, rule, outcome.years
        )
    # The worst cells of the flagged schools, each with the position of its school.
    worst = outcome.worst
    at = pc.index_in(worst.column("school_id"), value_set=flagged)
    mine = pc.is_valid(at)
    owner = at.filter(mine).to_numpy(zero_copy_only=False).astype(np.int64)
    phrases = _cell_reasons(worst.filter(mine), rule)
    order = np.argsort(owner, kind="stable")  # worst first within a school already
    owner, phrases = owner[order], phrases.take(pa.array(order))
    shown = np.bincount(owner, minlength=len(flagged))
    more = low_cells - shown
    tails = pc.binary_join_element_wise("и ещё ", plural_texts(np.maximum(more, 0), noun), "")
    table = reason_lists(flagged, heads, owner, phrases, tails, more > 0)
    return table.filter(pa.array(low_flags)), table.filter(pa.array(~low_flags))


def _window_counts(
    school_years: pa.Table, ids: pa.Array, window: tuple[int, ...]
) -> dict[int, list[tuple[int, int]]]:
    """Judged and low cells of each school of ``ids`` in each window year ((0, 0) when the
    school has no row that year)."""
    return {
        year: list(zip(judged.tolist(), low.tolist(), strict=True))
        for year, (judged, low) in _year_counts(school_years, ids, window).items()
    }


def _year_counts(
    school_years: pa.Table, ids: pa.Array, window: tuple[int, ...]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The judged and the low cells of each school of ``ids``, per window year (0 without a
    row that year)."""
    counts = {}
    years = school_years.column("year")
    for year in window:
        rows = school_years.filter(pc.equal(years, year))
        at = pc.index_in(ids, value_set=rows.column("school_id").combine_chunks())
        judged = rows.column("judged_cells").take(at).fill_null(0).to_numpy()
        low = rows.column("low_cells").take(at).fill_null(0).to_numpy()
        counts[year] = (judged, low)
    return counts


def _cells_heads(
    school_years: pa.Table,
    ids: pa.Array,
    low_years: np.ndarray,
    is_low: np.ndarray,
    rule: LowResultsRule,
    window: tuple[int, ...],
) -> pa.Array:
    """«Низкие результаты в 2 из 2 лет окна (2023: низких ячеек 3 из 12; …)» of each school."""
    per_year = []
    for year, (judged, low) in _year_counts(school_years, ids, window).items():
        some = pc.binary_join_element_wise(
            f"{year}: низких ячеек ", number_texts(low), " из ", number_texts(judged), ""
        )
        per_year.append(pc.if_else(pa.array(judged > 0), some, f"{year}: нет оценённых ячеек"))
    of_years = "года" if len(window) % 10 == 1 and len(window) % 100 != 11 else "лет"
    parts = pc.binary_join_element_wise(*per_year, "; ") if per_year else ""
    heads = pc.binary_join_element_wise(
        "Низкие результаты в ", number_texts(low_years), f" из {len(window)} {of_years} окна (", parts,
        ")", "",
    )  # fmt: skip
    suffix = f"; для ШНОР нужно не меньше {rule.years_required}"
    return pc.if_else(pa.array(is_low), heads, pc.binary_join_element_wise(heads, suffix, ""))


def _rosobrnadzor_head(
    years: dict[int, tuple[int, int]],
    persistent: list[tuple[str, list[int]]],
    method: Methodology,
    window: tuple[int, ...],
) -> str:
    indicator = method.risk_indicator
    parts = []
    for year in window:
        judged, low = years.get(year, (0, 0))
        parts.append(f"{year}: низких процедур {low} из {judged}")
    text = f"Индикатор Рособрнадзора ({'; '.join(parts)})"
    if persistent:
        runs = ", ".join(f"{p} — {years_phrase(ys)}" for p, ys in persistent)
        text += f"; низкие {indicator.consecutive_years} и более лет подряд: {runs}"
    else:
        text += f"; ни одна процедура не была низкой {indicator.consecutive_years} года подряд"
    return text


def _cell_reasons(cells: pa.Table, rule: LowResultsRule) -> pa.Array:
    """The cells in words; with ``significance`` each with its Wilson interval."""
    phrases = cell_phrase_texts(cells, guard=rule.threshold)
    if not rule.significance or not len(phrases):
        return phrases
    lows = percent_texts(cells.column("wilson_lo").to_numpy(zero_copy_only=False))
    highs = percent_texts(cells.column("wilson_hi").to_numpy(zero_copy_only=False))
    return pc.binary_join_element_wise(
        phrases, " (доверительный интервал ", lows, " – ", highs, ")", ""
    )


def _insufficient(rule: LowResultsRule, window: tuple[int, ...], cells: int) -> str:
    unit = "процедуры" if rule.rule == "rosobrnadzor" else "ячейки"
    if cells == 0:
        return f"Недостаточно данных: нет результатов за {years_phrase(window)}"
    return (
        f"Недостаточно данных: за {years_phrase(window)} нет ни одной {unit} "
        f"с {rule.min_participants} и более участниками "
        f"(с меньшим числом участников: {plural(cells, CELLS)})"
    )
