"""`opora identify` on real published school results: New York City, grades 3–8, 2016–2017.

../shared/data/real/nyc-ela-math-eni/ (see its SOURCE.md) holds the state ELA and maths tests
of 1,089 schools with the number of pupils at each performance level and the share of pupils in
poverty. Level 1 («well below standard») plays the part of the mark «2», levels 2–4 of «3»–«5»;
the test is a regional procedure «NYS» of the interchange format, a borough a municipality and
the poverty share the `low_income` factor. The files are written here with the csv module; rows
whose levels do not add up to the number tested (25 maths and 16 ELA rows of grades 3–8) are
left out, as the importer would refuse them.

The checks: `low_results`, `risk` and `leader` agree with the plain-Python reading of the spec
(`test_spec_conformance.reference`) for every school under two methodologies; the clear-cut
adverse-context cases (poverty far above or far below the cut) are right.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from test_spec_conformance import parse_params, reference

from opora.analytics.batch import identify_files

SOURCE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "real"
    / "nyc-ela-math-eni"
    / "demo-ela-math.csv"
)
SUBJECTS = {
    "Математика": ("number_tested_math", [f"level{k}_n_math" for k in range(1, 5)]),
    "Английский язык": ("number_tested", [f"level_{k}" for k in range(1, 5)]),
}
METHODS = {
    "default": '[low_results]\nprocedures = ["NYS"]\n',
    "strict": (
        '[low_results]\nprocedures = ["NYS"]\nthreshold = 0.5\nmin_participants = 20\n'
        "min_low_cells = 2\nmin_low_share = 0.25\n[leaders]\nmax_failure_share = 0.02\n"
    ),
}


def _count(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value == int(value) and value >= 0 else None


@pytest.fixture(scope="module")
def nyc(tmp_path_factory) -> dict:
    if not SOURCE.exists():
        pytest.skip(f"нет реальных данных {SOURCE} (../shared рядом с репозиторием)")
    folder = tmp_path_factory.mktemp("nyc")
    schools, results, context, left_out = {}, {}, {}, 0
    with SOURCE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["grade"] not in {"3", "4", "5", "6", "7", "8"}:
                continue
            school, year = row["dbn"], int(row["year"])
            schools.setdefault(
                school, (row["school_name_x"], row["boro"], _count(row["total_enrollment"]))
            )
            context.setdefault((school, year), round(float(row["poverty_1"]) * 100, 1))
            for subject, (tested, levels) in SUBJECTS.items():
                n, marks = _count(row[tested]), [_count(row[c]) for c in levels]
                if n is None or None in marks or sum(marks) != n:
                    left_out += 1
                    continue
                results.setdefault((school, year, subject, int(row["grade"])), (n, marks))
    paths = {kind: folder / f"{kind}.csv" for kind in ("schools", "results", "context")}
    with paths["schools"].open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["school_id", "name", "municipality", "settlement", "students"])
        writer.writerows([s, *about[:2], "город", about[2]] for s, about in sorted(schools.items()))
    with paths["results"].open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["school_id", "year", "procedure", "subject", "grade", "participants"]
            + ["mark_2", "mark_3", "mark_4", "mark_5", "below_min"]
        )
        for (school, year, subject, grade), (n, marks) in sorted(results.items()):
            writer.writerow([school, year, "NYS", subject, grade, n, *marks, ""])
    with paths["context"].open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["school_id", "year", "low_income"])
        writer.writerows([s, y, v] for (s, y), v in sorted(context.items()))
    return {"paths": paths, "schools": sorted(schools), "rows": len(results), "left": left_out}


def _categories(path: Path) -> dict[str, set[str]]:
    with path.open(encoding="utf-8") as handle:
        return {
            r["school_id"]: set(filter(None, r["categories"].split(";")))
            for r in csv.DictReader(handle)
        }


def test_the_real_files_are_the_size_the_source_says(nyc):
    assert len(nyc["schools"]) == 1089
    assert nyc["left"] == 25 + 16
    assert nyc["rows"] == 2 * 7220 - 25 - 16  # 7,220 school × year × grade rows, two tests


@pytest.mark.parametrize("name", sorted(METHODS))
def test_identify_agrees_with_the_spec_on_real_results(nyc, tmp_path, name):
    method = tmp_path / "method.toml"
    method.write_text(f'name = "NYC {name}"\n' + METHODS[name], encoding="utf-8")
    paths = nyc["paths"]
    summary = identify_files(
        paths["schools"],
        paths["results"],
        paths["context"],
        method=method,
        out=tmp_path / "out.csv",
    )
    assert any("«NYS»" in w for w in summary.warnings)
    assert summary.window_years == (2016, 2017)
    found = _categories(tmp_path / "out.csv")
    expected = reference(paths["results"], nyc["schools"], parse_params(METHODS[name]))
    codes = {"low_results", "risk", "leader"}
    differ = [s for s in nyc["schools"] if found[s] & codes != expected[s]]
    assert differ == []
    # Real results give every category something to do: none of them empty, none of them all.
    for code in codes:
        flagged = sum(code in expected[s] for s in nyc["schools"])
        assert 0 < flagged < len(nyc["schools"]), code


def test_the_poorest_schools_are_adverse_and_the_richest_are_not(nyc, tmp_path):
    paths = nyc["paths"]
    identify_files(paths["schools"], paths["results"], paths["context"], out=tmp_path / "out.csv")
    found = _categories(tmp_path / "out.csv")
    latest: dict[str, float] = {}
    with paths["context"].open(encoding="utf-8") as handle:
        by_school = defaultdict(dict)
        for r in csv.DictReader(handle):
            by_school[r["school_id"]][int(r["year"])] = float(r["low_income"])
    latest = {s: years[max(years)] for s, years in by_school.items() if 2017 in years}
    # One factor: the index orders schools as poverty does; the top 20 % of the latest year.
    ordered = sorted(latest.values(), reverse=True)
    cut = ordered[int(0.2 * len(ordered)) - 1]
    # («Above 95%» is 96 in the source: 180 schools share the top value, the cut is 94.2.)
    clearly_in = [s for s, v in latest.items() if v >= cut + 1]
    clearly_out = [s for s, v in latest.items() if v <= cut - 1]
    assert clearly_in and clearly_out
    assert [s for s in clearly_in if "adverse_context" not in found[s]] == []
    assert [s for s in clearly_out if "adverse_context" in found[s]] == []
