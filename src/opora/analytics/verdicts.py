"""The common shape of every identification rule's answer."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

CATEGORY_LABELS: dict[str, str] = {
    "low_results": "ШНОР",
    "adverse_context": "ШНСУ",
    "risk": "группа риска",
    "leader": "стабильно высокие результаты",
    "resilient": "резильентная",
    "unreliable": "признаки необъективности",
}
CATEGORY_ORDER: tuple[str, ...] = tuple(CATEGORY_LABELS)


@dataclass
class CategoryResult:
    """Which schools a rule flags, why, and the figures behind it.

    ``flagged`` maps a school_id to its reasons: Russian sentences with figures, e.g.
    «ВПР 2024, Математика, 5 кл.: 9 из 21 (43 %) получили «2»». ``details`` is an optional
    school-level table keyed by ``school_id`` with the numeric evidence of every judged school.

    >>> r = CategoryResult("leader", {"0101001": ["все 12 ячеек не выше 5 %"]})
    >>> r.label, sorted(r.flagged)
    ('стабильно высокие результаты', ['0101001'])
    """

    code: str
    flagged: dict[str, list[str]] = field(default_factory=dict)
    details: pa.Table | None = None

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.code]
