"""Vectorised validation of a file's text cells in DuckDB.

The source relation (the CSV scan or the sheet) has one text column per file column. One query
turns it into the table ``parsed``: per spec column the typed value when it is valid, and
``<name>__raw``, the text of a cell that is present but invalid. Its ``rowid`` is the file order,
so the spreadsheet row number is ``rowid + 2``. Error rows are then found by a handful of
set-based queries; there is no per-row Python on this path.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from opora.formats.columns import KEYS, Column, columns, schema
from opora.formats.procedures import Procedure
from opora.formats.report import RowError, plural

TRIM_CHARS = " \t\r\n\u00a0\u202f\ufeff"
_GROUPED_NUMBER = "[-+]?\\d{1,3}([ \u00a0\u202f]\\d{3})+([.,]\\d+)?"
_EXACT_INTEGERS = 2**53
# Two capitalised words, Cyrillic or Latin («Иванов Иван», «Петрова А.», «Ivanov Ivan»).
PERSONAL_NAME = r"[А-ЯЁ][а-яё]+\s+[А-ЯЁ]|[A-Z][a-z]+\s+[A-Z][a-z]"
SETTLEMENTS = ("город", "село")
_GENDER_VERB = {"класс": "должен", "год": "должен", "доля": "должна", "широта": "должна",
                "долгота": "должна", "отметка": "должна", "отметка в журнале": "должна"}  # fmt: skip


def quote(text: str) -> str:
    """A SQL string literal.

    >>> quote("Школа «О'Нил»")
    "'Школа «О''Нил»'"
    """
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Plan:
    """What to validate: the kind, where each spec column is in the source, how its header is
    written, the procedure catalogue and the allowed years."""

    kind: str
    sources: dict[str, str]
    written: dict[str, str]
    procedures: Mapping[str, Procedure]
    year_range: tuple[int, int]

    @property
    def columns(self) -> list[Column]:
        return columns(self.kind)

    def present(self, name: str) -> bool:
        return name in self.sources

    def header(self, name: str) -> str:
        return self.written.get(name) or next(c.russian for c in self.columns if c.name == name)

    def bounds(self, column: Column) -> tuple[float | None, float | None]:
        if column.name == "year":
            return self.year_range
        return column.minimum, column.maximum

    def has_raw(self, column: Column) -> bool:
        return column.is_number or column.name in ("settlement", "procedure", "student_id")


def _outputs(plan: Plan, column: Column) -> str:
    """The typed value of a column and, when it can be invalid, the text of invalid cells."""
    name, text = column.name, ident(column.name + "__t")
    value, raw = ident(name), ident(name + "__raw")
    if column.is_number:
        number = ident(name + "__d")
        valid = _valid_sql(plan, column, number)
        sql_type = "BIGINT" if column.type == "int" else "DOUBLE"
        return (
            f"CASE WHEN {valid} THEN CAST({number} AS {sql_type}) END AS {value}, "
            f"CASE WHEN {text} IS NOT NULL AND NOT ({valid}) THEN {text} END AS {raw}"
        )
    if name == "settlement":
        allowed = ", ".join(quote(s) for s in SETTLEMENTS)
        return (
            f"CASE WHEN lower({text}) IN ({allowed}) THEN lower({text}) END AS {value}, "
            f"CASE WHEN lower({text}) NOT IN ({allowed}) THEN {text} END AS {raw}"
        )
    if name == "procedure":
        canonical, scoring = _catalogue(plan)
        return (
            f"{canonical} AS {value}, CASE WHEN {canonical} IS NULL THEN {text} END AS {raw}, "
            f"{scoring} AS procedure__scoring"
        )
    if name == "student_id":
        looks_named = f"regexp_matches({text}, {quote(PERSONAL_NAME)})"
        return f"{text} AS {value}, CASE WHEN {looks_named} THEN {text} END AS {raw}"
    return f"{text} AS {value}"


def number_sql(text: str) -> str:
    """SQL turning a trimmed text into a finite DOUBLE (decimal point or comma, digits grouped
    by spaces allowed) or NULL."""
    grouped = (
        f"CASE WHEN regexp_full_match({text}, {quote(_GROUPED_NUMBER)}) THEN "
        f"TRY_CAST(replace(regexp_replace({text}, '[ \u00a0\u202f]', '', 'g'), ',', '.') "
        "AS DOUBLE) END"
    )
    value = f"COALESCE(TRY_CAST(replace({text}, ',', '.') AS DOUBLE), {grouped})"
    return f"(CASE WHEN isfinite({value}) THEN {value} END)"


def _valid_sql(plan: Plan, column: Column, number: str) -> str:
    parts = [f"{number} IS NOT NULL"]
    if column.type == "int":
        parts.append(f"{number} = trunc({number}) AND abs({number}) < {_EXACT_INTEGERS}")
    low, high = plan.bounds(column)
    if low is not None:
        parts.append(f"{number} >= {low}")
    if high is not None:
        parts.append(f"{number} <= {high}")
    return " AND ".join(parts)


def _catalogue(plan: Plan) -> tuple[str, str]:
    """SQL CASE expressions: canonical procedure name and its scoring, from the text."""
    text = ident("procedure__t")
    names = " ".join(
        f"WHEN {quote(p.name.strip().lower())} THEN {quote(p.name)}"
        for p in plan.procedures.values()
    )
    scorings = " ".join(
        f"WHEN {quote(p.name.strip().lower())} THEN {quote(p.scoring)}"
        for p in plan.procedures.values()
    )
    if not names:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    return f"(CASE lower({text}) {names} END)", f"(CASE lower({text}) {scorings} END)"


def parsed_sql(plan: Plan, source: str) -> str:
    """``CREATE TABLE parsed AS …`` over the text relation ``source``."""
    texts = []
    for column in plan.columns:
        alias = ident(column.name + "__t")
        if plan.present(column.name):
            cell = f"CAST({ident(plan.sources[column.name])} AS VARCHAR)"
            texts.append(f"NULLIF(trim({cell}, {quote(TRIM_CHARS)}), '') AS {alias}")
        else:
            texts.append(f"CAST(NULL AS VARCHAR) AS {alias}")
    numbers = [
        f"{number_sql(ident(c.name + '__t'))} AS {ident(c.name + '__d')}"
        for c in plan.columns
        if c.is_number
    ]
    outputs = [_outputs(plan, column) for column in plan.columns]
    blank = "COALESCE(" + ", ".join(ident(c.name + "__t") for c in plan.columns) + ") IS NULL"
    return (
        f"CREATE TABLE parsed AS SELECT {', '.join(outputs)}, {blank} AS __blank "
        f"FROM (SELECT *, {', '.join(numbers) or 'NULL AS __none'} "
        f"FROM (SELECT {', '.join(texts)} FROM {source}))"
    )


@dataclass(frozen=True)
class Check:
    """One rule: rows where ``condition`` holds get ``message`` about ``column``."""

    column: str | None
    condition: str
    message: str
    value: str


def _number_message(plan: Plan, column: Column) -> str:
    number = number_sql(ident(column.name + "__raw"))
    cases = [f"WHEN {number} IS NULL THEN {quote(_NOT_A_NUMBER)}"]
    if column.type == "int":
        whole = "год должен быть целым числом, например 2024." if column.name == "year" else (
            "нужно целое число."
        )
        cases.append(
            f"WHEN {number} <> trunc({number}) OR abs({number}) >= {_EXACT_INTEGERS} "
            f"THEN {quote(whole)}"
        )
    low, high = plan.bounds(column)
    if low == 0 and high is None:
        cases.append(f"WHEN {number} < 0 THEN {quote(column.noun + ' не может быть отрицательным.')}")
    elif low is not None and high is not None:
        cases.append(f"ELSE {quote(_range_message(column, low, high))}")
    return "CASE " + " ".join(cases) + " END"


_NOT_A_NUMBER = "это не число. Укажите число (дробную часть — через точку или запятую)."


def _range_message(column: Column, low: float, high: float) -> str:
    verb = _GENDER_VERB.get(column.noun, "должно")
    tail = " (в процентах)" if column.noun == "доля" else ""
    return f"{column.noun} {verb} быть от {_number_text(low)} до {_number_text(high)}{tail}."


def _number_text(value: float) -> str:
    return str(int(value)).replace("-", "−") if float(value).is_integer() else str(value)


def checks(plan: Plan) -> list[Check]:
    """Every row-wise rule of ``plan.kind`` as SQL over ``parsed``."""
    found: list[Check] = []
    for column in plan.columns:
        name = ident(column.name)
        raw = ident(column.name + "__raw")
        empty = f"{name} IS NULL" + (f" AND {raw} IS NULL" if plan.has_raw(column) else "")
        if column.required:
            found.append(
                Check(column.name, empty, quote("ячейка пуста, а столбец обязателен. Заполните её."), "NULL")
            )
        if plan.has_raw(column):
            found.append(Check(column.name, f"{raw} IS NOT NULL", _invalid_message(plan, column), raw))
        if column.required_for and plan.present(column.name):
            kind_text = (
                "процедура с отметками «2»–«5»"
                if column.required_for == "graded"
                else "процедура с минимальным порогом"
            )
            found.append(
                Check(
                    column.name,
                    f"procedure__scoring = {quote(column.required_for)} AND {empty}",
                    f"'ячейка пуста, а для процедуры «' || procedure || "
                    f"{quote('» она обязательна (' + kind_text + ').')}",
                    "NULL",
                )
            )
    return found + _cross_checks(plan)


def _invalid_message(plan: Plan, column: Column) -> str:
    if column.is_number:
        return _number_message(plan, column)
    if column.name == "settlement":
        return quote("тип поселения должен быть «город» или «село».")
    if column.name == "procedure":
        known = ", ".join(p.name for p in plan.procedures.values()) or "нет"
        return quote(
            f"неизвестная процедура. Известные процедуры: {known}. "
            "Исправьте название или добавьте процедуру в справочник."
        )
    return quote(
        "код обучающегося похож на фамилию и имя. Файл должен быть обезличенным: "
        "замените ФИО кодами."
    )


def _cross_checks(plan: Plan) -> list[Check]:
    if plan.kind != "results":
        return []
    found = []
    marks = [f"mark_{m}" for m in range(2, 6)]
    if all(plan.present(m) for m in marks):
        total = " + ".join(marks)
        found.append(
            Check(
                "participants",
                f"procedure__scoring = 'graded' AND participants IS NOT NULL AND "
                + " AND ".join(f"{m} IS NOT NULL" for m in marks)
                + f" AND {total} <> participants",
                "format('сумма отметок «2»–«5» ({} + {} + {} + {} = {}) не равна числу "
                "участников ({}). Исправьте количества отметок или число участников.', "
                f"{', '.join(marks)}, {total}, participants)",
                "CAST(participants AS VARCHAR)",
            )
        )
    if plan.present("below_min"):
        found.append(
            Check(
                "below_min",
                "below_min > participants",
                "format('участников ниже минимального порога больше, чем всех участников ({}).', "
                "participants)",
                "CAST(below_min AS VARCHAR)",
            )
        )
    return found


def row_errors(con: duckdb.DuckDBPyConnection, plan: Plan) -> list[tuple]:
    """``(row, column, value, message, order)`` for every failed row-wise check."""
    rules = checks(plan)
    any_rule = " OR ".join(f"COALESCE({r.condition}, false)" for r in rules)
    con.execute(
        f"CREATE TABLE bad AS SELECT rowid + 2 AS __row, * FROM parsed "
        f"WHERE NOT __blank AND ({any_rule})"
    )
    parts = [
        f"SELECT __row, {quote(r.column or '')}, {r.value}, {r.message}, {i} "
        f"FROM bad WHERE COALESCE({r.condition}, false)"
        for i, r in enumerate(rules)
    ]
    return con.execute(" UNION ALL ".join(parts)).fetchall()


def unknown_schools(
    con: duckdb.DuckDBPyConnection, known: Collection[str], order: int
) -> list[tuple]:
    ids = pa.table({"school_id": pa.array(sorted({str(k) for k in known}), pa.string())})
    con.register("known_schools", ids)
    message = "код ОО не найден в реестре школ. Сначала загрузите реестр школ или исправьте код."
    return con.execute(
        f"SELECT p.rowid + 2, 'school_id', p.school_id, {quote(message)}, {order} FROM parsed p "
        "WHERE NOT p.__blank AND p.school_id IS NOT NULL "
        "AND p.school_id NOT IN (SELECT school_id FROM known_schools)"
    ).fetchall()


_KEY_WORDS = {
    "school_id": "код ОО",
    "student_id": "код обучающегося",
    "year": "год",
    "procedure": "процедура",
    "subject": "предмет",
    "grade": "класс",
}


def duplicates(con: duckdb.DuckDBPyConnection, plan: Plan, order: int) -> list[tuple]:
    """Rows that repeat the key of an earlier row, naming that row."""
    keys = KEYS[plan.kind]
    spec = {c.name: c for c in columns(plan.kind)}
    parts = [ident(k) for k in keys] + [
        ident(k + "__raw") for k in keys if plan.has_raw(spec[k])
    ]
    filled = " AND ".join(
        f"({ident(k)} IS NOT NULL" + (f" OR {ident(k + '__raw')} IS NOT NULL)" if plan.has_raw(spec[k]) else ")")
        for k in keys
    )
    shown = ", ".join(
        f"COALESCE(CAST({ident(k)} AS VARCHAR), {ident(k + '__raw')})"
        if plan.has_raw(spec[k])
        else ident(k)
        for k in keys
    )
    groups = con.execute(
        f"SELECT list(rowid + 2 ORDER BY rowid), concat_ws(', ', {shown}) FROM parsed "
        f"WHERE NOT __blank AND {filled} GROUP BY {', '.join(parts)} HAVING count(*) > 1"
    ).fetchall()
    words = [_KEY_WORDS[k] for k in keys]
    same = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " и " + words[-1]
    verb = "совпадает" if len(words) == 1 else "совпадают"
    found = []
    for rows, key in groups:
        for row in rows[1:]:
            message = (
                f"повторяет строку {rows[0]}: {verb} {same} ({key}). "
                "Оставьте одну из строк."
            )
            found.append((row, None, None, message, order))
    return found


def missing_conditional_columns(con: duckdb.DuckDBPyConnection, plan: Plan) -> list[RowError]:
    """A column required by some rows' procedure but absent from the file: one error."""
    found = []
    for column in plan.columns:
        if not column.required_for or plan.present(column.name) or not plan.present("procedure"):
            continue
        count, rows, names = con.execute(
            "SELECT count(*), list(rowid + 2 ORDER BY rowid)[1:5], "
            "list(DISTINCT procedure ORDER BY procedure) FROM parsed "
            f"WHERE NOT __blank AND procedure__scoring = {quote(column.required_for)}"
        ).fetchall()[0]
        if not count:
            continue
        listed = ", ".join(str(r) for r in rows) + (f" и ещё {count - len(rows)}" if count > len(rows) else "")
        found.append(
            RowError(
                None,
                None,
                None,
                f"в файле нет столбца «{column.russian}» ({column.name}), а он нужен для "
                f"процедур {', '.join(names)} ({plural(count, 'строка', 'строки', 'строк')} "
                f"{listed}). Добавьте столбец.",
            )
        )
    return found


def typed_table(con: duckdb.DuckDBPyConnection, plan: Plan) -> pa.Table:
    """The valid rows as the typed Arrow table of the format, in file order."""
    names = ", ".join(ident(c.name) for c in plan.columns)
    relation = con.sql(
        f"SELECT {names}, CAST(rowid + 2 AS BIGINT) AS row_number FROM parsed WHERE NOT __blank"
    )
    # DuckDB 2 renamed fetch_arrow_table() to to_arrow_table().
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return fetch().cast(schema(plan.kind))
