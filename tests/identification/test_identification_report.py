"""The analytic report (DOCX, PDF) and the detailed XLSX, read back."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from opora.reports.identification_report import IdentificationReport


def docx_text(content: bytes) -> tuple[str, list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]
    return text, tables


def test_the_docx_has_the_method_counts_by_municipality_and_the_list(run, region_data):
    document = IdentificationReport().render("docx", run=run, user=region_data.region_user)
    assert document.filename.endswith(".docx")
    text, tables = docx_text(document.content)
    assert "Аналитическая справка о результатах процедуры идентификации" in text
    assert "не менее 30 % участников получили отметку «2»" in text  # the method in words
    assert "threshold = 0.30" in text  # the methodology text itself, in the appendix
    municipalities, *listings, targeted = tables
    assert municipalities[0][:4] == ["Муниципалитет", "Школ", "ШНОР", "ШНСУ"]
    assert municipalities[1:] == [
        ["Северный район", "2", "1", "1", "1", "0", "0", "0"],
        ["город Южноозёрск", "2", "0", "0", "0", "1", "0", "0"],
        ["Всего", "4", "1", "1", "1", "1", "0", "0"],
    ]
    # The list is grouped by municipality (a table each), numbered through.
    assert [[row[:2] for row in t[1:]] for t in listings] == [
        [["1", "0101001"], ["2", "0101002"]],
        [["3", "0201001"]],
    ]
    north = listings[0][1]
    assert north[3] == "ШНОР; ШНСУ"
    assert "ВПР 2024, Математика, 5 кл.: 8 из 20 (40 %) получили «2»" in north[4]
    assert "Северный район" in text and "город Южноозёрск" in text
    assert "ШНОР (1 школа): Провести анализ причин низких результатов" in text
    assert targeted[0][-1] == "Рекомендации по данным школы"
    assert [row[1] for row in targeted[1:]] == ["0101001", "0101002"]
    assert "Математика (ВПР: 2 низкие из 2 ячеек)" in targeted[1][4]
    assert "Математика (ВПР: 1 низкая из 2 ячеек)" in targeted[2][4]


def test_the_docx_of_a_municipality_covers_its_schools_only(run, region_data):
    document = IdentificationReport().render("docx", run=run, user=region_data.south_user)
    text, tables = docx_text(document.content)
    assert "только о доступных вам школах: 2" in text
    assert [row[0] for row in tables[0][1:]] == ["город Южноозёрск", "Всего"]
    assert "0101001" not in "".join(c for t in tables for row in t for c in row)


def test_the_report_lists_a_few_reasons_per_category_and_counts_the_rest():
    from types import SimpleNamespace

    from opora.reports.identification_report import short_reasons

    reasons = [
        {"category": "low_results", "label": "ШНОР", "text": f"ячейка {i}"} for i in range(6)
    ]
    reasons += [{"category": "adverse_context", "label": "ШНСУ", "text": "индекс"}]
    reasons += [{"category": "", "label": "", "text": "статус"}]
    lines = short_reasons(SimpleNamespace(reasons=reasons), per_category=4)
    assert lines == [
        "ШНОР: ячейка 0",
        "ШНОР: ячейка 1",
        "ШНОР: ячейка 2",
        "ШНОР: ячейка 3",
        "ШНСУ: индекс",
        "ШНОР: ещё 2 основания — см. подробную таблицу (XLSX).",
    ]


def test_the_xlsx_has_a_row_per_school(run, region_data):
    document = IdentificationReport().render("xlsx", run=run, user=region_data.region_user)
    book = CalamineWorkbook.from_filelike(io.BytesIO(document.content))
    assert book.sheet_names == ["Сводка", "Муниципалитеты", "Школы", "Низкие ячейки", "Методика"]
    schools = book.get_sheet_by_name("Школы").to_python()
    assert schools[0][:5] == [
        "Код ОО",
        "Наименование",
        "Муниципалитет",
        "Категории (коды)",
        "Категории",
    ]
    rows = {row[0]: row for row in schools[1:]}
    assert sorted(rows) == ["0101001", "0101002", "0201001", "0201002"]
    north = rows["0101001"]
    assert north[3] == "low_results;adverse_context"
    assert north[8] == pytest.approx(17 / 41)
    assert (north[13], north[14]) == (17, 41)
    assert rows["0201002"][5] == "недостаточно данных"
    cells = book.get_sheet_by_name("Низкие ячейки").to_python()
    assert sorted((r[0], r[1], r[5], r[6]) for r in cells[1:]) == [
        ("0101001", 2023, 9, 21),
        ("0101001", 2024, 8, 20),
        ("0101002", 2024, 4, 10),
    ]
    municipalities = book.get_sheet_by_name("Муниципалитеты").to_python()
    assert municipalities[-1][:3] == ["Всего", 4, 1]


def test_the_pdf_is_a_pdf(run, region_data):
    document = IdentificationReport().render("pdf", run=run, user=region_data.region_user)
    assert document.content.startswith(b"%PDF")
    assert document.content_type == "application/pdf"


def test_the_report_downloads_are_scoped(run, region_data, client_for):
    url = reverse("identification:report", args=[run.pk, "xlsx"])
    response = client_for(region_data.school_user).get(url)
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert [r[0] for r in book.get_sheet_by_name("Школы").to_python()[1:]] == ["0101001"]
    assert "attachment" in response["Content-Disposition"]
    assert client_for(region_data.nobody).get(url).status_code == 404
    bad = reverse("identification:report", args=[run.pk, "odt"])
    assert client_for(region_data.region_user).get(bad).status_code == 404
