"""A methodology in plain Russian words, for the run page and the analytic report.

Django-free.

>>> from opora.analytics.methodology import DEFAULT
>>> method_paragraphs(DEFAULT, (2023, 2024))[0][:73]
'Анализируются результаты ВПР, ОГЭ, ЕГЭ по всем предметам за 2023–2024 гг.'
"""

from __future__ import annotations

from collections.abc import Sequence

from opora.analytics.methodology import Methodology
from opora.analytics.wording import YEARS, percent, plural, years_phrase


def method_paragraphs(method: Methodology, window_years: Sequence[int]) -> list[str]:
    """One paragraph per rule of the methodology, with the thresholds it uses."""
    rule = method.low_results
    procedures = ", ".join(rule.procedures) if rule.procedures else "всех процедур"
    subjects = "по предметам: " + ", ".join(rule.subjects) if rule.subjects else "по всем предметам"
    years = years_phrase(window_years) if window_years else "—"
    paragraphs = [
        f"Анализируются результаты {procedures} {subjects} за {years} "
        f"(последние {plural(rule.window_years, YEARS)}, в которых есть результаты; "
        "одни и те же годы для всех школ).",
        "Результат по предмету в одном классе одной школы за год («ячейка») считается низким, "
        f"если не менее {percent(rule.threshold)} участников получили отметку «2» (для ЕГЭ — не "
        f"преодолели минимальный порог). Ячейки, где участников меньше {rule.min_participants}, "
        "не оцениваются: по ним нельзя сделать надёжный вывод.",
    ]
    if rule.significance:
        paragraphs.append(
            "Дополнительно учитывается случайность: ячейка низкая, только если и нижняя "
            f"граница {percent(rule.confidence)} доверительного интервала доли не ниже порога."
        )
    if rule.rule == "rosobrnadzor":
        indicator = method.risk_indicator
        paragraphs.append(
            "Школа относится к школам с низкими результатами (ШНОР) по индикатору риска "
            f"Рособрнадзора: низкие результаты не менее чем по {indicator.min_low_procedures} "
            f"процедурам {plural(indicator.consecutive_years, YEARS)} подряд."
        )
    else:
        share = (
            f" и составляли не менее {percent(rule.min_low_share)} оценённых ячеек года"
            if rule.min_low_share
            else ""
        )
        cells = plural(rule.min_low_cells, ("низкой ячейки", "низких ячеек", "низких ячеек"))
        years_needed = plural(rule.years_required, ("года", "лет", "лет"))
        paragraphs.append(
            f"Год считается низким для школы, если в нём не менее {cells}{share}. Школа "
            f"относится к школам с низкими результатами (ШНОР), если низкими были не менее "
            f"{years_needed} окна; школа хотя бы с одним низким годом, не попавшая в ШНОР, "
            "относится к группе риска."
        )
    paragraphs += [
        "Школы в неблагоприятных социальных условиях (ШНСУ) — "
        f"{percent(method.adverse_context.quantile)} школ с наибольшим индексом социального "
        "неблагополучия. Индекс складывается из долей обучающихся из малоимущих и многодетных "
        "семей, семей в социально опасном положении, с неродным русским языком и других "
        "факторов; доля родителей с высшим образованием уменьшает индекс.",
        "Ожидаемая доля неудовлетворительных результатов школы рассчитывается по её социальному "
        "контексту (регрессия по всем школам региона, взвешенная по числу участников). Вклад "
        "школы — разница между ожидаемой и фактической долей: положительный вклад означает, "
        "что школа справляется лучше, чем предсказывают её условия.",
        "Резильентные школы — ШНСУ, у которых нижняя граница интервала вклада выше "
        f"{percent(method.resilient.min_contribution)}. Школы со стабильно высокими результатами "
        "оценены в каждом году окна, и доля неудовлетворительных результатов ни в одной ячейке "
        f"не превышает {percent(method.leaders.max_failure_share)}.",
        "Признаки необъективности — предупреждения, а не вердикты: ВПР намного лучше ГИА той "
        "же школы, резкое снижение доли «2», которое случайностью не объясняется, расхождение "
        "журнальных отметок с отметками за ВПР. Такие результаты требуют проверки.",
    ]
    return paragraphs
