"""Reading the first sheet of an XLSX/XLS/ODS file into header cells and text columns.

Cells are turned into the text a user would type: whole numbers without «.0» (Excel stores
every number as a float), other numbers in their shortest form, dates in ISO form.
"""

from __future__ import annotations

import datetime as dt
import io

import pyarrow as pa
from python_calamine import CalamineWorkbook

from opora.formats.sources import SourceFile, UnreadableFile

_EXACT_INTEGERS = 2.0**53


def cell_text(value: object) -> str:
    """The text of one cell.

    >>> [cell_text(v) for v in (12.0, 12.5, "0401", "", None, True, dt.date(2024, 5, 1))]
    ['12', '12.5', '0401', '', '', 'ИСТИНА', '2024-05-01']
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "ИСТИНА" if value else "ЛОЖЬ"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _EXACT_INTEGERS:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_sheet(file: SourceFile) -> tuple[list[str], pa.Table]:
    """Header cells of row 1 and the data rows below as string columns ``c0``, ``c1``, …
    (row *i* of the table is spreadsheet row *i* + 2). Trailing empty rows are dropped.
    """
    try:
        if file.path is not None:
            workbook = CalamineWorkbook.from_path(str(file.path))
        else:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(file.read_bytes()))
        if not workbook.sheet_names:
            raise UnreadableFile("В книге нет ни одного листа.")
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except UnreadableFile:
        raise
    except Exception as error:  # calamine raises its own error types for broken files
        raise UnreadableFile(
            "Не удалось прочитать таблицу: файл повреждён или это не XLSX/XLS/ODS. "
            "Откройте его в табличном редакторе и сохраните как XLSX."
        ) from error
    if not rows:
        return [], pa.table({})
    headers = [cell_text(v).strip() for v in rows[0]]
    body = rows[1:]
    while body and all(cell_text(v).strip() == "" for v in body[-1]):
        body.pop()
    data = {
        f"c{i}": column_texts([row[i] if i < len(row) else "" for row in body])
        for i in range(len(headers))
    }
    return headers, pa.table(data) if data else pa.table({})


def column_texts(values: list[object]) -> pa.Array:
    """The texts of one column of cells; whole columns of numbers or of text are converted by
    Arrow at once, mixed columns cell by cell. Empty cells become nulls.

    >>> column_texts([12.0, "", 12.5]).to_pylist()
    ['12', None, '12.5']
    >>> column_texts(["0401", 401.0]).to_pylist()
    ['0401', '401']
    """
    cleaned = [None if value == "" else value for value in values]
    try:
        array = pa.array(cleaned)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = None
    if array is not None and pa.types.is_null(array.type):
        return pa.nulls(len(values), pa.string())
    if array is not None and pa.types.is_string(array.type):
        return array
    if array is not None and (pa.types.is_floating(array.type) or pa.types.is_integer(array.type)):
        # Arrow writes whole floats without «.0» and the rest in their shortest exact form.
        return array.cast(pa.string())
    return pa.array([None if v is None else cell_text(v) for v in cleaned], pa.string())
