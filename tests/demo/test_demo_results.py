"""Results of the demo region: consistency, realism and the 30 % rule (recomputed here)."""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
from demo_checks import failures

from opora.demo.generator import RegionSpec, generate_region

RESULT_COLUMNS = [
    ("school_id", pa.string()),
    ("year", pa.int64()),
    ("procedure", pa.string()),
    ("subject", pa.string()),
    ("grade", pa.int64()),
    ("participants", pa.int64()),
    ("mark_2", pa.int64()),
    ("mark_3", pa.int64()),
    ("mark_4", pa.int64()),
    ("mark_5", pa.int64()),
    ("below_min", pa.int64()),
    ("mean_score", pa.float64()),
]


def test_it_has_exactly_the_interchange_columns(demo_region):
    assert [(f.name, f.type) for f in demo_region.results.schema] == RESULT_COLUMNS


def test_it_is_deterministic_for_a_seed():
    spec = RegionSpec(seed=5, municipalities=3, schools=60)
    first, second = generate_region(spec), generate_region(spec)
    for name in ("schools", "results", "context", "truth"):
        assert getattr(first, name).equals(getattr(second, name)), name
    other = generate_region(RegionSpec(seed=6, municipalities=3, schools=60))
    assert not first.results.equals(other.results)


def test_students_do_not_change_the_other_tables():
    plain = generate_region(RegionSpec(seed=5, municipalities=3, schools=60))
    with_students = generate_region(
        RegionSpec(seed=5, municipalities=3, schools=60, with_students=True)
    )
    assert plain.results.equals(with_students.results)
    assert plain.schools.equals(with_students.schools)
    assert plain.students is None and with_students.students is not None


def test_marks_sum_to_participants_and_mean_is_the_mean_mark(demo_region):
    for row in demo_region.results.to_pylist():
        assert row["participants"] > 0
        if row["procedure"] == "ЕГЭ":
            assert row["mark_2"] is None and row["mark_5"] is None
            assert 0 <= row["below_min"] <= row["participants"]
            assert 0.0 <= row["mean_score"] <= 100.0
        else:
            marks = [row[f"mark_{m}"] for m in (2, 3, 4, 5)]
            assert row["below_min"] is None
            assert min(marks) >= 0 and sum(marks) == row["participants"]
            mean = sum(m * c for m, c in zip((2, 3, 4, 5), marks, strict=True)) / sum(marks)
            assert abs(row["mean_score"] - mean) <= 0.005 + 1e-9  # two decimals


def test_procedures_grades_and_subjects_are_the_expected_ones(demo_region):
    seen = defaultdict(set)
    for row in demo_region.results.to_pylist():
        seen[row["procedure"]].add((row["grade"], row["subject"]))
    assert {g for g, _ in seen["ВПР"]} == {4, 5, 6, 7, 8}
    assert {g for g, _ in seen["ОГЭ"]} == {9}
    assert {g for g, _ in seen["ЕГЭ"]} == {11}
    assert (4, "Окружающий мир") in seen["ВПР"]
    assert (9, "Математика") in seen["ОГЭ"] and (11, "Математика (профильная)") in seen["ЕГЭ"]
    assert {s for g, s in seen["ВПР"] if g == 6} == {
        "Русский язык", "Математика", "История", "Биология", "География",
    }  # fmt: skip


def test_schools_write_only_the_grades_they_teach(demo_region):
    kind = {s["school_id"]: s["kind"] for s in demo_region.schools.to_pylist()}
    grades = defaultdict(set)
    for row in demo_region.results.to_pylist():
        grades[kind[row["school_id"]]].add(row["grade"])
    assert max(grades["ООШ"]) == 9
    assert grades["НОШ"] == {4}
    assert grades["вечерняя"] <= {9, 11}
    assert 11 in grades["СОШ"]


def test_the_row_count_is_realistic(demo_region):
    rows = demo_region.results.num_rows
    per_school_year = rows / (400 * 3)
    assert 16 <= per_school_year <= 23
    by_year = defaultdict(int)
    for year in demo_region.results.column("year").to_pylist():
        by_year[year] += 1
    assert sorted(by_year) == [2024, 2025, 2026]


