"""The context index (social disadvantage) and ШНСУ, the schools in adverse social conditions.

Index: each directed factor is standardised over the schools of the latest context year
(z = (x − mean) / sd, population sd, over the schools that report the factor), multiplied by its
sign (+1 adverse, −1 favourable) and its weight (default 1; a factor not named in
``[adverse_context].weights`` keeps weight 1, weight 0 excludes it), and summed over the
factors the school reports. ``special_needs`` has no direction and is not in the index. A factor
reported by fewer than two schools or with no spread is left out (and listed in ``dropped``).
When the context of the latest year carries ``social_index`` for any school, that column is
the index as given (schools without it have no index).

ШНСУ: with n schools having an index and k = ⌈quantile × n⌉, the cut is the k-th largest index;
every school whose index is at or above the cut is ШНСУ (ties at the cut are all included).

>>> import pyarrow as pa
>>> ctx = pa.table({"school_id": ["a", "b"], "year": [2024, 2024], "low_income": [10.0, 30.0]})
>>> index = context_index(ctx)
>>> index.table["context_index"].to_pylist()
[-1.0, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora import factors
from opora.analytics.frames import collect, to_lazy
from opora.analytics.methodology import ADVERSE_FACTORS, DIRECTED_FACTORS, FAVOURABLE_FACTORS
from opora.analytics.verdicts import CategoryResult, reason_lists
from opora.analytics.wording import joined_present, number, percent, percent_texts

FACTOR_LABELS: dict[str, str] = factors.LABELS
SIGNS: dict[str, float] = {
    **dict.fromkeys(ADVERSE_FACTORS, 1.0),
    **dict.fromkeys(FAVOURABLE_FACTORS, -1.0),
}
TOP_FACTORS = 3


@dataclass
class ContextIndex:
    """The index of every school of the latest context year and how it was computed.

    ``table``: school_id, context_index (null when the school reports nothing), index_rank
    (1 = most adverse, equal indices share a rank), then per used factor its value and its
    term ``term_<factor>`` = sign × weight × z.
    """

    table: pa.Table
    year: int | None
    source: str  # "factors" or "social_index"
    weights: dict[str, float] = field(default_factory=dict)
    means: dict[str, float] = field(default_factory=dict)
    sds: dict[str, float] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()

    @property
    def formula(self) -> str:
        """The index in Russian words, shown with every result."""
        if self.source == "social_index":
            return (
                f"Индекс социального неблагополучия взят из файла контекста "
                f"(столбец social_index, {self.year} г.) без пересчёта."
            )
        terms = ", ".join(
            f"{FACTOR_LABELS[f]} ({'+' if SIGNS[f] > 0 else '−'}, вес {number(w, 2)})"
            for f, w in self.weights.items()
        )
        text = (
            "Индекс = Σ знак × вес × z, где z = (доля − среднее) / стандартное отклонение "
            f"по школам {self.year} г.; факторы: {terms or 'нет'}."
        )
        if self.dropped:
            text += " Не учтены (нет данных или нет разброса): " + ", ".join(
                FACTOR_LABELS[f] for f in self.dropped
            )
            text += "."
        return text


def context_index(
    context: pa.Table | nw.LazyFrame,
    weights: Mapping[str, float] | None = None,
    engine: str = "duckdb",
) -> ContextIndex:
    """Compute the context index of every school of the latest context year.

    >>> import pyarrow as pa
    >>> ctx = pa.table({"school_id": ["a", "b"], "year": [2024, 2024],
    ...     "parent_higher_education": [10.0, 30.0], "social_index": [None, None]})
    >>> context_index(ctx).table["context_index"].to_pylist()
    [1.0, -1.0]
    """
    lf = to_lazy(context, engine)
    names = lf.collect_schema().names()
    year: int | None = None
    if "year" in names:
        years = collect(lf.select(nw.col("year").max()))
        year = years.column("year")[0].as_py()
        if year is not None:
            lf = lf.filter(nw.col("year") == year)
    keep = ["school_id", *(c for c in (*DIRECTED_FACTORS, "social_index") if c in names)]
    table = collect(lf.select(*keep).sort("school_id"))
    ids = table.column("school_id").cast(pa.string())
    columns: dict[str, Any] = {"school_id": ids}
    means: dict[str, float] = {}
    sds: dict[str, float] = {}
    used: dict[str, float] = {}
    dropped: list[str] = []
    total = np.zeros(table.num_rows)
    reported = np.zeros(table.num_rows, dtype=bool)
    for factor in DIRECTED_FACTORS:
        if factor not in table.column_names:
            continue
        weight = float((weights or {}).get(factor, 1.0))
        if weight == 0.0:
            continue
        values = _floats(table.column(factor))
        known = ~np.isnan(values)
        sd = float(values[known].std()) if known.sum() >= 2 else 0.0
        if sd == 0.0 or not math.isfinite(sd):
            dropped.append(factor)
            continue
        mean = float(values[known].mean())
        term = np.where(known, SIGNS[factor] * weight * (values - mean) / sd, 0.0)
        total += term
        reported |= known
        means[factor], sds[factor], used[factor] = mean, sd, weight
        columns[factor] = pa.array(values, pa.float64(), mask=~known)
        columns[f"term_{factor}"] = pa.array(term, pa.float64(), mask=~known)
    source = "factors"
    index = np.where(reported, total, np.nan)
    if "social_index" in table.column_names and table.column("social_index").null_count < len(
        table
    ):
        source = "social_index"
        index = _floats(table.column("social_index"))
    columns["context_index"] = pa.array(index, pa.float64(), mask=np.isnan(index))
    columns["index_rank"] = _min_rank_descending(index)
    ordered = ["school_id", "context_index", "index_rank"]
    ordered += [c for c in columns if c not in ordered]
    return ContextIndex(
        table=pa.table({c: columns[c] for c in ordered}),
        year=year,
        source=source,
        weights=used,
        means=means,
        sds=sds,
        dropped=tuple(dropped),
    )


def adverse_cut(index: np.ndarray, quantile: float) -> tuple[float | None, int]:
    """The ШНСУ cut value and k = ⌈quantile × n⌉ for the indices that are not NaN.

    >>> adverse_cut(np.array([1.0, 3.0, 2.0, 0.0, np.nan]), 0.5)
    (2.0, 2)
    """
    values = np.sort(index[~np.isnan(index)])[::-1]
    k = math.ceil(quantile * len(values) - 1e-9) if len(values) else 0
    if k <= 0:
        return None, 0
    return float(values[k - 1]), k


def adverse_context(index: ContextIndex, quantile: float) -> CategoryResult:
    """ШНСУ: schools whose context index is in the top ``quantile``, with reasons.

    >>> import pyarrow as pa
    >>> ctx = pa.table({"school_id": list("abcde"), "low_income": [1.0, 2, 3, 4, 5]})
    >>> sorted(adverse_context(context_index(ctx), 0.2).flagged)
    ['e']
    """
    table = index.table
    values = _floats(table.column("context_index"))
    cut, k = adverse_cut(values, quantile)
    n = int((~np.isnan(values)).sum())
    is_adverse = np.zeros(len(values), dtype=bool)
    if cut is not None:
        is_adverse = ~np.isnan(values) & (values >= cut - 1e-12)
    chosen = table.filter(pa.array(is_adverse))
    given = " (из файла контекста)" if index.source == "social_index" else ""
    tail = ""
    if cut is not None:
        tail = f"; граница ШНСУ {number(cut)} ({percent(quantile)} школ с наибольшим индексом)"
    values_text = pa.array(
        [number(v) for v in chosen.column("context_index").to_pylist()], pa.string()
    )
    heads = pc.binary_join_element_wise(
        "Индекс социального неблагополучия ", values_text, f"{given} — ",
        pc.cast(chosen.column("index_rank"), pa.string()), f"-е место из {n}{tail}", "",
    )  # fmt: skip
    owner, factors = _raising_factors(chosen, index)
    texts = reason_lists(chosen.column("school_id").combine_chunks(), heads, owner, factors)
    details = table.select(["school_id", "context_index", "index_rank"]).append_column(
        "adverse_context", pa.array(is_adverse)
    )
    return CategoryResult("adverse_context", details=details, texts=texts)


def _raising_factors(chosen: pa.Table, index: ContextIndex) -> tuple[np.ndarray, pa.Array]:
    """«Больше всего влияют: фактор 45 % (в среднем 18 %); …» for the rows of ``chosen`` that
    have a factor raising their index (their positions and the texts): at most
    ``TOP_FACTORS`` factors, the largest term first, ties by factor name."""
    names = sorted(index.weights)
    rows = chosen.num_rows
    if not names or not rows:
        return np.zeros(0, dtype=np.int64), pa.array([], pa.string())
    terms = np.column_stack([_floats(chosen.column(f"term_{f}")) for f in names])
    raising = np.nan_to_num(terms, nan=0.0) > 0
    # Sort each row by term, largest first; equal terms keep the name order (stable sort).
    order = np.argsort(np.where(raising, -terms, np.inf), axis=1, kind="stable")[:, :TOP_FACTORS]
    texts = pa.concat_arrays(
        [
            pc.binary_join_element_wise(
                f"{FACTOR_LABELS[f]} ",
                percent_texts(_floats(chosen.column(f)) / 100.0),
                f" (в среднем {_pct(index.means[f])})",
                "",
            )
            for f in names
        ]
    )
    picked = []
    for j in range(order.shape[1]):
        column = order[:, j]
        shown = raising[np.arange(rows), column]
        at = pa.array(column * rows + np.arange(rows), mask=~shown)
        picked.append(texts.take(at))
    listed = joined_present(picked, "; ", rows)
    owner = np.flatnonzero(raising.any(axis=1))
    said = pc.binary_join_element_wise("Больше всего влияют: ", listed.take(pa.array(owner)), "")
    return owner, said


def _pct(value: float) -> str:
    # Context factors are percentages 0–100 already.
    return percent(value / 100.0)


def _floats(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _min_rank_descending(values: np.ndarray) -> pa.Array:
    """1 = largest; equal values share the smallest rank; NaN → null."""
    valid = ~np.isnan(values)
    ranks = np.zeros(len(values), dtype=np.int64)
    ordered = np.sort(values[valid])[::-1]
    # rank = 1 + number of values strictly greater
    ranks[valid] = 1 + (len(ordered) - np.searchsorted(ordered[::-1], values[valid], side="right"))
    return pa.array(ranks, pa.int64(), mask=~valid)
