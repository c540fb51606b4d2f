"""Writing tables and templates; reading back what was written."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from formats_fixtures import DATA, YEARS
from python_calamine import CalamineWorkbook

from opora.formats import KINDS, columns, read_table, write_table, write_template


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("results", "results_canonical.csv"),
        ("context", "context_bom.csv"),
        ("schools", "schools_ru.csv"),
        ("students", "students_en.csv"),
        ("results", "results_cp1251.csv"),
    ],
)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_reads_back_exactly_what_it_wrote(tmp_path: Path, kind: str, name: str, suffix: str):
    first = read_table(kind, DATA / name, year_range=YEARS)
    target = tmp_path / f"export{suffix}"
    write_table(kind, first.table, target)
    second = read_table(kind, target, year_range=YEARS)

    assert second.ok, second.error_report()
    assert second.warnings == []
    assert second.table.equals(first.table)


def test_a_canonical_csv_is_written_back_byte_for_byte(tmp_path: Path):
    source = DATA / "results_canonical.csv"
    target = tmp_path / "results.csv"
    write_table("results", read_table("results", source, year_range=YEARS).table, target)

    assert target.read_bytes() == source.read_bytes()


def test_csv_export_is_utf8_english_commas_points_and_skips_empty_optional_columns(
    tmp_path: Path,
):
    table = read_table("results", DATA / "results_cp1251.csv", year_range=YEARS).table
    target = tmp_path / "results.csv"
    write_table("results", table.filter(pa.array([True, True, True, False, True])), target)

    assert target.read_text(encoding="utf-8") == (
        "school_id,year,procedure,subject,grade,participants,mark_2,mark_3,mark_4,mark_5,"
        "mean_score\n"
        "0401001,2024,ВПР,Математика,5,54,6,20,19,9,3.57\n"
        "0401001,2024,ВПР,Русский язык,5,55,9,25,15,6,3.33\n"
        "0401002,2024,ВПР,Математика,5,21,7,9,4,1,2.95\n"
        "0402001,2024,ОГЭ,Математика,9,97,3,30,41,23,3.86\n"
    )


def test_it_writes_numbers_without_trailing_zeros_and_quotes_only_when_needed(tmp_path: Path):
    table = pa.table(
        {
            "school_id": ["0101", 'МБОУ "А", корпус 2'],
            "year": [2024, 2023],
            "low_income": [12.0, 0.1 + 0.2],
            "social_index": [None, -1.5],
        }
    )
    target = tmp_path / "context.csv"
    write_table("context", table, target)

    assert target.read_text() == (
        "school_id,year,low_income,social_index\n"
        "0101,2024,12,\n"
        '"МБОУ ""А"", корпус 2",2023,0.30000000000000004,-1.5\n'
    )


def test_xlsx_export_has_russian_headers_and_typed_cells(tmp_path: Path):
    table = read_table("schools", DATA / "schools_ru.csv").table
    target = tmp_path / "schools.xlsx"
    write_table("schools", table, target)

    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert rows[0] == [c.russian for c in columns("schools")]
    assert rows[1][:5] == [
        "0401001",
        'МБОУ "Майминская СОШ № 1"',
        "Майминский район",
        "село",
        812.0,
    ]
    assert rows[4][6:] == [62.0, "", ""]


def test_an_empty_table_writes_only_the_required_headers(tmp_path: Path):
    target = tmp_path / "context.csv"
    write_table("context", pa.table({"school_id": pa.array([], pa.string())}), target)

    assert target.read_text() == "school_id,year\n"


def test_it_refuses_an_unknown_extension(tmp_path: Path):
    with pytest.raises(ValueError, match="укажите расширение .csv или .xlsx"):
        write_table("context", pa.table({"school_id": ["1"], "year": [2024]}), tmp_path / "a.ods")


@pytest.mark.parametrize("kind", KINDS)
def test_a_template_has_headers_and_instructions_and_reads_as_an_empty_file(
    tmp_path: Path, kind: str
):
    target = tmp_path / f"{kind}.xlsx"
    write_template(kind, target)

    workbook = CalamineWorkbook.from_path(str(target))
    assert workbook.sheet_names[1] == "Инструкция"
    data = workbook.get_sheet_by_index(0).to_python()
    assert data == [[c.russian for c in columns(kind)]]
    instruction = workbook.get_sheet_by_name("Инструкция").to_python()
    listed = [row[1] for row in instruction]
    assert all(c.name in listed for c in columns(kind))
    result = read_table(kind, target)
    assert result.ok and result.table.num_rows == 0


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_the_results_template_validates_every_column(tmp_path: Path):
    target = tmp_path / "results.xlsx"
    write_template("results", target, year_range=(2015, 2026))

    xml = _sheet_xml(target)
    rules = re.findall(r"<dataValidation ([^>]*)>(.*?)</dataValidation>", xml)
    by_column = {
        re.search(r'sqref="([A-Z]+)2:', attrs).group(1): (attrs, body) for attrs, body in rules
    }
    assert set(by_column) == set("BCEFGHIJKL")  # all but school id, subject
    year_attrs, year_body = by_column["B"]
    assert 'type="whole"' in year_attrs and "<formula1>2015</formula1>" in year_body
    assert "<formula2>2026</formula2>" in year_body
    procedure_attrs, procedure_body = by_column["C"]
    assert 'type="list"' in procedure_attrs and 'errorStyle="warning"' in procedure_attrs
    assert '"ВПР,ОГЭ,ЕГЭ,КДР"' in procedure_body
    assert "<formula1>1</formula1><formula2>11</formula2>" in by_column["E"][1]
    assert 'operator="greaterThanOrEqual"' in by_column["F"][0]
    assert 'type="decimal"' in by_column["L"][0]
    assert 'ySplit="1"' in xml  # the header row is frozen


def test_the_schools_and_context_templates_offer_lists_and_percent_ranges(tmp_path: Path):
    schools, context = tmp_path / "schools.xlsx", tmp_path / "context.xlsx"
    write_template("schools", schools)
    write_template("context", context)

    assert '"город,село"' in _sheet_xml(schools)
    percent_rules = re.findall(
        r'type="decimal"[^>]*><formula1>0</formula1><formula2>100</formula2>',
        _sheet_xml(context),
    )
    assert len(percent_rules) == 11
