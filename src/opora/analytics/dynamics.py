"""Dynamics of a school's results between consecutive years.

The input of the positive-dynamics indicators of seed 004 («Доля школ … достигших
положительной динамики по результатам ОГЭ по математике и русскому языку»): for each school ×
procedure × subject the failure share of one year is compared with the next year present in
the results by the pooled two-proportion z-test.

Grades are pooled by default: the seed's indicators are per procedure and subject (ОГЭ is
grade 9, ЕГЭ grade 11 anyway), and pooling gives a small school enough participants to say
anything; ``by_grade=True`` keeps each grade separately, ``grades`` restricts them (e.g. the
4th-grade reading literacy work).

Verdicts: ``better`` (the share fell, p < 1 − confidence), ``worse`` (rose, significantly),
``no_change`` (the difference is within chance), ``insufficient`` (fewer than
``min_participants`` in either year, or the school did not take part in one of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pyarrow as pa

from opora.analytics import _phrases as say
from opora.analytics._frames import (
    as_lazy,
    collect,
    consecutive_years,
    require_columns,
    with_failures,
)
from opora.analytics.stats import two_proportion_test

VERDICT_LABELS: dict[str, str] = {
    "better": "положительная динамика",
    "worse": "отрицательная динамика",
    "no_change": "без значимых изменений",
    "insufficient": "недостаточно данных",
}

DYNAMICS_SCHEMA = pa.schema(
    [
        ("school_id", pa.string()),
        ("procedure", pa.string()),
        ("subject", pa.string()),
        ("grade", pa.int64()),
        ("year_from", pa.int64()),
        ("year_to", pa.int64()),
        ("failures_from", pa.int64()),
        ("participants_from", pa.int64()),
        ("failures_to", pa.int64()),
        ("participants_to", pa.int64()),
        ("share_from", pa.float64()),
        ("share_to", pa.float64()),
        ("z", pa.float64()),
        ("p", pa.float64()),
        ("mean_from", pa.float64()),
        ("mean_to", pa.float64()),
        ("mean_change", pa.float64()),
        ("verdict", pa.string()),
        ("text", pa.string()),
    ]
)


def dynamics(
    results: Any,
    *,
    confidence: float = 0.95,
    min_participants: int = 5,
    by_grade: bool = False,
    procedures: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
    grades: Sequence[int] | None = None,
) -> pa.Table:
    """Compare each school's failure share between every pair of consecutive years.

    One row per school × procedure × subject (× grade when ``by_grade``) × pair of
    neighbouring years present in the results, with the columns of ``DYNAMICS_SCHEMA``.
    ``z`` > 0 means the share fell (improvement); ``grade`` is empty when grades are pooled;
    ``mean_*`` is the participant-weighted ``mean_score`` when the results carry it.

    >>> import pyarrow as pa
    >>> results = pa.table({"school_id": ["a", "a"], "year": [2023, 2024],
    ...     "procedure": ["ОГЭ", "ОГЭ"], "subject": ["Математика"] * 2, "grade": [9, 9],
    ...     "participants": [50, 50], "mark_2": [16, 6]})
    >>> row = dynamics(results).to_pylist()[0]
    >>> row["verdict"], round(row["p"], 3)
    ('better', 0.016)
    """
    frame = with_failures(as_lazy(results))
    require_columns(
        frame, ["school_id", "year", "procedure", "subject", "participants"], "результаты"
    )
    if procedures:
        frame = frame.filter(nw.col("procedure").is_in(list(procedures)))
    if subjects:
        frame = frame.filter(nw.col("subject").is_in(list(subjects)))
    if grades:
        frame = frame.filter(nw.col("grade").is_in([int(g) for g in grades]))
    sums = ["participants", "failures"]
    if "mean_score" in frame.collect_schema().names():
        scored = ~nw.col("mean_score").is_null()
        frame = frame.with_columns(
            score_total=nw.col("mean_score") * nw.col("participants"),
            scored=nw.when(scored).then(nw.col("participants")).otherwise(0),
        )
        sums += ["score_total", "scored"]
    keys = ["school_id", "procedure", "subject"] + (["grade"] if by_grade else [])
    pairs = consecutive_years(frame, keys, sums)
    if pairs is None:
        return DYNAMICS_SCHEMA.empty_table()
    ints = [f"{c}_{side}" for c in ("participants", "failures") for side in ("from", "to")]
    table = collect(pairs, ints=(*ints, "year_from", "year_to"))
    return _judge(table, confidence, min_participants, by_grade)


def share_with_positive_dynamics(
    dynamics_table: pa.Table,
    school_ids: Iterable[str],
    procedure: str,
    subject: str | Sequence[str],
    *,
    year_to: int | None = None,
    denominator: str = "comparable",
) -> tuple[int, int, float | None]:
    """Seed 004 indicator: the share of the given schools with positive dynamics.

    A school counts in the numerator when at least one of its rows for ``procedure`` and
    ``subject`` (a name or several, e.g. both ЕГЭ mathematics) ending in ``year_to`` (default:
    the latest) is ``better`` and none is ``worse``. The denominator is, by default, the
    schools from ``school_ids`` that have a comparable row there (they took part in both years
    with enough participants — the seed's «при условии участия»); ``denominator="all"`` counts
    every school of ``school_ids``. Returns (numerator, denominator, share or None).

    >>> import pyarrow as pa
    >>> table = pa.table({"school_id": ["a", "b", "c"], "procedure": ["ОГЭ"] * 3,
    ...     "subject": ["Русский язык"] * 3, "year_to": [2024] * 3,
    ...     "verdict": ["better", "no_change", "insufficient"]})
    >>> share_with_positive_dynamics(table, ["a", "b", "c", "d"], "ОГЭ", "Русский язык")
    (1, 2, 0.5)
    """
    if denominator not in ("comparable", "all"):
        raise ValueError("denominator: укажите «comparable» или «all».")
    schools = set(school_ids)
    wanted = {subject} if isinstance(subject, str) else set(subject)
    rows = [
        r
        for r in dynamics_table.select(
            ["school_id", "procedure", "subject", "year_to", "verdict"]
        ).to_pylist()
        if r["school_id"] in schools and r["procedure"] == procedure and r["subject"] in wanted
    ]
    if year_to is None:
        year_to = max((r["year_to"] for r in rows), default=None)
    verdicts: dict[str, set[str]] = {}
    for r in rows:
        if r["year_to"] == year_to:
            verdicts.setdefault(r["school_id"], set()).add(r["verdict"])
    positive = sum(1 for v in verdicts.values() if "better" in v and "worse" not in v)
    if denominator == "all":
        total = len(schools)
    else:
        total = sum(1 for v in verdicts.values() if v - {"insufficient"})
    return positive, total, (positive / total if total else None)


# --- internals -------------------------------------------------------------------------------


def _judge(table: pa.Table, confidence: float, min_participants: int, by_grade: bool) -> pa.Table:
    def column(name: str) -> np.ndarray:
        if name not in table.column_names:
            return np.full(table.num_rows, np.nan)
        return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64)

    n0, n1 = np.nan_to_num(column("participants_from")), np.nan_to_num(column("participants_to"))
    x0, x1 = np.nan_to_num(column("failures_from")), np.nan_to_num(column("failures_to"))
    z, p = two_proportion_test(x0, n0, x1, n1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share0 = np.where(n0 > 0, x0 / n0, np.nan)
        share1 = np.where(n1 > 0, x1 / n1, np.nan)
        mean0 = column("score_total_from") / column("scored_from")
        mean1 = column("score_total_to") / column("scored_to")
    mean0 = np.where(np.isfinite(mean0), mean0, np.nan)
    mean1 = np.where(np.isfinite(mean1), mean1, np.nan)
    enough = (n0 >= min_participants) & (n1 >= min_participants)
    significant = enough & (p < 1.0 - confidence)
    verdict = np.where(
        ~enough,
        "insufficient",
        np.where(significant & (z > 0), "better", np.where(significant, "worse", "no_change")),
    )
    rows = []
    for i, row in enumerate(table.to_pylist()):
        rows.append(
            {
                "school_id": row["school_id"],
                "procedure": row["procedure"],
                "subject": row["subject"],
                "grade": int(row["grade"]) if by_grade and row.get("grade") is not None else None,
                "year_from": row["year_from"],
                "year_to": row["year_to"],
                "failures_from": int(x0[i]),
                "participants_from": int(n0[i]),
                "failures_to": int(x1[i]),
                "participants_to": int(n1[i]),
                "share_from": _none(share0[i]),
                "share_to": _none(share1[i]),
                "z": float(z[i]),
                "p": float(p[i]),
                "mean_from": _none(mean0[i]),
                "mean_to": _none(mean1[i]),
                "mean_change": _none(mean1[i] - mean0[i]),
                "verdict": str(verdict[i]),
            }
        )
        rows[-1]["text"] = _text(rows[-1], min_participants)
    rows.sort(
        key=lambda r: (r["school_id"], r["procedure"], r["subject"], r["grade"] or 0, r["year_to"])
    )
    return pa.Table.from_pylist(rows, schema=DYNAMICS_SCHEMA)


def _none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _text(row: dict[str, Any], min_participants: int) -> str:
    label = say.cell_label(row["procedure"], row["subject"], row["grade"])
    y0, y1 = row["year_from"], row["year_to"]
    n0, n1 = row["participants_from"], row["participants_to"]
    if row["verdict"] == "insufficient":
        absent = [str(y) for y, n in ((y0, n0), (y1, n1)) if n == 0]
        if absent:
            why = f"в {' и '.join(absent)} г. школа не участвовала"
        else:
            why = f"участников {n0} и {n1}, а нужно не меньше {min_participants} в каждом году"
        return f"{label}: сравнить {y0} и {y1} гг. нельзя — {why}."
    phrase = say.failure_share_phrase(row["procedure"])
    before = f"{say.percent(row['share_from'])} ({say.count_of(row['failures_from'], n0)})"
    after = f"{say.percent(row['share_to'])} ({say.count_of(row['failures_to'], n1)})"
    change = row["share_to"] - row["share_from"]
    if row["verdict"] == "no_change":
        text = (
            f"{label}: {phrase} {before} в {y0} г. и {after} в {y1} г.; различие "
            f"{say.points(change)} в пределах случайного ({say.p_value(row['p'])}) — "
            f"{VERDICT_LABELS['no_change']}."
        )
    else:
        verb = "снизилась" if row["verdict"] == "better" else "выросла"
        text = (
            f"{label}: {phrase} {verb} с {before} в {y0} г. до {after} в {y1} г. "
            f"({say.points(change)}, {say.p_value(row['p'])}) — "
            f"{VERDICT_LABELS[row['verdict']]}."
        )
    if row["mean_from"] is not None and row["mean_to"] is not None:
        text += f" Средний балл: {say.number(row['mean_from'])} → {say.number(row['mean_to'])}."
    return text
