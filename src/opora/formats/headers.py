"""Matching a file's header row to the columns of a format.

A header is recognised by its English name or its Russian header, ignoring case, extra spaces,
«ё»/«е», the kind of quotes and dashes, and a trailing unit («, %», «, км»).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from opora.formats.columns import KIND_TITLES, columns
from opora.formats.report import RowError

_QUOTES = re.compile(r"[«»\"“”„‟'`’‘]")
_DASHES = re.compile(r"\s*[-‐‑‒–—―−]\s*")
_COMMAS = re.compile(r"\s*,\s*")
_SPACES = re.compile(r"[\s_]+")
_UNIT = re.compile(r"\s*,?\s*(\(\s*(%|км)\s*\)|%|км|в %)$")


def header_key(text: str) -> str:
    """The comparable form of a header.

    >>> header_key("  Отметка  «2» ") == header_key('отметка "2"')
    True
    >>> header_key("Из приёмных семей, под опекой, %")
    'из приемных семей, под опекой, %'
    """
    key = unicodedata.normalize("NFC", text).replace("\ufeff", "").lower().replace("ё", "е")
    key = _QUOTES.sub("", key)
    key = _DASHES.sub("-", key)
    key = _COMMAS.sub(", ", key)
    return _SPACES.sub(" ", key).strip()


def _without_unit(key: str) -> str:
    return _UNIT.sub("", key).strip()


@cache
def _aliases(kind: str) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for column in columns(kind):
        for spelling in (column.name, column.russian):
            key = header_key(spelling)
            aliases[key] = column.name
            aliases.setdefault(_without_unit(key), column.name)
    return aliases


def column_for_header(kind: str, header: str) -> str | None:
    """The spec name of the column a header stands for, or ``None``.

    >>> column_for_header("context", "из многодетных семей")
    'large_families'
    >>> column_for_header("results", "PARTICIPANTS")
    'participants'
    """
    aliases = _aliases(kind)
    key = header_key(header)
    return aliases.get(key) or aliases.get(_without_unit(key))


@dataclass
class HeaderMatch:
    """Where each spec column is in the file and how its header is written there."""

    positions: dict[str, int] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def recognised(self) -> int:
        return len(self.positions)


def match_headers(kind: str, headers: list[str]) -> HeaderMatch:
    """Map a header row onto the columns of ``kind``: unknown columns give a warning, duplicated
    or missing required columns an error.

    >>> m = match_headers("schools", ["Код ОО", "name", "Муниципалитет", "Тип поселения", "X"])
    >>> m.positions["name"], [e.message for e in m.errors], m.warnings
    (1, ['в файле нет обязательного столбца «Обучающихся» (students). Добавьте его в первую строку.'], ['Столбец «X» не входит в формат «реестр школ» и пропущен.'])
    """
    match = HeaderMatch()
    seen: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        name = column_for_header(kind, header) if header.strip() else None
        if name is None:
            _warn_unknown(match, kind, header, index, len(headers))
            continue
        seen.setdefault(name, []).append(index)
        if name not in match.positions:
            match.positions[name] = index
            match.written[name] = header.strip()
    for name, places in seen.items():
        if len(places) > 1:
            numbers = ", ".join(str(i + 1) for i in places[:-1]) + f" и {places[-1] + 1}"
            match.errors.append(
                RowError(
                    1,
                    match.written[name],
                    None,
                    f"столбец встречается в заголовке несколько раз (столбцы {numbers}). "
                    "Оставьте один.",
                )
            )
    for column in columns(kind):
        if column.required and column.name not in match.positions:
            match.errors.append(
                RowError(
                    None,
                    None,
                    None,
                    f"в файле нет обязательного столбца «{column.russian}» ({column.name}). "
                    "Добавьте его в первую строку.",
                )
            )
    return match


def _warn_unknown(match: HeaderMatch, kind: str, header: str, index: int, width: int) -> None:
    if not header.strip():
        # A trailing separator at the end of every line makes an empty last column: harmless.
        if index != width - 1:
            match.warnings.append(f"Столбец {index + 1} без заголовка пропущен.")
        return
    match.warnings.append(
        f"Столбец «{header.strip()}» не входит в формат «{KIND_TITLES[kind]}» и пропущен."
    )
