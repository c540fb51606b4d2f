"""``write_table``: a typed table out to CSV (English headers) or XLSX (Russian headers).

Both are written so that reading them back gives the same table; a CSV written here is the
canonical form: UTF-8 without BOM, ``,`` separator, ``.`` decimal point, ``\\n`` line ends,
whole numbers without «.0», other numbers in their shortest exact form, empty cells for nulls.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from opora.formats.columns import Column, check_kind, columns
from opora.formats.plan import quiet_connection, quote

XLSX_MAX_ROWS = 1_048_575


def columns_to_write(kind: str, table: pa.Table) -> list[tuple[Column, pa.ChunkedArray]]:
    """Spec columns in spec order, cast to their type: the required ones always, an optional
    one only when it has a non-null value. Extra columns (``row_number``…) are left out.

    >>> t = pa.table({"school_id": ["1"], "year": [2024], "social_index": [None]})
    >>> [c.name for c, _ in columns_to_write("context", t)]
    ['school_id', 'year']
    """
    check_kind(kind)
    chosen = []
    for column in columns(kind):
        if column.name in table.column_names:
            values = table.column(column.name).cast(column.arrow_type)
        else:
            values = pa.chunked_array([pa.nulls(table.num_rows, column.arrow_type)])
        if column.required or values.null_count < len(values):
            chosen.append((column, values))
    return chosen


def write_table(kind: str, table: pa.Table, path: str | Path) -> None:
    """Write ``table`` to ``path``: ``.csv`` with English headers, ``.xlsx`` with Russian ones.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "context.csv"
    >>> write_table("context", pa.table({"school_id": ["0101"], "year": [2024],
    ...     "low_income": [12.5]}), target)
    >>> target.read_text()
    'school_id,year,low_income\\n0101,2024,12.5\\n'
    """
    target = Path(path)
    chosen = columns_to_write(kind, table)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        _write_csv(chosen, target)
    elif suffix == ".xlsx":
        _write_xlsx(chosen, target)
    else:
        raise ValueError(
            f"Не знаю, как сохранить файл «{target.name}»: укажите расширение .csv или .xlsx."
        )


def cell_texts(values: pa.Array) -> pa.Array:
    """The CSV text of each value (nulls stay null), quoted when it holds ``,``, ``"`` or a
    line break.

    >>> cell_texts(pa.array([4.0, 3.85, None])).to_pylist()
    ['4', '3.85', None]
    >>> cell_texts(pa.array(['МБОУ "СОШ", с. Ключи'])).to_pylist()
    ['"МБОУ ""СОШ"", с. Ключи"']
    """
    texts = values.cast(pa.large_string())
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        return texts
    needs_quotes = pc.match_substring_regex(texts, '[,"\r\n]')
    if not pc.any(needs_quotes).as_py():
        return texts
    mark = pa.scalar('"', pa.large_string())
    empty = pa.scalar("", pa.large_string())
    escaped = texts
    if pc.any(pc.match_substring_regex(texts, '"')).as_py():  # RE2 is the faster search here
        escaped = pc.replace_substring(texts, '"', '""')
    quoted = pc.binary_join_element_wise(mark, escaped, mark, empty)
    return pc.if_else(needs_quotes, quoted, texts)


def _write_csv(chosen: list[tuple[Column, pa.ChunkedArray]], target: Path) -> None:
    """The canonical CSV, written by DuckDB from text columns (numbers formatted by Arrow:
    shortest exact form, whole numbers without «.0»); quotes only where a value needs them."""
    texts = pa.table(
        {column.name: values.cast(pa.string()) for column, values in chosen} if chosen else {}
    )
    with quiet_connection() as con:
        con.register("export", texts)
        con.execute(
            f"COPY export TO {quote(str(target))} "
            "(FORMAT csv, HEADER, DELIMITER ',', QUOTE '\"', ESCAPE '\"', NULLSTR '')"
        )


def _write_xlsx(chosen: list[tuple[Column, pa.Array]], target: Path) -> None:
    rows = len(chosen[0][1]) if chosen else 0
    if rows > XLSX_MAX_ROWS:
        raise ValueError(
            f"В XLSX помещается не больше {XLSX_MAX_ROWS:,} строк данных, а в таблице {rows:,}. "
            "Сохраните её в CSV.".replace(",", " ")
        )
    import xlsxwriter  # only for XLSX: not imported with the CSV writer

    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet("Данные")
        bold = workbook.add_format({"bold": True})
        for index, (column, _) in enumerate(chosen):
            sheet.write_string(0, index, column.russian, bold)
            sheet.set_column(index, index, min(max(len(column.russian) + 2, 10), 40))
        sheet.freeze_panes(1, 0)
        values = [(column.is_number, array.to_pylist()) for column, array in chosen]
        for row in range(rows):
            for index, (is_number, cells) in enumerate(values):
                value = cells[row]
                if value is None:
                    continue
                if is_number:
                    sheet.write_number(row + 1, index, value)
                else:
                    sheet.write_string(row + 1, index, value)
    finally:
        workbook.close()
