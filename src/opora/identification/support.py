"""What the pages build from stored verdicts: the method in words, a verdict's page data,
the selection of schools (analytics.selection) and partner suggestions (analytics.matching)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.core.exceptions import ValidationError

from opora.analytics.matching import Matching, match_partners
from opora.analytics.methodology import MethodologyError, parse_methodology
from opora.analytics.selection import Selection, SelectionError, select_schools
from opora.analytics.wording import percent
from opora.identification import chart_data
from opora.identification.method_words import method_paragraphs
from opora.identification.models import IdentificationRun, Verdict
from opora.identification.recommendations import recommend


def method_words(run: IdentificationRun) -> list[str]:
    """The stored methodology of a run in plain words (empty if it no longer parses)."""
    try:
        method = parse_methodology(run.methodology_text, source=run.methodology_source)
    except MethodologyError:
        return []
    return method_paragraphs(method, [int(y) for y in run.window_years or []])


def verdict_context(verdict: Verdict) -> dict[str, Any]:
    """Template context of one verdict: reasons by category, chart, recommendations."""
    groups: dict[str, dict[str, Any]] = {}
    for reason in verdict.reasons or []:
        key = reason.get("category") or ""
        group = groups.setdefault(key, {"label": reason.get("label") or "", "texts": []})
        group["texts"].append(reason["text"])
    evidence = verdict.evidence or {}
    return {
        "verdict": verdict,
        "run": verdict.run,
        "school": verdict.school,
        "reason_groups": list(groups.values()),
        "chart": chart_data.school_chart(verdict),
        "recommendations": recommend(verdict.codes, evidence, verdict.status),
        "low_cells": evidence.get("low_cells", []),
        "low_cells_total": evidence.get("low_cells_total", len(evidence.get("low_cells", []))),
        "signals": evidence.get("signals", []),
        "years": evidence.get("years", []),
        "model": evidence.get("model"),
        "confidence": percent(float((verdict.run.summary or {}).get("confidence", 0.95))),
    }


def select(candidates: list[Verdict], form: Any) -> Selection:
    """Run the seed-004 selection over the ШНОР verdicts with the bounds of the form."""
    rows = []
    for verdict in candidates:
        pooled = (verdict.evidence or {}).get("pooled", {})
        rows.append(
            {
                "school_id": verdict.school.code,
                "name": verdict.school.name,
                "municipality": verdict.school.municipality.name,
                "failures": int(pooled.get("failures") or 0),
                "participants": int(pooled.get("participants") or 0),
                "low_years": int(pooled.get("low_years") or 0),
                "low_cells": int(pooled.get("low_cells") or 0),
                "shrunk_share": verdict.shrunk_share,
            }
        )
    table = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("school_id", pa.string()),
                ("name", pa.string()),
                ("municipality", pa.string()),
                ("failures", pa.int64()),
                ("participants", pa.int64()),
                ("low_years", pa.int64()),
                ("low_cells", pa.int64()),
                ("shrunk_share", pa.float64()),
            ]
        ),
    )
    minimum, maximum = form.bounds()
    try:
        return select_schools(
            table,
            form.cleaned_data["n"],
            municipality_min=minimum,
            municipality_max=maximum,
        )
    except SelectionError as error:
        raise ValidationError(str(error)) from error


@dataclass
class PartnerSuggestions:
    """Partners for the ШНОР of a run, or the reason why there are none."""

    matching: Matching | None
    note: str
    names: dict[str, str]
    municipalities: dict[str, str]

    def rows(self) -> list[dict[str, Any]]:
        if self.matching is None:
            return []
        alternatives: dict[str, list[dict]] = {}
        for alt in self.matching.alternatives.to_pylist():
            alternatives.setdefault(alt["school_id"], []).append(alt)
        return [
            {
                **row,
                "name": self.names.get(row["school_id"], ""),
                "municipality": self.municipalities.get(row["school_id"], ""),
                "alternatives": alternatives.get(row["school_id"], []),
            }
            for row in self.matching.assignments.to_pylist()
        ]


def partners(verdicts: list[Verdict], capacity: int = 2) -> PartnerSuggestions:
    """Leaders and resilient schools as partners of the ШНОР among ``verdicts``."""
    targets = [v.school.code for v in verdicts if v.has("low_results")]
    offered = {}
    for verdict in verdicts:
        if verdict.has("resilient"):
            offered[verdict.school.code] = "resilient"
        elif verdict.has("leader"):
            offered[verdict.school.code] = "leader"
    names = {v.school.code: v.school.name for v in verdicts}
    municipalities = {v.school.code: v.school.municipality.name for v in verdicts}
    if not targets:
        return PartnerSuggestions(None, "В расчёте нет школ с низкими результатами.", names, {})
    if not offered:
        return PartnerSuggestions(
            None,
            "В расчёте нет школ со стабильно высокими результатами или резильентных школ, "
            "которые могли бы стать партнёрами.",
            names,
            municipalities,
        )
    table = pa.Table.from_pylist(
        [
            {
                "school_id": v.school.code,
                "name": v.school.name,
                "settlement": v.school.settlement or None,
                "latitude": v.school.latitude,
                "longitude": v.school.longitude,
                "context_index": v.context_index,
            }
            for v in verdicts
        ],
        schema=pa.schema(
            [
                ("school_id", pa.string()),
                ("name", pa.string()),
                ("settlement", pa.string()),
                ("latitude", pa.float64()),
                ("longitude", pa.float64()),
                ("context_index", pa.float64()),
            ]
        ),
    )
    matching = match_partners(table, targets, offered, capacity=capacity, alternatives=2)
    return PartnerSuggestions(matching, matching.rule, names, municipalities)
