"""Import rules through the service: all-or-nothing, idempotent, every bad row named."""

from __future__ import annotations

import pytest
from import_helpers import data_file, snapshot

from opora.accounts.models import AuditEvent
from opora.assessments.models import Result, Subject
from opora.assessments.services import ImportRejected, apply_import, plan_import

HEADER = "school_id,year,procedure,subject,grade,participants,mark_2,mark_3,mark_4,mark_5\n"


def results_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def rejected(content: bytes, kind: str = "results") -> ImportRejected:
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        apply_import(kind, content, filename="file.csv", user=None)
    assert snapshot() == before
    return caught.value


def test_it_imports_a_windows_1251_semicolon_file_with_decimal_commas(world):
    plan = apply_import(
        "results", data_file("results_cp1251.csv"), filename="results_cp1251.csv", user=None
    )
    assert (plan.rows, plan.created, plan.updated, plan.unchanged) == (5, 5, 0, 0)
    exam = Result.objects.get(school=world.south_school, procedure__name="ЕГЭ")
    assert (exam.participants, exam.below_min, exam.mark_2, exam.mean_score) == (50, 3, None, 61.5)
    assert exam.subject.name == "Математика (профильная)"
    vpr = Result.objects.get(school=world.north_village_school, grade=5)
    assert (vpr.mark_2, vpr.mark_3, vpr.mark_4, vpr.mark_5, vpr.mean_score) == (3, 2, 1, 0, 2.67)


def test_it_reports_every_broken_row_and_writes_nothing(world):
    error = rejected(data_file("results_broken_cp1251.csv").read_bytes())
    assert sorted({e.row for e in error.plan.errors}) == [3, 4, 5, 6, 7]
    assert "Файл не загружен" in str(error) and "Строка 3" in str(error)
    assert Result.objects.count() == 0


def test_it_rejects_an_unknown_school_code(world):
    error = rejected(
        results_bytes(
            "0101001,2024,ВПР,Математика,5,4,1,1,1,1", "0999999,2024,ВПР,Математика,5,4,1,1,1,1"
        )
    )
    [problem] = error.plan.errors
    assert (problem.row, problem.value) == (3, "0999999")
    assert "не найден в реестре" in problem.message


def test_it_rejects_a_procedure_missing_from_the_catalogue(world):
    error = rejected(
        results_bytes(
            "0101001,2024,ВПР,Математика,5,4,1,1,1,1", "0101001,2024,НИКО,Математика,5,4,1,1,1,1"
        )
    )
    [problem] = error.plan.errors
    assert (problem.row, problem.value) == (3, "НИКО")


def test_a_procedure_added_to_the_catalogue_is_accepted(world):
    from opora.assessments.models import Procedure

    Procedure.objects.create(name="НИКО", scoring="graded")
    plan = apply_import(
        "results",
        results_bytes("0101001,2024,НИКО,Математика,5,4,1,1,1,1"),
        filename="f.csv",
        user=None,
    )
    assert plan.created == 1


def test_it_rejects_marks_that_do_not_add_up_to_participants(world):
    error = rejected(results_bytes("0101001,2024,ВПР,Математика,5,10,1,1,1,1"))
    assert [e.row for e in error.plan.errors] == [2]


def test_it_rejects_a_repeated_cell(world):
    error = rejected(
        results_bytes(
            "0101001,2024,ВПР,Математика,5,4,1,1,1,1",
            "0101001,2024,ВПР,Русский язык,5,4,1,1,1,1",
            "0101001,2024,впр,Математика,5,4,0,2,1,1",
        )
    )
    [problem] = error.plan.errors
    assert problem.row == 4 and "строку 2" in problem.message


def test_it_rejects_two_spellings_of_one_subject_in_the_same_cell(world):
    error = rejected(
        results_bytes(
            "0101001,2024,ВПР,Математика,5,4,1,1,1,1",
            "0101001,2024,ВПР,математика,5,4,0,2,1,1",
        )
    )
    assert [e.row for e in error.plan.errors] == [3]


def test_it_creates_new_subjects_and_names_them_in_the_plan(world):
    Subject.objects.create(name="Математика")
    content = results_bytes(
        "0101001,2024,ВПР,Математика,5,4,1,1,1,1",
        "0101001,2024,ВПР,Химия,8,4,1,1,1,1",
        "0101001,2024,ВПР,Биология,8,4,1,1,1,1",
    )
    plan = plan_import("results", content, filename="f.csv", user=None)
    assert plan.new_subjects == ["Биология", "Химия"]
    assert "Новые предметы (будут созданы): Биология, Химия." in plan.summary_text()
    assert not Subject.objects.filter(name="Химия").exists()
    apply_import("results", content, filename="f.csv", user=None)
    assert sorted(Subject.objects.values_list("name", flat=True)) == [
        "Биология",
        "Математика",
        "Химия",
    ]
    assert Result.objects.filter(subject__name="Химия", grade=8).count() == 1


