"""The common shape of every identification rule's answer."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from opora.analytics.wording import whole_array

CATEGORY_LABELS: dict[str, str] = {
    "low_results": "ШНОР",
    "adverse_context": "ШНСУ",
    "risk": "группа риска",
    "leader": "стабильно высокие результаты",
    "resilient": "резильентная",
    "unreliable": "признаки необъективности",
}
CATEGORY_ORDER: tuple[str, ...] = tuple(CATEGORY_LABELS)


REASONS_SCHEMA = pa.schema([("school_id", pa.string()), ("reasons", pa.list_(pa.string()))])


class CategoryResult:
    """Which schools a rule flags, why, and the figures behind it.

    ``flagged`` maps a school_id to its reasons: Russian sentences with figures, e.g.
    «ВПР 2024, Математика, 5 кл.: 9 из 21 (43 %) получили «2»». ``details`` is an optional
    school-level table keyed by ``school_id`` with the numeric evidence of every judged school.

    A rule that writes its reasons with Arrow kernels gives them as ``texts`` instead, a table
    of :data:`REASONS_SCHEMA` (one row per flagged school): ``flagged`` is then built from it
    the first time it is asked for, and :meth:`reason_table` hands the table on unchanged, so a
    batch run never turns the reasons of 40,000 schools into Python lists.

    >>> r = CategoryResult("leader", {"0101001": ["все 12 ячеек не выше 5 %"]})
    >>> r.label, sorted(r.flagged), r.count
    ('стабильно высокие результаты', ['0101001'], 1)
    >>> t = pa.table({"school_id": ["02"], "reasons": [["одна", "две"]]}, schema=REASONS_SCHEMA)
    >>> CategoryResult("risk", texts=t).flagged
    {'02': ['одна', 'две']}
    """

    def __init__(
        self,
        code: str,
        flagged: dict[str, list[str]] | None = None,
        details: pa.Table | None = None,
        *,
        texts: pa.Table | None = None,
    ) -> None:
        if flagged is not None and texts is not None:
            raise ValueError("CategoryResult takes its reasons either as a dict or as a table")
        self.code = code
        self.details = details
        self._texts = texts
        # Exactly one of the two holds the reasons: the table, or else the dict.
        self._flagged = None if texts is not None else ({} if flagged is None else flagged)

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.code]

    @property
    def flagged(self) -> dict[str, list[str]]:
        """school_id → reasons; the dict may be changed (the table is then dropped)."""
        if self._flagged is None:
            assert self._texts is not None
            ids = self._texts.column("school_id").to_pylist()
            reasons = self._texts.column("reasons").to_pylist()
            self._flagged = dict(zip(ids, reasons, strict=True))
            self._texts = None  # the dict is the truth from now on
        return self._flagged

    @property
    def count(self) -> int:
        """How many schools are flagged."""
        return self._texts.num_rows if self._flagged is None else len(self._flagged)

    def reason_table(self) -> pa.Table:
        """The reasons as a table of :data:`REASONS_SCHEMA`."""
        if self._flagged is None:
            assert self._texts is not None
            return self._texts
        return pa.table(
            {
                "school_id": pa.array(list(self._flagged), pa.string()),
                "reasons": pa.array(list(self._flagged.values()), pa.list_(pa.string())),
            },
            schema=REASONS_SCHEMA,
        )

    def __repr__(self) -> str:
        return f"CategoryResult({self.code!r}, {self.count} flagged)"


def reason_lists(
    ids: pa.Array,
    heads: pa.Array,
    owner: np.ndarray,
    items: pa.Array,
    tails: pa.Array | None = None,
    has_tail: np.ndarray | None = None,
) -> pa.Table:
    """A table of :data:`REASONS_SCHEMA`: for each school of ``ids`` the list [its head, its
    items in order, its tail when ``has_tail``]. ``owner`` is the position in ``ids`` of each
    item's school, non-decreasing. The lists are put together by positions computed with
    NumPy and one Arrow ``take``: no Python string per school.

    >>> t = reason_lists(pa.array(["a", "b"]), pa.array(["A", "B"]), np.array([0, 0]),
    ...     pa.array(["a1", "a2"]), pa.array(["-", "и ещё"]), np.array([False, True]))
    >>> t.column("reasons").to_pylist()
    [['A', 'a1', 'a2'], ['B', 'и ещё']]
    """
    count = len(ids)
    if tails is None or has_tail is None:
        tails, has_tail = pa.nulls(count, pa.string()), np.zeros(count, dtype=bool)
    shown = np.bincount(owner, minlength=count) if len(owner) else np.zeros(count, np.int64)
    lengths = 1 + shown + has_tail.astype(np.int64)
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    take = np.empty(int(offsets[-1]), dtype=np.int64)
    take[offsets[:-1]] = np.arange(count)
    first = np.zeros(count, dtype=np.int64)
    np.cumsum(shown[:-1], out=first[1:])
    rank = np.arange(len(owner)) - first[owner]
    take[offsets[owner] + 1 + rank] = count + np.arange(len(owner))
    take[offsets[1:][has_tail] - 1] = count + len(owner) + np.flatnonzero(has_tail)
    parts = [whole_array(part).cast(pa.string()) for part in (heads, items, tails)]
    values = pa.concat_arrays(parts).take(pa.array(take))
    lists = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)
    ids = whole_array(ids).cast(pa.string())
    return pa.table({"school_id": ids, "reasons": lists}, schema=REASONS_SCHEMA)
