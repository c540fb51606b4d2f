"""Signs of unreliable results: a planted inflated school is found, a normal one is not."""

from __future__ import annotations

import json
import math

import pyarrow as pa
import pytest

from opora.analytics.frames import to_lazy
from opora.analytics.reliability import (
    collapse_signals,
    mark_gap_signals,
    unreliable,
    vpr_vs_gia_signals,
)

COLUMNS = ["school_id", "year", "procedure", "subject", "grade", "participants"]
MARKS = ["mark_2", "mark_3", "mark_4", "mark_5"]


def _results(rows):
    """rows: (school, year, procedure, subject, grade, n, m2, m3, m4, m5, below_min)."""
    names = [*COLUMNS, *MARKS, "below_min"]
    return pa.table(
        {name: [r[i] for r in rows] for i, name in enumerate(names)},
        schema=pa.schema(
            [
                ("school_id", pa.string()),
                ("year", pa.int64()),
                ("procedure", pa.string()),
                ("subject", pa.string()),
                ("grade", pa.int64()),
                ("participants", pa.int64()),
                *[(m, pa.int64()) for m in MARKS],
                ("below_min", pa.int64()),
            ]
        ),
    )


def _planted_world():
    """«inflated»: ВПР nearly without «2» and mostly «5», while its ОГЭ fails 40 %.
    «normal»: an ordinary ВПР next to the same weak ОГЭ."""
    return _results(
        [
            ("inflated", 2024, "ВПР", "Математика", 5, 60, 1, 4, 15, 40, None),
            ("inflated", 2024, "ВПР", "Русский язык", 6, 40, 0, 5, 15, 20, None),
            ("inflated", 2024, "ОГЭ", "Математика", 9, 30, 12, 15, 3, 0, None),
            ("normal", 2024, "ВПР", "Математика", 5, 60, 6, 24, 20, 10, None),
            ("normal", 2024, "ВПР", "Русский язык", 6, 40, 4, 16, 14, 6, None),
            ("normal", 2024, "ОГЭ", "Математика", 9, 30, 12, 15, 3, 0, None),
        ]
    )


def test_it_finds_the_planted_inflated_school_and_not_the_normal_one():
    signals = vpr_vs_gia_signals(_planted_world())
    assert signals.column("school_id").to_pylist() == ["inflated"]
    row = signals.to_pylist()[0]
    assert (row["signal"], row["year"], row["procedure"]) == ("vpr_vs_gia", 2024, "ВПР")
    assert row["text"] == (
        "ВПР 2024: «2» — 1 % (1 из 100), «5» — 60 % (60 из 100), а на ГИА 2024 (ОГЭ) "
        "неудовлетворительных результатов — 40 % (12 из 30). Это признак возможной "
        "необъективности результатов, требует проверки."
    )
    assert json.loads(row["figures"]) == {
        "vpr_failures": 1,
        "vpr_top": 60,
        "vpr_participants": 100,
        "gia_year": 2024,
        "gia_failures": 12,
        "gia_participants": 30,
    }


def test_the_thresholds_are_inclusive_and_configurable():
    world = _planted_world()
    # 1 of 100 is exactly at 1 %, 60 of 100 exactly at 60 %: still flagged.
    assert vpr_vs_gia_signals(world, vpr_max_failure=0.01, vpr_min_top=0.6).num_rows == 1
    assert vpr_vs_gia_signals(world, vpr_max_failure=0.009).num_rows == 0
    assert vpr_vs_gia_signals(world, vpr_min_top=0.61).num_rows == 0
    assert vpr_vs_gia_signals(world, gia_min_failure=0.41).num_rows == 0
    # «4» and «5» together: the normal school has 50 of 100 but 10 % «2», so still not flagged.
    both = vpr_vs_gia_signals(world, top_marks="4+5", vpr_min_top=0.5)
    assert both.column("school_id").to_pylist() == ["inflated"]
    assert "«4» и «5» — 90 % (90 из 100)" in both.column("text")[0].as_py()


