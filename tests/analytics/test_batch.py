"""``identify_files``: interchange files in, one row per school out (CSV, XLSX, JSON)."""

from __future__ import annotations

import csv
import json

import pytest

from opora.analytics.batch import BatchInputError, identify_files

SCHOOLS = (
    "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся\n"
    "01;МБОУ «СОШ № 1»;Северный район;село;120\n"
    "02;МБОУ «СОШ № 2»;Северный район;город;300\n"
    "03;МБОУ «ООШ № 3»;Южный район;село;40\n"
)
RESULTS = (
    "school_id,year,procedure,subject,grade,participants,mark_2,mark_3,mark_4,mark_5,below_min\n"
    "01,2023,ВПР,Математика,5,20,6,8,4,2,\n"
    "01,2024,ВПР,Математика,5,21,9,8,3,1,\n"
    "02,2023,ВПР,Математика,5,40,1,10,15,14,\n"
    "02,2024,ВПР,Математика,5,40,2,10,15,13,\n"
    "02,2024,ЕГЭ,Химия,11,12,,,,,1\n"
    "03,2024,ВПР,Математика,5,4,4,0,0,0,\n"
)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "schools.csv").write_bytes(SCHOOLS.encode("cp1251"))
    (tmp_path / "results.csv").write_text(RESULTS, encoding="utf-8")
    return tmp_path


def test_it_writes_one_csv_row_per_school_with_codes_and_reasons(files, engine):
    out = files / "out" / "identification.csv"
    messages = []
    summary = identify_files(
        files / "schools.csv",
        files / "results.csv",
        out=out,
        progress=messages.append,
        engine=engine,
    )
    with out.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["school_id"] for r in rows] == ["01", "02", "03"]
    assert list(rows[0])[:5] == [
        "school_id",
        "categories",
        "category_labels",
        "name",
        "municipality",
    ]
    assert [r["categories"] for r in rows] == ["low_results", "", ""]
    assert rows[0]["name"] == "МБОУ «СОШ № 1»"
    assert rows[0]["actual_share"] == "0.3659"  # 15 of 41
    assert rows[0]["reasons"].startswith("ШНОР: Низкие результаты в 2 из 2 лет окна")
    assert "ВПР 2024, Математика, 5 кл.: 9 из 21 (43 %) получили «2»" in rows[0]["reasons"]
    assert rows[2]["status"] == "недостаточно данных"
    # 02: 2023 1/40, 2024 2/40 and ЕГЭ 1/12 = 8.3 % -> not a leader
    assert summary.counts == {"low_results": 1, "risk": 0, "leader": 0, "unreliable": 0}
    assert (summary.schools, summary.insufficient, summary.window_years) == (3, 1, (2023, 2024))
    assert messages[0] == "Чтение файла «schools.csv» (реестр школ)"
    assert "ШНОР (low_results): 1" in summary.text()


def test_it_writes_russian_headers_to_xlsx_and_english_keys_to_json(files):
    from python_calamine import CalamineWorkbook

    identify_files(files / "schools.csv", files / "results.csv", out=files / "out.xlsx")
    sheet = CalamineWorkbook.from_path(str(files / "out.xlsx")).get_sheet_by_index(0).to_python()
    assert sheet[0][:4] == ["Код ОО", "Категории (коды)", "Категории", "Наименование"]
    assert sheet[1][:3] == ["01", "low_results", "ШНОР"]
    identify_files(None, files / "results.csv", out=files / "out.json", method="altai-2020")
    records = json.loads((files / "out.json").read_text(encoding="utf-8"))
    assert records[0]["school_id"] == "01" and records[0]["categories"] == "low_results"
    assert records[0]["name"] is None  # no register given


def test_it_rejects_bad_input_with_the_russian_report_and_writes_nothing(files):
    (files / "results.csv").write_text(
        RESULTS + "04,2024,ВПР,Математика,5,abc,1,1,1,1,\n", encoding="utf-8"
    )
    out = files / "out.csv"
    with pytest.raises(BatchInputError) as caught:
        identify_files(files / "schools.csv", files / "results.csv", out=out)
    report = str(caught.value)
    assert report.startswith("Файл «results.csv» (результаты):\nФайл не принят:")
    assert "Строка 8" in report
    assert not out.exists()
    with pytest.raises(BatchInputError, match=r"\.csv, \.xlsx или \.json"):
        identify_files(files / "schools.csv", files / "results.csv", out=files / "out.txt")


