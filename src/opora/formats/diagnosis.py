"""The careful path: for the rows screening flagged, name every error exactly (row, column,
value as written, reason in Russian). Runs only when something looks wrong."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from opora.formats.columns import Column
from opora.formats.plan import (
    EXACT_INTEGERS,
    PERSONAL_NAME,
    SETTLEMENTS,
    TRIM_CHARS,
    Plan,
    careful_number_sql,
    ident,
    quote,
    valid_number_sql,
)

NOT_A_NUMBER = "это не число. Укажите число (дробную часть — через точку или запятую)."
_VERBS = {
    "класс": "должен",
    "год": "должен",
    "доля": "должна",
    "широта": "должна",
    "долгота": "должна",
    "отметка": "должна",
    "отметка в журнале": "должна",
}


def has_raw(column: Column) -> bool:
    """Whether a present cell of this column can still be invalid."""
    return column.is_number or column.name in ("settlement", "procedure", "student_id")


def _outputs(plan: Plan, column: Column) -> str:
    """The valid value of a column and ``<name>__raw``: the text of a cell present but invalid."""
    name, text = column.name, ident(column.name + "__t")
    value, raw = ident(name), ident(name + "__raw")
    if column.is_number:
        number = careful_number_sql(text)
        valid = valid_number_sql(plan, column, number)
        sql_type = "BIGINT" if column.type == "int" else "DOUBLE"
        return (
            f"CASE WHEN {valid} THEN CAST({number} AS {sql_type}) END AS {value}, "
            f"CASE WHEN {text} IS NOT NULL AND NOT {valid} THEN {text} END AS {raw}"
        )
    if name == "settlement":
        allowed = ", ".join(quote(s) for s in SETTLEMENTS)
        return (
            f"CASE WHEN lower({text}) IN ({allowed}) THEN lower({text}) END AS {value}, "
            f"CASE WHEN lower({text}) NOT IN ({allowed}) THEN {text} END AS {raw}"
        )
    if name == "procedure":
        canonical = plan.canonical_procedure(text)
        return f"{canonical} AS {value}, CASE WHEN {canonical} IS NULL THEN {text} END AS {raw}"
    if name == "student_id":
        looks_named = f"regexp_matches({text}, {quote(PERSONAL_NAME)})"
        return f"{text} AS {value}, CASE WHEN {looks_named} THEN {text} END AS {raw}"
    return f"{text} AS {value}"


def detail_sql(plan: Plan, source: str) -> str:
    """``CREATE TABLE detail`` over ``source`` (text cells plus ``__index``, the 0-based row of
    the file body): per column the valid value and the invalid text, ``__row``, ``__blank``."""
    texts = []
    for column in plan.columns:
        alias = ident(column.name + "__t")
        if plan.present(column.name):
            cell = f"CAST({ident(plan.sources[column.name])} AS VARCHAR)"
            texts.append(f"NULLIF(trim({cell}, {quote(TRIM_CHARS)}), '') AS {alias}")
        else:
            texts.append(f"CAST(NULL AS VARCHAR) AS {alias}")
    outputs = ", ".join(_outputs(plan, column) for column in plan.columns)
    blank = "COALESCE(" + ", ".join(ident(c.name + "__t") for c in plan.columns) + ") IS NULL"
    return (
        f"CREATE TABLE detail AS SELECT __index + 2 AS __row, {outputs}, {blank} AS __blank "
        f"FROM (SELECT __index, {', '.join(texts)} FROM {source})"
    )


@dataclass(frozen=True)
class Check:
    """One rule: rows of ``detail`` where ``condition`` holds get ``message`` about
    ``column``, showing ``value``."""

    column: str | None
    condition: str
    message: str
    value: str


def checks(plan: Plan) -> list[Check]:
    """Every row-wise rule of ``plan.kind`` as SQL over ``detail``."""
    found: list[Check] = []
    for column in plan.columns:
        name, raw = ident(column.name), ident(column.name + "__raw")
        empty = f"{name} IS NULL" + (f" AND {raw} IS NULL" if has_raw(column) else "")
        if column.required:
            message = quote("ячейка пуста, а столбец обязателен. Заполните её.")
            found.append(Check(column.name, empty, message, "NULL"))
        if has_raw(column):
            message = _invalid_message(plan, column)
            found.append(Check(column.name, f"{raw} IS NOT NULL", message, raw))
        if column.required_for and plan.present(column.name):
            what = (
                "процедура с отметками «2»–«5»"
                if column.required_for == "graded"
                else "процедура с минимальным порогом"
            )
            condition = f"procedure IN {plan.names_scored(column.required_for)} AND {empty}"
            message = (
                f"'ячейка пуста, а для процедуры «' || procedure || "
                f"{quote('» она обязательна (' + what + ').')}"
            )
            found.append(Check(column.name, condition, message, "NULL"))
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


def _number_message(plan: Plan, column: Column) -> str:
    raw = ident(column.name + "__raw")
    number = f"({careful_number_sql(raw)})"
    cases = []
    if column.noun == "доля":
        # «12,5%» from a formatted spreadsheet: say what to change rather than «not a number».
        percent = "уберите знак «%»: доля указывается числом от 0 до 100, например 12,5."
        cases.append(f"WHEN {raw} LIKE '%\\%' ESCAPE '\\' THEN {quote(percent)}")
    cases.append(f"WHEN {number} IS NULL OR NOT isfinite({number}) THEN {quote(NOT_A_NUMBER)}")
    if column.type == "int":
        whole = (
            "год должен быть целым числом, например 2024."
            if column.name == "year"
            else "нужно целое число."
        )
        cases.append(
            f"WHEN {number} <> trunc({number}) OR abs({number}) >= {EXACT_INTEGERS} "
            f"THEN {quote(whole)}"
        )
    low, high = plan.bounds(column)
    if low == 0 and high is None:
        negative = f"{column.noun} не может быть отрицательным."
        cases.append(f"WHEN {number} < 0 THEN {quote(negative)}")
    elif low is not None and high is not None:
        cases.append(f"ELSE {quote(range_message(column, low, high))}")
    if not cases[-1].startswith("ELSE"):
        cases.append("ELSE 'недопустимое значение.'")
    return "CASE " + " ".join(cases) + " END"


def range_message(column: Column, low: float, high: float) -> str:
    """«класс должен быть от 1 до 11.»

    >>> from opora.formats.columns import columns
    >>> range_message(columns("schools")[7], -90, 90)
    'широта должна быть от −90 до 90.'
    """
    verb = _VERBS.get(column.noun, "должно")
    tail = " (в процентах)" if column.noun == "доля" else ""
    return f"{column.noun} {verb} быть от {_number_text(low)} до {_number_text(high)}{tail}."


def _number_text(value: float) -> str:
    return str(int(value)).replace("-", "−") if float(value).is_integer() else str(value)


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
                f"procedure IN {plan.names_scored('graded')} AND {total} <> participants",
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
                "format('участников ниже минимального порога больше, чем всех участников "
                "({}).', participants)",
                "CAST(below_min AS VARCHAR)",
            )
        )
    return found


def diagnose(
    con: duckdb.DuckDBPyConnection, plan: Plan, source: str
) -> tuple[list[tuple], list[int]]:
    """Errors ``(row, column, value, message, rule order)`` of the rows in ``source`` and the
    rows that turned out to be blank (cells of spaces only)."""
    con.execute(detail_sql(plan, source))
    rules = checks(plan)
    parts = [
        f"SELECT __row, {quote(r.column or '')}, {r.value}, {r.message}, {i} "
        f"FROM detail WHERE NOT __blank AND COALESCE({r.condition}, false)"
        for i, r in enumerate(rules)
    ]
    errors = con.execute(" UNION ALL ".join(parts)).fetchall()
    blank = [row for (row,) in con.execute("SELECT __row FROM detail WHERE __blank").fetchall()]
    return errors, blank