def test_it_looks_at_the_adjacent_year_of_the_state_exams():
    results = _results(
        [
            ("a", 2024, "ВПР", "Математика", 5, 50, 0, 5, 10, 35, None),
            ("a", 2023, "ЕГЭ", "Математика (базовая)", 11, 10, None, None, None, None, 3),
            ("a", 2023, "ОГЭ", "Математика", 9, 10, 1, 5, 4, 0, None),
        ]
    )
    row = vpr_vs_gia_signals(results).to_pylist()[0]
    # ОГЭ 1 of 10 and ЕГЭ 3 of 10 pooled: 4 of 20 = 20 %, at the threshold.
    assert json.loads(row["figures"])["gia_year"] == 2023
    assert "на ГИА 2023 (ОГЭ, ЕГЭ) неудовлетворительных результатов — 20 % (4 из 20)" in row["text"]
    assert vpr_vs_gia_signals(results, max_year_gap=0).num_rows == 0


def test_small_pools_are_not_judged():
    results = _results(
        [
            ("a", 2024, "ВПР", "Математика", 5, 4, 0, 0, 0, 4, None),
            ("a", 2024, "ОГЭ", "Математика", 9, 30, 12, 15, 3, 0, None),
            ("b", 2024, "ВПР", "Математика", 5, 40, 0, 0, 0, 40, None),
            ("b", 2024, "ОГЭ", "Математика", 9, 4, 4, 0, 0, 0, None),
        ]
    )
    assert vpr_vs_gia_signals(results, min_participants=5).num_rows == 0
    assert vpr_vs_gia_signals(results, min_participants=4).num_rows == 2


