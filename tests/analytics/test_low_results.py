"""ШНОР, the risk group and the cell rules, with figures computed by hand; both engines."""

from __future__ import annotations

import pytest
from analytics_builders import by_school, cells_of, low, results

ONE_YEAR = "[low_results]\nwindow_years = 1\nyears_required = 1\n"


def test_it_calls_a_share_exactly_at_the_threshold_low_and_2_of_7_not(engine):
    table = results(
        ("s1", 2024, "ВПР", "Математика", 5, 10, 3),  # 3/10 = 0.30 -> low
        ("s2", 2024, "ВПР", "Математика", 5, 7, 2),  # 2/7 = 0.2857 -> not low
        ("s3", 2024, "ВПР", "Математика", 5, 20, 6),  # 6/20 = 0.30 -> low
        ("s3", 2024, "ВПР", "Русский язык", 5, 70, 21),  # 21/70 = 0.30 -> low
        ("s3", 2024, "ВПР", "История", 5, 30, 9),  # 9/30 = 0.30 -> low
        ("s4", 2024, "ВПР", "Математика", 5, 100, 29),  # 0.29 -> not low
    )
    outcome = low(engine, table, ONE_YEAR)
    cells = cells_of(outcome)
    assert cells[("s1", 2024, "ВПР", "Математика", 5)]["low"] is True
    assert cells[("s1", 2024, "ВПР", "Математика", 5)]["share"] == pytest.approx(0.3)
    assert cells[("s2", 2024, "ВПР", "Математика", 5)]["low"] is False
    assert all(c["low"] for k, c in cells.items() if k[0] == "s3")
    assert cells[("s4", 2024, "ВПР", "Математика", 5)]["low"] is False
    assert sorted(outcome.low_results.flagged) == ["s1", "s3"]
    assert outcome.low_results.flagged["s1"] == [
        "Низкие результаты в 1 из 1 года окна (2024: низких ячеек 1 из 1)",
        "ВПР 2024, Математика, 5 кл.: 3 из 10 (30 %) получили «2»",
    ]


def test_it_judges_cells_from_five_participants_and_marks_smaller_ones_insufficient(engine):
    table = results(
        ("s1", 2024, "ВПР", "Математика", 5, 4, 4),  # 4 participants: not judged
        ("s2", 2024, "ВПР", "Математика", 5, 5, 2),  # 5 participants, 2/5 = 0.4: low
    )
    outcome = low(engine, table, ONE_YEAR, school_ids=["s1", "s2", "s9"])
    cells = cells_of(outcome)
    small = cells[("s1", 2024, "ВПР", "Математика", 5)]
    assert (small["judged"], small["low"], small["status"]) == (False, False, "недостаточно данных")
    judged = cells[("s2", 2024, "ВПР", "Математика", 5)]
    assert (judged["judged"], judged["low"], judged["status"]) == (True, True, "оценена")
    schools = by_school(outcome.schools)
    assert schools["s1"]["status"] == "недостаточно данных"
    assert schools["s9"]["status"] == "недостаточно данных"  # in the register, no results
    assert schools["s2"]["status"] == "оценена"
    assert sorted(outcome.low_results.flagged) == ["s2"]
    assert outcome.risk.flagged == {}
    assert outcome.status_reasons["s1"] == (
        "Недостаточно данных: за 2024 г. нет ни одной ячейки с 5 и более участниками "
        "(с меньшим числом участников: 1 ячейка)"
    )
    assert outcome.status_reasons["s9"] == "Недостаточно данных: нет результатов за 2024 г."


def test_it_counts_ege_failures_from_below_min_and_words_them_as_the_threshold(engine):
    table = results(
        ("e1", 2024, "ЕГЭ", "Химия", 11, 10, None, 3),  # 3/10 below the minimum: low
        ("e2", 2024, "ЕГЭ", "Химия", 11, 10, 5, 0),  # ЕГЭ uses below_min (0), not mark_2
        ("k1", 2024, "КДР", "Математика", 7, 10, None, 4),  # no mark_2: below_min is used
    )
    outcome = low(engine, table, ONE_YEAR + 'procedures = ["ЕГЭ", "КДР"]\n')
    cells = cells_of(outcome)
    assert cells[("e1", 2024, "ЕГЭ", "Химия", 11)]["failures"] == 3
    assert cells[("e2", 2024, "ЕГЭ", "Химия", 11)]["failures"] == 0
    assert cells[("k1", 2024, "КДР", "Математика", 7)]["failure_source"] == "below_min"
    assert sorted(outcome.low_results.flagged) == ["e1", "k1"]
    assert outcome.low_results.flagged["e1"][1] == (
        "ЕГЭ 2024, Химия, 11 кл.: 3 из 10 (30 %) не преодолели минимальный порог"
    )


