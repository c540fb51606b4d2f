"""What a run stores per school besides its categories: reasons and compact evidence.

Django-free: turns an :class:`~opora.analytics.identify.Identification` into plain JSON-ready
dicts keyed by school code. The evidence is kept small (a run stores one row per school of a
region): pooled figures, one line per window year, at most :data:`MAX_LOW_CELLS` low cells, the
context model's figures and at most :data:`MAX_SIGNALS` signals of inflated results.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import pyarrow as pa

from opora.analytics.identify import REASONS_SEPARATOR, Identification
from opora.analytics.reliability import SIGNAL_LABELS
from opora.analytics.stats import wilson_interval, z_value
from opora.analytics.verdicts import CATEGORY_LABELS, CATEGORY_ORDER

MAX_LOW_CELLS = 20
MAX_SIGNALS = 10
STATUS_REASON = ""  # the category of a reason that explains the status, not a category


def school_reasons(run: Identification) -> dict[str, list[dict[str, str]]]:
    """Every school's reasons: ``{"category": code, "label": label, "text": sentence}``.

    Category reasons come first in the order of the categories; a reason about the status
    (e.g. too few participants to judge) has the category ``""``.
    """
    out: dict[str, list[dict[str, str]]] = {}
    rows = run.schools.select(["school_id", "categories", "reasons"]).to_pylist()
    for row in rows:
        school, codes = row["school_id"], [c for c in (row["categories"] or "").split(";") if c]
        reasons = [
            {"category": code, "label": CATEGORY_LABELS[code], "text": text}
            for code in codes
            for text in run.categories[code].flagged.get(school, [])
        ]
        prefixes = tuple(f"{CATEGORY_LABELS[code]}: " for code in codes)
        for part in (row["reasons"] or "").split(REASONS_SEPARATOR):
            if part and not part.startswith(prefixes):
                reasons.append({"category": STATUS_REASON, "label": "", "text": part})
        out[school] = reasons
    return out


def school_evidence(run: Identification) -> dict[str, dict[str, Any]]:
    """Every school's evidence (see the module docstring); schools without data get ``{}``."""
    confidence = run.method.low_results.confidence
    evidence: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in run.schools.to_pylist():
        evidence[row["school_id"]]["pooled"] = {
            "judged_cells": row["judged_cells"],
            "low_cells": row["low_cells"],
            "low_years": row["low_years"],
            "shrunk_rank": row["shrunk_rank"],
        }
    details = run.categories["low_results"].details if "low_results" in run.categories else None
    if details is not None:
        for row in details.select(["school_id", "failures", "participants"]).to_pylist():
            evidence[row["school_id"]]["pooled"].update(
                failures=row["failures"], participants=row["participants"]
            )
    if run.cells is not None:
        _add_cells(evidence, run.cells, confidence)
    _add_model(evidence, run, confidence)
    if run.signals is not None:
        _add_signals(evidence, run.signals)
    return dict(evidence)


def _add_cells(evidence: dict[str, dict[str, Any]], cells: pa.Table, confidence: float) -> None:
    judged = cells.filter(cells.column("judged")).to_pylist()
    years: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    subjects: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    low_cells: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for cell in judged:
        school = cell["school_id"]
        figures = years[(school, cell["year"])]
        figures[0] += cell["failures"] or 0
        figures[1] += cell["participants"]
        figures[2] += 1
        figures[3] += int(bool(cell["low"]))
        subject = subjects[(school, cell["procedure"], cell["subject"])]
        subject[0] += 1
        subject[1] += int(bool(cell["low"]))
        if cell["low"]:
            low_cells[school].append(
                {
                    "year": cell["year"],
                    "procedure": cell["procedure"],
                    "subject": cell["subject"],
                    "grade": cell["grade"],
                    "failures": cell["failures"],
                    "participants": cell["participants"],
                    "share": _round(cell["share"]),
                    "source": cell["failure_source"],
                }
            )
    keys = sorted(years)
    failures = np.array([years[k][0] for k in keys], dtype=float)
    participants = np.array([years[k][1] for k in keys], dtype=float)
    lo, hi = wilson_interval(failures, participants, confidence)
    for i, (school, year) in enumerate(keys):
        f, n, judged_count, low_count = years[(school, year)]
        evidence[school].setdefault("years", []).append(
            {
                "year": year,
                "failures": f,
                "participants": n,
                "share": _round(f / n if n else None),
                "lo": _round(lo[i]),
                "hi": _round(hi[i]),
                "judged_cells": judged_count,
                "low_cells": low_count,
            }
        )
    for (school, procedure, subject), (judged_count, low_count) in sorted(subjects.items()):
        if low_count:
            evidence[school].setdefault("subjects", []).append(
                {
                    "procedure": procedure,
                    "subject": subject,
                    "judged_cells": judged_count,
                    "low_cells": low_count,
                }
            )
    for school, rows in low_cells.items():
        rows.sort(key=lambda c: (-(c["share"] or 0.0), -c["year"], c["procedure"], c["subject"]))
        evidence[school]["low_cells"] = rows[:MAX_LOW_CELLS]
        if len(rows) > MAX_LOW_CELLS:
            evidence[school]["low_cells_total"] = len(rows)


def _add_model(evidence: dict[str, dict[str, Any]], run: Identification, confidence: float) -> None:
    resilient = run.categories.get("resilient")
    if resilient is None or resilient.details is None:
        return
    z = z_value(confidence)
    for row in resilient.details.to_pylist():
        se = row["expected_se"]
        expected = row["expected"]
        evidence[row["school_id"]]["model"] = {
            "actual": _round(row["actual"]),
            "actual_lo": _round(row["actual_lo"]),
            "actual_hi": _round(row["actual_hi"]),
            "expected": _round(expected),
            "expected_lo": _round(max(0.0, expected - z * se)),
            "expected_hi": _round(min(1.0, expected + z * se)),
            "contribution": _round(row["contribution"]),
            "lo": _round(row["lo"]),
            "hi": _round(row["hi"]),
        }


def _add_signals(evidence: dict[str, dict[str, Any]], signals: pa.Table) -> None:
    for row in signals.to_pylist():
        listed = evidence[row["school_id"]].setdefault("signals", [])
        if len(listed) < MAX_SIGNALS:
            listed.append(
                {
                    "signal": row["signal"],
                    "label": SIGNAL_LABELS.get(row["signal"], row["signal"]),
                    "year": row["year"],
                    "procedure": row["procedure"],
                    "subject": row["subject"],
                    "grade": row["grade"],
                    "text": row["text"],
                }
            )


def category_counts(run: Identification) -> dict[str, int]:
    """Schools per category code, every code listed (0 when the category was not computed)."""
    return {
        code: len(run.categories[code].flagged) if code in run.categories else 0
        for code in CATEGORY_ORDER
    }


def _round(value: float | None, digits: int = 6) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, digits)
