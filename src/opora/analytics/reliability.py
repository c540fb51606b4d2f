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

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics import _phrases as say
from opora.analytics._frames import as_lazy, collect, require_columns
from opora.analytics._signals import (
    CHECK,
    SIGNAL_SCHEMA,
    collapse,
    pooled_table,
    results_frame,
    signal,
    signal_table,
    top_mark_columns,
    vpr_vs_gia,
)
from opora.analytics.verdicts import CategoryResult

__all__ = [
    "SIGNAL_LABELS",
    "SIGNAL_SCHEMA",
    "collapse_signals",
    "mark_gap_signals",
    "unreliable",
    "vpr_vs_gia_signals",
]

SIGNAL_LABELS: dict[str, str] = {
    "vpr_vs_gia": "ВПР намного лучше ГИА",
    "collapse": "резкое снижение доли неудовлетворительных результатов",
    "mark_gap": "расхождение журнальных отметок с ВПР",
}


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
    window: Sequence[int] | None = None,
    source: pa.Table | None = None,
) -> tuple[CategoryResult, pa.Table]:
    """All ``unreliable`` signals of every school, as a category and as a signal table.

    Parameters are the keys of the methodology's ``[unreliable]`` section plus
    ``min_participants`` and ``confidence`` from ``[low_results]``. ``students`` is optional;
    without it the ``mark_gap`` signal is not computed.

    ``window``: the years judged (signals are dated in them). The results may then hold earlier
    years too: a collapse into the first window year is found against the year before it, and
    a drop that only brings a cell back to its level of the year before a one-year dip is a
    recovery, not a signal. Without ``window`` every year of the results is judged.

    ``source``: the prepared Arrow table behind ``results``, if there is one
    (:func:`~opora.analytics.cells.prepare_results`); the engine then moves row positions
    instead of texts (the same signals, computed faster).

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
    raw = as_lazy(results)
    frame = results_frame(raw)
    # One pooled table (school × year × procedure) serves both the ВПР/ГИА comparison and the
    # collapse of whole procedures; only the cell level needs another pass over the results.
    pooled = pooled_table(frame, top_mark_columns(frame, top_marks), source=source)
    judged = pooled
    if window is not None:
        judged = pooled.filter(pc.is_in(pooled.column("year"), pa.array(list(window), pa.int64())))
    tables = [
        vpr_vs_gia(
            judged,
            vpr_max_failure=vpr_max_failure,
            vpr_min_top=vpr_min_top,
            gia_min_failure=gia_min_failure,
            min_participants=min_participants,
            top_marks=top_marks,
        ),
        collapse(
            raw,
            pooled,
            collapse_p=collapse_p,
            collapse_min_drop=collapse_min_drop,
            min_participants=min_participants,
            levels=("cell", "procedure"),
            window=window,
            source=source,
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
    frame = results_frame(results)
    top_columns = top_mark_columns(frame, top_marks)
    if top_columns is None:
        return SIGNAL_SCHEMA.empty_table()
    pooled = pooled_table(frame, top_columns, procedures=[graded_procedure, *gia_procedures])
    return vpr_vs_gia(
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
    raw = as_lazy(results)
    pooled = pooled_table(results_frame(raw), None)
    return collapse(
        raw,
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
            f"{say.number(ratio, 1)} раза меньше ({say.p_value(p)}). {CHECK}"
        )
        signals.append(
            signal(
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
    return signal_table(signals)
