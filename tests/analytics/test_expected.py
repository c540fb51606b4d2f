"""Expected results and the school's contribution; figures computed by closed forms here."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from opora.analytics.expected import expected_results, pooled_failures, resilient
from opora.analytics.frames import to_lazy

Z95 = 1.959963984540054


def _wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _tables(ids, failures, participants, index):
    pooled = pa.table({"school_id": ids, "failures": failures, "participants": participants})
    context = pa.table({"school_id": ids, "context_index": index})
    return pooled, context


def test_it_fits_the_weighted_line_on_five_schools_as_the_closed_form():
    ids = ["a", "b", "c", "d", "e"]
    n = np.array([100.0, 50, 200, 100, 50])
    x = np.array([-1.0, 0, 1, 2, 0.5])
    f = np.array([5.0, 10, 50, 40, 5])
    y = f / n
    # Closed-form weighted simple regression.
    xw, yw = (n * x).sum() / n.sum(), (n * y).sum() / n.sum()
    sxx = (n * (x - xw) ** 2).sum()
    b1 = (n * (x - xw) * (y - yw)).sum() / sxx
    b0 = yw - b1 * xw
    fitted = b0 + b1 * x
    residual = y - fitted
    s2 = (n * residual**2).sum() / (5 - 2)
    r2 = 1 - (n * residual**2).sum() / (n * (y - yw) ** 2).sum()
    se = np.sqrt(s2 * (1 / n.sum() + (x - xw) ** 2 / sxx))

    model = expected_results(*_tables(ids, f.astype(int).tolist(), n.astype(int).tolist(), x))

    assert model.method == "fixed"
    assert model.coefficients["intercept"] == pytest.approx(b0, abs=1e-12)
    assert model.coefficients["context_index"] == pytest.approx(b1, abs=1e-12)
    assert model.r_squared == pytest.approx(r2, abs=1e-12)
    t = model.table.to_pydict()
    assert t["school_id"] == ids
    assert t["actual"] == pytest.approx(y.tolist())
    assert t["expected"] == pytest.approx(np.clip(fitted, 0, 1).tolist())
    assert t["expected_se"] == pytest.approx(se.tolist())
    assert t["contribution"] == pytest.approx((np.clip(fitted, 0, 1) - y).tolist())
    # MOVER interval of school "c" (50 of 200), Wilson bounds by hand.
    lo_a, hi_a = _wilson(50, 200)
    c = fitted[2] - 0.25
    assert t["actual_lo"][2] == pytest.approx(lo_a)
    assert t["lo"][2] == pytest.approx(c - math.sqrt((Z95 * se[2]) ** 2 + (hi_a - 0.25) ** 2))
    assert t["hi"][2] == pytest.approx(c + math.sqrt((Z95 * se[2]) ** 2 + (0.25 - lo_a) ** 2))


def test_it_reads_the_example_numbers_of_the_formula():
    pooled, context = _tables(list("abcd"), [1, 2, 3, 4], [10] * 4, [0.0, 1.0, 2.0, 3.0])
    model = expected_results(pooled, context)
    assert model.coefficients["intercept"] == pytest.approx(0.1)
    assert model.coefficients["context_index"] == pytest.approx(0.1)
    assert model.r_squared == pytest.approx(1.0)
    assert model.formula.startswith(
        "Ожидаемая доля неудовлетворительных результатов = 0,100 + 0,100 × индекс контекста; "
        "R² = 1,00"
    )


def test_it_clips_the_expected_share_to_zero_and_one():
    pooled, context = _tables(list("abcd"), [0, 1, 9, 10], [10] * 4, [-3.0, 0.0, 1.0, 6.0])
    table = expected_results(pooled, context).table.to_pydict()
    assert min(table["expected"]) >= 0.0 and max(table["expected"]) <= 1.0


def test_it_fits_standardised_factor_weights_by_the_normal_equations():
    ids = list("abcdef")
    n = np.array([80.0, 120, 60, 100, 90, 150])
    low_income = np.array([10.0, 30, 50, 20, 40, np.nan])  # f: missing counts as average
    education = np.array([60.0, 40, 20, 50, 30, 55])
    f = np.array([8.0, 30, 27, 15, 30, 20])
    context = pa.table(
        {
            "school_id": ids,
            "year": [2024] * 6,
            "low_income": pa.array(low_income, mask=np.isnan(low_income)),
            "parent_higher_education": education,
        }
    )
    pooled = pa.table({"school_id": ids, "failures": f.astype(int), "participants": n.astype(int)})

    model = expected_results(pooled, context, weights="fitted")

    known = low_income[~np.isnan(low_income)]
    z1 = np.where(np.isnan(low_income), 0.0, (low_income - known.mean()) / known.std())
    z2 = (education - education.mean()) / education.std()
    design = np.column_stack([np.ones(6), z1, z2])
    w = np.diag(n)
    beta = np.linalg.solve(design.T @ w @ design, design.T @ w @ (f / n))
    assert model.method == "fitted"
    assert model.regressors == ("low_income", "parent_higher_education")
    assert model.coefficients["intercept"] == pytest.approx(beta[0])
    assert model.coefficients["low_income"] == pytest.approx(beta[1])
    assert model.coefficients["parent_higher_education"] == pytest.approx(beta[2])
    assert "z(low_income)" in model.formula


def test_it_drops_constant_factors_when_fitting():
    ids = list("abcde")
    context = pa.table(
        {"school_id": ids, "low_income": [1.0, 2, 3, 4, 5], "foster_care": [2.0] * 5}
    )
    pooled = pa.table({"school_id": ids, "failures": [1, 2, 3, 5, 4], "participants": [20] * 5})
    model = expected_results(pooled, context, weights="fitted")
    assert model.regressors == ("low_income",)
    assert model.dropped_factors == ("foster_care",)


def test_it_uses_the_latest_context_year_and_skips_schools_without_context():
    pooled, _ = _tables(list("abcde"), [1, 2, 3, 4, 9], [10] * 5, [0] * 5)
    context = pa.table(
        {
            "school_id": ["a", "b", "c", "d", "a", "b", "c", "d"],
            "year": [2023] * 4 + [2024] * 4,
            "context_index": [9.0, 9.0, 9.0, 9.0, 0.0, 1.0, 2.0, 3.0],
        }
    )
    model = expected_results(pooled, context)
    assert model.table.column("school_id").to_pylist() == ["a", "b", "c", "d"]
    assert model.coefficients["context_index"] == pytest.approx(0.1)


def test_it_refuses_a_model_with_too_few_schools_in_russian():
    pooled, context = _tables(["a", "b"], [1, 2], [10, 10], [0.0, 1.0])
    with pytest.raises(ValueError, match="нужно больше школ"):
        expected_results(pooled, context)


def test_it_refuses_fixed_weights_without_an_index_column():
    pooled, _ = _tables(["a", "b", "c"], [1, 2, 3], [10] * 3, [0.0] * 3)
    with pytest.raises(ValueError, match="нет столбца «context_index»"):
        expected_results(pooled, pa.table({"school_id": ["a"], "low_income": [1.0]}))


def _resilience_model():
    ids = list("abcdefgh")
    pooled, context = _tables(
        ids,
        [20, 25, 30, 35, 40, 45, 50, 8],
        [200] * 8,
        [0, 0.5, 1, 1.5, 2, 2.5, 3, 3],
    )
    return expected_results(pooled, context)


def test_it_flags_an_adverse_school_far_above_its_prediction_as_resilient():
    model = _resilience_model()
    result = resilient(model, ["g", "h"], min_contribution=0.05)
    assert result.code == "resilient"
    assert sorted(result.flagged) == ["h"]  # "g" is adverse but on the line
    row = model.table.to_pylist()[7]
    expected_pct = round(row["expected"] * 100)
    assert result.flagged["h"][0].startswith(
        "Ожидаемая доля неудовлетворительных результатов («2» или ниже минимального порога) "
        f"при таком контексте — {expected_pct} %, фактическая — 4 % (8 из 200; 95 % ДИ 2–8 %); "
        f"вклад ОО +{round(row['contribution'] * 100)} п.п."
    )
    details = result.details.to_pydict()
    assert details["resilient"] == [False] * 7 + [True]
    assert details["adverse"][6:] == [True, True]


def test_it_does_not_call_resilient_a_good_school_outside_adverse_context():
    model = _resilience_model()
    assert resilient(model, ["g"], min_contribution=0.05).flagged == {}


def test_it_needs_the_lower_bound_not_the_estimate_above_the_threshold():
    model = _resilience_model()
    row = model.table.to_pylist()[7]
    assert row["contribution"] > 0.10 > row["lo"]
    assert resilient(model, ["h"], min_contribution=0.10).flagged == {}


def test_the_interval_is_wider_than_the_actual_share_alone():
    model = _resilience_model()
    for row in model.table.to_pylist():
        assert row["hi"] - row["lo"] > row["actual_hi"] - row["actual_lo"]
        assert row["lo"] < row["contribution"] < row["hi"]


def test_it_pools_failures_per_school_on_each_engine(engine):
    cells = pa.table(
        {
            "school_id": ["a", "a", "b", "b"],
            "year": [2023, 2024, 2024, 2024],
            "procedure": ["ВПР", "ЕГЭ", "ОГЭ", "ЕГЭ"],
            "subject": ["Математика"] * 4,
            "grade": [5, 11, 9, 11],
            "participants": [20, 10, 30, 12],
            "mark_2": [4, None, 3, None],
            "below_min": [None, 1, None, 6],
        }
    )
    pooled = pooled_failures(to_lazy(cells, engine)).to_pylist()
    assert pooled == [
        {"school_id": "a", "failures": 5, "participants": 30},
        {"school_id": "b", "failures": 9, "participants": 42},
    ]


def test_the_prediction_se_matches_a_t_free_normal_interval():
    # With a perfect fit the line has no uncertainty: the interval is the Wilson part only.
    pooled, context = _tables(list("abcd"), [10, 20, 30, 40], [100] * 4, [0.0, 1.0, 2.0, 3.0])
    row = expected_results(pooled, context).table.to_pylist()[0]
    assert row["expected_se"] == pytest.approx(0.0, abs=1e-9)
    lo_a, hi_a = _wilson(10, 100)
    assert row["lo"] == pytest.approx(0.1 - hi_a, abs=1e-9)
    assert row["hi"] == pytest.approx(0.1 - lo_a, abs=1e-9)
    assert stats.norm.ppf(0.975) == pytest.approx(Z95)