def test_a_subject_spelled_in_another_case_is_the_known_subject(world):
    Subject.objects.create(name="Математика")
    plan = apply_import(
        "results",
        results_bytes("0101001,2024,ВПР,МАТЕМАТИКА,5,4,1,1,1,1"),
        filename="f.csv",
        user=None,
    )
    assert plan.new_subjects == []
    assert Subject.objects.count() == 1


def test_the_plan_writes_nothing(world):
    before = snapshot()
    plan = plan_import("results", data_file("results_cp1251.csv"), filename="r.csv", user=None)
    assert plan.ok and plan.created == 5
    assert plan.summary_text() == "Будет добавлено 5 строк, изменено 0, без изменений 0. " + (
        "Новые предметы (будут созданы): Математика, Математика (профильная), Русский язык."
    )
    assert snapshot() == before


def test_a_second_import_of_the_same_file_changes_nothing(world):
    path = data_file("results_cp1251.csv")
    apply_import("results", path, filename=path.name, user=None)
    stored = snapshot()
    again = plan_import("results", path, filename=path.name, user=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    applied = apply_import("results", path, filename=path.name, user=None)
    assert (applied.created, applied.updated, applied.unchanged) == (0, 0, 5)
    after = snapshot()
    assert len(after.pop("AuditEvent")) == len(stored.pop("AuditEvent")) + 1
    assert after == stored


def test_it_updates_only_the_rows_that_changed(world):
    apply_import("results", data_file("results_canonical.csv"), filename="r.csv", user=None)
    ids = dict(
        Result.objects.values_list("school__code", "id").filter(
            grade=5, subject__name="Русский язык"
        )
    )
    text = data_file("results_canonical.csv").read_text(encoding="utf-8")
    line = "0101001,2024,ВПР,Русский язык,5,20,2,10,6,2,,3.4"
    assert line in text
    changed = text.replace(line, "0101001,2024,ВПР,Русский язык,5,20,3,9,6,2,,").encode()
    plan = apply_import("results", changed, filename="r.csv", user=None)
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 4)
    row = Result.objects.get(id=ids["0101001"])
    assert (row.mark_2, row.mark_3, row.mean_score) == (3, 9, None)


def test_an_import_writes_one_audit_record_without_the_rows(world):
    apply_import(
        "results", data_file("results_cp1251.csv"), filename="r.csv", user=world.region_user
    )
    event = AuditEvent.objects.get(action="import.results")
    assert event.user == world.region_user
    assert event.details["created"] == 5 and event.details["filename"] == "r.csv"
    assert "0101001" not in str(event.details) and "Добавлено 5 строк" in event.summary


def test_it_reports_progress_of_the_write(world):
    calls: list[tuple[int, int]] = []
    apply_import(
        "results",
        data_file("results_cp1251.csv"),
        filename="r.csv",
        user=None,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (5, 5)


def test_it_imports_an_xlsx_file_with_russian_headers(world, tmp_path):
    import xlsxwriter

    path = tmp_path / "results.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Результаты")
    sheet.write_row(0, 0, ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников",
                           "Отметка «2»", "Отметка «3»", "Отметка «4»", "Отметка «5»", "Средний балл"])  # fmt: skip
    sheet.write_row(1, 0, ["0101001", 2024, "ВПР", "Математика", 5, 20, 4, 8, 6, 2, 3.3])
    sheet.write_row(2, 0, ["0201001", 2024, "ОГЭ", "Математика", 9, 90, 9, 30, 36, 15, 3.63])
    book.close()
    plan = apply_import("results", path, filename=path.name, user=None)
    assert plan.created == 2
    oge = Result.objects.get(school=world.south_school)
    assert (oge.procedure.name, oge.participants, oge.mark_5, oge.mean_score) == (
        "ОГЭ",
        90,
        15,
        3.63,
    )


def test_context_rows_are_upserted_by_school_and_year(world):
    path = data_file("context_canonical.csv")
    plan = apply_import("context", path, filename=path.name, user=None)
    assert plan.created == 3
    from opora.assessments.models import SchoolContext

    south = SchoolContext.objects.get(school=world.south_school, year=2024)
    assert (south.parent_higher_education, south.social_index, south.foster_care) == (
        64.0,
        0.25,
        None,
    )
    changed = path.read_bytes().replace(b"0201001,2024,8,", b"0201001,2024,9,")
    plan = apply_import("context", changed, filename=path.name, user=None)
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 2)
    assert SchoolContext.objects.get(school=world.south_school).large_families == 9.0


def test_an_unknown_kind_is_a_programming_error(world):
    with pytest.raises(ValueError, match="Неизвестный вид файла"):
        plan_import("teachers", b"x", filename="x.csv", user=None)


def test_a_file_with_only_the_header_imports_nothing_and_warns(world):
    plan = apply_import("results", results_bytes(), filename="empty.csv", user=None)
    assert (plan.rows, plan.created, plan.updated, plan.unchanged) == (0, 0, 0, 0)
    assert any("нет строк с данными" in warning for warning in plan.warnings)
