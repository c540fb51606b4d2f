"""``read_table``: a CSV or spreadsheet file in, a typed table or every error out."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.formats.clean_csv import clean_csv_table
from opora.formats.columns import check_kind, schema
from opora.formats.diagnosis import diagnose
from opora.formats.headers import match_headers
from opora.formats.plan import Plan, quiet_connection, quote
from opora.formats.procedures import DEFAULT_PROCEDURES, Procedure
from opora.formats.report import ParseResult, RowError
from opora.formats.screening import screen
from opora.formats.sources import (
    Source,
    SourceFile,
    UnreadableFile,
    decode_text,
    head_text,
    header_fields,
    is_spreadsheet,
    load_source,
    looks_utf8,
)
from opora.formats.spreadsheet import read_sheet
from opora.formats.table_checks import duplicates, missing_conditional_columns, unknown_schools

_DELIMITER_NAMES = {";": "«;»", ",": "«,»", "\t": "табуляция"}


class _NotUtf8(Exception):
    """The file looked like UTF-8 at the start but is not: decode it in Python and retry."""


def read_table(
    kind: str,
    source: Source,
    *,
    filename: str | None = None,
    known_school_ids: Collection[str] | None = None,
    procedures: Mapping[str, Procedure] | None = None,
    year_range: tuple[int, int] | None = None,
    dictionary_texts: bool = False,
) -> ParseResult:
    """Read and validate a file of one of the interchange formats.

    ``source`` is a path, the file's bytes or a binary file object; CSV (UTF-8/Windows-1251,
    ``;``/``,``) or XLSX/XLS/ODS is recognised from the content. ``known_school_ids`` turns on
    the check that every school is in the register; ``procedures`` is the procedure catalogue
    (default ``DEFAULT_PROCEDURES``); ``year_range`` the allowed years, inclusive (default
    2000 … next year). The result's ``table`` has the spec columns in spec order, typed, plus
    ``row_number`` (the spreadsheet row, header = 1); it is ``None`` when there is any error.
    ``dictionary_texts`` keeps the texts of ``clean_csv.DICTIONARY_TEXTS`` as Arrow dictionary
    arrays when the file was read by the fast path (plain texts otherwise): cheaper to group
    and to join for the analytics, which accept both.

    >>> r = read_table("context", "Код ОО;Год;На учёте в КДН, %\\n0101;2024;1,5\\n".encode())
    >>> r.ok, r.table.column("juvenile_commission").to_pylist(), r.table["row_number"][0].as_py()
    (True, [1.5], 2)
    >>> print(read_table("context", b"school_id,year\\n0101,20x4\\n").error_report())
    Файл не принят: найдена 1 ошибка. Исправьте файл и загрузите его снова.
    Строка 2, столбец «year», значение «20x4»: это не число. Укажите число (дробную часть — через точку или запятую).
    """
    check_kind(kind)
    plan_inputs = (
        DEFAULT_PROCEDURES if procedures is None else procedures,
        year_range or (2000, dt.date.today().year + 1),
    )
    try:
        file = load_source(source, filename)
        try:
            return _read(kind, file, plan_inputs, known_school_ids, False, dictionary_texts)
        except _NotUtf8:
            return _read(kind, file, plan_inputs, known_school_ids, True, dictionary_texts)
    except UnreadableFile as problem:
        return ParseResult(kind, None, [RowError(None, None, None, str(problem))], [])


def _read(
    kind: str,
    file: SourceFile,
    plan_inputs: tuple[Mapping[str, Procedure], tuple[int, int]],
    known_school_ids: Collection[str] | None,
    decode: bool,
    dictionary_texts: bool,
) -> ParseResult:
    # The clean CSV fast path needs no DuckDB: a connection is opened for the careful path only.
    with tempfile.TemporaryDirectory(prefix="opora-formats-") as workdir:
        delimiter = None
        sheet = None
        if is_spreadsheet(file):
            headers, sheet = read_sheet(file)
            source = "sheet"
        else:
            headers, path, delimiter = _csv_file(kind, file, Path(workdir), decode)
            source = _csv_relation(path, delimiter, len(headers))
        if not any(h.strip() for h in headers):
            raise UnreadableFile("Файл пуст: в первой строке должны быть заголовки столбцов.")
        match = match_headers(kind, headers)
        if match.errors:
            return ParseResult(kind, None, match.errors, match.warnings)
        plan = Plan(
            kind,
            {name: f"c{index}" for name, index in match.positions.items()},
            match.written,
            *plan_inputs,
        )
        if delimiter is not None:
            clean = clean_csv_table(plan, path, delimiter, len(headers), known_school_ids)
            if clean is not None:
                return _accepted(kind, clean, match.warnings, keep_dictionaries=dictionary_texts)
        with quiet_connection() as con:
            if sheet is not None:
                index = pa.array(np.arange(sheet.num_rows, dtype=np.int64))
                con.register("sheet", sheet.append_column("__index", index))
            screened = screen(con, plan, source)
            if delimiter is not None:
                broken = _structural_errors(con, delimiter, len(headers), decode)
                if broken:
                    return ParseResult(kind, None, broken, match.warnings)
            found, typed = _diagnose_suspects(
                con, plan, source, screened, csv=delimiter is not None
            )
            repeats = _may_repeat_keys(typed)
            typed = typed.drop_columns(["__key"])
            con.register("typed", typed)
            errors = _errors(con, plan, found, known_school_ids, repeats)
            if errors:
                return ParseResult(kind, None, errors, match.warnings)
            return _accepted(kind, typed, match.warnings)


def _accepted(
    kind: str, typed: pa.Table, warnings: list[str], *, keep_dictionaries: bool = False
) -> ParseResult:
    warnings = list(warnings)
    if typed.num_rows == 0:
        warnings.append("В файле нет строк с данными: заполнен только заголовок.")
    target = schema(kind)
    if keep_dictionaries:
        target = pa.schema(
            [
                typed.schema.field(f.name)
                if pa.types.is_dictionary(typed.schema.field(f.name).type)
                else f
                for f in target
            ]
        )
    return ParseResult(kind, typed.cast(target), [], warnings)


def _diagnose_suspects(
    con: duckdb.DuckDBPyConnection, plan: Plan, source: str, screened: pa.Table, *, csv: bool
) -> tuple[list[tuple], pa.Table]:
    """Errors of the suspect rows, and the typed table without blank rows and helper columns."""
    blank = screened.column("__blank").combine_chunks()
    suspect = pc.and_(screened.column("__suspect").combine_chunks(), pc.invert(blank))
    found: list[tuple] = []
    if pc.any(suspect).as_py():
        if csv:
            # Scan the file again (only now, when something is wrong) to keep the raw text.
            con.execute(f"CREATE TABLE raw AS SELECT * FROM {source}")
            source = "(SELECT rowid AS __index, * FROM raw)"
        con.register("suspects", pa.table({"__index": pc.indices_nonzero(suspect)}))
        rows = f"(SELECT * FROM {source} WHERE __index IN (SELECT __index FROM suspects))"
        found, spaces_only = diagnose(con, plan, rows)
        if spaces_only:
            numbers = pa.array(spaces_only, pa.int64())
            blank = pc.or_(blank, pc.is_in(screened.column("row_number"), numbers))
    typed = screened.drop_columns(["__blank", "__suspect"])
    if pc.any(blank).as_py():
        typed = typed.filter(pc.invert(blank))
    return found, typed


def _may_repeat_keys(typed: pa.Table) -> bool:
    """Whether two rows share a key hash (cheap, in Arrow); only then is grouping needed."""
    hashes = np.sort(pc.drop_null(typed.column("__key")).combine_chunks().to_numpy())
    return bool(np.any(hashes[1:] == hashes[:-1]))


def _csv_file(
    kind: str, file: SourceFile, workdir: Path, decode: bool
) -> tuple[list[str], Path, str]:
    """The header cells, a UTF-8 file DuckDB can read and the separator."""
    if not decode and looks_utf8(file):
        text, path = head_text(file), file.path_in(workdir)
    else:
        text, _ = decode_text(file.read_bytes(), kind)
        path = workdir / "utf8.csv"
        path.write_bytes(text.encode("utf-8"))
    headers, delimiter = header_fields(text, kind)
    return headers, path, delimiter


def _csv_relation(path: Path, delimiter: str, width: int) -> str:
    """``read_csv`` of the file: every column text, rejected lines kept in ``reject_errors``."""
    names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    return (
        f"read_csv({quote(str(path))}, auto_detect = false, header = true, "
        f"delim = {quote(delimiter)}, quote = '\"', escape = '\"', columns = {{{names}}}, "
        "store_rejects = true)"
    )


def _structural_errors(
    con: duckdb.DuckDBPyConnection, delimiter: str, width: int, decoded: bool
) -> list[RowError]:
    rejects = con.execute(
        "SELECT line, CAST(error_type AS VARCHAR), csv_line FROM reject_errors ORDER BY line"
    ).fetchall()
    if not decoded and any(kind == "INVALID ENCODING" for _, kind, _ in rejects):
        raise _NotUtf8
    separator = _DELIMITER_NAMES[delimiter]
    messages = {
        "MISSING COLUMNS": f"в строке меньше значений, чем столбцов в заголовке ({width}). "
        f"Проверьте разделитель ({separator}) и кавычки.",
        "TOO MANY COLUMNS": f"в строке больше значений, чем столбцов в заголовке ({width}). "
        f"Проверьте разделитель ({separator}) и кавычки"
        + (
            "; если в числах десятичная запятая, сохраните файл с разделителем «;»."
            if delimiter == ","
            else "."
        ),
        "UNQUOTED VALUE": "неверно расставлены кавычки: значение с кавычками должно целиком "
        "стоять в кавычках, а кавычки внутри него — удваиваться.",
        "LINE SIZE OVER MAXIMUM": "строка слишком длинная — вероятно, не закрыта кавычка.",
    }
    found, seen = [], set()
    for line, kind, csv_line in rejects:
        if line in seen:
            continue
        seen.add(line)
        message = messages.get(kind, f"строку не удалось разобрать ({kind}).")
        found.append(RowError(int(line), None, (csv_line or "").strip("\r\n"), message))
    return found


def _errors(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    found: list[tuple],
    known_school_ids: Collection[str] | None,
    repeats: bool,
) -> list[RowError]:
    order = len(plan.columns) * 3 + 10
    if known_school_ids is not None and plan.kind != "schools":
        found = found + unknown_schools(con, known_school_ids, order)
    if repeats:
        found = found + duplicates(con, plan, order + 1)
    found.sort(key=lambda e: (e[0], _position(plan, e[1]), e[4], e[3]))
    errors = missing_conditional_columns(con, plan)
    errors += [
        RowError(row, plan.header(column) if column else None, value, message)
        for row, column, value, message, _ in found
    ]
    return errors


def _position(plan: Plan, column: str | None) -> int:
    """Where a column is in the file, so that a row's errors read left to right."""
    source = plan.sources.get(column or "")
    return int(source[1:]) if source else len(plan.sources)
