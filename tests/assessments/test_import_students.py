"""Student results: upsert by student × year × procedure × subject × grade; they must agree
with the aggregated results of the same cell."""

from __future__ import annotations

import pytest
from import_helpers import data_file, snapshot

from opora.assessments.models import StudentResult
from opora.assessments.services import ImportRejected, apply_import


def import_results() -> None:
    path = data_file("results_canonical.csv")
    apply_import("results", path, filename=path.name, user=None)


def test_students_that_agree_with_the_results_are_imported(world):
    import_results()
    plan = apply_import(
        "students", data_file("students_canonical.csv"), filename="s.csv", user=None
    )
    assert plan.created == 6
    marks = sorted(StudentResult.objects.values_list("student_id", "mark", "journal_mark"))
    assert marks[:2] == [("S001", 2, 3), ("S002", 2, 3)]
    assert {s.school_id for s in StudentResult.objects.all()} == {world.north_village_school.pk}


def test_students_that_disagree_with_the_stored_results_are_rejected(world):
    import_results()
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        apply_import("students", data_file("students_disagree.csv"), filename="s.csv", user=None)
    errors = caught.value.plan.errors
    # Marks «2» and «3» differ (3 vs 2 and 2 vs 3); the first student row of the cell is row 2.
    assert [e.row for e in errors] == [2, 2]
    assert "загруженными ранее результатами" in errors[0].message
    assert "0101002" in errors[0].message
    assert snapshot() == before


def test_results_that_disagree_with_the_stored_students_are_rejected(world):
    import_results()
    apply_import("students", data_file("students_canonical.csv"), filename="s.csv", user=None)
    text = data_file("results_canonical.csv").read_text(encoding="utf-8")
    changed = text.replace(
        "0101002,2024,ВПР,Математика,5,6,3,2,1,0", "0101002,2024,ВПР,Математика,5,7,3,3,1,0"
    )
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        apply_import("results", changed.encode(), filename="r.csv", user=None)
    errors = caught.value.plan.errors
    assert {e.row for e in errors} == {4}
    assert any(e.column == "Участников" and e.value == "7" for e in errors)
    assert snapshot() == before


def test_students_without_stored_results_are_imported_as_they_are(world):
    plan = apply_import("students", data_file("students_disagree.csv"), filename="s.csv", user=None)
    assert plan.created == 6


def test_a_changed_student_row_is_an_update(world):
    import_results()
    path = data_file("students_canonical.csv")
    apply_import("students", path, filename=path.name, user=None)
    text = path.read_text(encoding="utf-8").replace(
        "S006,0101002,2024,ВПР,Математика,5,4,5", "S006,0101002,2024,ВПР,Математика,5,4,4"
    )
    plan = apply_import("students", text.encode(), filename=path.name, user=None)
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 5)
    assert StudentResult.objects.get(student_id="S006").journal_mark == 4


def test_a_student_recorded_at_another_school_is_moved_not_duplicated(world):
    path = data_file("students_canonical.csv")
    apply_import("students", path, filename=path.name, user=None)
    moved = "student_id,school_id,year,procedure,subject,grade,mark\nS006,0101001,2024,ВПР,Математика,5,4\n"
    plan = apply_import("students", moved.encode(), filename="moved.csv", user=None)
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 0)
    row = StudentResult.objects.get(student_id="S006")
    assert (row.school, row.mark, row.journal_mark) == (world.north_school, 4, None)
    assert StudentResult.objects.count() == 6
