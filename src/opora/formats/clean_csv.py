"""The fastest path, for the common case of a clean CSV file.

Arrow's CSV reader (multi-threaded, about twice as fast as DuckDB's on these files) parses
the file with the spec's types: counts as whole numbers, scores as doubles, the rest as text.
The rules are then checked column by column on the Arrow table (a minimum, a maximum, «all
finite», no empty required cell …), far cheaper than a condition per row, and the keys are
checked for repeats on one exact whole number per key (:func:`key_numbers`; a repeat is left
to the careful path, which names it).
At the first sign of trouble (a cell the reader cannot parse — a decimal comma, a fraction
in a count, spaces around a number —, a line of the wrong width, an empty required cell, a
number out of range, a repeated key, a school missing from the register, a procedure needing
a column the file lacks …) it gives up and the reader takes the careful path (``screening`` +
``diagnosis`` on DuckDB), which names every error, or accepts the file all the same. When it
returns a table, that table is the one the careful path would return.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from opora.formats.columns import KEYS, Column
from opora.formats.plan import (
    EXACT_INTEGERS,
    PERSONAL_NAME,
    SETTLEMENTS,
    Plan,
)

_BLOCK_BYTES = 4 << 20  # Arrow's reader parses blocks of this size on all cores
# Texts with few distinct values in files of many rows: parsed straight into Arrow dictionary
# arrays (a third faster to read), and checked once per distinct value instead of once per row.
DICTIONARY_TEXTS: dict[str, tuple[str, ...]] = {
    "results": ("school_id", "procedure", "subject"),
    "students": ("school_id", "procedure", "subject"),
}


def clean_csv_table(
    plan: Plan,
    path: Path,
    delimiter: str,
    width: int,
    known_school_ids: Collection[str] | None,
) -> pa.Table | None:
    """The typed table with ``row_number`` of a UTF-8 CSV file (``width`` columns separated
    by ``delimiter``, one header line) without a single suspect row, or ``None``. The columns
    of :data:`DICTIONARY_TEXTS` are dictionary arrays (one dictionary for all chunks)."""
    raw = _read(plan, path, delimiter, width)
    if raw is None:
        return None
    table = _spec_table(plan, raw)
    if table is None:
        return None
    # The keys are checked in a thread while this one checks the values (both without the GIL).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="opora-keys") as pool:
        repeated = pool.submit(_repeated_keys, table, KEYS[plan.kind])
        registered = _registered(plan, table, known_school_ids)
        if registered is False:
            return None
        # A school id found in the register has no space around it (the register's ids are
        # checked like every text), so only the other texts are looked at then.
        table = _empty_text_as_null(plan, table, skip=("school_id",) if registered else ())
        if table is None or not _clean(plan, table) or repeated.result():
            return None
    numbers = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))
    helpers = [c for c in ("__suspect",) if c in table.column_names]
    return table.drop_columns(helpers).append_column("row_number", numbers)


def _read(plan: Plan, path: Path, delimiter: str, width: int) -> pa.Table | None:
    """The file's columns ``c<i>``: the spec's number columns typed, the others text, or
    ``None`` when the file is not clean: an empty line, a line of another width or an
    unparsable number.

    The file is first cut into blocks at every line break, which is a third faster. A line
    break inside a quoted cell that falls on a block boundary then splits a line in two, and
    the two parts cannot both have the file's width (their cells add up to one more than it):
    the reader fails, and the file is read again keeping quoted line breaks together.
    """
    for quoted_line_breaks in (False, True):
        try:
            return _parse(plan, path, delimiter, width, quoted_line_breaks)
        except (pa.ArrowException, OSError):  # a broken line or a cell that is not a number
            continue
    return None


def _parse(
    plan: Plan, path: Path, delimiter: str, width: int, quoted_line_breaks: bool
) -> pa.Table:
    types = {f"c{i}": pa.string() for i in range(width)}
    for column in plan.columns:
        if plan.present(column.name):
            types[plan.sources[column.name]] = column.arrow_type
            if column.name in DICTIONARY_TEXTS.get(plan.kind, ()):
                types[plan.sources[column.name]] = pa.dictionary(pa.int32(), pa.string())
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=list(types), skip_rows=1, block_size=_BLOCK_BYTES
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=quoted_line_breaks,
            ignore_empty_lines=False,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            null_values=[""],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            true_values=[],
            false_values=[],
            # Checked after the read, once per distinct text of the dictionary columns.
            check_utf8=False,
        ),
    )
    table = table.unify_dictionaries()
    _check_utf8(table)
    return table


def _check_utf8(table: pa.Table) -> None:
    """Raise ``ArrowInvalid`` when a text is not valid UTF-8 (what the reader's own check
    raises). The table's dictionaries are unified (as :func:`_parse` leaves them), so a
    dictionary column is checked once, on the dictionary all its chunks share.

    >>> bad = pa.array([b"\\xff"], pa.binary()).cast(pa.string(), safe=False)
    >>> _check_utf8(pa.table({"c0": bad}))
    Traceback (most recent call last):
    ...
    pyarrow.lib.ArrowInvalid: ...
    """
    for values in table.columns:
        if pa.types.is_dictionary(values.type):
            if values.num_chunks:
                values.chunk(0).dictionary.validate(full=True)
        elif pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            values.validate(full=True)


def _spec_table(plan: Plan, raw: pa.Table) -> pa.Table | None:
    """The spec columns in order (absent ones null); the procedure in its catalogue spelling,
    the settlement in lower case; students get ``__suspect`` (a name in place of an id).
    ``None`` when a procedure or a settlement is not one the format allows."""
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for column in plan.columns:
        if not plan.present(column.name):
            columns[column.name] = pa.nulls(raw.num_rows, column.arrow_type)
            continue
        values = raw.column(plan.sources[column.name])
        if column.name == "procedure":
            values = _spelled(values, _procedure_spelling(plan))
        elif column.name == "settlement":
            values = _spelled(values, {s: s for s in SETTLEMENTS}, fold=True)
        if values is None:
            return None
        columns[column.name] = values
    table = pa.table(columns)
    if plan.kind == "students":
        student = table.column("student_id")
        suspect = pc.and_(
            pc.match_substring(student, " "), pc.match_substring_regex(student, PERSONAL_NAME)
        )
        table = table.append_column("__suspect", pc.fill_null(suspect, False))
    return table


def _procedure_spelling(plan: Plan) -> dict[str, str]:
    """Catalogue names by their exact spelling, then by the folded one (as ``canonical_procedure``)."""
    spelling = {p.name.strip().lower(): p.name for p in plan.procedures.values()}
    spelling.update({p.name: p.name for p in plan.procedures.values()})
    return spelling


def _spelled(
    values: pa.ChunkedArray, spelling: dict[str, str], fold: bool = False
) -> pa.Array | None:
    """Each text in its allowed spelling (exact first, then lower-cased; worked out once per
    distinct text), or ``None`` when some present text has none. Empty texts become null.
    A dictionary column stays one, with each spelling once in its dictionary."""
    dictionary, indices = distinct_texts(values)
    mapped = []
    for text in dictionary.to_pylist():
        if text == "":
            mapped.append(None)
            continue
        found = spelling.get(text.lower() if fold else text) or spelling.get(text.lower())
        if found is None:
            return None
        mapped.append(found)
    if not pa.types.is_dictionary(values.type):
        return pa.array(mapped, pa.string()).take(indices)
    spellings = sorted({m for m in mapped if m is not None})
    position = [None if m is None else spellings.index(m) for m in mapped]
    new_indices = pa.array(position, indices.type).take(indices)
    return pa.DictionaryArray.from_arrays(new_indices, pa.array(spellings, pa.string()))


def distinct_texts(values: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
    """A text column as its distinct values and each row's position among them (null for an
    empty cell); a dictionary column gives its own (unified first when its chunks have
    different dictionaries).

    >>> texts, at = distinct_texts(pa.chunked_array([["б", "а", "б", None]]))
    >>> texts.to_pylist(), at.to_pylist()
    (['б', 'а'], [0, 1, 0, None])
    """
    if isinstance(values, pa.ChunkedArray) and pa.types.is_dictionary(values.type):
        if values.num_chunks == 0:
            return pa.array([], values.type.value_type), pa.array([], values.type.index_type)
        first = values.chunk(0).dictionary
        if any(not c.dictionary.equals(first) for c in values.chunks):
            values = pa.table({"v": values}).unify_dictionaries().column("v")
        chunks = values.chunks
        return chunks[0].dictionary, pa.concat_arrays([c.indices for c in chunks])
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        return values.dictionary, values.indices
    encoded = values.dictionary_encode()
    return encoded.dictionary, encoded.indices


def _repeated_keys(table: pa.Table, keys: tuple[str, ...]) -> bool:
    """Whether two rows share their key: the keys numbered exactly (:func:`key_numbers`),
    sorted, neighbours compared. A repeat sends the file to the careful path, which groups
    the rows and names the repeats."""
    if table.num_rows < 2:
        return False
    numbers = np.sort(key_numbers(table, keys))
    return bool(np.any(numbers[1:] == numbers[:-1]))


def key_numbers(table: pa.Table, names: Sequence[str]) -> np.ndarray:
    """One whole number per row, equal exactly when the rows agree in every column of
    ``names`` (an empty cell counts as a value; a column the table lacks is empty).

    Texts are numbered by their dictionary (a dictionary column has its codes already) in the
    order of the texts, whole numbers by their value, so that comparing the numbers of two
    rows compares their keys column by column, the texts byte by byte, an empty cell first.

    >>> t = pa.table({"s": ["б", "а", "б"], "g": [5, None, 5]})
    >>> key_numbers(t, ["s", "g"]).tolist()
    [5, 2, 5]
    """
    return key_numbers_within(table, names)[0]


def key_numbers_within(
    table: pa.Table,
    names: Sequence[str],
    within: tuple[np.ndarray, int] | None = None,
) -> tuple[np.ndarray, int]:
    """:func:`key_numbers` of ``names`` inside the numbers ``within`` (the numbers of some
    leading key columns and how many there can be), and how many numbers there can be now:
    the numbers of a key and of its first columns without numbering those twice.

    >>> t = pa.table({"s": ["б", "а", "б"], "g": [5, None, 5]})
    >>> first = key_numbers_within(t, ["s"])
    >>> first[0].tolist(), key_numbers_within(t, ["g"], first)[0].tolist()
    ([2, 1, 2], [5, 2, 5])
    """
    if within is None:
        key, size = np.zeros(table.num_rows, dtype=np.int64), 1
    else:
        key, size = within[0].copy(), within[1]  # the caller keeps its numbers
    for name in names:
        codes, count = _ordered_codes(table, name)
        if size * count >= 2**62:  # too many combinations for one number: renumber first
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64, copy=False)
            size = int(key.max()) + 1 if len(key) else 1
        key *= count  # in place: no fresh 2.4 million numbers per column nationally
        key += codes
        size *= count
    return key, size


def _ordered_codes(table: pa.Table, name: str) -> tuple[np.ndarray, int]:
    """The column as codes 0 … count − 1 in the order of its values, 0 for an empty cell."""
    if name not in table.column_names:
        return np.zeros(table.num_rows, dtype=np.int64), 1
    values = table.column(name)
    if pa.types.is_integer(values.type):
        extremes = pc.min_max(values)
        if extremes["min"].as_py() is None:  # every cell empty
            return np.zeros(len(values), dtype=np.int64), 1
        low, high = extremes["min"].as_py(), extremes["max"].as_py()
        shifted = pc.subtract(values.cast(pa.int64()), low - 1)
        if values.null_count:
            shifted = shifted.fill_null(0)
        return shifted.to_numpy(), high - low + 2
    dictionary, indices = distinct_texts(values)
    # The dictionary in its sorted order: code 1 … n by rank, 0 for an empty cell.
    rank = np.empty(len(dictionary), dtype=np.int64)
    rank[pc.sort_indices(dictionary).to_numpy()] = np.arange(1, len(dictionary) + 1)
    if not indices.null_count:
        return rank[indices.to_numpy()], len(dictionary) + 1
    at = indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = np.where(at >= 0, rank[np.maximum(at, 0)], 0)
    return codes, len(dictionary) + 1


def _registered(
    plan: Plan, table: pa.Table, known_school_ids: Collection[str] | None
) -> bool | None:
    """Whether every school id of the file is in the register (``None``: no register given,
    or a register file itself)."""
    if known_school_ids is None or plan.kind == "schools" or not table.num_rows:
        return None
    return all_registered(table, pa.array([str(k) for k in known_school_ids], pa.string()))


def all_registered(table: pa.Table, known: pa.Array) -> bool:
    """Whether every ``school_id`` of ``table`` is one of ``known``; a dictionary column is
    looked at once per distinct code (every value of a file's dictionary is in some row).

    >>> all_registered(pa.table({"school_id": ["01", "02"]}), pa.array(["01"]))
    False
    """
    ids = table.column("school_id")
    if pa.types.is_dictionary(ids.type):
        ids = distinct_texts(ids)[0]
    return (
        pc.all(pc.is_in(ids.cast(pa.string()), value_set=known.cast(pa.string()))).as_py()
        is not False
    )


def _empty_text_as_null(plan: Plan, table: pa.Table, skip: tuple[str, ...] = ()) -> pa.Table | None:
    """Text cells as the careful path leaves them: ``None`` (give up) when a cell starts or ends
    with a space, a tab or a no-break space (``trimmed_text_sql`` would trim it); an empty cell
    (``""`` in the file) becomes NULL. The columns of ``skip`` are known to be clean."""
    for column in plan.columns:
        if column.is_number or column.name in ("procedure", "settlement", *skip):
            continue
        values = table.column(column.name)
        if len(values) == values.null_count:
            continue
        # A dictionary column is looked at once per distinct text.
        texts = values.chunk(0).dictionary if pa.types.is_dictionary(values.type) else values
        for space in (" ", "\t", "\u00a0"):
            if _any(pc.starts_with(texts, space)) or _any(pc.ends_with(texts, space)):
                return None
        if len(texts) and pc.min(pc.binary_length(texts)).as_py() == 0:
            if pa.types.is_dictionary(values.type):
                values = values.cast(pa.string())  # rare: an empty text in a key column
            empty = pc.equal(pc.binary_length(values), 0)
            cleaned = pc.if_else(empty, pa.scalar(None, values.type), values)
            table = table.set_column(table.column_names.index(column.name), column.name, cleaned)
    return table


def _clean(plan: Plan, table: pa.Table) -> bool:
    """Whether no row of ``table`` is suspect: the rules of ``screening`` checked per column.

    An empty required cell (a blank row has one too), an unknown procedure or settlement, a
    number that is not finite or out of bounds, a procedure without the marks or the
    threshold count it needs, marks that do not add up to the participants, more participants
    below the threshold than participants. Counts are whole (int64) by now; their sums are
    exact, so equal sums here are equal sums of ``screening``'s doubles too.
    """
    if "__suspect" in table.column_names and _any(table.column("__suspect")):
        return False
    for column in plan.columns:
        values = table.column(column.name)
        if column.required and values.null_count:
            return False
        if (
            column.is_number
            and len(values) > values.null_count
            and not _valid(plan, column, values)
        ):
            return False
    if plan.kind in ("results", "students"):
        procedure = table.column("procedure")
        rows_of: dict[str, pa.ChunkedArray] = {}  # scoring → rows of such procedures
        for column in plan.columns:
            if not column.required_for:
                continue
            scoring = column.required_for
            if scoring not in rows_of:
                rows_of[scoring] = rows_in(procedure, _names(plan, scoring))
            if not plan.present(column.name):
                if _any(rows_of[scoring]):  # the file lacks a column some rows need
                    return False
            elif table.column(column.name).null_count and _any(
                pc.and_(rows_of[scoring], pc.is_null(table.column(column.name)))
            ):
                return False
    if plan.kind == "results":
        graded = rows_of.get("graded")
        if graded is None:
            graded = rows_in(procedure, _names(plan, "graded"))
        marks = [table.column(f"mark_{m}") for m in range(2, 6)]
        total = pc.add(pc.add(pc.add(marks[0], marks[1]), marks[2]), marks[3])
        participants = table.column("participants")
        if _any(pc.and_(graded, pc.not_equal(total, participants))):
            return False
        if _any(pc.greater(table.column("below_min"), participants)):
            return False
    return True


def _valid(plan: Plan, column: Column, values: pa.ChunkedArray) -> bool:
    """Whether every present value is a valid number of the column (``valid_number_sql``);
    the counts are int64 already, so whole and finite."""
    if column.type != "int" and not _all(pc.is_finite(values)):
        return False
    extremes = pc.min_max(values)
    smallest, largest = extremes["min"].as_py(), extremes["max"].as_py()
    low, high = plan.bounds(column)
    if column.type == "int" and (smallest <= -EXACT_INTEGERS or largest >= EXACT_INTEGERS):
        return False
    return (low is None or smallest >= low) and (high is None or largest <= high)


def rows_in(values: pa.ChunkedArray | pa.Array, names: pa.Array) -> pa.Array | pa.ChunkedArray:
    """Which rows hold one of ``names`` (null for an empty cell); a dictionary column is
    looked at once per distinct text and the answers spread by its codes (three times cheaper
    than Arrow's ``is_in``, which spells every row out first).

    >>> column = pa.chunked_array([pa.array(["ВПР", "ЕГЭ", "ВПР"]).dictionary_encode()])
    >>> rows_in(column, pa.array(["ВПР"])).to_pylist()
    [True, False, True]
    """
    if not pa.types.is_dictionary(values.type):
        return pc.is_in(values, value_set=names)
    dictionary, indices = distinct_texts(values)
    return pc.is_in(dictionary, value_set=names).take(indices)


def _names(plan: Plan, scoring: str) -> pa.Array:
    names = [p.name for p in plan.procedures.values() if p.scoring == scoring]
    return pa.array(names, pa.string())


def _any(values: pa.ChunkedArray | pa.Array) -> bool:
    return bool(pc.any(values).as_py())


def _all(values: pa.ChunkedArray | pa.Array) -> bool:
    return pc.all(values).as_py() is not False
