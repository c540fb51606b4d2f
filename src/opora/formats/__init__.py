"""Interchange formats of Опора (``shared/spec/data-formats.md``): read and validate CSV/XLSX
files of schools, results, context and students into typed Arrow tables with row-numbered
Russian errors; write them back; produce empty XLSX templates. Django-free.

>>> result = read_table("schools", "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся\\n"
...     "0101;МБОУ «СОШ № 1»;Северный район;Село;180\\n".encode("cp1251"))
>>> result.ok, result.table.column("settlement").to_pylist()
(True, ['село'])
"""

from opora.formats.columns import KINDS, Column, columns
from opora.formats.consistency import check_students_against_results
from opora.formats.procedures import DEFAULT_PROCEDURES, Procedure
from opora.formats.reader import read_table
from opora.formats.report import ParseResult, RowError
from opora.formats.template import write_template
from opora.formats.writer import write_table

__all__ = [
    "DEFAULT_PROCEDURES",
    "KINDS",
    "Column",
    "ParseResult",
    "Procedure",
    "RowError",
    "check_students_against_results",
    "columns",
    "read_table",
    "write_table",
    "write_template",
]