def test_a_school_missing_from_the_register_is_named_in_every_file(files):
    # The files are read at once, the register beside the results: a clean results file and a
    # context file that both name school «09», which the register lacks, must still be refused
    # with the rows named, and a file with another error too must name both rows.
    (files / "results.csv").write_text(
        RESULTS + "09,2024,ВПР,Математика,5,20,1,9,6,4,\n", encoding="utf-8"
    )
    (files / "context.csv").write_text(
        "school_id,year,low_income\n01,2024,10\n09,2024,30\n", encoding="utf-8"
    )
    with pytest.raises(BatchInputError) as caught:
        identify_files(
            files / "schools.csv", files / "results.csv", files / "context.csv", out=files / "o.csv"
        )
    report = str(caught.value)
    unknown = "код ОО не найден в реестре школ"
    results_part, context_part = report.split("Файл «context.csv»")
    assert "Строка 8" in results_part and unknown in results_part
    assert "Строка 3" in context_part and unknown in context_part

    (files / "results.csv").write_text(
        RESULTS + "09,2024,ВПР,Математика,5,20,1,9,6,4,\n01,2024,ВПР,Математика,6,x,1,1,1,1,\n",
        encoding="utf-8",
    )
    with pytest.raises(BatchInputError) as caught:
        identify_files(files / "schools.csv", files / "results.csv", out=files / "o.csv")
    report = str(caught.value)
    assert "Строка 8" in report and unknown in report
    assert "Строка 9" in report and "«x»" in report
    assert not (files / "o.csv").exists()


def test_student_results_give_the_journal_mark_signal(files):
    # School 01: 8 of its 10 students have a journal mark 2 above their ВПР mark; schools 02
    # and 03 have 30 students each with equal marks. The region: 8 of 70 (11 %); 01: 80 %,
    # 7 times the regional share, and P(X >= 8 | n = 10, p = 8/70) is about 2e-7.
    lines = ["student_id,school_id,year,procedure,subject,grade,mark,score,journal_mark"]
    number = 0
    for school, students, gaps in (("01", 10, 8), ("02", 30, 0), ("03", 30, 0)):
        for k in range(students):
            number += 1
            journal = 5 if k < gaps else 3
            lines.append(f"S-{number:05d},{school},2024,ВПР,Математика,5,3,,{journal}")
    (files / "students.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = files / "out.csv"
    identify_files(
        files / "schools.csv", files / "results.csv", students=files / "students.csv", out=out
    )
    with out.open(encoding="utf-8") as stream:
        rows = {row["school_id"]: row for row in csv.DictReader(stream)}
    assert "unreliable" in rows["01"]["categories"].split(";")
    assert "у 8 из 10 обучающихся (80 %)" in rows["01"]["reasons"]
    assert not any("unreliable" in rows[s]["categories"] for s in ("02", "03"))


def test_the_csv_quotes_only_where_needed_and_leaves_empty_cells_empty(tmp_path):
    import pyarrow as pa

    from opora.analytics.batch import write_output

    table = pa.table(
        {
            "school_id": ["01", "02", None],
            "name": ['МБОУ "СОШ № 1"', "Школа, село", "две\nстроки"],
            "share": [0.25, None, 1.0],
            "cells": pa.array([3, None, 12], pa.int64()),
            "reasons": [None, "", "ШНОР: 2023: 3 из 10"],
        }
    )
    expected = (
        "school_id,name,share,cells,reasons\n"
        '01,"МБОУ ""СОШ № 1""",0.25,3,\n'
        '02,"Школа, село",,,\n'
        ',"две\nстроки",1,12,ШНОР: 2023: 3 из 10\n'
    )
    out = tmp_path / "out.csv"
    write_output(table, out)
    assert out.read_text(encoding="utf-8") == expected
    # One row (an empty first half), and none: the header alone.
    write_output(table.slice(0, 1), out)
    assert out.read_text(encoding="utf-8") == "".join(expected.splitlines(True)[:2])
    write_output(table.slice(0, 0), out)
    assert out.read_text(encoding="utf-8") == "school_id,name,share,cells,reasons\n"