def test_it_flags_a_collapse_beyond_chance_computed_by_hand():
    results = _results(
        [
            ("a", 2023, "ВПР", "Математика", 5, 40, 20, 10, 5, 5, None),
            ("a", 2024, "ВПР", "Математика", 5, 40, 1, 14, 15, 10, None),
            ("b", 2023, "ВПР", "Математика", 5, 40, 12, 14, 8, 6, None),  # 30 % → 20 %
            ("b", 2024, "ВПР", "Математика", 5, 40, 8, 16, 10, 6, None),
            ("c", 2023, "ВПР", "Математика", 5, 10, 4, 3, 2, 1, None),  # 40 % → 10 %, n small
            ("c", 2024, "ВПР", "Математика", 5, 10, 1, 5, 2, 2, None),
            ("d", 2023, "ОГЭ", "Математика", 9, 1000, 300, 400, 200, 100, None),  # −15 п.п.
            ("d", 2024, "ОГЭ", "Математика", 9, 1000, 150, 500, 250, 100, None),
        ]
    )
    signals = collapse_signals(results, levels=("cell",))
    assert signals.column("school_id").to_pylist() == ["a"]
    row = signals.to_pylist()[0]
    # pooled 21/80; se = sqrt(0.2625 · 0.7375 · (1/40 + 1/40)); z = 0.475 / se
    z = 0.475 / math.sqrt(0.2625 * 0.7375 * 0.05)
    assert z == pytest.approx(4.8280, abs=1e-4)
    assert row["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert (row["year"], row["subject"], row["grade"]) == (2024, "Математика", 5)
    assert row["text"] == (
        "ВПР, Математика, 5 кл.: доля «2» снизилась с 50 % (20 из 40) в 2023 г. до 3 % "
        "(1 из 40) в 2024 г. — на 48 п.п. (p < 0,001); такое резкое улучшение случайностью не "
        "объясняется. Это признак возможной необъективности результатов, требует проверки."
    )
    # The chance-level school «c» is flagged once the p-value limit is loose enough.
    loose = collapse_signals(results, levels=("cell",), collapse_p=0.2)
    assert loose.column("school_id").to_pylist() == ["a", "c"]
    # The large school «d» fell by 15 п.п. only: below collapse_min_drop.
    relaxed = collapse_signals(results, levels=("cell",), collapse_min_drop=0.15)
    assert relaxed.column("school_id").to_pylist() == ["a", "d"]


def test_the_pooled_procedure_sees_a_collapse_that_single_grades_cannot_prove():
    rows = []
    for grade in (5, 6, 7):
        rows.append(("a", 2023, "ВПР", "Математика", grade, 20, 8, 6, 4, 2, None))
        rows.append(("a", 2024, "ВПР", "Математика", grade, 20, 1, 7, 7, 5, None))
    results = _results(rows)
    assert collapse_signals(results, levels=("cell",)).num_rows == 0
    pooled = collapse_signals(results, levels=("procedure",)).to_pylist()
    assert len(pooled) == 1
    assert (pooled[0]["subject"], pooled[0]["grade"]) == (None, None)
    assert pooled[0]["text"].startswith(
        "ВПР: доля «2» снизилась с 40 % (24 из 60) в 2023 г. до 5 % (3 из 60) в 2024 г."
    )


def _students(per_school):
    """per_school: school → (students, students with a gap of 2+ (journal higher))."""
    rows = {"student_id": [], "school_id": [], "mark": [], "journal_mark": []}
    for school, (n, gaps) in per_school.items():
        for i in range(n):
            rows["student_id"].append(f"{school}-{i}")
            rows["school_id"].append(school)
            rows["mark"].append(3)
            rows["journal_mark"].append(5 if i < gaps else 4)
    n = len(rows["student_id"])
    return pa.table(
        {
            **rows,
            "year": [2024] * n,
            "procedure": ["ВПР"] * n,
            "subject": ["Математика"] * n,
            "grade": [5] * n,
        }
    )


def _binomial_tail(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def test_it_flags_journal_marks_that_disagree_with_the_test_far_more_than_in_the_region():
    students = _students({"x": (20, 8), "y": (40, 1), "z": (40, 1), "w": (5, 2)})
    signals = mark_gap_signals(students, mark_gap_ratio=3.0, confidence=0.95)
    # Region: 12 of 105. «x»: 8 of 20 = 40 % >= 3 × 11.4 %, binomial tail far below 5 %.
    # «w»: 2 of 5 = 40 % is as large, but with 5 students it is within chance.
    regional = 12 / 105
    assert _binomial_tail(2, 5, regional) > 0.05
    assert signals.column("school_id").to_pylist() == ["x"]
    row = signals.to_pylist()[0]
    assert row["p_value"] == pytest.approx(_binomial_tail(8, 20, regional))
    assert row["text"] == (
        "ВПР 2024: у 8 из 20 обучающихся (40 %) отметка в журнале отличается от отметки за ВПР "
        "на 2 балла и больше (выше за ВПР — у 0, выше в журнале — у 8); по региону — 11 %, в 3,5 раза меньше "
        "(p = 0,001). Это признак возможной необъективности результатов, требует проверки."
    )
    assert mark_gap_signals(students, mark_gap_ratio=3.6).num_rows == 0


def test_students_without_journal_marks_give_no_signal():
    students = _students({"x": (20, 8)}).drop_columns(["journal_mark"])
    assert mark_gap_signals(students).num_rows == 0


def test_unreliable_gathers_every_signal_with_evidence_on_each_engine(engine):
    results = pa.concat_tables(
        [
            _planted_world(),
            _results(
                [
                    ("inflated", 2023, "ВПР", "Математика", 5, 60, 30, 20, 5, 5, None),
                    ("normal", 2023, "ВПР", "Математика", 5, 60, 7, 23, 20, 10, None),
                ]
            ),
        ]
    )
    students = _students({"inflated": (20, 8), "normal": (40, 1), "other": (40, 1)})
    category, signals = unreliable(to_lazy(results, engine), to_lazy(students, engine))
    assert category.code == "unreliable"
    assert category.label == "признаки необъективности"
    assert sorted(category.flagged) == ["inflated"]
    assert [(r["signal"], r["procedure"], r["grade"]) for r in signals.to_pylist()] == [
        ("collapse", "ВПР", None),  # the whole procedure first, then its cells
        ("collapse", "ВПР", 5),
        ("mark_gap", "ВПР", None),
        ("vpr_vs_gia", "ВПР", None),
    ]
    assert all("требует проверки" in text for text in category.flagged["inflated"])
    assert category.details.to_pylist() == [
        {
            "school_id": "inflated",
            "vpr_vs_gia_signals": 1,
            "collapse_signals": 2,
            "mark_gap_signals": 1,
        }
    ]


def test_a_region_of_normal_schools_has_no_signals():
    results = _results(
        [
            ("a", 2023, "ВПР", "Математика", 5, 50, 10, 20, 15, 5, None),
            ("a", 2024, "ВПР", "Математика", 5, 50, 8, 22, 14, 6, None),
            ("a", 2024, "ОГЭ", "Математика", 9, 30, 3, 15, 9, 3, None),
            ("b", 2023, "ЕГЭ", "Русский язык", 11, 25, None, None, None, None, 2),
            ("b", 2024, "ЕГЭ", "Русский язык", 11, 25, None, None, None, None, 1),
        ]
    )
    category, signals = unreliable(results)
    assert category.flagged == {}
    assert signals.num_rows == 0
    assert signals.schema.names[:3] == ["school_id", "signal", "year"]


def _three_years():
    """One ВПР cell a year, 30 participants. «dip»: 10 % → 60 % → 7 % (a bad 2025, then back);
    «early»: 60 % → 3 % → 3 % (the collapse lands in 2025); «late»: 57 % → 60 % → 3 %."""
    rows = []
    for school, fails in (("dip", (3, 18, 2)), ("early", (18, 1, 1)), ("late", (17, 18, 1))):
        for year, failed in zip((2024, 2025, 2026), fails, strict=True):
            rest = 30 - failed
            rows.append((school, year, "ВПР", "Математика", 5, 30, failed, rest - 10, 5, 5, None))
    return _results(rows)


def _z(x0, n0, x1, n1):
    pooled = (x0 + x1) / (n0 + n1)
    return (x0 / n0 - x1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))


def test_the_year_before_the_window_finds_early_collapses_and_tells_recoveries(engine):
    results = _three_years()
    category, signals = unreliable(to_lazy(results, engine), window=(2025, 2026))

    found = [(r["school_id"], r["year"], r["subject"]) for r in signals.to_pylist()]
    # Each collapse twice: the cell and the whole procedure (subject empty).
    assert found == [
        ("early", 2025, None),
        ("early", 2025, "Математика"),
        ("late", 2026, None),
        ("late", 2026, "Математика"),
    ]
    assert sorted(category.flagged) == ["early", "late"]
    early = signals.to_pylist()[1]
    assert early["p_value"] == pytest.approx(math.erfc(_z(18, 30, 1, 30) / math.sqrt(2)))
    assert json.loads(early["figures"])["year_from"] == 2024
    # «dip» fell from 60 % to 7 % (z = 4.4, p < 0.001), but 2024 had 10 %: 7 % is its usual level.
    assert _z(18, 30, 2, 30) > 4.3
    assert _z(3, 30, 2, 30) < 1


def test_without_the_earlier_year_a_recovery_cannot_be_told_from_a_collapse(engine):
    window = _three_years().filter(pa.compute.greater(pa.compute.field("year"), 2024))
    _, signals = unreliable(to_lazy(window, engine), window=(2025, 2026))

    assert sorted({r["school_id"] for r in signals.to_pylist()}) == ["dip", "late"]


def test_a_drop_far_below_the_year_before_the_dip_is_still_a_collapse():
    # «late2»: 50 % in 2024, 60 % in 2025, 3 % in 2026 — far below 2024 too.
    results = _results(
        [
            ("late2", y, "ВПР", "Математика", 5, 30, f, 30 - f - 10, 5, 5, None)
            for y, f in ((2024, 15), (2025, 18), (2026, 1))
        ]
    )
    _, signals = unreliable(results, window=(2025, 2026))
    assert {(r["school_id"], r["year"]) for r in signals.to_pylist()} == {("late2", 2026)}
    # And with the limit of the drop raised above 2024 → 2026 (47 п.п.), it counts as a return.
    _, loose = unreliable(results, window=(2025, 2026), collapse_min_drop=0.5)
    assert loose.num_rows == 0


def _mixed_cells():
    """Cells told apart by one key column each: two schools, two procedures, two subjects,
    two grades, with the same «2» counts, so that a cell matched to the wrong cell of the next
    year would show a collapse (or hide one). Only («a», ВПР, Математика, 5) collapses."""
    rows = []
    for school, procedure, subject, grade in (
        ("a", "ВПР", "Математика", 5),
        ("a", "ВПР", "Математика", 6),
        ("a", "ВПР", "Русский язык", 5),
        ("a", "ОГЭ", "Математика", 5),
        ("b", "ВПР", "Математика", 5),
    ):
        collapses = (school, procedure, subject, grade) == ("a", "ВПР", "Математика", 5)
        for year, failed in ((2024, 18), (2025, 18), (2026, 1 if collapses else 18)):
            rest = 30 - failed
            rows.append(
                (school, year, procedure, subject, grade, 30, failed, rest - 10, 5, 5, None)
            )
    # A row without marks: its 30 participants must not dilute «a»'s pooled ВПР of 2026
    # (with them 37 of 120, a drop of 29 points from 54 of 90, would be a signal).
    rows.append(("a", 2026, "ВПР", "Математика", 7, 30, None, None, None, None, None))
    return _results(rows)


def test_prepared_results_match_cells_by_their_number_as_by_the_four_key_columns(engine):
    from opora.analytics.cells import CELL_KEY, prepare_results

    raw = _mixed_cells()
    prepared = prepare_results(raw)
    assert CELL_KEY in prepared.column_names and CELL_KEY not in raw.column_names

    _, by_columns = unreliable(to_lazy(raw, engine), window=(2025, 2026))
    _, by_number = unreliable(to_lazy(prepared, engine), window=(2025, 2026))

    assert by_number.to_pylist() == by_columns.to_pylist()
    cells = [
        (r["school_id"], r["procedure"], r["subject"], r["grade"]) for r in by_number.to_pylist()
    ]
    # the cell itself, and «a»'s whole ВПР (pooled over its three ВПР cells: 54 → 37 of 90
    # is no drop of 20 points, so the procedure level says nothing here)
    assert cells == [("a", "ВПР", "Математика", 5)]


def test_texts_taken_by_row_position_give_the_same_signals_as_texts_through_the_engine(engine):
    # With ``source`` the engine carries row positions only; the texts of the signalled cells
    # come from the Arrow table. Both ways must say the same, on either engine.
    from opora.analytics.cells import ROW_ID, prepare_results

    prepared = prepare_results(_mixed_cells())
    assert prepared.column(ROW_ID).to_pylist() == list(range(prepared.num_rows))
    lazy = to_lazy(prepared, engine)
    _, through_engine = unreliable(lazy, window=(2025, 2026))
    _, by_position = unreliable(lazy, window=(2025, 2026), source=prepared)
    assert by_position.to_pylist() == through_engine.to_pylist()
    assert [(r["school_id"], r["subject"]) for r in by_position.to_pylist()] == [
        ("a", "Математика")
    ]


def _procedure_world():
    """Whole ВПР and ОГЭ of three schools over four years (two subjects each, so that the
    procedure pools them): «fall» drops sharply into 2026, «back» returns in 2026 to its 2024
    level after a bad 2025, «gap» has no 2025 at all, «small» pools too few participants."""
    plan = {
        # school: {year: (failed of 20 in subject 1, failed of 20 in subject 2)}
        "fall": {2024: (8, 9), 2025: (9, 10), 2026: (0, 1)},
        "back": {2023: (1, 1), 2024: (2, 1), 2025: (12, 13), 2026: (1, 1)},
        "gap": {2024: (10, 10), 2026: (0, 0)},
    }
    rows = []
    for school, years in plan.items():
        for year, fails in years.items():
            for subject, failed in zip(("Математика", "Русский язык"), fails, strict=True):
                for procedure, grade in (("ВПР", 5), ("ОГЭ", 9)):
                    rest = 20 - failed
                    rows.append(
                        (school, year, procedure, subject, grade, 20, failed, rest - 4, 2, 2, None)
                    )
    for year, failed in ((2025, 2), (2026, 0)):
        rows.append(("small", year, "ВПР", "Математика", 5, 2, failed, 2 - failed, 0, 0, None))
    return _results(rows)


def _procedure_drops_by_hand(results, window, min_drop, p_limit, min_participants=5):
    """The procedure-level collapse signals computed from the rows with plain Python: pool
    each school × year × procedure, compare neighbouring years ending in the window, drop the
    returns to the year before the pair."""
    pooled = {}
    for row in results.to_pylist():
        key = (row["school_id"], row["procedure"], row["year"])
        n, x = pooled.get(key, (0, 0))
        pooled[key] = (n + row["participants"], x + row["mark_2"])
    years = sorted({k[2] for k in pooled})
    found = set()
    for y0, y1 in zip(years, years[1:], strict=False):
        if y1 not in window:
            continue
        for school, procedure, year in pooled:
            if year != y0 or (school, procedure, y1) not in pooled:
                continue
            (n0, x0), (n1, x1) = pooled[(school, procedure, y0)], pooled[(school, procedure, y1)]
            if min(n0, n1) < min_participants or x0 / n0 - x1 / n1 < min_drop - 1e-12:
                continue
            if math.erfc(abs(_z(x0, n0, x1, n1)) / math.sqrt(2)) >= p_limit:
                continue
            earlier = years[years.index(y0) - 1] if years.index(y0) else None
            prior = pooled.get((school, procedure, earlier))
            if prior is not None and prior[0] >= min_participants:
                nb, xb = prior
                fell = xb / nb - x1 / n1 >= min_drop - 1e-12
                if not (fell and math.erfc(abs(_z(xb, nb, x1, n1)) / math.sqrt(2)) < p_limit):
                    continue  # back to the level of the year before: a recovery
            found.add((school, procedure, y1))
    return found


def test_whole_procedures_collapse_as_computed_by_hand(engine):
    results = _procedure_world()
    _, signals = unreliable(
        to_lazy(results, engine), window=(2025, 2026), collapse_p=0.001, collapse_min_drop=0.2
    )
    found = {
        (r["school_id"], r["procedure"], r["year"])
        for r in signals.to_pylist()
        if r["signal"] == "collapse" and r["subject"] is None
    }
    expected = _procedure_drops_by_hand(results, (2025, 2026), 0.2, 0.001)
    # «fall» 47.5 % → 2.5 % in both procedures; «back» returns to its 2024 level; «gap» has
    # no 2025, and 2024 → 2026 are no neighbouring years of the results; «small» pools 2.
    assert found == expected == {("fall", "ВПР", 2026), ("fall", "ОГЭ", 2026)}
    fall = next(r for r in signals.to_pylist() if r["school_id"] == "fall" and not r["subject"])
    figures = json.loads(fall["figures"])
    assert (figures["failures_from"], figures["participants_from"]) == (19, 40)
    assert (figures["failures_to"], figures["participants_to"]) == (1, 40)
    assert fall["p_value"] == pytest.approx(math.erfc(_z(19, 40, 1, 40) / math.sqrt(2)))


def test_pooling_by_unit_number_gives_the_pools_of_the_texts(engine):
    # With the prepared table as ``source`` the engine groups by the school × procedure
    # number and the texts come back by row position: the same pools as grouping by texts.
    from opora.analytics._signals import pooled_table, results_frame
    from opora.analytics.cells import UNIT_KEY, prepare_results

    raw = _mixed_cells()
    prepared = prepare_results(raw)
    top = ["mark_4", "mark_5"]
    by_texts = pooled_table(results_frame(to_lazy(raw, engine)), top)
    by_number = pooled_table(results_frame(to_lazy(prepared, engine)), top, source=prepared)
    assert UNIT_KEY in by_number.column_names and UNIT_KEY not in by_texts.column_names
    columns = ["school_id", "year", "procedure", "participants", "failures", "top"]

    def rows(table):
        return sorted(tuple(r[c] for c in columns) for r in table.to_pylist())

    assert rows(by_number) == rows(by_texts)
    # By hand from _mixed_cells: «a» ВПР 2026 pools Математика 5 (1 of 30), Математика 6 and
    # Русский язык 5 (18 of 30 each), each with 5 + 5 top marks; the row without marks has no
    # known failures and is left out.
    found = {(r[0], r[1], r[2]): r[3:] for r in rows(by_number)}
    assert found[("a", 2026, "ВПР")] == (90, 37, 30)
    assert found[("a", 2024, "ОГЭ")] == (30, 18, 10)
    units = (("a", "ВПР"), ("a", "ОГЭ"), ("b", "ВПР"))
    assert set(found) == {(s, y, p) for s, p in units for y in (2024, 2025, 2026)}


def _many_cells(seed, repeat_a_cell=False):
    """Two hundred cells of four years with shares that often fall by 20 points or more (so
    that many pairs are compared), some small classes and some cells missing a year."""
    import random

    rng = random.Random(seed)
    rows = []
    for c in range(200):
        school, subject = f"s{c % 37:02d}", ("Математика", "Русский язык", "Физика")[c % 3]
        grade = 4 + c % 5
        for year in (2023, 2024, 2025, 2026):
            if rng.random() < 0.1:
                continue  # the cell is missing that year
            n = rng.choice((3, 4, 12, 25, 40))
            failed = rng.randint(0, n) if rng.random() < 0.5 else rng.randint(0, n // 5)
            rows.append((school, year, "ВПР", subject, grade, n, failed, n - failed, 0, 0, None))
    if repeat_a_cell:
        # One cell weak in 2024 and twice in 2025, both rows far better: two pairs of rows.
        cell = ("r", "ВПР", "Математика", 5)
        rows.append((cell[0], 2024, *cell[1:], 25, 20, 5, 0, 0, None))
        for failed in (0, 1):
            rows.append((cell[0], 2025, *cell[1:], 30, failed, 30 - failed, 0, 0, None))
    return _results(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cells_matched_by_their_numbers_give_the_signals_of_the_key_columns(engine, seed):
    # With ``source`` the engine matches the cells of two years by their numbers and carries
    # row positions; without, it matches the four key columns and carries the texts. Both
    # must find the same signals in a world of many cells, small classes and missing years.
    from opora.analytics.cells import prepare_results

    prepared = prepare_results(_many_cells(seed))
    lazy = to_lazy(prepared, engine)
    _, joined = unreliable(lazy, window=(2025, 2026), collapse_p=0.05, collapse_min_drop=0.2)
    _, matched = unreliable(
        lazy, window=(2025, 2026), collapse_p=0.05, collapse_min_drop=0.2, source=prepared
    )
    assert matched.to_pylist() == joined.to_pylist()
    assert sum(r["signal"] == "collapse" and r["subject"] is not None for r in joined.to_pylist())


def test_a_cell_repeated_in_a_year_is_paired_with_every_row_either_way(engine):
    # The format allows one row per cell and year; a table that has two gets every pair of
    # rows compared, by numbers as by key columns.
    from opora.analytics.cells import prepare_results

    prepared = prepare_results(_many_cells(4, repeat_a_cell=True))
    lazy = to_lazy(prepared, engine)
    options = {"window": (2025, 2026), "collapse_p": 0.05, "collapse_min_drop": 0.2}
    _, joined = unreliable(lazy, **options)
    _, matched = unreliable(lazy, source=prepared, **options)
    # (the two signals of the repeated cell tie in the signal order: compared as a set)
    assert sorted(map(str, matched.to_pylist())) == sorted(map(str, joined.to_pylist()))
    repeated = [
        r
        for r in joined.to_pylist()
        if r["school_id"] == "r" and r["signal"] == "collapse" and r["subject"] is not None
    ]
    assert [(r["year"], r["subject"], r["grade"]) for r in repeated] == [
        (2025, "Математика", 5),
        (2025, "Математика", 5),
    ]


def _collapse_text_by_hand(row, p):
    """The collapse wording of one drop, written out row by row with the plain phrases."""
    from opora.analytics import _phrases as say

    share0 = row["failures_from"] / row["participants_from"]
    share1 = row["failures_to"] / row["participants_to"]
    return (
        f"{say.cell_label(row['procedure'], row['subject'], row['grade'])}: "
        f"{say.failure_share_phrase(row['procedure'])} снизилась с {say.percent(share0)} "
        f"({row['failures_from']} из {row['participants_from']}) в {row['year_from']} г. до "
        f"{say.percent(share1)} ({row['failures_to']} из {row['participants_to']}) в "
        f"{row['year_to']} г. — на {say.points(share0 - share1, signed=False)} "
        f"({say.p_value(p)}); такое резкое улучшение случайностью не объясняется. "
        "Это признак возможной необъективности результатов, требует проверки."
    )


def test_collapse_texts_and_figures_written_by_kernels_equal_the_plain_wording():
    from opora.analytics._signals import _collapse_table

    dictionary = pa.dictionary(pa.int32(), pa.string())
    drops = pa.table(
        {
            "school_id": pa.array(["b", "a", "a", "c"], dictionary),
            "procedure": pa.array(["ЕГЭ", "ВПР", "ВПР", "ОГЭ"], dictionary),
            "subject": pa.array(["Химия", "Математика", None, ""], dictionary),
            "grade": pa.array([11, 5, None, 9], pa.int64()),
            "participants_from": [10, 40, 120, 37],
            "participants_to": [12, 41, 118, 29],
            "failures_from": [5, 20, 48, 15],
            "failures_to": [0, 1, 6, 2],
            "participants_before": pa.nulls(4, pa.int64()),
            "failures_before": pa.nulls(4, pa.int64()),
            "year_from": [2024, 2023, 2023, 2025],
            "year_to": [2025, 2024, 2024, 2026],
        }
    )
    p = [0.0123, 1e-9, 0.0005, 0.001]  # two of them shown as «p = …»
    table = _collapse_table(drops, p)
    rows = drops.to_pylist()
    assert table.column("text").to_pylist() == [
        _collapse_text_by_hand(row, value) for row, value in zip(rows, p, strict=True)
    ]
    assert [json.loads(f) for f in table.column("figures").to_pylist()] == [
        {
            key: row[key]
            for key in (
                "year_from",
                "failures_from",
                "participants_from",
                "failures_to",
                "participants_to",
            )
        }
        for row in rows
    ]
    assert table.column("figures")[0].as_py() == json.dumps(
        json.loads(table.column("figures")[0].as_py()), ensure_ascii=False
    )
    assert (
        table.column("text")[0]
        .as_py()
        .startswith(
            "ЕГЭ, Химия, 11 кл.: доля результатов ниже минимального порога снизилась с 50 % (5 из 10)"
            " в 2024 г. до 0 % (0 из 12) в 2025 г. — на 50 п.п. (p = 0,012)"
        )
    )
    assert table.column("text")[3].as_py().startswith("ОГЭ, 9 кл.: доля «2» снизилась с 41 %")
    assert table.column("school_id").to_pylist() == ["b", "a", "a", "c"]
    assert table.column("year").to_pylist() == [2025, 2024, 2024, 2026]
    assert table.column("subject").to_pylist() == ["Химия", "Математика", None, ""]
    assert table.column("signal").to_pylist() == ["collapse"] * 4


def _cell_drops_by_hand(results, window, min_drop, p_limit, min_participants=5):
    """The cell-level collapse signals from the rows with plain Python: each cell compared in
    neighbouring years of the results ending in the window, returns to the year before the
    pair left out."""
    cells = {}
    for row in results.to_pylist():
        key = (row["school_id"], row["procedure"], row["subject"], row["grade"])
        cells[(*key, row["year"])] = (row["participants"], row["mark_2"])
    years = sorted({k[-1] for k in cells})
    found = set()
    for i, (y0, y1) in enumerate(zip(years, years[1:], strict=False)):
        if y1 not in window:
            continue
        for key in {k[:-1] for k in cells}:
            if (*key, y0) not in cells or (*key, y1) not in cells:
                continue
            (n0, x0), (n1, x1) = cells[(*key, y0)], cells[(*key, y1)]
            if min(n0, n1) < min_participants or x0 / n0 - x1 / n1 < min_drop - 1e-12:
                continue
            if math.erfc(abs(_z(x0, n0, x1, n1)) / math.sqrt(2)) >= p_limit:
                continue
            prior = cells.get((*key, years[i - 1])) if i else None
            if prior is not None and prior[0] >= min_participants:
                nb, xb = prior
                fell = xb / nb - x1 / n1 >= min_drop - 1e-12
                if not (fell and math.erfc(abs(_z(xb, nb, x1, n1)) / math.sqrt(2)) < p_limit):
                    continue  # back to the level of the year before: a recovery
            found.add((*key, y1))
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cells_collapse_as_computed_by_hand_over_every_pair_of_years(engine, seed):
    # All the pairs of years are compared in one pass of each side (the earlier rows carry
    # the year they are compared with): the same drops as a plain comparison pair by pair,
    # in a world of small classes and cells missing a year.
    from opora.analytics.cells import prepare_results

    raw = _many_cells(seed)
    prepared = prepare_results(raw)
    options = {"window": (2025, 2026), "collapse_p": 0.05, "collapse_min_drop": 0.2}
    _, signals = unreliable(to_lazy(prepared, engine), source=prepared, **options)
    found = {
        (r["school_id"], r["procedure"], r["subject"], r["grade"], r["year"])
        for r in signals.to_pylist()
        if r["signal"] == "collapse" and r["subject"] is not None
    }
    expected = _cell_drops_by_hand(raw, (2025, 2026), 0.2, 0.05)
    assert found == expected
    assert {y for *_, y in expected} == {2025, 2026}  # both pairs of the window have drops
