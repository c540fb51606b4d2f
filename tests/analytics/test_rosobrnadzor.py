"""The Rosobrnadzor risk indicator preset on a hand-made case; both engines."""

from __future__ import annotations

import dataclasses

from analytics_builders import by_school, cells_of, results

from opora.analytics.frames import to_lazy
from opora.analytics.low_results import assess_low_results, prepare_results
from opora.analytics.methodology import load_methodology

ROWS = results(
    # R1: 2024 ВПР pooled (10 + 2)/(20 + 20) = 0.30 low, ОГЭ 4/10 low -> two low procedures;
    #     ОГЭ 2023 5/12 = 0.417 low -> ОГЭ low two years running: flagged.
    ("R1", 2024, "ВПР", "Математика", 5, 20, 10),
    ("R1", 2024, "ВПР", "Русский язык", 5, 20, 2),
    ("R1", 2024, "ОГЭ", "Математика", 9, 10, 4),
    ("R1", 2023, "ОГЭ", "Математика", 9, 12, 5),
    ("R1", 2023, "ВПР", "Математика", 5, 20, 1),
    # R2: 2024 ВПР 6/10 and ОГЭ 3/10 low, 2023 nothing low: many but not lasting -> risk.
    ("R2", 2024, "ВПР", "Математика", 5, 10, 6),
    ("R2", 2024, "ОГЭ", "Математика", 9, 10, 3),
    ("R2", 2023, "ВПР", "Математика", 5, 10, 1),
    ("R2", 2023, "ОГЭ", "Математика", 9, 10, 0),
    # R3: ЕГЭ low both years (4/10, 5/10), the only procedure: lasting but not many -> risk.
    ("R3", 2024, "ЕГЭ", "Химия", 11, 10, None, 4),
    ("R3", 2023, "ЕГЭ", "Химия", 11, 10, None, 5),
    # R4: rows of 3 participants pool to 6: ВПР 2024 3/6 = 0.5, ОГЭ 2024 3/6, ВПР 2023 2/5.
    ("R4", 2024, "ВПР", "Математика", 5, 3, 3),
    ("R4", 2024, "ВПР", "Русский язык", 5, 3, 0),
    ("R4", 2024, "ОГЭ", "Математика", 9, 6, 3),
    ("R4", 2023, "ВПР", "Математика", 5, 2, 1),
    ("R4", 2023, "ВПР", "Русский язык", 5, 3, 1),
)


def _run(engine, combine="and"):
    method = load_methodology("rosobrnadzor-risk")
    if combine != "and":
        indicator = dataclasses.replace(method.risk_indicator, combine=combine)
        method = dataclasses.replace(method, risk_indicator=indicator)
    return assess_low_results(to_lazy(prepare_results(ROWS), engine), method)


def test_it_needs_two_low_procedures_in_a_year_and_one_low_two_years_running(engine):
    outcome = _run(engine)
    assert outcome.years == (2023, 2024)
    assert sorted(outcome.low_results.flagged) == ["R1", "R4"]
    assert sorted(outcome.risk.flagged) == ["R2", "R3"]
    cells = cells_of(outcome)
    pooled = cells[("R1", 2024, "ВПР", "все предметы", None)]
    assert (pooled["failures"], pooled["participants"], pooled["low"]) == (12, 40, True)
    small = cells[("R4", 2024, "ВПР", "все предметы", None)]
    assert (small["failures"], small["participants"], small["judged"]) == (3, 6, True)
    schools = by_school(outcome.schools)
    assert schools["R1"]["low_years"] == 1  # years with at least two low procedures
    assert outcome.low_results.flagged["R1"][0] == (
        "Индикатор Рособрнадзора (2023: низких процедур 1 из 2; 2024: низких процедур 2 из 2); "
        "низкие 2 и более лет подряд: ОГЭ — 2023–2024 гг."
    )
    assert (
        "ОГЭ 2024, все предметы: 4 из 10 (40 %) получили «2»" in (outcome.low_results.flagged["R1"])
    )


def test_it_flags_either_condition_when_combined_with_or(engine):
    outcome = _run(engine, combine="or")
    assert sorted(outcome.low_results.flagged) == ["R1", "R2", "R3", "R4"]
    assert outcome.risk.flagged == {}
