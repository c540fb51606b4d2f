"""The context index and ШНСУ on hand-computed figures; both engines."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from opora.analytics.context import adverse_context, adverse_cut, context_index
from opora.analytics.frames import to_lazy


def _context(rows, columns):
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    types = {"school_id": pa.string(), "year": pa.int64()}
    return pa.table({c: pa.array(v, types.get(c, pa.float64())) for c, v in data.items()})


FOUR = _context(
    [
        # school, year, low_income (adverse), parent_higher_education (favourable), special_needs
        ("a", 2024, 10.0, 60.0, 50.0),
        ("b", 2024, 20.0, 40.0, 0.0),
        ("c", 2024, 30.0, 50.0, 0.0),
        ("d", 2024, 40.0, None, 0.0),
        ("a", 2023, 90.0, 0.0, 0.0),  # an older year: not used
        ("e", 2023, 99.0, 0.0, 0.0),  # only in the older year: no index
    ],
    ["school_id", "year", "low_income", "parent_higher_education", "special_needs"],
)


def _ranks_of(result):
    table = result.table
    return dict(zip(table["school_id"].to_pylist(), table["index_rank"].to_pylist(), strict=True))


def _index_of(result):
    return dict(
        zip(
            result.table.column("school_id").to_pylist(),
            result.table.column("context_index").to_pylist(),
            strict=True,
        )
    )


def test_it_sums_signed_z_scores_of_the_latest_year_computed_by_hand(engine):
    # low_income 10, 20, 30, 40: mean 25, population sd sqrt(500/4) = 11.18034,
    #   z = -1.34164, -0.44721, 0.44721, 1.34164
    # parent_higher_education 60, 40, 50 (d missing): mean 50, sd sqrt(200/3) = 8.16497,
    #   z = 1.22474, -1.22474, 0 — favourable, so it enters with a minus sign
    # special_needs has no direction and is not in the index.
    result = context_index(to_lazy(FOUR, engine))
    index = _index_of(result)
    assert set(index) == {"a", "b", "c", "d"}
    assert index["a"] == pytest.approx(-1.34164 - 1.22474, abs=1e-5)
    assert index["b"] == pytest.approx(-0.44721 + 1.22474, abs=1e-5)
    assert index["c"] == pytest.approx(0.44721, abs=1e-5)
    assert index["d"] == pytest.approx(1.34164, abs=1e-5)  # only the factor it reports
    ranks = _ranks_of(result)
    assert ranks == {"d": 1, "b": 2, "c": 3, "a": 4}
    assert result.year == 2024
    assert result.means == pytest.approx({"low_income": 25.0, "parent_higher_education": 50.0})
    assert result.sds["low_income"] == pytest.approx(math.sqrt(125.0))
    assert "special_needs" not in result.weights
    assert "по школам 2024 г." in result.formula


def test_it_applies_the_weights_and_leaves_unnamed_factors_at_one(engine):
    result = context_index(to_lazy(FOUR, engine), weights={"low_income": 2.0})
    index = _index_of(result)
    assert index["a"] == pytest.approx(2 * -1.34164 - 1.22474, abs=1e-5)
    assert index["d"] == pytest.approx(2 * 1.34164, abs=1e-5)
    only_income = _index_of(
        context_index(to_lazy(FOUR, engine), weights={"parent_higher_education": 0.0})
    )
    assert only_income["b"] == pytest.approx(-0.44721, abs=1e-5)


def test_it_takes_the_top_quantile_with_a_rounded_up_count_and_reasons(engine):
    result = context_index(to_lazy(FOUR, engine))
    # n = 4: quantile 0.25 -> k = ceil(1.0) = 1 -> cut = d's index
    assert sorted(adverse_context(result, 0.25).flagged) == ["d"]
    # quantile 0.2 -> k = ceil(0.8) = 1, quantile 0.5 -> k = 2 -> d and b
    assert sorted(adverse_context(result, 0.2).flagged) == ["d"]
    assert sorted(adverse_context(result, 0.5).flagged) == ["b", "d"]
    assert adverse_context(result, 0.0).flagged == {}
    b = adverse_context(result, 0.5).flagged["b"]
    assert b[0] == (
        "Индекс социального неблагополучия 0,78 — 2-е место из 4; граница ШНСУ 0,78 "
        "(50 % школ с наибольшим индексом)"
    )
    # b: low_income term −0.447 (not adverse), parent_higher_education term +1.225
    assert b[1] == (
        "Больше всего влияют: хотя бы один родитель с высшим образованием 40 % (в среднем 50 %)"
    )


def test_it_includes_every_tie_at_the_cut_and_uses_social_index_as_given(engine):
    ctx = _context(
        [
            ("a", 2024, 3.0, 1.0),
            ("b", 2024, 2.0, 2.0),
            ("c", 2024, 2.0, 3.0),
            ("d", 2024, 1.0, 4.0),
            ("e", 2024, 0.0, 5.0),
            ("f", 2024, None, 90.0),  # no social_index: no index at all
        ],
        ["school_id", "year", "social_index", "low_income"],
    )
    result = context_index(to_lazy(ctx, engine))
    assert result.source == "social_index"
    assert _index_of(result) == {"a": 3.0, "b": 2.0, "c": 2.0, "d": 1.0, "e": 0.0, "f": None}
    # n = 5, quantile 0.4 -> k = 2 -> cut = 2.0; b and c tie at the cut: both are in.
    adverse = adverse_context(result, 0.4)
    assert sorted(adverse.flagged) == ["a", "b", "c"]
    assert adverse.flagged["a"][0].startswith(
        "Индекс социального неблагополучия 3,00 (из файла контекста) — 1-е место из 5"
    )
    ranks = _ranks_of(result)
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5, "f": None}


def test_the_cut_counts_schools_without_float_surprises():
    # 0.07 × 100 = 7.000000000000001 must not round up to 8 schools.
    values = np.arange(100, dtype=float)
    assert adverse_cut(values, 0.07) == (93.0, 7)
    assert adverse_cut(values, 1.0) == (0.0, 100)
    assert adverse_cut(np.array([np.nan]), 0.5) == (None, 0)
