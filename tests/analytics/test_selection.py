"""Selection of a limited number of ШНОР schools (seed 004) under municipal bounds."""

from __future__ import annotations

import pyarrow as pa
import pytest

from opora.analytics.selection import SelectionError, select_schools


def _candidates(rows):
    """rows: (school_id, municipality, failures, participants, low_years, low_cells, shrunk)."""
    names = [
        "school_id",
        "municipality",
        "failures",
        "participants",
        "low_years",
        "low_cells",
        "shrunk_share",
    ]
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})


SIX = _candidates(
    [
        ("s1", "Майминский район", 41, 100, 2, 5, 0.41),
        ("s2", "Майминский район", 38, 100, 2, 4, 0.38),
        ("s3", "Майминский район", 36, 100, 2, 3, 0.36),
        ("s4", "Онгудайский район", 33, 100, 2, 2, 0.33),
        ("s5", "Улаганский район", 31, 100, 2, 2, 0.31),
        ("s6", "Улаганский район", 30, 100, 2, 1, 0.30),
    ]
)


def test_it_takes_the_most_severe_schools_when_unconstrained():
    selection = select_schools(SIX, 3)
    assert selection.selected == ["s1", "s2", "s3"]
    rows = {r["school_id"]: r for r in selection.table.to_pylist()}
    assert [r["severity_rank"] for r in selection.table.to_pylist()] == [1, 2, 3, 4, 5, 6]
    assert rows["s3"]["selection_order"] == 3
    assert rows["s3"]["reason"] == (
        "Выбрана: 3-е место по тяжести (доля неудовлетворительных результатов 36 %, "
        "2 низких года, низких ячеек: 3)"
    )
    assert rows["s4"]["reason"] == (
        "Не выбрана: 4-е место по тяжести (доля неудовлетворительных результатов 33 %, "
        "2 низких года, низких ячеек: 2); все 3 места заняты более тяжёлыми школами"
    )
    assert rows["s4"]["selection_order"] is None
    assert selection.rule.startswith("Отбор 3 школ из 6 по тяжести")


def test_a_municipal_minimum_forces_a_less_severe_school_in():
    selection = select_schools(SIX, 3, municipality_min=1)
    # Each of the three districts gets its most severe school; s2 and s3 give way.
    assert selection.selected == ["s1", "s4", "s5"]
    rows = {r["school_id"]: r for r in selection.table.to_pylist()}
    assert rows["s5"]["by_minimum"] is True
    assert rows["s5"]["reason"] == (
        "Выбрана по минимуму для муниципалитета «Улаганский район» (не меньше 1): 5-е место "
        "по тяжести (доля неудовлетворительных результатов 31 %, 2 низких года, низких ячеек: 2)"
    )
    assert rows["s1"]["reason"].endswith("; минимум для муниципалитета «Майминский район» — 1")
    assert rows["s2"]["reason"].endswith(
        "место занято школой, выбранной по минимуму для своего муниципалитета"
    )
    assert "каждый муниципалитет — не меньше 1" in selection.rule


def test_a_minimum_for_one_named_municipality_keeps_the_rest_by_severity():
    selection = select_schools(SIX, 3, municipality_min={"Улаганский район": 1})
    assert selection.selected == ["s1", "s2", "s5"]


def test_a_municipal_maximum_passes_the_place_down_the_list():
    selection = select_schools(SIX, 3, municipality_max={"Майминский район": 1})
    assert selection.selected == ["s1", "s4", "s5"]
    rows = {r["school_id"]: r for r in selection.table.to_pylist()}
    assert rows["s2"]["reason"].endswith(
        "из муниципалитета «Майминский район» уже выбрано максимальное число школ (1)"
    )
    assert rows["s5"]["reason"].endswith(
        "вошла, потому что более тяжёлые школы не прошли по максимуму для своих муниципалитетов"
    )


def test_minimum_and_maximum_together_are_honoured():
    selection = select_schools(SIX, 4, municipality_min=1, municipality_max=2)
    chosen = selection.selected
    assert chosen == ["s1", "s2", "s4", "s5"]
    municipalities = [
        r["municipality"] for r in selection.table.to_pylist() if r["school_id"] in chosen
    ]
    assert max(municipalities.count(m) for m in set(municipalities)) <= 2
    assert len(set(municipalities)) == 3


