"""What a parse returns: the typed table, or every error found, in Russian."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

REPORT_LIMIT = 100
_VALUE_SHOWN = 80


@dataclass(frozen=True)
class RowError:
    """One problem of an imported file: where it is (``row`` as the user sees it in the
    spreadsheet, header = 1; ``column`` as written in the file's header) and why, in Russian.

    >>> RowError(17, "Участников", "-3", "число участников не может быть отрицательным.").as_text()
    'Строка 17, столбец «Участников», значение «-3»: число участников не может быть отрицательным.'
    """

    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_text(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"Строка {self.row}")
        if self.column is not None:
            parts.append(f"столбец «{self.column}»" if parts else f"Столбец «{self.column}»")
        if self.value:
            value = self.value
            if len(value) > _VALUE_SHOWN:
                value = value[: _VALUE_SHOWN - 1] + "…"
            parts.append(f"значение «{value}»" if parts else f"Значение «{value}»")
        if not parts:
            return self.message[:1].upper() + self.message[1:]
        return ", ".join(parts) + ": " + self.message


def plural(count: int, one: str, few: str, many: str) -> str:
    """Russian plural form for ``count``.

    >>> [plural(n, "ошибка", "ошибки", "ошибок") for n in (1, 3, 5, 11, 21, 112)]
    ['ошибка', 'ошибки', 'ошибок', 'ошибок', 'ошибка', 'ошибок']
    """
    tens, units = count % 100, count % 10
    if 11 <= tens <= 14:
        return many
    if units == 1:
        return one
    if 2 <= units <= 4:
        return few
    return many


@dataclass
class ParseResult:
    """The outcome of ``read_table``. An import is all-or-nothing: ``table`` is ``None`` as soon
    as there is any error, and ``errors`` then holds every problem found (not only the first).

    >>> ParseResult("results", None, [RowError(None, None, None, "файл пуст.")], []).ok
    False
    """

    kind: str
    table: pa.Table | None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.table is not None

    def error_report(self, limit: int | None = None) -> str:
        """The errors as Russian text, one per line, at most ``limit`` of them
        (``None``: the first ``REPORT_LIMIT``; ``errors`` always keeps all). Empty when ok.

        >>> r = ParseResult("schools", None, [RowError(2, "Код ОО", None, "ячейка пуста.")])
        >>> print(r.error_report())
        Файл не принят: найдена 1 ошибка. Исправьте файл и загрузите его снова.
        Строка 2, столбец «Код ОО»: ячейка пуста.
        """
        if not self.errors:
            return ""
        shown = REPORT_LIMIT if limit is None else max(limit, 0)
        total = len(self.errors)
        found = plural(total, "найдена", "найдены", "найдено")
        noun = plural(total, "ошибка", "ошибки", "ошибок")
        lines = [f"Файл не принят: {found} {total} {noun}. Исправьте файл и загрузите его снова."]
        lines.extend(error.as_text() for error in self.errors[:shown])
        if total > shown:
            rest = total - shown
            lines.append(
                f"… и ещё {rest} {plural(rest, 'ошибка', 'ошибки', 'ошибок')} "
                f"(показаны первые {shown})."
            )
        return "\n".join(lines)
