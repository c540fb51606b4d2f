"""Pure parts: recommendations from a verdict's evidence, the method in words, chart data."""

from __future__ import annotations

from types import SimpleNamespace

from opora.analytics.methodology import DEFAULT, parse_methodology
from opora.identification.chart_data import school_chart
from opora.identification.method_words import method_paragraphs
from opora.identification.recommendations import GENERAL, recommend, targeted

SUBJECTS = [
    {"procedure": "ВПР", "subject": "Русский язык", "judged_cells": 6, "low_cells": 1},
    {"procedure": "ОГЭ", "subject": "Математика", "judged_cells": 2, "low_cells": 2},
    {"procedure": "ВПР", "subject": "Математика", "judged_cells": 6, "low_cells": 4},
    {"procedure": "ВПР", "subject": "История", "judged_cells": 3, "low_cells": 1},
]


def test_weak_subjects_come_worst_first_at_most_three():
    texts = targeted(["low_results"], {"subjects": SUBJECTS})
    assert texts[0] == (
        "Организовать адресную методическую помощь учителям и диагностику пробелов обучающихся "
        "по предметам: Математика (ВПР: 4 низкие из 6 ячеек); Математика (ОГЭ: 2 низкие из 2 "
        "ячеек); История (ВПР: 1 низкая из 3 ячеек)."
    )
    assert texts[1].startswith("Усилить подготовку к ГИА")  # an ОГЭ subject is low


def test_results_below_the_context_prediction_point_inside_the_school():
    model = {"contribution": -0.12, "lo": -0.2, "hi": -0.04}
    texts = targeted(["low_results"], {"model": model})
    assert texts == [
        "Результаты ниже ожидаемых при социальном контексте школы (вклад ОО −12 п.п., "
        "интервал −20…−4 п.п.): приоритет — внутришкольные факторы (качество преподавания, "
        "оценивание, управление)."
    ]
    inside = targeted(["risk"], {"model": {"contribution": -0.01, "lo": -0.05, "hi": 0.03}})
    assert inside[0].startswith("Результаты соответствуют социальному контексту школы")


def test_signals_name_what_to_check():
    evidence = {"signals": [{"label": "ВПР намного лучше ГИА"}, {"label": "ВПР намного лучше ГИА"}]}
    assert targeted(["unreliable"], evidence) == [
        "Проверить объективность результатов (ВПР намного лучше ГИА): перепроверка работ, "
        "независимые наблюдатели при проведении процедур."
    ]
    assert recommend(["unreliable"], {}) == [GENERAL["unreliable"]]


def test_all_recommendations_in_order():
    texts = recommend(["low_results", "adverse_context"], {"subjects": SUBJECTS[:1]})
    assert texts[0] == GENERAL["low_results"]
    assert texts[1].startswith("Организовать адресную методическую помощь")
    assert texts[-1] == GENERAL["adverse_context"]
    assert recommend(["leader"], {}) == [GENERAL["leader"]]
    assert recommend([], {}, "недостаточно данных")[0].startswith("Данных для вывода недостаточно")
    assert recommend([], {}, "оценена") == []


def test_the_method_in_words_follows_the_thresholds():
    words = " ".join(method_paragraphs(DEFAULT, (2023, 2024)))
    assert "за 2023–2024 гг." in words
    assert "не менее 30 % участников" in words
    assert "меньше 5, не оцениваются" in words
    assert "не менее 1 низкой ячейки" in words and "не менее 2 лет окна" in words
    own = parse_methodology(
        '[low_results]\nthreshold = 0.25\nmin_low_cells = 2\nyears_required = 1\nsubjects = ["Математика"]\n'
    )
    words = " ".join(method_paragraphs(own, (2024,)))
    assert "по предметам: Математика за 2024 г." in words
    assert "не менее 25 % участников" in words
    assert "не менее 2 низких ячеек" in words and "не менее 1 года окна" in words


def test_the_school_chart_has_years_and_the_window():
    verdict = SimpleNamespace(
        evidence={
            "years": [{"year": 2024, "share": 0.4, "lo": 0.2, "hi": 0.6123}],
            "model": {
                "actual": 0.4,
                "actual_lo": 0.2,
                "actual_hi": 0.6,
                "expected": 0.25,
                "expected_lo": 0.2,
                "expected_hi": 0.3,
            },
        }
    )
    assert school_chart(verdict) == {
        "labels": ["2024", "за окно"],
        "actual": [[40.0, 20.0, 61.2], [40.0, 20.0, 60.0]],
        "expected": [None, [25.0, 20.0, 30.0]],
    }
    assert school_chart(SimpleNamespace(evidence={})) is None
