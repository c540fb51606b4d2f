"""The detailed XLSX of an identification run: summary, municipalities, every school with its
figures, reasons and recommendations, the low cells, the methodology text."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from opora.analytics.verdicts import CATEGORY_LABELS, CATEGORY_ORDER

if TYPE_CHECKING:
    from opora.reports.identification_report import ReportData

SCHOOL_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Код ОО", 11),
    ("Наименование", 40),
    ("Муниципалитет", 22),
    ("Категории (коды)", 18),
    ("Категории", 24),
    ("Статус оценки", 16),
    ("Индекс социального неблагополучия", 14),
    ("Ожидаемая доля неуспевающих", 12),
    ("Доля неуспевающих", 12),
    ("Вклад ОО", 10),
    ("Вклад ОО: нижняя граница", 10),
    ("Вклад ОО: верхняя граница", 10),
    ("Доля неуспевающих (сглаженная)", 12),
    ("Неуспевающих", 10),
    ("Участников", 10),
    ("Низких лет", 8),
    ("Оценённых ячеек", 9),
    ("Низких ячеек", 9),
    ("Основания", 80),
    ("Рекомендации", 80),
)
CELL_COLUMNS = (
    "Код ОО",
    "Год",
    "Процедура",
    "Предмет",
    "Класс",
    "Неуспевающих",
    "Участников",
    "Доля",
)


def workbook(data: ReportData) -> bytes:
    import xlsxwriter

    from opora.reports.identification_report import reasons_text

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF5"}
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    share = book.add_format({"num_format": "0.0%", "valign": "top"})
    index = book.add_format({"num_format": "0.000", "valign": "top"})

    sheet = book.add_worksheet("Сводка")
    sheet.set_column(0, 0, 110)
    lines = [data.title, data.subtitle, data.scope, ""]
    lines += [f"{label}: {n}" for label, n in data.category_rows()]
    lines += ["", *data.method]
    for r, line in enumerate(lines):
        sheet.write_string(r, 0, line, head if r == 0 else wrap)

    sheet = book.add_worksheet("Муниципалитеты")
    headers = ("Муниципалитет", "Школ", *CATEGORY_LABELS.values())
    _header(sheet, headers, [30] + [12] * (len(headers) - 1), head)
    rows = [
        [m["municipality"].name, m["schools"], *m["counts"].values()] for m in data.municipalities
    ]
    total = data.total_row()
    rows.append(["Всего", total["schools"], *(total["counts"][c] for c in CATEGORY_ORDER)])
    for r, row in enumerate(rows, start=1):
        _write(sheet, r, row, wrap)

    sheet = book.add_worksheet("Школы")
    _header(sheet, [c for c, _ in SCHOOL_COLUMNS], [w for _, w in SCHOOL_COLUMNS], head)
    sheet.freeze_panes(1, 1)
    formats = {6: index, 7: share, 8: share, 9: share, 10: share, 11: share, 12: share}
    for r, verdict in enumerate(data.verdicts, start=1):
        pooled = (verdict.evidence or {}).get("pooled", {})
        row = [
            verdict.school.code,
            verdict.school.name,
            verdict.school.municipality.name,
            verdict.categories,
            verdict.category_labels,
            verdict.status,
            verdict.context_index,
            verdict.expected_share,
            verdict.actual_share,
            verdict.contribution,
            verdict.contribution_lo,
            verdict.contribution_hi,
            verdict.shrunk_share,
            pooled.get("failures"),
            pooled.get("participants"),
            pooled.get("low_years"),
            pooled.get("judged_cells"),
            pooled.get("low_cells"),
            reasons_text(verdict) or _status_reasons(verdict),
            "\n".join(data.recommendations.get(verdict.pk, [])),
        ]
        _write(sheet, r, row, wrap, formats)

    sheet = book.add_worksheet("Низкие ячейки")
    _header(sheet, CELL_COLUMNS, [11, 6, 10, 28, 7, 13, 11, 8], head)
    r = 1
    for verdict in data.verdicts:
        for cell in (verdict.evidence or {}).get("low_cells", []):
            values = [
                verdict.school.code,
                cell["year"],
                cell["procedure"],
                cell["subject"],
                cell["grade"],
                cell["failures"],
                cell["participants"],
                cell["share"],
            ]
            _write(sheet, r, values, wrap, {7: share})
            r += 1

    sheet = book.add_worksheet("Методика")
    sheet.set_column(0, 0, 120)
    for r, line in enumerate(data.run.methodology_text.splitlines()):
        sheet.write_string(r, 0, line)
    book.close()
    return buffer.getvalue()


def _status_reasons(verdict: Any) -> str:
    return "\n".join(r["text"] for r in verdict.reasons or [] if not r.get("category"))


def _header(sheet: Any, headers: Any, widths: Any, style: Any) -> None:
    for c, (text, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write_string(0, c, text, style)
        sheet.set_column(c, c, width)


def _write(sheet: Any, r: int, values: list[Any], wrap: Any, formats: dict | None = None) -> None:
    for c, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, str):
            sheet.write_string(r, c, value, wrap)  # never a formula, even when it starts with «=»
        else:
            sheet.write_number(r, c, value, (formats or {}).get(c))
