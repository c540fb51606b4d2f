"""Leaders: judged in every window year, every judged cell at or below the limit; both engines."""

from __future__ import annotations

from analytics_builders import low, results

from opora.analytics.leaders import leaders


def test_it_accepts_a_cell_exactly_at_the_limit_and_needs_every_window_year(engine):
    rows = []
    for year in (2023, 2024):
        rows += [
            ("at_limit", year, "ВПР", "Математика", 5, 20, 1),  # 1/20 = 0.05: at the limit
            ("at_limit", year, "ВПР", "Русский язык", 5, 30, 0),
            ("above", year, "ВПР", "Математика", 5, 19, 1 if year == 2024 else 0),  # 0.0526
            ("none", year, "ВПР", "Математика", 5, 25, 0),
        ]
    rows += [
        ("one_year", 2023, "ВПР", "Математика", 5, 25, 0),
        ("one_year", 2024, "ВПР", "Математика", 5, 4, 0),  # 4 participants: 2024 not judged
    ]
    outcome = low(engine, results(*rows))
    result = leaders(outcome, 0.05)
    assert sorted(result.flagged) == ["at_limit", "none"]
    assert result.flagged["at_limit"] == [
        "Оценённых ячеек за 2023–2024 гг.: 4, во всех неуспевающих не больше 5 %",
        "Наибольшая доля: ВПР 2024, Математика, 5 кл.: 1 из 20 (5 %) получили «2»",
    ]
    details = {r["school_id"]: r for r in result.details.to_pylist()}
    assert details["one_year"]["judged_years"] == 1
    assert details["above"]["leader"] is False
    # A stricter limit drops the school at 5 %.
    assert sorted(leaders(outcome, 0.049).flagged) == ["none"]
