"""The monitoring report of a roadmap or program for one period: completion of activities and
achievement of indicators, with charts (DOCX, PDF) and the details (XLSX)."""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from opora.reports.registry import Document, Exporter, register

STATUS_LABELS = {
    "done": "выполнено",
    "in_progress": "выполняется",
    "planned": "запланировано",
    "overdue": "просрочено",
    "cancelled": "отменено",
}


@dataclass
class ReportData:
    program: Any
    period: Any
    today: dt.date
    points: list[Any]
    counts: dict[str, int]
    on_time: Any
    indicators: list[dict[str, Any]]
    year: int
    report: Any

    @property
    def title(self) -> str:
        return f"Мониторинг реализации: {self.program.name}"


def collect(program: Any, period: Any, today: dt.date) -> ReportData:
    """The figures of the report; the same functions as the pages use."""
    from opora.analytics.indicators import PointRow, on_time_share
    from opora.programs.achievement import Calculator, achievement_rows

    points = list(
        program.due_points.filter(due_date__gte=period.start, due_date__lte=period.end)
        .select_related("activity")
        .order_by("due_date", "activity__position")
    )
    counts: dict[str, int] = {}
    for point in points:
        code = point.status_code(today)
        point.code = code
        point.text = STATUS_LABELS[code]
        counts[code] = counts.get(code, 0) + 1
    on_time = on_time_share(
        [PointRow(str(program.pk), p.due_date, p.status, p.completed_on) for p in points],
        min(period.end, today),
    )
    year = period.end.year
    calculator = Calculator(program, today)
    indicators = []
    for row in achievement_rows(calculator):
        cell = next((c for c in row["cells"] if c["year"] == year), None)
        if cell is not None:
            indicators.append({"indicator": row["indicator"], **cell})
    report = program.progress_reports.filter(period_start=period.start).first()
    return ReportData(program, period, today, points, counts, on_time, indicators, year, report)


def _charts(data: ReportData) -> tuple[bytes, bytes | None]:
    from opora.reports.charts import achievement_chart, completion_chart

    completion = completion_chart(data.counts, STATUS_LABELS)
    percent = [
        (row["indicator"].code, row["value"], row["target"])
        for row in data.indicators
        if row["indicator"].unit == "percent"
    ]
    achievement = (
        achievement_chart(percent)
        if any(v is not None or t is not None for _, v, t in percent)
        else None
    )
    return completion, achievement


@register
class ProgramMonitoringReport(Exporter):
    key = "program_monitoring"
    title = "Отчёт о мониторинге реализации программы (дорожной карты) за период"
    formats = ("docx", "pdf", "xlsx")

    def render(self, fmt: str, **params: Any) -> Document:
        data = collect(params["program"], params["period"], params.get("today") or dt.date.today())
        name = f"Мониторинг {data.program.owner_label} {data.period.label}"
        if fmt == "docx":
            return Document(_docx(data), fmt, f"{name}.docx")
        if fmt == "pdf":
            return Document(_pdf(data), fmt, f"{name}.pdf")
        if fmt == "xlsx":
            return Document(_xlsx(data), fmt, f"{name}.xlsx")
        raise ValueError(f"Формат «{fmt}» не поддерживается: выберите DOCX, PDF или XLSX.")


def _summary(data: ReportData) -> list[str]:
    total = len(data.points)
    lines = [
        f"Период: {data.period.label} ({data.period.start:%d.%m.%Y}–{data.period.end:%d.%m.%Y}).",
        f"Контрольных точек в периоде: {total}; выполнено: {data.counts.get('done', 0)}; "
        f"просрочено: {data.counts.get('overdue', 0)}; выполняется: {data.counts.get('in_progress', 0)}.",
    ]
    if data.on_time.value is not None:
        lines.append(
            f"Выполнено в срок: {data.on_time.numerator} из {data.on_time.denominator} "
            f"({data.on_time.value:.0f} %) наступивших контрольных точек."
        )
    if data.report is not None and data.report.summary:
        lines.append(f"Итоги периода (из отчёта): {data.report.summary}")
    return lines


