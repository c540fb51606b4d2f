"""Student-level results: exact aggregation to results, stable pseudonymous ids, journals."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np
import pyarrow as pa

from opora.demo.students import pseudonym

KEY = ("school_id", "year", "procedure", "subject", "grade")


def test_it_has_exactly_the_interchange_columns(small_region_with_students):
    expected = [
        ("student_id", pa.string()),
        ("school_id", pa.string()),
        ("year", pa.int64()),
        ("procedure", pa.string()),
        ("subject", pa.string()),
        ("grade", pa.int64()),
        ("mark", pa.int64()),
        ("score", pa.int64()),
        ("journal_mark", pa.int64()),
    ]
    assert [(f.name, f.type) for f in small_region_with_students.students.schema] == expected


def test_students_aggregate_exactly_to_every_results_row(small_region_with_students, student_rows):
    region = small_region_with_students
    marks = defaultdict(Counter)
    scores = defaultdict(list)
    for s in student_rows:
        key = tuple(s[k] for k in KEY)
        if s["procedure"] == "ЕГЭ":
            assert s["mark"] is None and s["journal_mark"] is None
            scores[key].append(s["score"])
        else:
            assert s["score"] is None and 2 <= s["mark"] <= 5 and 2 <= s["journal_mark"] <= 5
            marks[key][s["mark"]] += 1
    minimum = {"Русский язык": 24, "Математика (профильная)": 27, "Обществознание": 42,
               "Биология": 36, "История": 32, "Физика": 36}  # fmt: skip
    results = region.results.to_pylist()
    for r in results:
        key = tuple(r[k] for k in KEY)
        if r["procedure"] == "ЕГЭ":
            got = scores[key]
            assert len(got) == r["participants"]
            assert sum(x < minimum[r["subject"]] for x in got) == r["below_min"]
            assert abs(sum(got) / len(got) - r["mean_score"]) <= 0.05 + 1e-9
        else:
            assert [marks[key][m] for m in (2, 3, 4, 5)] == [r[f"mark_{m}"] for m in (2, 3, 4, 5)]
    assert set(marks) | set(scores) == {tuple(r[k] for k in KEY) for r in results}


def test_a_student_appears_once_per_row_and_in_one_grade_a_year(student_rows):
    rows = student_rows
    assert all(re.fullmatch(r"S[0-9A-F]{10}", s["student_id"]) for s in rows)
    per_row = Counter((s["student_id"], *(s[k] for k in KEY)) for s in rows)
    assert max(per_row.values()) == 1
    grades = defaultdict(set)
    schools = defaultdict(set)
    for s in rows:
        grades[(s["student_id"], s["year"])].add(s["grade"])
        schools[s["student_id"]].add(s["school_id"])
    assert all(len(g) == 1 for g in grades.values())
    assert all(len(s) == 1 for s in schools.values())


def test_ids_are_stable_from_year_to_year(student_rows):
    rows = student_rows
    grade5_2024 = {s["student_id"] for s in rows if (s["year"], s["grade"]) == (2024, 5)}
    grade6_2025 = {s["student_id"] for s in rows if (s["year"], s["grade"]) == (2025, 6)}
    followed = len(grade5_2024 & grade6_2025) / len(grade5_2024)
    assert followed > 0.8


def test_journals_disagree_far_more_at_inflated_schools(small_region_with_students, student_rows):
    region = small_region_with_students
    profile = {t["school_id"]: t["profile"] for t in region.truth.to_pylist()}
    far, total = Counter(), Counter()
    for s in student_rows:
        if s["procedure"] != "ВПР":
            continue
        group = "inflated" if profile[s["school_id"]] == "inflated" else "other"
        total[group] += 1
        far[group] += abs(s["mark"] - s["journal_mark"]) >= 2
    assert total["inflated"] > 0
    assert far["other"] / total["other"] < 0.02
    assert far["inflated"] / total["inflated"] > 0.3


def test_pseudonyms_are_unique_and_depend_on_the_seed():
    keys = np.arange(200_000, dtype=np.int64) * 7919
    ids = pseudonym(keys, seed=1)
    assert len(set(ids.tolist())) == len(keys)
    assert ids[0] != pseudonym(keys[:1], seed=2)[0]
    assert (pseudonym(keys[:10], seed=1) == ids[:10]).all()