def test_it_takes_the_last_window_years_present_after_the_filters(engine):
    rows = []
    for year in (2021, 2022, 2023, 2024):
        rows += [
            ("old", year, "ВПР", "Математика", 5, 10, 5 if year <= 2022 else 0),
            ("both", year, "ВПР", "Математика", 5, 10, 5 if year >= 2023 else 0),
            ("last", year, "ВПР", "Математика", 5, 10, 5 if year == 2024 else 0),
            # Low Russian cells are ignored: the methodology judges mathematics only.
            ("rus", year, "ВПР", "Русский язык", 5, 10, 9),
        ]
    # A procedure outside the methodology does not move the window to 2025.
    rows.append(("both", 2025, "КДР", "Математика", 5, 10, 0))
    outcome = low(engine, results(*rows), '[low_results]\nsubjects = ["Математика"]\n')
    assert outcome.years == (2023, 2024)
    assert sorted(outcome.low_results.flagged) == ["both"]
    assert sorted(outcome.risk.flagged) == ["last"]
    schools = by_school(outcome.schools)
    assert [schools[s]["low_years"] for s in ("old", "both", "last")] == [0, 2, 1]
    assert schools["rus"]["status"] == "недостаточно данных"
    assert outcome.risk.flagged["last"][0] == (
        "Низкие результаты в 1 из 2 лет окна (2023: низких ячеек 0 из 1; "
        "2024: низких ячеек 1 из 1); для ШНОР нужно не меньше 2"
    )


def test_it_needs_years_required_low_years_in_the_window(engine):
    rows = []
    for year, (a, b) in zip((2022, 2023, 2024), ((5, 5), (0, 5), (5, 0)), strict=True):
        rows.append(("two", year, "ОГЭ", "Математика", 9, 10, a))  # low in 2022 and 2024
        rows.append(("one", year, "ОГЭ", "Математика", 9, 10, 5 if year == 2023 else b * 0))
    toml = "[low_results]\nwindow_years = 3\nyears_required = 2\n"
    outcome = low(engine, results(*rows), toml)
    assert sorted(outcome.low_results.flagged) == ["two"]
    assert sorted(outcome.risk.flagged) == ["one"]
    assert by_school(outcome.schools)["two"]["low_years"] == 2


def test_it_needs_min_low_cells_low_cells_in_a_year(engine):
    rows = []
    for year in (2023, 2024):
        rows += [
            ("one_cell", year, "ВПР", "Математика", 5, 10, 4),
            ("one_cell", year, "ВПР", "Русский язык", 5, 10, 0),
            ("two_cells", year, "ВПР", "Математика", 5, 10, 4),
            ("two_cells", year, "ВПР", "Русский язык", 5, 10, 3),
        ]
    outcome = low(engine, results(*rows), "[low_results]\nmin_low_cells = 2\n")
    assert sorted(outcome.low_results.flagged) == ["two_cells"]
    assert outcome.risk.flagged == {}  # one low cell a year makes no low year at all
    assert by_school(outcome.schools)["one_cell"]["low_cells"] == 2


def test_it_needs_min_low_share_of_the_judged_cells(engine):
    rows = []
    for year in (2023, 2024):
        # half: 2 low of 4 judged = 0.5 (at the minimum); fewer: 2 low of 5 judged = 0.4
        for school, judged in (("half", 4), ("fewer", 5)):
            for grade in range(4, 4 + judged):
                failures = 5 if grade < 6 else 0
                rows.append((school, year, "ВПР", "Математика", grade, 10, failures))
        rows.append(("half", year, "ВПР", "История", 5, 3, 3))  # not judged: not counted
    outcome = low(engine, results(*rows), "[low_results]\nmin_low_share = 0.5\n")
    assert sorted(outcome.low_results.flagged) == ["half"]
    schools = by_school(outcome.schools)
    assert (schools["half"]["judged_cells"], schools["half"]["low_cells"]) == (8, 4)
    assert schools["fewer"]["low_years"] == 0


