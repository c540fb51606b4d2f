"""Targeted recommendations for one school, derived from its categories and evidence.

Django-free; the same sentences appear on the school card and in the analytic report.

>>> evidence = {"subjects": [{"procedure": "ВПР", "subject": "Математика",
...     "judged_cells": 4, "low_cells": 3}], "pooled": {"low_years": 2}}
>>> recommend(["low_results"], evidence)[0][:48]
'Провести анализ причин низких результатов вместе'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opora.analytics._phrases import points, points_range
from opora.analytics.wording import plural

MAX_SUBJECTS = 3
CELLS_GENITIVE = ("ячейки", "ячеек", "ячеек")


def recommend(codes: Sequence[str], evidence: dict[str, Any], status: str = "") -> list[str]:
    """Recommendations in the order a school would act on them."""
    codes = list(codes)
    out: list[str] = []
    if "low_results" in codes or "risk" in codes:
        out.append(
            "Провести анализ причин низких результатов вместе с муниципальным органом управления "
            "образованием и отразить меры в программе (дорожной карте) школы."
        )
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
    if "risk" in codes and "low_results" not in codes:
        out.append(
            "Включить школу в мониторинг группы риска и повторно оценить результаты после "
            "следующей оценочной процедуры."
        )
    if "adverse_context" in codes:
        out.append(
            "Учесть неблагоприятные социальные условия: психолого-педагогическое и социальное "
            "сопровождение обучающихся, работа с семьями, доступ к дополнительному образованию."
        )
    if "unreliable" in codes:
        labels = sorted({s["label"] for s in evidence.get("signals", []) if s.get("label")})
        which = f" ({'; '.join(labels)})" if labels else ""
        out.append(
            "Проверить объективность результатов"
            f"{which}: перепроверка работ, независимые наблюдатели при проведении процедур."
        )
    if "resilient" in codes:
        out.append(
            "Изучить и описать практики школы, благодаря которым результаты выше ожидаемых, "
            "и рассмотреть её как школу-партнёра для ШНОР в сходных условиях."
        )
    if "leader" in codes:
        out.append(
            "Рассмотреть школу как школу-партнёра (наставника) для школ с низкими результатами."
        )
    if not codes and status == "недостаточно данных":
        out.append(
            "Данных для вывода недостаточно: обеспечить участие обучающихся в оценочных "
            "процедурах и загрузку их результатов."
        )
    return out


def _weak_subjects(evidence: dict[str, Any]) -> str:
    subjects = sorted(
        evidence.get("subjects", []),
        key=lambda s: (-s["low_cells"], s["procedure"], s["subject"]),
    )[:MAX_SUBJECTS]
    return "; ".join(
        f"{s['subject']} ({s['procedure']}: {plural(s['low_cells'], ('низкая', 'низкие', 'низких'))} "
        f"из {plural(s['judged_cells'], CELLS_GENITIVE)})"
        for s in subjects
    )


def _gia_low(evidence: dict[str, Any]) -> bool:
    return any(s["procedure"] in ("ОГЭ", "ЕГЭ") for s in evidence.get("subjects", []))