def _docx(data: ReportData) -> bytes:
    from docx.shared import Cm

    from opora.reports.word import landscape_document

    completion, achievement = _charts(data)
    doc = landscape_document()
    doc.add_heading(data.title, level=1)
    doc.add_paragraph(f"{data.program.owner_label}. Сформировано {data.today:%d.%m.%Y}.")
    for line in _summary(data):
        doc.add_paragraph(line)
    doc.add_picture(io.BytesIO(completion), width=Cm(15))
    if achievement:
        doc.add_picture(io.BytesIO(achievement), width=Cm(15))
    doc.add_heading("Мероприятия периода", level=2)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("№", "Мероприятие", "Срок", "Статус", "Результат"), strict=True
    ):
        cell.text = text
    for point in data.points:
        cells = table.add_row().cells
        values = (
            point.activity.number,
            point.activity.title,
            f"{point.due_date:%d.%m.%Y}",
            point.text,
            point.result_note,
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    if data.indicators:
        doc.add_heading(f"Показатели, {data.year} год", level=2)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ("№", "Показатель", "Значение", "Цель"), strict=True
        ):
            cell.text = text
        for row in data.indicators:
            cells = table.add_row().cells
            values = (row["indicator"].code, row["indicator"].name, row["text"], row["target_text"])
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _pdf(data: ReportData) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    completion, achievement = _charts(data)
    html = render_to_string(
        "reports/program_monitoring.html",
        {
            "data": data,
            "summary": _summary(data),
            "completion": base64.b64encode(completion).decode(),
            "achievement": base64.b64encode(achievement).decode() if achievement else "",
        },
    )
    return HTML(string=html).write_pdf()


def _xlsx(data: ReportData) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "border": 1, "text_wrap": True, "bg_color": "#E8EEF5"})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    dates = book.add_format({"num_format": "dd.mm.yyyy", "border": 1, "valign": "top"})
    sheet = book.add_worksheet("Мероприятия")
    sheet.write(0, 0, data.title, book.add_format({"bold": True}))
    for i, line in enumerate(_summary(data), start=1):
        sheet.write(i, 0, line)
    top = len(_summary(data)) + 2
    headers = (
        "№",
        "Мероприятие",
        "Ответственные",
        "Срок",
        "Период",
        "Статус",
        "Выполнено",
        "Результат",
        "Подтверждение",
    )
    for col, (text, width) in enumerate(
        zip(headers, (8, 60, 30, 12, 18, 14, 12, 50, 40), strict=True)
    ):
        sheet.write(top, col, text, bold)
        sheet.set_column(col, col, width)
    for r, point in enumerate(data.points, start=top + 1):
        sheet.write_string(r, 0, point.activity.number, wrap)
        sheet.write_string(r, 1, point.activity.title, wrap)
        sheet.write_string(r, 2, point.activity.responsible, wrap)
        sheet.write_datetime(r, 3, dt.datetime.combine(point.due_date, dt.time()), dates)
        sheet.write_string(r, 4, point.label, wrap)
        sheet.write_string(r, 5, point.text, wrap)
        if point.completed_on:
            sheet.write_datetime(r, 6, dt.datetime.combine(point.completed_on, dt.time()), dates)
        else:
            sheet.write_blank(r, 6, None, wrap)
        sheet.write_string(r, 7, point.result_note, wrap)
        sheet.write_string(
            r,
            8,
            point.evidence_url or (point.evidence_file.name if point.evidence_file else ""),
            wrap,
        )
    indicators = book.add_worksheet("Показатели")
    for col, (text, width) in enumerate(
        zip(
            ("№", "Направление", "Показатель", "Единица", "Значение", "Цель", "Оценка"),
            (6, 30, 70, 10, 12, 12, 12),
            strict=True,
        )
    ):
        indicators.write(0, col, text, bold)
        indicators.set_column(col, col, width)
    light = {
        "green": "достигнут",
        "yellow": "близок к цели",
        "red": "не достигнут",
        "grey": "нет данных",
    }
    for r, row in enumerate(data.indicators, start=1):
        indicator = row["indicator"]
        values = (
            indicator.code,
            indicator.group,
            indicator.name,
            indicator.get_unit_display(),
            row["text"],
            row["target_text"],
            light[row["light"]],
        )
        for col, text in enumerate(values):
            indicators.write_string(r, col, str(text), wrap)
    book.close()
    return buffer.getvalue()
