"""Leaders: stably high results («стабильно высокие результаты»).

A leader has judged cells in every year of the window and every judged cell at or below
``[leaders].max_failure_share`` (a share exactly at the limit is fine). The cells are the
methodology's units: rows for ``rule = "cells"``, whole procedures for ``"rosobrnadzor"``.

>>> import pyarrow as pa
>>> from opora.analytics.frames import to_lazy
>>> from opora.analytics.low_results import assess_low_results, prepare_results
>>> from opora.analytics.methodology import DEFAULT
>>> t = prepare_results(pa.table({"school_id": ["1", "1"], "year": [2023, 2024],
...     "procedure": ["ВПР"] * 2, "subject": ["Математика"] * 2, "grade": [5, 6],
...     "participants": [20, 20], "mark_2": [1, 0]}))
>>> sorted(leaders(assess_low_results(to_lazy(t), DEFAULT), 0.05).flagged)
['1']
"""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics.cells import worst_cells
from opora.analytics.frames import collect
from opora.analytics.low_results import LowResultsOutcome
from opora.analytics.verdicts import CategoryResult, reason_lists
from opora.analytics.wording import cell_phrase_texts, percent, years_phrase

# Shares are exact ratios of small integers; the tolerance only absorbs float rounding, so a
# share exactly at the limit (1 of 20 at 0.05) counts as at the limit.
TOLERANCE = 1e-12


def leaders(outcome: LowResultsOutcome, max_failure_share: float) -> CategoryResult:
    """Schools judged in every window year with every judged cell <= ``max_failure_share``.

    ``details``: school_id, judged_years, judged_cells, max_share, leader.
    """
    schools = outcome.schools
    window = len(outcome.years)
    judged_years = schools.column("judged_years").to_numpy()
    max_share = schools.column("max_share").to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        flags = (
            (window > 0)
            & (judged_years == window)
            & ~np.isnan(max_share)
            & (max_share <= max_failure_share + TOLERANCE)
        )
    chosen = schools.column("school_id").filter(pa.array(flags)).combine_chunks()
    judged = schools.column("judged_cells").filter(pa.array(flags)).combine_chunks()
    said = f", во всех неуспевающих не больше {percent(max_failure_share)}"
    heads = pc.binary_join_element_wise(
        f"Оценённых ячеек за {years_phrase(outcome.years)}: ",
        pc.cast(judged, pa.string()),
        said,
        "",
    )
    owner = np.zeros(0, dtype=np.int64)
    worst = pa.array([], pa.string())
    if len(chosen):
        # Every judged cell of a leader is at or below the limit: the engine keeps the judged
        # cells of the leaders only (a small part of the cells), which are ranked in Arrow.
        limit = max_failure_share + TOLERANCE
        top = outcome.cells.filter(
            nw.col("judged")
            & (nw.col("share").is_null() | (nw.col("share") <= limit))
            & nw.col("school_id").is_in(chosen.to_pylist())
        )
        cells = worst_cells(collect(top), 1)
        at = pc.index_in(cells.column("school_id"), value_set=chosen)
        order = pc.sort_indices(at)
        cells, at = cells.take(order), at.take(order)
        owner = at.to_numpy(zero_copy_only=False).astype(np.int64)
        phrases = cell_phrase_texts(cells, guard=max_failure_share)
        worst = pc.binary_join_element_wise("Наибольшая доля: ", phrases, "")
    texts = reason_lists(chosen, heads, owner, worst)
    details = schools.select(["school_id", "judged_years", "judged_cells", "max_share"])
    details = details.append_column("leader", pa.array(flags))
    return CategoryResult("leader", details=details, texts=texts)
