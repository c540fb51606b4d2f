"""Russian wording of figures in reasons: shares, cells, years, counted nouns.

>>> percent(9 / 21)
'43 %'
>>> plural(3, ("ячейка", "ячейки", "ячеек"))
'3 ячейки'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CELLS = ("ячейка", "ячейки", "ячеек")
JUDGED_CELLS = ("оценённая ячейка", "оценённые ячейки", "оценённых ячеек")
YEARS = ("год", "года", "лет")
PROCEDURES = ("процедура", "процедуры", "процедур")
SCHOOLS = ("школа", "школы", "школ")
THRESHOLD_SOURCE = "below_min"


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """``n`` with the Russian noun form it needs.

    >>> plural(1, YEARS), plural(2, YEARS), plural(11, YEARS), plural(21, YEARS)
    ('1 год', '2 года', '11 лет', '21 год')
    """
    tail, tens = n % 10, n % 100
    if tail == 1 and tens != 11:
        form = forms[0]
    elif 2 <= tail <= 4 and not 12 <= tens <= 14:
        form = forms[1]
    else:
        form = forms[2]
    return f"{n} {form}"


def plural_texts(counts: np.ndarray, forms: tuple[str, str, str]) -> pa.Array:
    """:func:`plural` of many whole numbers at once, as an Arrow string array.

    >>> plural_texts(np.array([1, 2, 5, 11, 22, 114]), YEARS).to_pylist()
    ['1 год', '2 года', '5 лет', '11 лет', '22 года', '114 лет']
    """
    n = np.asarray(counts, dtype=np.int64)
    tail, tens = n % 10, n % 100
    one = (tail == 1) & (tens != 11)
    few = (tail >= 2) & (tail <= 4) & ~((tens >= 12) & (tens <= 14))
    form = np.where(one, 0, np.where(few, 1, 2))
    words = pa.array(list(forms), pa.string()).take(pa.array(form))
    return pc.binary_join_element_wise(pc.cast(pa.array(n), pa.string()), words, " ")


def percent(share: float | None, guard: float | None = None) -> str:
    """A share as a whole percent (half up); more digits when rounding would cross ``guard``.

    >>> percent(0.125), percent(0.296, guard=0.30), percent(0.3, guard=0.30)
    ('13 %', '29,6 %', '30 %')
    """
    if share is None or share != share:  # None or NaN
        return "—"
    value = share * 100.0
    whole = math.floor(value + 0.5 + 1e-9)
    if guard is None or (value < guard * 100 - 1e-9) == (whole < guard * 100 - 1e-9):
        return f"{whole} %"
    for digits in (1, 2):
        scale = 10**digits
        rounded = math.floor(value * scale + 0.5 + 1e-9) / scale
        if (value < guard * 100 - 1e-9) == (rounded < guard * 100 - 1e-9):
            break
    return f"{rounded:.{digits}f} %".replace(".", ",")


def number(value: float, digits: int = 2) -> str:
    """A decimal number with a Russian comma.

    >>> number(-1.234)
    '−1,23'
    """
    text = f"{abs(value):.{digits}f}".replace(".", ",")
    return ("−" if value < 0 else "") + text


def years_phrase(years: Sequence[int]) -> str:
    """Years as words: a range when consecutive.

    >>> years_phrase([2024]), years_phrase([2023, 2024]), years_phrase([2019, 2021])
    ('2024 г.', '2023–2024 гг.', '2019, 2021 гг.')
    """
    ys = sorted(years)
    if not ys:
        return "—"
    if len(ys) == 1:
        return f"{ys[0]} г."
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]} гг."
    return ", ".join(str(y) for y in ys) + " гг."


def failed_phrase(source: str | None) -> str:
    """What failing means for the cell's failure column."""
    if source == THRESHOLD_SOURCE:
        return "не преодолели минимальный порог"
    return "получили «2»"


