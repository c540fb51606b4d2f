"""Shared builders for the formats tests: fixture paths, headers, small CSV and XLSX files."""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"
YEARS = (2000, 2025)

RESULTS_HEADER = (
    "Код ОО;Год;Процедура;Предмет;Класс;Участников;Отметка «2»;Отметка «3»;Отметка «4»;"
    "Отметка «5»;Ниже минимального порога;Средний балл"
)
SCHOOLS_HEADER = "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся"
STUDENTS_HEADER = "student_id,school_id,year,procedure,subject,grade,mark,score,journal_mark"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    """A CSV file from its lines (header first)."""
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    """An XLSX whose first sheet holds ``rows`` (None: empty cell) and a second sheet that
    must not be read."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Лист1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.add_worksheet("Второй лист").write(0, 0, "не читается")
    workbook.close()
    return buffer.getvalue()