def test_it_calls_a_cell_low_only_when_the_wilson_lower_bound_reaches_the_threshold(engine):
    # Wilson lower bounds at 95 %, z = 1.959964:
    #   9/21: p = 0.428571, centre = (p + z²/42) / (1 + z²/21) = 0.439652,
    #         half = z·sqrt(p(1-p)/21 + z²/1764) / (1 + z²/21) = 0.194953 -> lo = 0.2447
    #   15/30: centre = 0.5, half = 0.168457 -> lo = 0.33154
    #   12/20: centre = 0.583891, half = 0.197316 -> lo = 0.38658
    table = results(
        ("wide", 2024, "ВПР", "Математика", 5, 21, 9),
        ("sure", 2024, "ВПР", "Математика", 5, 30, 15),
        ("sure", 2024, "ВПР", "Русский язык", 5, 20, 12),
    )
    plain = low(engine, table, ONE_YEAR)
    assert sorted(plain.low_results.flagged) == ["sure", "wide"]
    strict = low(engine, table, ONE_YEAR + "significance = true\n")
    assert sorted(strict.low_results.flagged) == ["sure"]
    cells = cells_of(strict)
    wide = cells[("wide", 2024, "ВПР", "Математика", 5)]
    assert (wide["wilson_lo"], wide["wilson_hi"]) == (
        pytest.approx(0.2447, abs=1e-4),
        pytest.approx(0.63453, abs=1e-5),
    )
    assert wide["low"] is False
    assert cells[("sure", 2024, "ВПР", "Математика", 5)]["wilson_lo"] == pytest.approx(
        0.33154, abs=1e-5
    )
    assert strict.low_results.flagged["sure"][1] == (
        "ВПР 2024, Русский язык, 5 кл.: 12 из 20 (60 %) получили «2» "
        "(доверительный интервал 39 % – 78 %)"
    )


def test_it_lists_the_five_worst_low_cells_then_the_rest_as_a_count(engine):
    rows = [
        ("s", 2024, "ВПР", subject, grade, 10, failures)
        for subject, grade, failures in (
            ("Математика", 5, 9),
            ("Математика", 6, 8),
            ("Математика", 7, 7),
            ("Русский язык", 5, 6),
            ("Русский язык", 6, 5),
            ("Русский язык", 7, 4),
            ("История", 5, 4),
            ("История", 6, 1),
        )
    ]
    outcome = low(engine, results(*rows), ONE_YEAR)
    reasons = outcome.low_results.flagged["s"]
    assert reasons[0] == "Низкие результаты в 1 из 1 года окна (2024: низких ячеек 7 из 8)"
    assert reasons[1] == "ВПР 2024, Математика, 5 кл.: 9 из 10 (90 %) получили «2»"
    assert reasons[5] == "ВПР 2024, Русский язык, 6 кл.: 5 из 10 (50 %) получили «2»"
    # Ties (4 of 10) are broken by procedure, subject, grade: История before Русский язык.
    assert reasons[6] == "и ещё 2 низкие ячейки"
    assert len(reasons) == 7


def test_it_pools_the_judged_cells_of_the_window_for_the_shrunk_ranking(engine):
    table = results(
        ("big", 2023, "ВПР", "Математика", 5, 200, 90),
        ("big", 2024, "ВПР", "Математика", 5, 200, 90),  # 180/400 = 0.45
        ("small", 2023, "ВПР", "Математика", 5, 5, 3),
        ("small", 2024, "ВПР", "Математика", 5, 5, 2),  # 5/10 = 0.50 on few pupils
        ("small", 2024, "ВПР", "Русский язык", 5, 3, 3),  # not judged: not pooled
        ("good", 2023, "ВПР", "Математика", 5, 100, 5),
        ("good", 2024, "ВПР", "Математика", 5, 100, 5),  # 10/200 = 0.05
    )
    schools = by_school(low(engine, table).schools)
    assert (schools["big"]["failures"], schools["big"]["participants"]) == (180, 400)
    assert (schools["small"]["failures"], schools["small"]["participants"]) == (5, 10)
    assert schools["small"]["actual_share"] == pytest.approx(0.5)
    # Beta-binomial by moments, by hand: mean = 195/610 = 0.31967; weighted variance of the
    # shares 0.035513, mean binomial variance 0.31967·0.68033·3/610 = 0.0010696, so the true
    # variance is 0.034443 and the prior strength 0.21748/0.034443 − 1 = 5.3143
    # (alpha = 1.6988). Shrunk: big (180 + 1.6988)/(400 + 5.3143) = 0.44830,
    # small (5 + 1.6988)/(10 + 5.3143) = 0.43742, good (10 + 1.6988)/205.3143 = 0.05698.
    assert schools["big"]["shrunk_share"] == pytest.approx(0.44830, abs=1e-4)
    assert schools["small"]["shrunk_share"] == pytest.approx(0.43742, abs=1e-4)
    assert schools["good"]["shrunk_share"] == pytest.approx(0.05698, abs=1e-4)
    ranks = {s: schools[s]["shrunk_rank"] for s in schools}
    assert ranks == {"big": 1, "small": 2, "good": 3}  # the raw shares would put small first
