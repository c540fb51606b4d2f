"""Signs of unreliable (inflated) results: evidence for a check, never a verdict.

Seed 002 counts «недостоверные» results among low results; the methodology flags them as
`unreliable` («признаки необъективности»). Three signals, each with its figures:

* ``vpr_vs_gia`` — a school's ВПР of a year (pooled over subjects and grades) is implausibly
  good: failure share <= ``vpr_max_failure`` and the share of top marks >= ``vpr_min_top``,
  while its own ГИА (ОГЭ and ЕГЭ pooled) of the same or an adjacent year has a failure share
  >= ``gia_min_failure``;
* ``collapse`` — the failure share of one procedure × subject × grade cell (and of the whole
  procedure, pooled) falls between consecutive years by at least ``collapse_min_drop`` with a
  two-proportion test p < ``collapse_p``;
* ``mark_gap`` — with student data: the share of a school's students whose journal mark differs
  from their ВПР mark by 2 or more is at least ``mark_gap_ratio`` times the regional share of
  that year, and significantly above it (exact one-sided binomial test at ``confidence``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics import _phrases as say
from opora.analytics._frames import (
    as_lazy,
    collect,
    consecutive_years,
    require_columns,
    with_failures,
)
from opora.analytics.stats import two_proportion_test
from opora.analytics.verdicts import CategoryResult

SIGNAL_LABELS: dict[str, str] = {
    "vpr_vs_gia": "ВПР намного лучше ГИА",
    "collapse": "резкое снижение доли неудовлетворительных результатов",
    "mark_gap": "расхождение журнальных отметок с ВПР",
}

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

_CHECK = "Это признак возможной необъективности результатов, требует проверки."


def unreliable(
    results: Any,
    students: Any | None = None,
    *,
    vpr_max_failure: float = 0.02,
    vpr_min_top: float = 0.5,
    gia_min_failure: float = 0.2,
    collapse_p: float = 0.001,
    collapse_min_drop: float = 0.2,
    mark_gap_ratio: float = 3.0,
    min_participants: int = 5,
    confidence: float = 0.95,
    top_marks: Literal["5", "4+5"] = "5",
) -> tuple[CategoryResult, pa.Table]:
    """All ``unreliable`` signals of every school, as a category and as a signal table.

    Parameters are the keys of the methodology's ``[unreliable]`` section plus
    ``min_participants`` and ``confidence`` from ``[low_results]``. ``students`` is optional;
    without it the ``mark_gap`` signal is not computed.

    Returns ``(CategoryResult("unreliable"), signals)``; the category's ``details`` count the
    signals of each flagged school, ``signals`` has the columns of ``SIGNAL_SCHEMA``.

    >>> import pyarrow as pa
    >>> results = pa.table({"school_id": ["a", "a"], "year": [2024, 2024],
    ...     "procedure": ["ВПР", "ОГЭ"], "subject": ["Математика"] * 2, "grade": [5, 9],
    ...     "participants": [40, 20], "mark_2": [0, 8], "mark_3": [5, 10],
    ...     "mark_4": [10, 2], "mark_5": [25, 0]})
    >>> category, signals = unreliable(results)
    >>> sorted(category.flagged), signals.column("signal").to_pylist()
    (['a'], ['vpr_vs_gia'])
    """
    frame = _results_frame(results)
    # One pooled table (school × year × procedure) serves both the ВПР/ГИА comparison and the
    # collapse of whole procedures; only the cell level needs another pass over the results.
    pooled = _pooled(frame, _top_columns(frame, top_marks))
    tables = [
        _vpr_vs_gia(
            pooled,
            vpr_max_failure=vpr_max_failure,
            vpr_min_top=vpr_min_top,
            gia_min_failure=gia_min_failure,
            min_participants=min_participants,
            top_marks=top_marks,
        ),
        _collapse(
            frame,
            pooled,
            collapse_p=collapse_p,
            collapse_min_drop=collapse_min_drop,
            min_participants=min_participants,
            levels=("cell", "procedure"),
        ),
    ]
    if students is not None:
        tables.append(
            mark_gap_signals(
                students,
                mark_gap_ratio=mark_gap_ratio,
                min_students=min_participants,
                confidence=confidence,
            )
        )
    signals = pa.concat_tables(tables).sort_by(
        [("school_id", "ascending"), ("signal", "ascending"), ("year", "ascending")]
    )
    flagged: dict[str, list[str]] = defaultdict(list)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SIGNAL_LABELS, 0))
    for school, code, text in zip(
        signals.column("school_id").to_pylist(),
        signals.column("signal").to_pylist(),
        signals.column("text").to_pylist(),
        strict=True,
    ):
        flagged[school].append(text)
        counts[school][code] += 1
    ids = sorted(counts)
    details = pa.table(
        {
            "school_id": pa.array(ids, pa.string()),
            **{
                f"{code}_signals": pa.array([counts[s][code] for s in ids], pa.int64())
                for code in SIGNAL_LABELS
            },
        }
    )
    return CategoryResult("unreliable", dict(flagged), details), signals


def vpr_vs_gia_signals(
    results: Any,
    *,
    vpr_max_failure: float = 0.02,
    vpr_min_top: float = 0.5,
    gia_min_failure: float = 0.2,
    min_participants: int = 5,
    top_marks: Literal["5", "4+5"] = "5",
    graded_procedure: str = "ВПР",
    gia_procedures: tuple[str, ...] = ("ОГЭ", "ЕГЭ"),
    max_year_gap: int = 1,
) -> pa.Table:
    """ВПР implausibly good next to the same school's ГИА (same year, else the nearest within
    ``max_year_gap``). Pools over subjects and grades; each pool needs ``min_participants``.

    >>> import pyarrow as pa
    >>> results = pa.table({"school_id": ["a", "a"], "year": [2024, 2023],
    ...     "procedure": ["ВПР", "ЕГЭ"], "subject": ["Математика"] * 2, "grade": [5, 11],
    ...     "participants": [40, 10], "mark_2": [0, None], "mark_4": [10, None],
    ...     "mark_5": [25, None], "below_min": [None, 3]})
    >>> vpr_vs_gia_signals(results).column("year").to_pylist()
    [2024]
    """
    frame = _results_frame(results)
    top_columns = _top_columns(frame, top_marks)
    if top_columns is None:
        return SIGNAL_SCHEMA.empty_table()
    pooled = _pooled(frame, top_columns, procedures=[graded_procedure, *gia_procedures])
    return _vpr_vs_gia(
        pooled,
        vpr_max_failure=vpr_max_failure,
        vpr_min_top=vpr_min_top,
        gia_min_failure=gia_min_failure,
        min_participants=min_participants,
        top_marks=top_marks,
        graded_procedure=graded_procedure,
        gia_procedures=gia_procedures,
        max_year_gap=max_year_gap,
    )


def collapse_signals(
    results: Any,
    *,
    collapse_p: float = 0.001,
    collapse_min_drop: float = 0.2,
    min_participants: int = 5,
    levels: tuple[str, ...] = ("cell", "procedure"),
) -> pa.Table:
    """Failure shares that collapse between consecutive years beyond chance.

    ``levels``: ``"cell"`` compares procedure × subject × grade, ``"procedure"`` the school's
    whole procedure pooled over subjects and grades (subject and grade are then empty).
    Consecutive years are neighbouring years present in the results.

    >>> import pyarrow as pa
    >>> results = pa.table({"school_id": ["a", "a"], "year": [2023, 2024],
    ...     "procedure": ["ВПР", "ВПР"], "subject": ["Математика"] * 2, "grade": [5, 5],
    ...     "participants": [40, 40], "mark_2": [20, 1]})
    >>> collapse_signals(results, levels=("cell",)).column("p_value").to_pylist()[0] < 0.001
    True
    """
    frame = _results_frame(results)
    pooled = _pooled(frame, None)
    return _collapse(
        frame,
        pooled,
        collapse_p=collapse_p,
        collapse_min_drop=collapse_min_drop,
        min_participants=min_participants,
        levels=levels,
    )


def mark_gap_signals(
    students: Any,
    *,
    mark_gap_ratio: float = 3.0,
    min_students: int = 5,
    confidence: float = 0.95,
    graded_procedure: str = "ВПР",
    min_gap: int = 2,
) -> pa.Table:
    """Journal marks that disagree with ВПР marks far more often than in the region.

    Per school × year (all subjects pooled): students with both marks, those whose marks differ
    by ``min_gap`` or more. The regional share is over all students of that year. Flagged when
    the school's share >= ``mark_gap_ratio`` × regional share and the exact one-sided binomial
    p-value against the regional share is below 1 − ``confidence``.

    >>> import pyarrow as pa
    >>> students = pa.table({"student_id": [str(i) for i in range(40)],
    ...     "school_id": ["a"] * 10 + ["b"] * 30, "year": [2024] * 40,
    ...     "procedure": ["ВПР"] * 40, "subject": ["Математика"] * 40, "grade": [5] * 40,
    ...     "mark": [2] * 40, "journal_mark": [4] * 8 + [2] * 32})
    >>> mark_gap_signals(students).column("school_id").to_pylist()
    ['a']
    """
    from scipy.stats import binom  # costly to import; only student data needs it

    frame = as_lazy(students)
    require_columns(frame, ["school_id", "year", "procedure", "mark"], "результаты обучающихся")
    if "journal_mark" not in frame.collect_schema().names():
        return SIGNAL_SCHEMA.empty_table()
    difference = nw.col("journal_mark") - nw.col("mark")
    marked = frame.filter(
        (nw.col("procedure") == graded_procedure)
        & ~nw.col("mark").is_null()
        & ~nw.col("journal_mark").is_null()
    ).with_columns(
        gap=nw.when(difference.abs() >= min_gap).then(1).otherwise(0),
        higher=nw.when(difference >= min_gap).then(1).otherwise(0),
        one=nw.lit(1),
    )
    per_school = marked.group_by("school_id", "year").agg(
        nw.col("one").sum().alias("students"), nw.col("gap").sum(), nw.col("higher").sum()
    )
    table = collect(per_school, ints=("year", "students", "gap", "higher"))
    rows = table.to_pylist()
    region: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        region[row["year"]][0] += row["gap"]
        region[row["year"]][1] += row["students"]

    signals = []
    for row in sorted(rows, key=lambda r: (r["school_id"], r["year"])):
        n, k = row["students"], row["gap"]
        gaps, total = region[row["year"]]
        if n < min_students or k == 0 or total == 0:
            continue
        regional = gaps / total
        share = k / n
        p = float(binom.sf(k - 1, n, regional))
        if share < mark_gap_ratio * regional or p >= 1.0 - confidence:
            continue
        ratio = share / regional
        figures = {
            "students": n,
            "gap": k,
            "journal_higher": row["higher"],
            "test_higher": k - row["higher"],
            "region_gap": gaps,
            "region_students": total,
        }
        text = (
            f"{graded_procedure} {row['year']}: у {say.count_of(k, n)} обучающихся "
            f"({say.percent(share)}) отметка в журнале отличается от отметки за "
            f"{graded_procedure} на {min_gap} балла и больше (выше за {graded_procedure} — у "
            f"{k - row['higher']}, выше в журнале — у {row['higher']}); по региону — {say.percent(regional)}, в "
            f"{say.number(ratio, 1)} раза меньше ({say.p_value(p)}). {_CHECK}"
        )
        signals.append(
            _signal(
                row["school_id"],
                "mark_gap",
                row["year"],
                graded_procedure,
                None,
                None,
                p,
                figures,
                text,
            )
        )
    return _signal_table(signals)


# --- internals -------------------------------------------------------------------------------


def _results_frame(results: Any) -> nw.LazyFrame:
    frame = with_failures(as_lazy(results))
    require_columns(frame, ["school_id", "year", "procedure", "participants"], "результаты")
    return frame


def _top_columns(frame: nw.LazyFrame, top_marks: str) -> list[str] | None:
    """The mark columns counted as top marks, or None when the results lack one of them."""
    top_columns = ["mark_5"] if top_marks == "5" else ["mark_4", "mark_5"]
    names = frame.collect_schema().names()
    return None if any(c not in names for c in top_columns) else top_columns


def _pooled(
    frame: nw.LazyFrame, top_columns: list[str] | None, procedures: list[str] | None = None
) -> pa.Table:
    """Participants, failures (and ``top`` marks) summed per school × year × procedure."""
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
    pooled = frame.group_by("school_id", "year", "procedure").agg(*sums)
    return collect(pooled, ints=tuple(ints))


def _ints(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False)


def _vpr_vs_gia(
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
            f"({say.count_of(gia_failures, gia_participants)}). {_CHECK}"
        )
        signals.append(
            _signal(school, "vpr_vs_gia", year, graded_procedure, None, None, None, figures, text)
        )
    return _signal_table(signals)


_PAIR_INTS = ("participants_from", "participants_to", "failures_from", "failures_to")


def _collapse(
    frame: nw.LazyFrame,
    pooled: pa.Table,
    *,
    collapse_p: float,
    collapse_min_drop: float,
    min_participants: int,
    levels: Sequence[str],
) -> pa.Table:
    """``collapse`` signals: cells compared on the engine, whole procedures from ``pooled``."""
    years = sorted({y for y in pooled.column("year").to_pylist() if y is not None})
    signals = []
    for level in levels:
        if level == "cell":
            keys = ["school_id", "procedure", "subject", "grade"]
            pairs = consecutive_years(frame, keys, ["participants", "failures"], years)
            if pairs is None:
                continue
            n0, n1 = nw.col("participants_from"), nw.col("participants_to")
            drop = nw.col("failures_from") / n0 - nw.col("failures_to") / n1
            candidates = pairs.filter(
                (n0 >= min_participants)
                & (n1 >= min_participants)
                & (drop >= collapse_min_drop - 1e-12)
            )
            table = collect(candidates, ints=(*_PAIR_INTS, "year_from", "year_to"))
        else:
            table = _procedure_pairs(pooled, years, min_participants, collapse_min_drop)
        signals.extend(_collapse_rows(table, collapse_p))
    return _signal_table(signals)


def _procedure_pairs(
    pooled: pa.Table, years: list[int], min_participants: int, min_drop: float
) -> pa.Table:
    """Whole procedures of consecutive years whose failure share dropped by ``min_drop``
    (the same figures as :func:`consecutive_years` over the results, from the pooled table)."""
    parts = []
    year = _ints(pooled, "year")
    n, failures = _ints(pooled, "participants"), _ints(pooled, "failures")
    for y0, y1 in zip(years, years[1:], strict=False):
        rows = (year == y0) | (year == y1)
        first, second = rows & (year == y0), rows & (year == y1)
        sides = pa.table(
            {
                "school_id": pooled.column("school_id").filter(pa.array(rows)),
                "procedure": pooled.column("procedure").filter(pa.array(rows)),
                "participants_from": np.where(first, n, 0)[rows],
                "participants_to": np.where(second, n, 0)[rows],
                "failures_from": np.where(first, failures, 0)[rows],
                "failures_to": np.where(second, failures, 0)[rows],
            }
        )
        summed = sides.group_by(["school_id", "procedure"], use_threads=False).aggregate(
            [(c, "sum") for c in _PAIR_INTS]
        )
        n0, n1, x0, x1 = (_ints(summed, f"{c}_sum") for c in _PAIR_INTS)
        with np.errstate(divide="ignore", invalid="ignore"):
            keep = (
                (n0 >= min_participants)
                & (n1 >= min_participants)
                & (n0 > 0)
                & (n1 > 0)
                & (x0 / n0 - x1 / n1 >= min_drop - 1e-12)
            )
        kept = summed.filter(pa.array(keep))
        parts.append(
            pa.table(
                {
                    "school_id": kept.column("school_id"),
                    "procedure": kept.column("procedure"),
                    "subject": pa.nulls(kept.num_rows, pa.string()),
                    "grade": pa.nulls(kept.num_rows, pa.int64()),
                    **{c: kept.column(f"{c}_sum") for c in _PAIR_INTS},
                    "year_from": pa.array(np.full(kept.num_rows, y0, dtype=np.int64)),
                    "year_to": pa.array(np.full(kept.num_rows, y1, dtype=np.int64)),
                }
            )
        )
    return pa.concat_tables(parts) if parts else pa.table({})


def _collapse_rows(table: pa.Table, collapse_p: float) -> list[dict[str, Any]]:
    if table.num_rows == 0:
        return []
    x0, n0, x1, n1 = (
        table.column(c).to_numpy(zero_copy_only=False)
        for c in ("failures_from", "participants_from", "failures_to", "participants_to")
    )
    _, p = two_proportion_test(x0, n0, x1, n1)
    significant = p < collapse_p
    table = table.filter(pa.array(significant))
    rows = []
    for row, p_row in zip(table.to_pylist(), p[significant].tolist(), strict=True):
        share0 = row["failures_from"] / row["participants_from"]
        share1 = row["failures_to"] / row["participants_to"]
        label = say.cell_label(row["procedure"], row["subject"], row["grade"])
        figures = {
            "year_from": row["year_from"],
            "failures_from": row["failures_from"],
            "participants_from": row["participants_from"],
            "failures_to": row["failures_to"],
            "participants_to": row["participants_to"],
        }
        text = (
            f"{label}: {say.failure_share_phrase(row['procedure'])} снизилась с "
            f"{say.percent(share0)} ({say.count_of(row['failures_from'], row['participants_from'])}) "
            f"в {row['year_from']} г. до {say.percent(share1)} "
            f"({say.count_of(row['failures_to'], row['participants_to'])}) в {row['year_to']} г. — "
            f"на {say.points(share0 - share1, signed=False)} ({say.p_value(float(p_row))}); "
            f"такое резкое улучшение случайностью не объясняется. {_CHECK}"
        )
        rows.append(
            _signal(
                row["school_id"],
                "collapse",
                row["year_to"],
                row["procedure"],
                row["subject"],
                row["grade"],
                float(p_row),
                figures,
                text,
            )
        )
    return rows


def _signal(
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


def _signal_table(rows: list[dict[str, Any]]) -> pa.Table:
    if not rows:
        return SIGNAL_SCHEMA.empty_table()
    rows.sort(
        key=lambda r: (
            r["school_id"],
            r["year"],
            r["procedure"],
            r["subject"] or "",
            r["grade"] or 0,
        )
    )
    return pa.Table.from_pylist(rows, schema=SIGNAL_SCHEMA)
