"""Data of the page charts (ECharts reads it from a json_script; nothing is fetched).

Shares are given in percent with one decimal, as the charts show them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opora.identification.models import IdentificationRun, Verdict

# The series a school is drawn in: the first of its categories in this order.
SCATTER_GROUPS: tuple[tuple[str, str], ...] = (
    ("low_results", "ШНОР"),
    ("risk", "группа риска"),
    ("resilient", "резильентные"),
    ("leader", "стабильно высокие результаты"),
    ("", "остальные школы"),
)


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def scatter(run: IdentificationRun, verdicts: Iterable[Verdict]) -> dict[str, Any]:
    """Context index against the failure share per school, and the expected line."""
    series: dict[str, list[dict[str, Any]]] = {code: [] for code, _ in SCATTER_GROUPS}
    expected: list[tuple[float, float]] = []
    for verdict in verdicts:
        if verdict.context_index is None or verdict.actual_share is None:
            continue
        group = next((code for code, _ in SCATTER_GROUPS if code and verdict.has(code)), "")
        series[group].append(
            {
                "value": [round(verdict.context_index, 3), _pct(verdict.actual_share)],
                "name": verdict.school.name,
                "code": verdict.school.code,
                "categories": verdict.category_labels,
            }
        )
        if verdict.expected_share is not None:
            expected.append((round(verdict.context_index, 3), _pct(verdict.expected_share)))
    fitted = (run.summary or {}).get("fitted") or {}
    return {
        "series": [
            {"name": label, "code": code or "other", "data": series[code]}
            for code, label in SCATTER_GROUPS
            if series[code]
        ],
        "expected": [list(point) for point in sorted(set(expected))],
        "expected_is_line": fitted.get("method") == "fixed",
        "formula": fitted.get("formula", ""),
    }


def school_chart(verdict: Verdict) -> dict[str, Any] | None:
    """The school's failure share by window year and over the window, with the share its
    context predicts; each value with its interval ``[value, lo, hi]`` in percent."""
    evidence = verdict.evidence or {}
    labels: list[str] = []
    actual: list[list[float | None] | None] = []
    predicted: list[list[float | None] | None] = []
    for year in evidence.get("years", []):
        labels.append(str(year["year"]))
        actual.append([_pct(year["share"]), _pct(year["lo"]), _pct(year["hi"])])
        predicted.append(None)
    model = evidence.get("model")
    if model:
        labels.append("за окно")
        actual.append([_pct(model["actual"]), _pct(model["actual_lo"]), _pct(model["actual_hi"])])
        predicted.append(
            [_pct(model["expected"]), _pct(model["expected_lo"]), _pct(model["expected_hi"])]
        )
    if not labels:
        return None
    return {"labels": labels, "actual": actual, "expected": predicted}