def cell_phrase(cell: Mapping[str, Any], guard: float | None = None) -> str:
    """One cell in words.

    >>> cell_phrase({"procedure": "ВПР", "year": 2024, "subject": "Математика", "grade": 5,
    ...     "failures": 9, "participants": 21, "failure_source": "mark_2"})
    'ВПР 2024, Математика, 5 кл.: 9 из 21 (43 %) получили «2»'
    """
    where = f"{cell['procedure']} {cell['year']}, {cell['subject']}"
    if cell.get("grade") is not None:
        where += f", {cell['grade']} кл."
    share = cell["failures"] / cell["participants"] if cell["participants"] else None
    return (
        f"{where}: {cell['failures']} из {cell['participants']} ({percent(share, guard)}) "
        f"{failed_phrase(cell.get('failure_source'))}"
    )


def percents(shares: np.ndarray, guard: float | None = None) -> list[str]:
    """:func:`percent` of many shares at once (NaN → «—»).

    >>> percents(np.array([9 / 21, 0.296, np.nan]), guard=0.30)
    ['43 %', '29,6 %', '—']
    """
    return percent_texts(shares, guard).to_pylist()


def percent_texts(shares: np.ndarray, guard: float | None = None) -> pa.Array:
    """:func:`percents` as an Arrow string array (vectorised; only the shares whose rounding
    would cross ``guard`` go through :func:`percent` one by one).

    >>> percent_texts(np.array([0.125, np.nan])).to_pylist()
    ['13 %', '—']
    """
    values = np.asarray(shares, dtype=np.float64) * 100.0
    missing = np.isnan(values)
    with np.errstate(invalid="ignore"):
        whole = np.floor(values + 0.5 + 1e-9)
        crosses = np.zeros(len(values), dtype=bool)
        if guard is not None:
            edge = guard * 100 - 1e-9
            crosses = ((values < edge) != (whole < edge)) & ~missing
    digits = pc.cast(pa.array(np.where(missing, 0.0, whole).astype(np.int64)), pa.string())
    texts = pc.if_else(pa.array(missing), "—", pc.binary_join_element_wise(digits, " %", ""))
    if crosses.any():
        exact = [percent(v / 100.0, guard) for v in values[crosses].tolist()]
        texts = pc.replace_with_mask(texts, pa.array(crosses), pa.array(exact, pa.string()))
    return texts


def cell_phrase_texts(cells: pa.Table, guard: float | None = None) -> pa.Array:
    """:func:`cell_phrases` as an Arrow string array: built by Arrow kernels when the columns
    have their usual types (whole numbers and texts), one by one otherwise.

    >>> t = pa.table({"procedure": ["ВПР"], "year": [2024], "subject": ["Математика"],
    ...     "grade": [None], "failures": [9], "participants": [21],
    ...     "failure_source": ["mark_2"]}, schema=pa.schema([("procedure", pa.string()),
    ...     ("year", pa.int64()), ("subject", pa.string()), ("grade", pa.int64()),
    ...     ("failures", pa.int64()), ("participants", pa.int64()),
    ...     ("failure_source", pa.string())]))
    >>> cell_phrase_texts(t).to_pylist()
    ['ВПР 2024, Математика: 9 из 21 (43 %) получили «2»']
    """
    if _usual_cell_types(cells):
        return _cell_phrase_texts(cells, guard)
    return pa.array(cell_phrases(cells, guard), pa.string())


def _usual_cell_types(cells: pa.Table) -> bool:
    names = ("year", "grade", "failures", "participants")
    return all(pa.types.is_integer(cells.schema.field(n).type) for n in names) and all(
        pa.types.is_string(cells.schema.field(n).type)
        for n in ("procedure", "subject", "failure_source")
    )


