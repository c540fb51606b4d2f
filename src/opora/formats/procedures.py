"""The catalogue of assessment procedures and how each is scored.

A graded procedure (ВПР, ОГЭ, КДР) reports counts of marks «2»–«5»; a threshold procedure
(ЕГЭ) reports participants below the minimum threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opora.formats.columns import Scoring


@dataclass(frozen=True)
class Procedure:
    """An assessment procedure of the catalogue.

    >>> Procedure("КДР", "graded").scoring
    'graded'
    """

    name: str
    scoring: Scoring


DEFAULT_PROCEDURES: dict[str, Procedure] = {
    "ВПР": Procedure("ВПР", "graded"),
    "ОГЭ": Procedure("ОГЭ", "graded"),
    "ЕГЭ": Procedure("ЕГЭ", "threshold"),
    "КДР": Procedure("КДР", "graded"),
}


def procedure_lookup(procedures: Mapping[str, Procedure]) -> dict[str, Procedure]:
    """Case-insensitive lookup: the lower-cased, stripped name → the catalogue procedure.

    >>> procedure_lookup(DEFAULT_PROCEDURES)["впр"].name
    'ВПР'
    """
    return {p.name.strip().lower(): p for p in procedures.values()}