def test_ties_are_broken_by_low_years_then_low_cells_then_code():
    candidates = _candidates(
        [
            ("b", "X", 30, 100, 2, 3, 0.30),
            ("a", "X", 30, 100, 2, 3, 0.30),
            ("c", "X", 30, 100, 3, 1, 0.30),
            ("d", "X", 30, 100, 2, 4, 0.30),
        ]
    )
    order = [r["school_id"] for r in select_schools(candidates, 1).table.to_pylist()]
    assert order == ["c", "d", "a", "b"]


def test_it_shrinks_small_schools_when_no_shrunk_share_is_given():
    candidates = pa.table(
        {
            "school_id": ["small", "big", "mid", "low"],
            "municipality": ["X"] * 4,
            "failures": [3, 45, 20, 10],
            "participants": [5, 100, 60, 100],
            "low_years": [2] * 4,
            "low_cells": [1] * 4,
        }
    )
    # Method of moments by hand: mean = 78/265; between-school variance = observed − binomial.
    x, n = [3, 45, 20, 10], [5, 100, 60, 100]
    mean = sum(x) / sum(n)
    w = [ni / sum(n) for ni in n]
    observed = sum(wi * (xi / ni - mean) ** 2 for wi, xi, ni in zip(w, x, n, strict=True))
    binomial = sum(wi * mean * (1 - mean) / ni for wi, ni in zip(w, n, strict=True))
    strength = mean * (1 - mean) / (observed - binomial) - 1
    shrunk = [(xi + mean * strength) / (ni + strength) for xi, ni in zip(x, n, strict=True)]
    assert shrunk[0] < shrunk[1]  # 3 of 5 (60 %) ranks below 45 of 100
    selection = select_schools(candidates, 1)
    assert selection.selected == ["big"]
    rows = {r["school_id"]: r for r in selection.table.to_pylist()}
    assert rows["small"]["shrunk_share"] == pytest.approx(shrunk[0])
    assert (
        "доля неудовлетворительных результатов 60 %, с поправкой на число участников"
        in (rows["small"]["reason"])
    )


def test_the_register_completes_municipality_and_name():
    candidates = SIX.drop_columns(["municipality"])
    register = pa.table(
        {
            "school_id": ["s1", "s2", "s3", "s4", "s5", "s6"],
            "name": [f"МБОУ «Школа {i}»" for i in range(1, 7)],
            "municipality": ["A", "A", "A", "B", "B", "B"],
        }
    )
    selection = select_schools(candidates, 2, municipality_min=1, register=register)
    assert selection.selected == ["s1", "s4"]
    assert selection.table.column("name").to_pylist()[0] == "МБОУ «Школа 1»"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 7}, "Нужно отобрать 7 школ, а в списке ШНОР их 6"),
        ({"n": 2, "municipality_min": 1}, "Сумма минимумов по муниципалитетам (3) больше"),
        (
            {"n": 3, "municipality_min": {"Онгудайский район": 2}},
            "задан минимум 2, а в списке ШНОР из него 1 школа",
        ),
        ({"n": 5, "municipality_max": 1}, "можно отобрать не больше 3 школ, а нужно 5"),
        (
            {"n": 3, "municipality_min": {"X": 1}},
            "для муниципалитета «X» задан минимум 1, а в списке ШНОР из него 0 школ",
        ),
        (
            {"n": 3, "municipality_min": {"Майминский район": 2}, "municipality_max": 1},
            "минимум (2) больше максимума (1)",
        ),
        ({"n": 0}, "не меньше 1"),
    ],
)
def test_it_explains_in_russian_when_the_bounds_cannot_be_met(kwargs, message):
    with pytest.raises(SelectionError) as error:
        select_schools(SIX, **kwargs)
    assert message.lower() in str(error.value).lower()


def test_it_refuses_a_list_without_the_severity_columns():
    with pytest.raises(SelectionError, match="нет столбцов: low_years"):
        select_schools(SIX.drop_columns(["low_years"]), 1)
