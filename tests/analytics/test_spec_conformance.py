"""`opora identify` against an independent, plain-Python reading of ../shared/spec/methodology.md.

The reference below is written from the spec text alone (no Опора analytics code): csv module,
dicts and integer arithmetic. It must agree with the batch command on `low_results`, `risk` and
`leader` for every school of a generated region with planted cases, under several
methodologies, including the boundaries (a share exactly at the threshold is low).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import pytest

from opora.analytics.batch import identify_files
from opora.demo.generator import RegionSpec, generate_region, write_region

METHODS = {
    "spec-defaults": "",
    "strict": (
        "[low_results]\nthreshold = 0.25\nmin_participants = 8\nwindow_years = 3\n"
        "years_required = 2\nmin_low_cells = 2\nmin_low_share = 0.2\n"
        "[leaders]\nmax_failure_share = 0.1\n"
    ),
    "vpr-maths-only": (
        '[low_results]\nprocedures = ["ВПР"]\nsubjects = ["Математика"]\nmin_participants = 3\n'
        "window_years = 1\nyears_required = 1\n"
    ),
}


def reference(results_csv: Path, school_ids: list[str], params: dict) -> dict[str, set[str]]:
    """Categories low_results / risk / leader per school, straight from the spec."""
    threshold = Fraction(str(params.get("threshold", 0.30)))
    min_participants = params.get("min_participants", 5)
    procedures = params.get("procedures", ["ВПР", "ОГЭ", "ЕГЭ"])
    subjects = params.get("subjects", [])
    window = params.get("window_years", 2)
    years_required = params.get("years_required", 2)
    min_low_cells = params.get("min_low_cells", 1)
    min_low_share = Fraction(str(params.get("min_low_share", 0.0)))
    leader_max = Fraction(str(params.get("max_failure_share", 0.05)))

    rows = []
    with results_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["procedure"] not in procedures or (subjects and row["subject"] not in subjects):
                continue
            rows.append(row)
    years = sorted({int(r["year"]) for r in rows})[-window:]
    judged: dict[tuple[str, int], int] = defaultdict(int)
    low: dict[tuple[str, int], int] = defaultdict(int)
    worst: dict[str, Fraction] = defaultdict(Fraction)
    for r in rows:
        year = int(r["year"])
        failures_text = r["below_min"] if r["procedure"] == "ЕГЭ" else r["mark_2"]
        n = int(r["participants"])
        if year not in years or failures_text == "" or n < min_participants:
            continue
        share = Fraction(int(failures_text), n)
        key = (r["school_id"], year)
        judged[key] += 1
        low[key] += share >= threshold
        worst[r["school_id"]] = max(worst[r["school_id"]], share)
    found: dict[str, set[str]] = {}
    for school in school_ids:
        low_years = sum(
            1
            for y in years
            if judged[(school, y)]
            and low[(school, y)] >= min_low_cells
            and Fraction(low[(school, y)], judged[(school, y)]) >= min_low_share
        )
        cats = set()
        if low_years >= years_required:
            cats.add("low_results")
        elif low_years >= 1:
            cats.add("risk")
        if all(judged[(school, y)] for y in years) and worst[school] <= leader_max:
            cats.add("leader")
        found[school] = cats
    return found


def parse_params(text: str) -> dict:
    import tomllib

    flat: dict = {}
    for section in tomllib.loads(text).values():
        flat.update(section)
    return flat


@pytest.fixture(scope="module")
def region_files(tmp_path_factory) -> dict[str, Path]:
    spec = RegionSpec(seed=11, municipalities=5, schools=160)
    return write_region(generate_region(spec), tmp_path_factory.mktemp("region"))


@pytest.mark.parametrize("name", sorted(METHODS))
def test_identify_matches_an_independent_reading_of_the_spec(region_files, tmp_path, name):
    text = METHODS[name]
    method = tmp_path / "method.toml"
    method.write_text(f'name = "{name}"\n{text}', encoding="utf-8")
    out = tmp_path / "out.csv"
    identify_files(
        region_files["schools"],
        region_files["results"],
        region_files["context"],
        method=method,
        out=out,
    )
    with out.open(encoding="utf-8") as handle:
        got = {
            row["school_id"]: set(filter(None, row["categories"].split(";")))
            & {"low_results", "risk", "leader"}
            for row in csv.DictReader(handle)
        }
    expected = reference(region_files["results"], sorted(got), parse_params(text))
    mismatched = {s: (got[s], expected[s]) for s in got if got[s] != expected[s]}
    assert not mismatched
    # The fixture must exercise every category, or the comparison proves little.
    flat = set().union(*expected.values())
    assert {"low_results", "risk", "leader"} <= flat or name == "vpr-maths-only"
