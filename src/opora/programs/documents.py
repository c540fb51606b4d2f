"""A roadmap as officials keep it: a landscape Word table with the approval block, ready to
sign, and an Excel workbook (the roadmap and its dated due points)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from opora.programs.models import Level, Program
from opora.programs.selectors import roadmap_rows

COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "№ п/п"),
    ("title", "Мероприятие"),
    ("deadline", "Сроки"),
    ("responsible", "Ответственные"),
    ("expected_result", "Ожидаемый результат"),
    ("quality_indicator", "Показатель оценки качества"),
)
WIDTHS_CM = {
    "number": 1.5,
    "title": 8.5,
    "deadline": 3.5,
    "responsible": 4.5,
    "expected_result": 6.0,
    "quality_indicator": 4.0,
}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Line:
    """A row of the exported table: a section heading or an activity."""

    section: str | None
    cells: tuple[str, ...]


def columns_of(program: Program) -> list[tuple[str, str]]:
    """The quality-indicator column only when some activity fills it (as in seed 003)."""
    has_quality = program.activities.exclude(quality_indicator="").exists()
    return [c for c in COLUMNS if c[0] != "quality_indicator" or has_quality]


def lines(program: Program, columns: list[tuple[str, str]]) -> list[Line]:
    out: list[Line] = []
    for group in roadmap_rows(program):
        section = group["section"]
        if section is not None:
            out.append(Line(f"{section.number} {section.title}".strip(), ()))
        for activity in group["activities"]:
            out.append(
                Line(None, tuple(str(getattr(activity, field) or "") for field, _ in columns))
            )
    return out


def approval_text(program: Program) -> list[str]:
    if program.order_number or program.order_date:
        when = f"от {program.order_date:%d.%m.%Y} " if program.order_date else ""
        return ["УТВЕРЖДЕНА", "приказом", f"{when}№ {program.order_number}".strip()]
    return ["УТВЕРЖДАЮ", "_______________________", "«___» ____________ 20___ г."]


def signer(program: Program) -> str:
    return {
        Level.SCHOOL: "Директор",
        Level.MUNICIPALITY: "Руководитель органа управления образованием",
        Level.REGION: "Министр",
    }[Level(program.level)]


# --------------------------------------------------------------------------- DOCX


def roadmap_docx(program: Program) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    section.top_margin = section.bottom_margin = Cm(1.5)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)

    for text in approval_text(program):
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.space_after = Pt(0)
    document.add_paragraph()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    kind = {
        Level.SCHOOL: "Дорожная карта",
        Level.MUNICIPALITY: "План мероприятий",
        Level.REGION: "Дорожная карта",
    }
    run = title.add_run(
        f"{kind[Level(program.level)]}\n{program.name}\n{program.owner_label}, {program.period_label}"
    )
    run.bold = True

    columns = columns_of(program)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, (field, label) in zip(table.rows[0].cells, columns, strict=True):
        _cell_text(cell, label, bold=True, size=10)
        cell.width = Cm(WIDTHS_CM[field])
    _repeat_header(table.rows[0])
    for line in lines(program, columns):
        row = table.add_row()
        if line.section is not None:
            merged = row.cells[0].merge(row.cells[-1])
            _cell_text(merged, line.section, bold=True, size=10)
            continue
        for cell, text, (field, _) in zip(row.cells, line.cells, columns, strict=True):
            _cell_text(cell, text, size=10)
            cell.width = Cm(WIDTHS_CM[field])

    document.add_paragraph()
    sign = document.add_paragraph(
        f"{signer(program)} ____________________ / ____________________ /"
    )
    sign.paragraph_format.space_before = Pt(18)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cell_text(cell, text: str, bold: bool = False, size: int = 10) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _repeat_header(row) -> None:
    """Repeat the header row on every page of a long table."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


# --------------------------------------------------------------------------- XLSX


def roadmap_xlsx(program: Program, today: dt.date) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#E8EEF5"}
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    section_format = book.add_format(
        {"bold": True, "text_wrap": True, "border": 1, "bg_color": "#F3F5F8"}
    )
    date_format = book.add_format({"num_format": "dd.mm.yyyy", "valign": "top", "border": 1})
    title_format = book.add_format({"bold": True, "font_size": 12})

    sheet = book.add_worksheet("Дорожная карта")
    columns = columns_of(program)
    sheet.write(0, 0, program.name, title_format)
    sheet.write(
        1, 0, f"{program.owner_label}, {program.period_label}; {' '.join(approval_text(program))}"
    )
    header_row = 3
    for col, (field, label) in enumerate(columns):
        sheet.write(header_row, col, label, bold)
        sheet.set_column(col, col, WIDTHS_CM[field] * 5)
    row = header_row + 1
    for line in lines(program, columns):
        if line.section is not None:
            sheet.merge_range(row, 0, row, len(columns) - 1, line.section, section_format)
        else:
            for col, text in enumerate(line.cells):
                sheet.write_string(row, col, text, wrap)
        row += 1
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, row - 1, len(columns) - 1)

    points = book.add_worksheet("Контрольные точки")
    headers = [
        "№ п/п",
        "Мероприятие",
        "Срок",
        "Период",
        "Статус",
        "Выполнено",
        "Результат",
        "Подтверждение",
    ]
    for col, label in enumerate(headers):
        points.write(0, col, label, bold)
    for col, width in enumerate((8, 60, 12, 18, 14, 12, 50, 40)):
        points.set_column(col, col, width)
    r = 1
    for group in roadmap_rows(program):
        for activity in group["activities"]:
            for point in activity.points:
                points.write_string(r, 0, activity.number, wrap)
                points.write_string(r, 1, activity.title, wrap)
                points.write_datetime(
                    r, 2, dt.datetime.combine(point.due_date, dt.time()), date_format
                )
                points.write_string(r, 3, point.label, wrap)
                points.write_string(r, 4, point.status_label(today), wrap)
                if point.completed_on:
                    points.write_datetime(
                        r, 5, dt.datetime.combine(point.completed_on, dt.time()), date_format
                    )
                else:
                    points.write_blank(r, 5, None, wrap)
                points.write_string(r, 6, point.result_note, wrap)
                points.write_string(
                    r,
                    7,
                    point.evidence_url or (point.evidence_file.name if point.evidence_file else ""),
                    wrap,
                )
                r += 1
    points.freeze_panes(1, 0)
    if r > 1:
        points.autofilter(0, 0, r - 1, len(headers) - 1)
    book.close()
    return buffer.getvalue()
