"""``write_template``: an empty XLSX for staff to fill in, with the instructions inside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opora.formats.columns import KIND_TITLES, Column, columns
from opora.formats.procedures import DEFAULT_PROCEDURES, Procedure

if TYPE_CHECKING:  # imported by write_template only: readers of files do not need it
    import xlsxwriter

_LAST_ROW = 1_048_575
_SHEET_NAMES = {
    "schools": "Школы",
    "results": "Результаты",
    "context": "Контекст",
    "students": "Обучающиеся",
}
_ROW_MEANING = {
    "schools": "Одна строка — одна школа.",
    "results": "Одна строка — результаты одной школы за один год по одной процедуре, одному "
    "предмету и одному классу (параллели).",
    "context": "Одна строка — одна школа за один год. Все показатели — доли обучающихся "
    "школы в процентах, числом от 0 до 100 (12,5 — это 12,5 %); не используйте процентный "
    "формат ячеек Excel: он хранит 0,125. Любой показатель можно не заполнять.",
    "students": "Одна строка — результат одного обучающегося по одной процедуре и одному "
    "предмету. Файл обезличенный: вместо ФИО — постоянный код обучающегося.",
}


def write_template(
    kind: str,
    path: str | Path,
    *,
    procedures: Mapping[str, Procedure] | None = None,
    year_range: tuple[int, int] | None = None,
) -> None:
    """Write an empty XLSX template: the first sheet has the Russian headers (bold, frozen,
    with data validation on each column), the sheet «Инструкция» explains every column and
    shows an example row.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "results.xlsx"
    >>> write_template("results", target)
    >>> target.stat().st_size > 0
    True
    """
    spec = columns(kind)
    catalogue = DEFAULT_PROCEDURES if procedures is None else procedures
    years = year_range or (2000, dt.date.today().year + 1)
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    try:
        _data_sheet(workbook, kind, spec, catalogue, years)
        _instruction_sheet(workbook, kind, spec, catalogue, years)
    finally:
        workbook.close()


def _data_sheet(
    workbook: xlsxwriter.Workbook,
    kind: str,
    spec: list[Column],
    catalogue: Mapping[str, Procedure],
    years: tuple[int, int],
) -> None:
    sheet = workbook.add_worksheet(_SHEET_NAMES[kind])
    header = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
    )
    text = workbook.add_format({"num_format": "@"})
    for index, column in enumerate(spec):
        sheet.write_string(0, index, column.russian, header)
        width = min(max(len(column.russian) * 0.9 + 2, 12), 36)
        # Codes are text: keep leading zeros that Excel would otherwise drop.
        sheet.set_column(index, index, width, text if column.type == "string" else None)
        sheet.write_comment(0, index, f"{column.meaning}. {_obligation(column, catalogue)}.")
        rule = _validation(column, catalogue, years)
        if rule:
            sheet.data_validation(1, index, _LAST_ROW, index, rule)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 0)


def _validation(
    column: Column, catalogue: Mapping[str, Procedure], years: tuple[int, int]
) -> dict[str, Any] | None:
    rule: dict[str, Any]
    if column.choices:
        rule = {"validate": "list", "source": list(column.choices)}
    elif column.name == "procedure":
        rule = {
            "validate": "list",
            "source": [p.name for p in catalogue.values()],
            # A region may add its own procedure: warn, do not forbid.
            "error_type": "warning",
        }
    elif column.is_number:
        low, high = years if column.name == "year" else (column.minimum, column.maximum)
        validate = "integer" if column.type == "int" else "decimal"
        if low is not None and high is not None:
            rule = {"validate": validate, "criteria": "between", "minimum": low, "maximum": high}
        elif low is not None:
            rule = {"validate": validate, "criteria": ">=", "value": low}
        else:
            return None
    else:
        return None
    rule["error_title"] = "Недопустимое значение"
    rule["error_message"] = f"«{column.russian}»: {_allowed(column, catalogue, years)}."[:255]
    return rule


def _obligation(column: Column, catalogue: Mapping[str, Procedure]) -> str:
    if column.required:
        return "Обязательный"
    if column.required_for:
        names = ", ".join(p.name for p in catalogue.values() if p.scoring == column.required_for)
        return f"Обязателен для процедур {names}" if names else "Необязательный"
    return "Необязательный"


def _allowed(column: Column, catalogue: Mapping[str, Procedure], years: tuple[int, int]) -> str:
    special = {
        "school_id": "текст; в реестре школ — уникальный",
        "student_id": "текст без ФИО (обезличенный код)",
        "procedure": ", ".join(p.name for p in catalogue.values())
        + " (регистр букв не важен); другие — после добавления в справочник",
        "year": f"целое число от {years[0]} до {years[1]}",
        "mark_2": "целое ≥ 0; сумма отметок «2»–«5» равна числу участников",
        "below_min": "целое ≥ 0, не больше числа участников",
    }
    if column.name in special:
        return special[column.name]
    if column.name.startswith("mark_"):
        return special["mark_2"]
    if column.choices:
        return " или ".join(f"«{c}»" for c in column.choices)
    if not column.is_number:
        return "текст"
    number = "целое число" if column.type == "int" else "число"
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        unit = " (проценты)" if column.noun == "доля" else ""
        return f"{number} от {_show(low)} до {_show(high)}{unit}"
    if low is not None:
        return f"{number} ≥ {_show(low)}"
    return number


def _show(value: float) -> str:
    return str(int(value)).replace("-", "−") if float(value).is_integer() else str(value)


def _instruction_sheet(
    workbook: xlsxwriter.Workbook,
    kind: str,
    spec: list[Column],
    catalogue: Mapping[str, Procedure],
    years: tuple[int, int],
) -> None:
    sheet = workbook.add_worksheet("Инструкция")
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    sheet.write_string(0, 0, f"Шаблон «{KIND_TITLES[kind]}»: как заполнить", title)
    notes = [
        _ROW_MEANING[kind],
        f"Заполняйте лист «{_SHEET_NAMES[kind]}» со второй строки; заголовки не меняйте. "
        "Лишние столбцы будут пропущены с предупреждением.",
        "Можно загрузить и CSV: кодировка UTF-8 или Windows-1251, разделитель «;» или «,», "
        "дробная часть — через точку или запятую. Заголовки — русские (как здесь) или "
        "английские имена из столбца «Имя в CSV».",
        "Файл принимается целиком или не принимается: если хотя бы одна строка с ошибкой, "
        "Опора покажет все ошибки с номерами строк, и ничего не будет загружено.",
    ]
    for offset, note in enumerate(notes):
        sheet.write_string(1 + offset, 0, note)
    top = 2 + len(notes)
    heads = ["Столбец", "Имя в CSV", "Обязательность", "Что означает", "Допустимые значения"]
    if kind == "context":
        heads.append("Влияние на результаты")
    heads.append("Пример")
    sheet.write_row(top, 0, heads, bold)
    for offset, column in enumerate(spec, start=1):
        cells = [
            column.russian,
            column.name,
            _obligation(column, catalogue),
            column.meaning,
            _allowed(column, catalogue, years),
        ]
        if kind == "context":
            cells.append(column.direction or "—")
        cells.append(column.example)
        for index, value in enumerate(cells):
            sheet.write_string(top + offset, index, value, wrap)
    example_top = top + len(spec) + 2
    sheet.write_string(example_top, 0, "Пример заполненной строки:", title)
    sheet.write_row(example_top + 1, 0, [c.russian for c in spec], bold)
    # The example row is a graded procedure (ВПР): threshold-only columns stay empty.
    example = [c.example if c.required_for != "threshold" else "" for c in spec]
    sheet.write_row(example_top + 2, 0, example, wrap)
    for index, width in enumerate([30, 22, 24, 50, 40, 20, 14][: len(heads)]):
        sheet.set_column(index, index, width)
