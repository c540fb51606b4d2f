"""Reading a roadmap from the Word or Excel table an official already keeps: the tables of the
file, a guessed column mapping the user confirms, and a preview of the rows it gives."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from opora.programs.recurrence import DeadlineError, parse_deadline
from opora.programs.services import ActivityRow

FIELDS: tuple[tuple[str, str], ...] = (
    ("", "— не загружать —"),
    ("number", "№ п/п"),
    ("title", "Мероприятие"),
    ("deadline", "Сроки"),
    ("responsible", "Ответственные"),
    ("expected_result", "Ожидаемый результат"),
    ("quality_indicator", "Показатель оценки качества"),
)
# the first keyword found in a header cell decides its field
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("№", "number"),
    ("п/п", "number"),
    ("показател", "quality_indicator"),
    ("результат", "expected_result"),
    ("срок", "deadline"),
    ("ответствен", "responsible"),
    ("исполнител", "responsible"),
    ("мероприят", "title"),
    ("наименование", "title"),
    ("содержание", "title"),
)
MAX_SIZE = 20 * 1024 * 1024

Table = list[list[str]]


class ImportProblem(ValueError):
    """A Russian sentence saying what is wrong with the file and how to fix it."""


def read_tables(data: bytes, filename: str) -> list[Table]:
    """Every table of a .docx (Word) or every sheet of a .xlsx (Excel) as rows of cell texts.

    Horizontally merged cells come back once (in their first column), so a section heading
    spanning the whole row is a row of one cell; a cell merged down several rows comes back in
    each of them (Word and Excel alike).
    """
    if len(data) > MAX_SIZE:
        raise ImportProblem("Файл больше 20 МБ. Сохраните в нём только таблицу дорожной карты.")
    name = filename.lower()
    if name.endswith(".docx"):
        return _docx_tables(data)
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        return _xlsx_tables(data)
    raise ImportProblem(
        f"Файл «{filename}» не в формате Word (.docx) или Excel (.xlsx). Откройте его в Word или "
        "Excel и сохраните в одном из этих форматов."
    )


def _docx_tables(data: bytes) -> list[Table]:
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several kinds for a damaged file
        raise ImportProblem(
            "Не удалось открыть файл Word: он повреждён или это не .docx."
        ) from error
    tables = []
    for table in document.tables:
        rows = []
        for row in table.rows:
            # a horizontally merged cell repeats in row.cells: keep its text once, in its first
            # column, so that columns stay aligned and a full-width heading has one filled cell
            cells, seen = [], set()
            for cell in row.cells:
                cells.append("" if id(cell._tc) in seen else _clean(cell.text))
                seen.add(id(cell._tc))
            rows.append(_trim(cells))
        tables.append(rows)
    return tables


def _xlsx_tables(data: bytes) -> list[Table]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:
        raise ImportProblem(
            "Не удалось открыть файл Excel: он повреждён или защищён паролем."
        ) from error
    tables = []
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        table = [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        _fill_down(table, sheet.merged_cell_ranges or [])
        # an Excel merge leaves the other cells empty: trim them so a heading is one cell
        tables.append([_trim(r) for r in table])
    return tables


def _fill_down(table: Table, merges: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """A cell merged down several rows (one responsible for three activities) gives its text to
    every row, as Word does; across columns it stays in the first one, like a heading."""
    for (top, left), (bottom, _right) in merges:
        if bottom <= top or top >= len(table) or left >= len(table[top]):
            continue
        text = table[top][left]
        for row in table[top + 1 : bottom + 1]:
            if left < len(row) and not row[left]:
                row[left] = text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(str(value))


def _clean(text: str) -> str:
    return "\n".join(line.strip() for line in text.replace("\r", "").strip().split("\n"))


def _trim(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row = row[:-1]
    return row


def pick_table(tables: list[Table]) -> int:
    """The table that looks most like a roadmap: the most rows with a deadline-like header."""
    best, best_score = 0, -1
    for index, table in enumerate(tables):
        header = find_header(table)
        score = len(table) + (1000 if header is not None else 0)
        if score > best_score:
            best, best_score = index, score
    return best


def find_header(table: Table) -> int | None:
    for index, row in enumerate(table[:15]):
        fields = guess_mapping(row)
        if "title" in fields and ("deadline" in fields or "responsible" in fields):
            return index
    return None


def guess_mapping(header: list[str]) -> list[str]:
    """A field for each header cell, by its wording.

    >>> guess_mapping(["№ п/п", "Наименование мероприятия", "Сроки исполнения", "Ответственный исполнитель", "Показатель оценки качества", "Ожидаемый результат"])
    ['number', 'title', 'deadline', 'responsible', 'quality_indicator', 'expected_result']
    """
    mapping = []
    used: set[str] = set()
    for text in header:
        low = text.lower()
        found = ""
        for keyword, field_name in KEYWORDS:
            if keyword in low and field_name not in used:
                found = field_name
                break
        if found:
            used.add(found)
        mapping.append(found)
    return mapping


@dataclass
class Preview:
    rows: list[ActivityRow] = field(default_factory=list)
    sections: int = 0
    problems: list[str] = field(default_factory=list)


def to_rows(table: Table, header: int, mapping: list[str]) -> Preview:
    """Activities and section headings below the header row under the given mapping."""
    if "title" not in mapping:
        raise ImportProblem("Укажите, в каком столбце наименование мероприятия.")
    if "deadline" not in mapping:
        raise ImportProblem("Укажите, в каком столбце сроки мероприятия.")
    preview = Preview()
    section, section_number = "", ""
    width = len(mapping)
    for offset, raw in enumerate(table[header + 1 :], start=header + 2):
        cells = [c for c in raw]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if all(re.fullmatch(r"\d{1,2}\.?", c) for c in filled) and len(filled) >= min(3, width):
            continue  # the row of column numbers «1 2 3 4 5» under the header
        if len(filled) == 1 and (len(cells) == 1 or not _value(cells, mapping, "deadline")):
            section_number, section = _split_number(filled[0])
            preview.sections += 1
            continue
        values = {name: _value(cells, mapping, name) for name, _ in FIELDS if name}
        if not values["title"]:
            preview.problems.append(
                f"Строка {offset}: нет наименования мероприятия — строка пропущена."
            )
            continue
        if not values["deadline"]:
            preview.problems.append(
                f"Строка {offset}: не указан срок мероприятия «{values['title'][:60]}». Укажите срок после загрузки."
            )
        else:
            try:
                parse_deadline(values["deadline"])
            except DeadlineError:
                preview.problems.append(
                    f"Строка {offset}: срок «{values['deadline']}» не распознан — мероприятие загрузится без контрольных точек; уточните срок после загрузки."
                )
        preview.rows.append(ActivityRow(section=section, section_number=section_number, **values))
    if not preview.rows:
        preview.problems.append(
            "В таблице не найдено ни одного мероприятия. Проверьте, что выбрана таблица дорожной карты и строка заголовка."
        )
    return preview


def _value(cells: list[str], mapping: list[str], name: str) -> str:
    parts = [
        cells[i]
        for i, field_name in enumerate(mapping)
        if field_name == name and i < len(cells) and cells[i]
    ]
    return "\n".join(parts)


def _split_number(text: str) -> tuple[str, str]:
    match = re.match(r"^((?:\d+\.)+\d*|\d+|[IVX]+)\.?\s+(.*)$", text, re.S)
    return (match.group(1), match.group(2)) if match else ("", text)
