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
from typing import Any, Literal

import narwhals as nw
import pyarrow as pa
from scipy import stats as _stats

from opora.analytics import _phrases as say
from opora.analytics._frames import (
    as_lazy,
    collect,
    consecutive_years,
    distinct_years,
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
    tables = [
        vpr_vs_gia_signals(
            results,
            vpr_max_failure=vpr_max_failure,
            vpr_min_top=vpr_min_top,
            gia_min_failure=gia_min_failure,
            min_participants=min_participants,
            top_marks=top_marks,
        ),
        collapse_signals(
            results,
            collapse_p=collapse_p,
            collapse_min_drop=collapse_min_drop,
            min_participants=min_participants,
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
    for row in signals.to_pylist():
        flagged[row["school_id"]].append(row["text"])
        counts[row["school_id"]][row["signal"]] += 1
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
    frame = with_failures(as_lazy(results))
    require_columns(frame, ["school_id", "year", "procedure", "participants"], "результаты")
    columns = frame.collect_schema().names()
    top_columns = ["mark_5"] if top_marks == "5" else ["mark_4", "mark_5"]
    if any(c not in columns for c in top_columns):
        return SIGNAL_SCHEMA.empty_table()
    top = sum(
        (nw.col(c).fill_null(0) for c in top_columns[1:]), nw.col(top_columns[0]).fill_null(0)
    )
    pooled = (
        frame.filter(nw.col("procedure").is_in([graded_procedure, *gia_procedures]))
        .with_columns(top=top)
        .group_by("school_id", "year", "procedure")
        .agg(nw.col("participants").sum(), nw.col("failures").sum(), nw.col("top").sum())
    )
    rows = collect(pooled, ints=("year", "participants", "failures", "top")).to_pylist()

    vpr: list[dict[str, Any]] = []
    gia: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        if row["procedure"] == graded_procedure:
            vpr.append(row)
            continue
        pool = gia.setdefault(
            (row["school_id"], row["year"]), {"participants": 0, "failures": 0, "procedures": []}
        )
        pool["participants"] += row["participants"]
        pool["failures"] += row["failures"]
        pool["procedures"].append(row["procedure"])

    top_word = "«5»" if top_marks == "5" else "«4» и «5»"
    signals = []
    for row in sorted(vpr, key=lambda r: (r["school_id"], r["year"])):
        n = row["participants"]
        if n < min_participants:
            continue
        share, top_share = row["failures"] / n, row["top"] / n
        if share > vpr_max_failure or top_share < vpr_min_top:
            continue
        match = _nearest_weak_gia(
            gia, row["school_id"], row["year"], max_year_gap, min_participants, gia_min_failure
        )
        if match is None:
            continue
        gia_year, pool = match
        gia_share = pool["failures"] / pool["participants"]
        procedures = ", ".join(sorted(pool["procedures"], key=gia_procedures.index))
        figures = {
            "vpr_failures": row["failures"],
            "vpr_top": row["top"],
            "vpr_participants": n,
            "gia_year": gia_year,
            "gia_failures": pool["failures"],
            "gia_participants": pool["participants"],
        }
        text = (
            f"{graded_procedure} {row['year']}: «2» — {say.percent(share)} "
            f"({say.count_of(row['failures'], n)}), {top_word} — {say.percent(top_share)} "
            f"({say.count_of(row['top'], n)}), а на ГИА {gia_year} ({procedures}) "
            f"неудовлетворительных результатов — {say.percent(gia_share)} "
            f"({say.count_of(pool['failures'], pool['participants'])}). {_CHECK}"
        )
        signals.append(
            _signal(
                row["school_id"],
                "vpr_vs_gia",
                row["year"],
                graded_procedure,
                None,
                None,
                None,
                figures,
                text,
            )
        )
    return _signal_table(signals)


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
    frame = with_failures(as_lazy(results))
    require_columns(frame, ["school_id", "year", "procedure", "participants"], "результаты")
    signals = []
    years = distinct_years(frame)
    for level in levels:
        keys = ["school_id", "procedure"] + (["subject", "grade"] if level == "cell" else [])
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
        ints = ("participants_from", "participants_to", "failures_from", "failures_to")
        table = collect(candidates, ints=(*ints, "year_from", "year_to"))
        if level == "procedure":
            table = table.append_column("subject", pa.nulls(table.num_rows, pa.string()))
            table = table.append_column("grade", pa.nulls(table.num_rows, pa.int64()))
        signals.extend(_collapse_rows(table, collapse_p))
    return _signal_table(signals)


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
        p = float(_stats.binom.sf(k - 1, n, regional))
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


def _nearest_weak_gia(
    gia: dict[tuple[str, int], dict[str, Any]],
    school: str,
    year: int,
    max_gap: int,
    min_participants: int,
    min_failure: float,
) -> tuple[int, dict[str, Any]] | None:
    """The ГИА pool with a high failure share closest in time (the same year first, then the
    earlier year)."""
    candidates = [year]
    for gap in range(1, max_gap + 1):
        candidates += [year - gap, year + gap]
    for candidate in candidates:
        pool = gia.get((school, candidate))
        if pool is None or pool["participants"] < min_participants:
            continue
        if pool["failures"] / pool["participants"] >= min_failure:
            return candidate, pool
    return None


def _collapse_rows(table: pa.Table, collapse_p: float) -> list[dict[str, Any]]:
    if table.num_rows == 0:
        return []
    x0 = table.column("failures_from").to_numpy(zero_copy_only=False)
    n0 = table.column("participants_from").to_numpy(zero_copy_only=False)
    x1 = table.column("failures_to").to_numpy(zero_copy_only=False)
    n1 = table.column("participants_to").to_numpy(zero_copy_only=False)
    _, p = two_proportion_test(x0, n0, x1, n1)
    rows = []
    for row, p_row in zip(table.to_pylist(), p, strict=True):
        if p_row >= collapse_p:
            continue
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
