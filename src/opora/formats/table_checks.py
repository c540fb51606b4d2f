"""Rules about the whole table rather than one row: repeated keys, schools missing from the
register, and a procedure-dependent column the file lacks. They run on the typed table
(``typed``: spec columns plus ``row_number``, blank rows removed)."""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import pyarrow as pa

from opora.formats.columns import KEYS
from opora.formats.plan import Plan, ident, quote
from opora.formats.report import RowError

_KEY_WORDS = {
    "school_id": "код ОО",
    "student_id": "код обучающегося",
    "year": "год",
    "procedure": "процедура",
    "subject": "предмет",
    "grade": "класс",
}


def duplicates(con: duckdb.DuckDBPyConnection, plan: Plan, order: int) -> list[tuple]:
    """Rows repeating the key of an earlier row, naming that row (the reader calls this only
    when the keys' hashes collide)."""
    keys = ", ".join(ident(k) for k in KEYS[plan.kind])
    filled = " AND ".join(f"{ident(k)} IS NOT NULL" for k in KEYS[plan.kind])
    shown = ", ".join(f"CAST({ident(k)} AS VARCHAR)" for k in KEYS[plan.kind])
    groups = con.execute(
        f"SELECT list(row_number ORDER BY row_number), concat_ws(', ', {shown}) FROM typed "
        f"WHERE {filled} GROUP BY {keys} HAVING count(*) > 1"
    ).fetchall()
    words = [_KEY_WORDS[k] for k in KEYS[plan.kind]]
    same = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " и " + words[-1]
    verb = "совпадает" if len(words) == 1 else "совпадают"
    found = []
    for rows, key in groups:
        for row in rows[1:]:
            message = f"повторяет строку {rows[0]}: {verb} {same} ({key}). Оставьте одну из строк."
            found.append((row, None, None, message, order))
    return found


def unknown_schools(
    con: duckdb.DuckDBPyConnection, known: Collection[str], order: int
) -> list[tuple]:
    """Rows whose school is not in ``known``."""
    ids = pa.table({"school_id": pa.array(sorted({str(k) for k in known}), pa.string())})
    con.register("known_schools", ids)
    message = "код ОО не найден в реестре школ. Сначала загрузите реестр школ или исправьте код."
    return con.execute(
        f"SELECT row_number, 'school_id', school_id, {quote(message)}, {order} FROM typed "
        "WHERE school_id IS NOT NULL AND school_id NOT IN (SELECT school_id FROM known_schools)"
    ).fetchall()


def missing_conditional_columns(con: duckdb.DuckDBPyConnection, plan: Plan) -> list[RowError]:
    """A column some rows' procedure requires (marks for ВПР, ``below_min`` for ЕГЭ) that the
    file does not have: one error naming the column and the first such rows."""
    found = []
    for column in plan.columns:
        if not column.required_for or plan.present(column.name):
            continue
        count, rows, names = con.execute(
            "SELECT count(*), list(row_number ORDER BY row_number)[1:5], "
            "list(DISTINCT procedure ORDER BY procedure) FROM typed "
            f"WHERE procedure IN {plan.names_scored(column.required_for)}"
        ).fetchall()[0]
        if not count:
            continue
        listed = ", ".join(str(r) for r in rows)
        if count > len(rows):
            listed += f" и ещё {count - len(rows)}"
        found.append(
            RowError(
                None,
                None,
                None,
                f"в файле нет столбца «{column.russian}» ({column.name}), а он нужен для "
                f"процедур {', '.join(names)} ({'строка' if count == 1 else 'строки'} "
                f"{listed}). Добавьте столбец.",
            )
        )
    return found