def cell_phrases(cells: pa.Table, guard: float | None = None) -> list[str]:
    """:func:`cell_phrase` for every row of a cell table, one pass over its columns.

    >>> t = pa.table({"procedure": ["ЕГЭ"], "year": [2024], "subject": ["Химия"],
    ...     "grade": [11], "failures": [3], "participants": [10],
    ...     "failure_source": ["below_min"]})
    >>> cell_phrases(t)
    ['ЕГЭ 2024, Химия, 11 кл.: 3 из 10 (30 %) не преодолели минимальный порог']
    """
    if _usual_cell_types(cells):
        return _cell_phrase_texts(cells, guard).to_pylist()
    failures = cells.column("failures").to_pylist()
    participants = cells.column("participants").to_pylist()
    shares = np.array(
        [
            f / n if f is not None and n else np.nan
            for f, n in zip(failures, participants, strict=True)
        ],
        dtype=np.float64,
    )
    shown = percents(shares, guard)
    columns = zip(
        cells.column("procedure").to_pylist(),
        cells.column("year").to_pylist(),
        cells.column("subject").to_pylist(),
        cells.column("grade").to_pylist(),
        failures,
        participants,
        cells.column("failure_source").to_pylist(),
        shown,
        strict=True,
    )
    phrases = []
    for procedure, year, subject, grade, x, n, source, share in columns:
        grade_text = f", {grade} кл." if grade is not None else ""
        phrases.append(
            f"{procedure} {year}, {subject}{grade_text}: {x} из {n} ({share}) "
            f"{failed_phrase(source)}"
        )
    return phrases


def _cell_phrase_texts(cells: pa.Table, guard: float | None) -> pa.Array:
    """The phrases of integer/text cell columns built by Arrow kernels (the same text as the
    f-strings of :func:`cell_phrase`, «None» for a missing value)."""

    def text(name: str) -> pa.ChunkedArray:
        return pc.fill_null(pc.cast(cells.column(name), pa.string()), "None")

    x = cells.column("failures").cast(pa.float64()).to_numpy(zero_copy_only=False)
    n = cells.column("participants").cast(pa.float64()).to_numpy(zero_copy_only=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(~np.isnan(x) & ~np.isnan(n) & (n != 0), x / n, np.nan)
    grade = cells.column("grade")
    grade_text = pc.if_else(
        pc.is_valid(grade),
        pc.binary_join_element_wise(", ", pc.cast(grade, pa.string()), " кл.", ""),
        "",
    )
    threshold = pc.fill_null(pc.equal(cells.column("failure_source"), THRESHOLD_SOURCE), False)
    failed = pc.if_else(threshold, failed_phrase(THRESHOLD_SOURCE), failed_phrase(None))
    parts = [
        text("procedure"), " ", text("year"), ", ", text("subject"), grade_text, ": ",
        text("failures"), " из ", text("participants"), " (", percent_texts(shares, guard),
        ") ", failed,
    ]  # fmt: skip
    return whole_array(pc.binary_join_element_wise(*parts, ""))


def joined_present(columns: list[pa.Array], separator: str, length: int) -> pa.Array:
    """The present (not null) texts of each row of ``columns`` joined by ``separator``; "" when
    a row has none.

    The present texts are gathered into one list per row (positions from NumPy, one Arrow
    ``take``) and each list joined once: the texts are copied twice whatever the number of
    columns. (Arrow's own ``null_handling="skip"`` is not used: the Arrow of this project
    drops the rows whose texts are all null from its answer, which would shift every later
    row.)

    >>> texts = [pa.array(["a", None, None]), pa.array(["b", "c", None])]
    >>> joined_present(texts, ";", 3).to_pylist()
    ['a;b', 'c', '']
    """
    if not columns:
        return pa.array([""] * length, pa.string())
    arrays = [whole_array(column).cast(pa.string()) for column in columns]
    present = np.column_stack(
        [pc.is_valid(array).to_numpy(zero_copy_only=False) for array in arrays]
    )
    # Row-major positions in the concatenated columns: each row's texts in column order.
    positions = np.arange(len(arrays))[None, :] * length + np.arange(length)[:, None]
    offsets = np.zeros(length + 1, dtype=np.int32)
    np.cumsum(present.sum(axis=1), out=offsets[1:])
    texts = pa.concat_arrays(arrays).take(pa.array(positions[present]))
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), texts), separator)


def number_texts(values: np.ndarray | pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Whole numbers as their decimal texts (nulls stay null).

    >>> number_texts(np.array([3, 12])).to_pylist()
    ['3', '12']
    """
    if isinstance(values, np.ndarray):
        values = pa.array(values)
    return pc.cast(values, pa.string())


def whole_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The values as one Arrow array (the chunks of a chunked array combined)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
