"""Case-insensitive text search in Cyrillic on SQLite.

SQLite's LIKE folds only the Latin letters, so «сош» does not find «СОШ» there (PostgreSQL folds
every alphabet). Each new SQLite connection gets its own ``like()``: the same pattern language
(``%``, ``_``, an escape character) over case-folded text. Django's ``contains``, ``icontains``,
``startswith`` … on SQLite are LIKE, so every search of names — the school register, the API,
the admin — then finds «Кызыл-Озёкская» by «кызыл-озёк» as well.

>>> like("%кызыл%", "МБОУ «Кызыл-Озёкская СОШ»")
True
>>> like("10\\\\%%", "10% школ", "\\\\"), like("_ош", "СОШ"), like("сош", "СОШ № 1")
(True, True, False)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


def like(pattern: str | None, text: str | None, escape: str | None = None) -> bool | None:
    """SQL ``text LIKE pattern [ESCAPE escape]``, ignoring case in every alphabet."""
    if pattern is None or text is None:
        return None
    return _compiled(pattern, escape).fullmatch(text.casefold()) is not None


@lru_cache(maxsize=512)
def _compiled(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts, literal = [], False
    for char in pattern:
        if literal:
            parts.append(re.escape(char.casefold()))
            literal = False
        elif escape and char == escape:
            literal = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char.casefold()))
    return re.compile("".join(parts), re.DOTALL)


def install(sender: Any, connection: Any, **_: Any) -> None:
    """``connection_created`` receiver: give a new SQLite connection the Unicode ``like()``."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("like", 2, like, deterministic=True)
    raw.create_function("like", 3, like, deterministic=True)
