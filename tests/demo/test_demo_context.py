"""Context factors: ranges, the both-parents constraint, and adverse context → more «2»."""

from __future__ import annotations

import statistics
from collections import defaultdict

import pyarrow as pa
from demo_checks import failures

FACTORS = [
    "large_families",
    "non_native_russian",
    "parent_higher_education",
    "both_parents_higher_education",
    "both_parents_unemployed",
    "parent_disabled",
    "foster_care",
    "families_in_danger",
    "juvenile_commission",
    "low_income",
    "special_needs",
]
# Direction from the seed 002 study (appendix 1); special_needs has none.
SIGN = {f: 1 for f in FACTORS} | {
    "parent_higher_education": -1,
    "both_parents_higher_education": -1,
    "special_needs": 0,
}


def test_it_has_exactly_the_interchange_columns(demo_region):
    expected = [("school_id", pa.string()), ("year", pa.int64())] + [
        (f, pa.float64()) for f in FACTORS
    ]
    assert [(f.name, f.type) for f in demo_region.context.schema] == expected


def test_one_row_per_school_and_year(demo_region):
    keys = [(r["school_id"], r["year"]) for r in demo_region.context.to_pylist()]
    assert len(keys) == len(set(keys)) == 400 * 3


def test_factors_are_percentages_with_plausible_medians(demo_region):
    rows = demo_region.context.to_pylist()
    for r in rows:
        for f in FACTORS:
            assert 0.0 <= r[f] <= 100.0
        assert r["both_parents_higher_education"] <= r["parent_higher_education"]
    median = {f: statistics.median(r[f] for r in rows) for f in FACTORS}
    assert 20 <= median["parent_higher_education"] <= 60
    assert 10 <= median["low_income"] <= 40
    assert median["juvenile_commission"] <= 2
    assert median["both_parents_unemployed"] <= 8


def test_villages_are_poorer_and_less_educated_than_cities(demo_region):
    settlement = {s["school_id"]: s["settlement"] for s in demo_region.schools.to_pylist()}
    by = defaultdict(lambda: defaultdict(list))
    for r in demo_region.context.to_pylist():
        for f in FACTORS:
            by[settlement[r["school_id"]]][f].append(r[f])
    village, city = by["село"], by["город"]
    assert statistics.mean(village["low_income"]) > statistics.mean(city["low_income"])
    assert statistics.mean(village["parent_higher_education"]) < statistics.mean(
        city["parent_higher_education"]
    )
    assert statistics.mean(village["both_parents_unemployed"]) > statistics.mean(
        city["both_parents_unemployed"]
    )


def context_index(context_rows: list[dict]) -> dict[str, float]:
    """The methodology's index: z-scores over the latest year, signed, equal weights."""
    latest = max(r["year"] for r in context_rows)
    rows = [r for r in context_rows if r["year"] == latest]
    index = defaultdict(float)
    for f in FACTORS:
        if SIGN[f] == 0:
            continue
        values = [r[f] for r in rows]
        mean, sd = statistics.mean(values), statistics.pstdev(values)
        for r in rows:
            index[r["school_id"]] += SIGN[f] * (r[f] - mean) / sd
    return dict(index)


def test_adverse_context_goes_with_more_failures(demo_region):
    index = context_index(demo_region.context.to_pylist())
    fail, total = defaultdict(int), defaultdict(int)
    for r in demo_region.results.to_pylist():
        fail[r["school_id"]] += failures(r)
        total[r["school_id"]] += r["participants"]
    schools = sorted(total)
    x = [index[s] for s in schools]
    y = [fail[s] / total[s] for s in schools]
    assert statistics.correlation(x, y) > 0.2


def test_resilient_schools_have_adverse_context_and_good_results(demo_region):
    index = context_index(demo_region.context.to_pylist())
    cut = sorted(index.values())[int(0.8 * len(index))]
    fail, total = defaultdict(int), defaultdict(int)
    for r in demo_region.results.to_pylist():
        fail[r["school_id"]] += failures(r)
        total[r["school_id"]] += r["participants"]
    median_share = statistics.median(fail[s] / total[s] for s in total)
    resilient = [
        t["school_id"] for t in demo_region.truth.to_pylist() if t["profile"] == "resilient"
    ]
    assert len(resilient) >= 5
    assert all(index[s] >= cut for s in resilient)
    assert all(fail[s] / total[s] < median_share for s in resilient)
