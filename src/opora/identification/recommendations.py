"""Recommendations for one school, derived from its categories and evidence.

Django-free; the same sentences appear on the school card and in the analytic report. A
recommendation is *general* when every school of a category gets it (the report states those
once per category) and *targeted* when it is built from the school's own figures: its weak
subjects, its position against the context model, its signals of inflated results.

>>> evidence = {"subjects": [{"procedure": "ВПР", "subject": "Математика",
...     "judged_cells": 4, "low_cells": 3}], "pooled": {"low_years": 2}}
>>> targeted(["low_results"], evidence)[0][:44]
'Организовать адресную методическую помощь уч'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opora.analytics._phrases import points, points_range
from opora.analytics.wording import plural

MAX_SUBJECTS = 3
CELLS_GENITIVE = ("ячейки", "ячеек", "ячеек")
LOW_CELLS = ("низкая", "низкие", "низких")
INSUFFICIENT = "недостаточно данных"

GENERAL: dict[str, str] = {
    "low_results": (
        "Провести анализ причин низких результатов вместе с муниципальным органом управления "
        "образованием и отразить меры в программе (дорожной карте) школы."
    ),
    "risk": (
        "Включить школу в мониторинг группы риска и повторно оценить результаты после "
        "следующей оценочной процедуры."
    ),
    "adverse_context": (
        "Учесть неблагоприятные социальные условия: психолого-педагогическое и социальное "
        "сопровождение обучающихся, работа с семьями, доступ к дополнительному образованию."
    ),
    "unreliable": (
        "Проверить объективность результатов: перепроверка работ, независимые наблюдатели при "
        "проведении процедур."
    ),
    "resilient": (
        "Изучить и описать практики школы, благодаря которым результаты выше ожидаемых, "
        "и рассмотреть её как школу-партнёра для ШНОР в сходных условиях."
    ),
    "leader": "Рассмотреть школу как школу-партнёра (наставника) для школ с низкими результатами.",
}


def recommend(codes: Sequence[str], evidence: dict[str, Any], status: str = "") -> list[str]:
    """Every recommendation for the school, general and targeted, in the order to act on them."""
    out = [GENERAL[code] for code in ("low_results", "risk") if code in codes]
    out += targeted(codes, evidence, status)
    out += [GENERAL[code] for code in ("adverse_context", "resilient", "leader") if code in codes]
    if "unreliable" in codes and not _signal_labels(evidence):
        out.append(GENERAL["unreliable"])
    return out


def targeted(codes: Sequence[str], evidence: dict[str, Any], status: str = "") -> list[str]:
    """Only the recommendations built from the school's own figures."""
    out: list[str] = []
    if "low_results" in codes or "risk" in codes:
        subjects = _weak_subjects(evidence)
        if subjects:
            out.append(
                "Организовать адресную методическую помощь учителям и диагностику пробелов "
                f"обучающихся по предметам: {subjects}."
            )
        if _gia_low(evidence):
            out.append(
                "Усилить подготовку к ГИА: индивидуальные планы для обучающихся, не "
                "преодолевающих минимальный порог, промежуточные диагностические работы."
            )
        model = evidence.get("model") or {}
        if model.get("hi") is not None and model["hi"] < 0:
            out.append(
                "Результаты ниже ожидаемых при социальном контексте школы (вклад ОО "
                f"{points(model['contribution'])}, интервал {points_range(model['lo'], model['hi'])}): "
                "приоритет — внутришкольные факторы (качество преподавания, оценивание, управление)."
            )
        elif model.get("lo") is not None and model["lo"] <= 0 <= model["hi"]:
            out.append(
                "Результаты соответствуют социальному контексту школы: в программу поддержки "
                "включить меры компенсации социальных рисков, а не только методическую помощь."
            )
    labels = _signal_labels(evidence)
    if "unreliable" in codes and labels:
        out.append(
            f"Проверить объективность результатов ({'; '.join(labels)}): перепроверка работ, "
            "независимые наблюдатели при проведении процедур."
        )
    if not codes and status == INSUFFICIENT:
        out.append(
            "Данных для вывода недостаточно: обеспечить участие обучающихся в оценочных "
            "процедурах и загрузку их результатов."
        )
    return out


def _signal_labels(evidence: dict[str, Any]) -> list[str]:
    return sorted({s["label"] for s in evidence.get("signals", []) if s.get("label")})


def _weak_subjects(evidence: dict[str, Any]) -> str:
    subjects = sorted(
        evidence.get("subjects", []),
        key=lambda s: (-s["low_cells"], s["procedure"], s["subject"]),
    )[:MAX_SUBJECTS]
    return "; ".join(
        f"{s['subject']} ({s['procedure']}: {plural(s['low_cells'], LOW_CELLS)} "
        f"из {plural(s['judged_cells'], CELLS_GENITIVE)})"
        for s in subjects
    )


def _gia_low(evidence: dict[str, Any]) -> bool:
    return any(s["procedure"] in ("ОГЭ", "ЕГЭ") for s in evidence.get("subjects", []))