def test_the_median_school_has_a_vpr_failure_share_of_5_to_20_percent(demo_region):
    fail, total = defaultdict(int), defaultdict(int)
    for row in demo_region.results.to_pylist():
        if row["procedure"] == "ВПР":
            fail[row["school_id"]] += row["mark_2"]
            total[row["school_id"]] += row["participants"]
    shares = sorted(fail[s] / total[s] for s in total)
    median = shares[len(shares) // 2]
    assert 0.05 <= median <= 0.20
    # A spread, not one value: some schools near zero, some far above the median.
    assert shares[len(shares) // 10] < 0.07 and shares[9 * len(shares) // 10] > 0.15


def _low_years(results: list[dict], minimum_low_cells: int, minimum_share: float) -> dict:
    """School -> number of low years among the last two: the seed 004 rule (30 % «2» or below
    the minimum), cells of at least 5 participants, "several" low cells that year."""
    years = sorted({r["year"] for r in results})[-2:]
    low, judged = defaultdict(int), defaultdict(int)
    for r in results:
        if r["year"] in years and r["participants"] >= 5:
            judged[(r["school_id"], r["year"])] += 1
            if failures(r) / r["participants"] >= 0.30:
                low[(r["school_id"], r["year"])] += 1
    count = defaultdict(int)
    for (school, _year), n in judged.items():
        cells = low[(school, _year)]
        if cells >= minimum_low_cells and cells / n >= minimum_share:
            count[school] += 1
    return count


def test_a_few_per_cent_of_schools_are_stably_low(demo_region):
    results = demo_region.results.to_pylist()
    low_years = _low_years(results, minimum_low_cells=2, minimum_share=0.25)
    stably_low = {s for s, n in low_years.items() if n == 2}
    share = len(stably_low) / demo_region.schools.num_rows
    assert 0.02 <= share <= 0.10, share
    planted = {
        t["school_id"] for t in demo_region.truth.to_pylist() if t["profile"] == "stably_low"
    }
    assert planted <= stably_low


def test_leaders_never_exceed_five_per_cent(demo_region):
    leaders = {t["school_id"] for t in demo_region.truth.to_pylist() if t["profile"] == "leader"}
    assert len(leaders) >= 5
    judged_years = defaultdict(set)
    for row in demo_region.results.to_pylist():
        if row["school_id"] in leaders and row["participants"] >= 5:
            assert failures(row) / row["participants"] <= 0.05
            judged_years[row["school_id"]].add(row["year"])
    assert all(judged_years[s] == {2024, 2025, 2026} for s in leaders)


def _shares(results: list[dict]) -> tuple[dict, dict]:
    """(school, year, procedure) -> failure share, and school -> share of «5» on ВПР."""
    fail, total, five, vpr = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    for r in results:
        key = (r["school_id"], r["year"], r["procedure"])
        fail[key] += failures(r)
        total[key] += r["participants"]
        if r["procedure"] == "ВПР":
            five[r["school_id"]] += r["mark_5"]
            vpr[r["school_id"]] += r["participants"]
    return {k: fail[k] / total[k] for k in total}, {s: five[s] / vpr[s] for s in vpr}


def test_planted_stories_show_in_the_results(demo_region):
    results = demo_region.results.to_pylist()
    profiles = defaultdict(list)
    for t in demo_region.truth.to_pylist():
        profiles[t["profile"]].append(t)
    assert set(profiles) == {
        "normal", "stably_low", "dip", "inflated", "collapse", "resilient", "leader",
    }  # fmt: skip
    oge = [r for r in results if r["procedure"] == "ОГЭ"]
    oge_region = sum(failures(r) for r in oge) / sum(r["participants"] for r in oge)
    share, five = _shares(results)
    for t in profiles["inflated"]:
        vpr = [share[(t["school_id"], y, "ВПР")] for y in (2024, 2025, 2026)]
        school_oge = [share[(t["school_id"], y, "ОГЭ")] for y in (2024, 2025, 2026)]
        assert max(vpr) < 0.05 and sum(school_oge) / 3 > 2 * oge_region
        assert five[t["school_id"]] > 0.4
    for t in profiles["collapse"]:
        before = share[(t["school_id"], t["event_year"] - 1, "ВПР")]
        after = share[(t["school_id"], t["event_year"], "ВПР")]
        assert before >= 0.25 and after <= 0.08
    for t in profiles["dip"]:
        assert t["event_year"] in (2025, 2026)
        dip = share[(t["school_id"], t["event_year"], "ВПР")]
        assert dip > share[(t["school_id"], 2024, "ВПР")] + 0.1
