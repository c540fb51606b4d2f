"""Year-to-year dynamics of the failure share and the seed 004 positive-dynamics indicator."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from opora.analytics.dynamics import dynamics, share_with_positive_dynamics
from opora.analytics.frames import to_lazy


def _results(rows):
    columns = ["school_id", "year", "procedure", "subject", "grade", "participants", "mark_2"]
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    return pa.table(data)


def _normal_two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def test_it_finds_a_significant_fall_by_the_hand_computed_z_test():
    results = _results(
        [
            ("a", 2023, "ОГЭ", "Русский язык", 9, 50, 16),
            ("a", 2024, "ОГЭ", "Русский язык", 9, 50, 6),
        ]
    )
    row = dynamics(results).to_pylist()[0]
    # pooled share 22/100; se = sqrt(0.22 * 0.78 * (1/50 + 1/50)) = 0.082849; z = 0.20 / se
    z = 0.20 / math.sqrt(0.22 * 0.78 * 0.04)
    assert z == pytest.approx(2.41402, abs=1e-5)
    assert row["z"] == pytest.approx(z)
    assert row["p"] == pytest.approx(_normal_two_sided(z))
    assert row["p"] == pytest.approx(0.01578, abs=1e-5)
    assert (row["share_from"], row["share_to"]) == (0.32, 0.12)
    assert row["verdict"] == "better"
    assert row["grade"] is None
    assert row["text"] == (
        "ОГЭ, Русский язык: доля «2» снизилась с 32 % (16 из 50) в 2023 г. до 12 % (6 из 50) "
        "в 2024 г. (−20 п.п., p = 0,016) — положительная динамика."
    )


def test_it_calls_a_significant_rise_worse_and_a_small_change_no_change():
    results = _results(
        [
            ("a", 2023, "ОГЭ", "Математика", 9, 50, 6),
            ("a", 2024, "ОГЭ", "Математика", 9, 50, 16),
            ("b", 2023, "ОГЭ", "Математика", 9, 50, 16),
            ("b", 2024, "ОГЭ", "Математика", 9, 50, 14),
        ]
    )
    rows = {r["school_id"]: r for r in dynamics(results).to_pylist()}
    assert rows["a"]["verdict"] == "worse"
    assert rows["a"]["z"] < 0
    assert "выросла с 12 % (6 из 50) в 2023 г. до 32 % (16 из 50)" in rows["a"]["text"]
    assert rows["b"]["verdict"] == "no_change"
    assert rows["b"]["text"].endswith("— без значимых изменений.")


def test_the_confidence_level_moves_the_verdict():
    results = _results(
        [
            ("a", 2023, "ОГЭ", "Русский язык", 9, 50, 16),
            ("a", 2024, "ОГЭ", "Русский язык", 9, 50, 6),
        ]
    )
    assert dynamics(results, confidence=0.99).to_pylist()[0]["verdict"] == "no_change"


def test_it_says_why_a_comparison_is_impossible():
    results = _results(
        [
            ("a", 2023, "ЕГЭ", "Математика (профильная)", 11, 4, 1),
            ("a", 2024, "ЕГЭ", "Математика (профильная)", 11, 12, 2),
            ("b", 2024, "ОГЭ", "Математика", 9, 30, 3),
        ]
    )
    rows = {r["school_id"]: r for r in dynamics(results).to_pylist()}
    assert rows["a"]["verdict"] == rows["b"]["verdict"] == "insufficient"
    assert rows["a"]["text"] == (
        "ЕГЭ, Математика (профильная): сравнить 2023 и 2024 гг. нельзя — участников 4 и 12, "
        "а нужно не меньше 5 в каждом году."
    )
    assert rows["b"]["text"].endswith("в 2023 г. школа не участвовала.")
    assert rows["b"]["participants_from"] == 0


def test_it_uses_below_min_for_the_unified_exam():
    results = pa.table(
        {
            "school_id": ["a", "a"],
            "year": [2023, 2024],
            "procedure": ["ЕГЭ", "ЕГЭ"],
            "subject": ["Русский язык"] * 2,
            "grade": [11, 11],
            "participants": [40, 40],
            "mark_2": [None, None],
            "below_min": [12, 1],
        }
    )
    row = dynamics(results).to_pylist()[0]
    assert (row["failures_from"], row["failures_to"]) == (12, 1)
    assert row["verdict"] == "better"
    assert row["text"].startswith("ЕГЭ, Русский язык: доля результатов ниже минимального порога")


def test_it_pools_grades_unless_asked_to_keep_them():
    results = _results(
        [
            ("a", 2023, "ВПР", "Математика", 5, 20, 8),
            ("a", 2023, "ВПР", "Математика", 6, 30, 9),
            ("a", 2024, "ВПР", "Математика", 5, 25, 2),
            ("a", 2024, "ВПР", "Математика", 6, 25, 3),
        ]
    )
    pooled = dynamics(results).to_pylist()
    assert len(pooled) == 1
    assert (pooled[0]["failures_from"], pooled[0]["participants_from"]) == (17, 50)
    assert (pooled[0]["failures_to"], pooled[0]["participants_to"]) == (5, 50)
    by_grade = dynamics(results, by_grade=True).to_pylist()
    assert [r["grade"] for r in by_grade] == [5, 6]
    assert by_grade[0]["text"].startswith("ВПР, Математика, 5 кл.:")
    only_fifth = dynamics(results, grades=[5]).to_pylist()
    assert only_fifth[0]["participants_from"] == 20


def test_it_reports_the_participant_weighted_mean_score_change():
    results = pa.table(
        {
            "school_id": ["a"] * 4,
            "year": [2023, 2023, 2024, 2024],
            "procedure": ["ОГЭ"] * 4,
            "subject": ["Математика"] * 4,
            "grade": [9] * 4,
            "participants": [10, 30, 20, 20],
            "mark_2": [2, 6, 3, 3],
            "mean_score": [3.0, 3.4, 3.5, None],
        }
    )
    row = dynamics(results).to_pylist()[0]
    assert row["mean_from"] == pytest.approx((10 * 3.0 + 30 * 3.4) / 40)  # 3.3
    assert row["mean_to"] == pytest.approx(3.5)  # the row without a mean is left out
    assert row["mean_change"] == pytest.approx(0.2)
    assert row["text"].endswith("Средний балл: 3,3 → 3,5.")


def test_it_compares_every_pair_of_consecutive_years():
    results = _results(
        [
            ("a", 2022, "ОГЭ", "Математика", 9, 40, 20),
            ("a", 2023, "ОГЭ", "Математика", 9, 40, 10),
            ("a", 2024, "ОГЭ", "Математика", 9, 40, 9),
        ]
    )
    rows = dynamics(results).to_pylist()
    assert [(r["year_from"], r["year_to"]) for r in rows] == [(2022, 2023), (2023, 2024)]
    assert [r["verdict"] for r in rows] == ["better", "no_change"]


def test_a_single_year_gives_an_empty_table():
    results = _results([("a", 2024, "ОГЭ", "Математика", 9, 40, 20)])
    table = dynamics(results)
    assert table.num_rows == 0
    assert "verdict" in table.column_names


def test_it_gives_the_same_rows_on_each_engine(engine):
    results = _results(
        [
            ("a", 2023, "ОГЭ", "Русский язык", 9, 50, 16),
            ("a", 2024, "ОГЭ", "Русский язык", 9, 50, 6),
            ("a", 2024, "ОГЭ", "Математика", 9, 50, 6),
            ("b", 2023, "ОГЭ", "Русский язык", 9, 3, 1),
            ("b", 2024, "ОГЭ", "Русский язык", 9, 20, 4),
        ]
    )
    rows = dynamics(to_lazy(results, engine)).to_pylist()
    assert [(r["school_id"], r["subject"], r["verdict"]) for r in rows] == [
        ("a", "Математика", "insufficient"),
        ("a", "Русский язык", "better"),
        ("b", "Русский язык", "insufficient"),
    ]
    assert rows[1]["p"] == pytest.approx(0.0157775, abs=1e-6)


def _verdicts(rows):
    return pa.table(
        {
            "school_id": [r[0] for r in rows],
            "procedure": [r[1] for r in rows],
            "subject": [r[2] for r in rows],
            "year_to": [r[3] for r in rows],
            "verdict": [r[4] for r in rows],
        }
    )


def test_the_indicator_counts_schools_with_positive_dynamics_among_comparable_ones():
    table = _verdicts(
        [
            ("a", "ОГЭ", "Русский язык", 2024, "better"),
            ("b", "ОГЭ", "Русский язык", 2024, "no_change"),
            ("c", "ОГЭ", "Русский язык", 2024, "worse"),
            ("d", "ОГЭ", "Русский язык", 2024, "insufficient"),
            ("e", "ОГЭ", "Русский язык", 2024, "better"),  # not in the ШНОР list
            ("b", "ОГЭ", "Русский язык", 2023, "better"),  # an earlier pair
            ("f", "ОГЭ", "Математика", 2024, "better"),
        ]
    )
    shnor = ["a", "b", "c", "d", "f", "g"]
    assert share_with_positive_dynamics(table, shnor, "ОГЭ", "Русский язык") == (1, 3, 1 / 3)
    assert share_with_positive_dynamics(table, shnor, "ОГЭ", "Русский язык", denominator="all") == (
        1,
        6,
        1 / 6,
    )
    assert share_with_positive_dynamics(table, shnor, "ОГЭ", "Русский язык", year_to=2023) == (
        1,
        1,
        1.0,
    )
    assert share_with_positive_dynamics(table, shnor, "ЕГЭ", "Русский язык") == (0, 0, None)


def test_the_indicator_accepts_several_subjects_and_a_worse_one_cancels():
    table = _verdicts(
        [
            ("a", "ЕГЭ", "Математика (базовая)", 2024, "better"),
            ("a", "ЕГЭ", "Математика (профильная)", 2024, "no_change"),
            ("b", "ЕГЭ", "Математика (базовая)", 2024, "better"),
            ("b", "ЕГЭ", "Математика (профильная)", 2024, "worse"),
        ]
    )
    maths = ["Математика (базовая)", "Математика (профильная)"]
    assert share_with_positive_dynamics(table, ["a", "b"], "ЕГЭ", maths) == (1, 2, 0.5)
