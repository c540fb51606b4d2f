"""Expected results for a school's social context and the school's own contribution («вклад ОО»).

The model is deliberately small and explainable. For every school the failure share is pooled
over its judged cells of the window (failures / participants). The shares are regressed on the
context by weighted least squares, each school weighted by its participants:

* ``weights="fixed"``: one regressor, the context index (higher = more adverse);
* ``weights="fitted"``: the individual context factors, each standardised over the modelled
  schools (so a coefficient is the change of the share per one standard deviation of the
  factor); a missing factor value counts as the average (z = 0), as in the context index.

The expected share is the fitted value clipped to [0, 1]; the contribution is expected − actual
(positive: fewer failures than the context predicts). Its interval combines the Wilson interval
of the actual share and the standard error of the fitted line by the MOVER method (Newcombe,
Zou & Donner) for a difference of two estimates:

    lo = c − sqrt((z·se)² + (actual_hi − actual)²),  hi = c + sqrt((z·se)² + (actual − actual_lo)²)

The between-school spread around the line is the contribution itself, so it is not part of the
interval; it enters only through the residual variance that scales the line's standard error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics import _phrases as say
from opora.analytics._frames import as_lazy, collect, require_columns, with_failures
from opora.analytics.methodology import DIRECTED_FACTORS, UNDIRECTED_FACTORS
from opora.analytics.stats import wilson_interval, z_value
from opora.analytics.verdicts import CategoryResult

# Candidate regressors for "fitted": every factor of the context file (data-formats.md);
# `special_needs` has no direction but may still explain results.
CONTEXT_FACTORS: tuple[str, ...] = DIRECTED_FACTORS + UNDIRECTED_FACTORS

RESULT_COLUMNS = (
    "school_id",
    "failures",
    "participants",
    "actual",
    "actual_lo",
    "actual_hi",
    "expected",
    "expected_se",
    "contribution",
    "lo",
    "hi",
)


@dataclass(frozen=True)
class ExpectedResults:
    """The fitted context model and every modelled school's contribution.

    ``table`` has one row per modelled school: school_id, failures, participants (pooled over
    the judged cells), actual, actual_lo, actual_hi (Wilson), expected, expected_se,
    contribution (= expected − actual), lo, hi (its interval). ``coefficients`` holds
    ``intercept`` and one entry per regressor; ``formula`` says it all in Russian.
    """

    method: Literal["fixed", "fitted"]
    regressors: tuple[str, ...]
    coefficients: dict[str, float]
    r_squared: float
    confidence: float
    dropped_factors: tuple[str, ...]
    table: pa.Table

    @property
    def schools(self) -> int:
        return self.table.num_rows

    @property
    def formula(self) -> str:
        """The model in words, e.g. «Ожидаемая доля = 0,050 + 0,100 × индекс контекста …»."""
        terms = [say.number(self.coefficients["intercept"], 3)]
        for name in self.regressors:
            coef = self.coefficients[name]
            sign = "+" if coef >= 0 else "−"
            label = "индекс контекста" if self.method == "fixed" else f"z({name})"
            terms.append(f"{sign} {say.number(abs(coef), 3)} × {label}")
        return (
            f"Ожидаемая {say.POOLED_FAILURES} = {' '.join(terms)}; "
            f"R² = {say.number(self.r_squared, 2)} "
            f"(взвешенный МНК по числу участников, {say.schools_count(self.schools)})"
        )


def pooled_failures(cells: Any) -> pa.Table:
    """Pool each school's failures and participants over the judged cells (lazy, any engine).

    ``cells`` are results rows already filtered to the judged cells of the window; a
    ``failures`` column is used when present, otherwise it is derived (``mark_2``, or
    ``below_min`` for ЕГЭ).

    >>> import pyarrow as pa
    >>> cells = pa.table({"school_id": ["a", "a", "b"], "procedure": ["ВПР", "ЕГЭ", "ВПР"],
    ...                   "participants": [20, 10, 30], "mark_2": [4, None, 3],
    ...                   "below_min": [None, 1, None]})
    >>> pooled_failures(cells).to_pylist()[0]
    {'school_id': 'a', 'failures': 5, 'participants': 30}
    """
    frame = with_failures(as_lazy(cells))
    require_columns(frame, ["school_id", "participants"], "результаты")
    pooled = frame.group_by("school_id").agg(nw.col("failures").sum(), nw.col("participants").sum())
    table = collect(pooled, ints=("failures", "participants"))
    return table.sort_by("school_id")


def expected_results(
    pooled: pa.Table,
    context: Any,
    *,
    weights: Literal["fixed", "fitted"] = "fixed",
    index_column: str = "context_index",
    factors: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> ExpectedResults:
    """Fit the context model and compute each school's expected share and contribution.

    Parameters
    ----------
    pooled : table with school_id, failures, participants (see :func:`pooled_failures`).
    context : table with school_id and either ``index_column`` (``weights="fixed"``) or the
        factor columns (``"fitted"``); with a ``year`` column only the latest year is used.
    weights : "fixed" — regress on the context index; "fitted" — on the individual factors.
    factors : the factors for "fitted" (default: every known factor column present).
    confidence : level of the intervals (the methodology's confidence).

    Schools without participants or without context are not modelled (absent from the table).

    >>> import pyarrow as pa
    >>> pooled = pa.table({"school_id": list("abcd"), "failures": [1, 2, 3, 4],
    ...                    "participants": [10, 10, 10, 10]})
    >>> ctx = pa.table({"school_id": list("abcd"), "context_index": [0.0, 1.0, 2.0, 3.0]})
    >>> model = expected_results(pooled, ctx)
    >>> round(model.coefficients["context_index"], 3), round(model.r_squared, 3)
    (0.1, 1.0)
    """
    if weights not in ("fixed", "fitted"):
        raise ValueError(
            f"Неизвестный способ весов «{weights}»: укажите «fixed» (индекс контекста) "
            "или «fitted» (веса факторов подбираются по данным)."
        )
    context_table = _latest_context(context)
    if weights == "fixed":
        if index_column not in context_table.column_names:
            raise ValueError(
                f"В таблице контекста нет столбца «{index_column}» с индексом контекста: "
                "сначала рассчитайте индекс или передайте social_index."
            )
        candidates = [index_column]
    else:
        wanted = list(factors) if factors is not None else list(CONTEXT_FACTORS)
        candidates = [f for f in wanted if f in context_table.column_names]
        if not candidates:
            raise ValueError(
                "В таблице контекста нет ни одного фактора для подбора весов "
                f"(ожидались: {', '.join(wanted)}). Загрузите файл контекста с факторами."
            )

    ids, failures, participants, raw = _join(pooled, context_table, candidates, weights)
    if weights == "fixed":
        x, regressors, dropped = raw, (index_column,), ()
    else:
        x, regressors, dropped = _standardise(raw, candidates)
    p = x.shape[1] + 1
    if len(ids) <= p:
        raise ValueError(
            f"Для расчёта ожидаемых результатов нужно больше школ с данными о результатах и "
            f"контексте, чем параметров модели ({p}); сейчас — {len(ids)}. "
            'Расширьте окно лет или используйте weights = "fixed".'
        )

    actual = failures / participants
    design = np.column_stack([np.ones(len(ids)), x])
    fit = _weighted_least_squares(design, actual, participants)
    expected = np.clip(fit.fitted, 0.0, 1.0)
    z = z_value(confidence)
    actual_lo, actual_hi = wilson_interval(failures, participants, confidence)
    contribution = expected - actual
    lo = contribution - np.sqrt((z * fit.se_fit) ** 2 + (actual_hi - actual) ** 2)
    hi = contribution + np.sqrt((z * fit.se_fit) ** 2 + (actual - actual_lo) ** 2)

    table = pa.table(
        {
            "school_id": pa.array(ids, pa.string()),
            "failures": pa.array(failures.astype(np.int64)),
            "participants": pa.array(participants.astype(np.int64)),
            "actual": actual,
            "actual_lo": actual_lo,
            "actual_hi": actual_hi,
            "expected": expected,
            "expected_se": fit.se_fit,
            "contribution": contribution,
            "lo": lo,
            "hi": hi,
        }
    )
    coefficients = {"intercept": float(fit.beta[0])}
    coefficients.update({name: float(b) for name, b in zip(regressors, fit.beta[1:], strict=True)})
    return ExpectedResults(
        method=weights,
        regressors=tuple(regressors),
        coefficients=coefficients,
        r_squared=fit.r_squared,
        confidence=confidence,
        dropped_factors=tuple(dropped),
        table=table,
    )


def resilient(
    expected: ExpectedResults,
    adverse_school_ids: Iterable[str],
    *,
    min_contribution: float = 0.05,
) -> CategoryResult:
    """Resilient schools: adverse context and a contribution surely above ``min_contribution``.

    A school is flagged when it is in ``adverse_school_ids`` (the ШНСУ list) and the lower bound
    of its contribution interval exceeds ``min_contribution`` (a share: 0.05 = 5 п.п.).
    ``details`` is the model table with an ``adverse`` and a ``resilient`` column.

    >>> import pyarrow as pa
    >>> pooled = pa.table({"school_id": list("abcdefg"), "participants": [100] * 7,
    ...                    "failures": [10, 20, 30, 40, 2, 15, 25]})
    >>> ctx = pa.table({"school_id": list("abcdefg"),
    ...                 "context_index": [0, 1, 2, 3, 3, 0.5, 1.5]})
    >>> model = expected_results(pooled, ctx)
    >>> sorted(resilient(model, ["d", "e"]).flagged)
    ['e']
    """
    adverse = set(adverse_school_ids)
    table = expected.table
    ids = table.column("school_id").to_pylist()
    lower = table.column("lo").to_numpy()
    is_adverse = np.array([s in adverse for s in ids], dtype=bool)
    flags = is_adverse & (lower > min_contribution)
    percent_level = say.percent(expected.confidence)
    flagged: dict[str, list[str]] = {}
    for row in table.filter(pa.array(flags)).to_pylist():
        flagged[row["school_id"]] = [
            f"Ожидаемая {say.POOLED_FAILURES} («2» или ниже минимального порога) при таком "
            f"контексте — {say.percent(row['expected'])}, фактическая — "
            f"{say.percent(row['actual'])} ({say.count_of(row['failures'], row['participants'])}; "
            f"{percent_level} ДИ {_range(row['actual_lo'], row['actual_hi'])}); "
            f"вклад ОО {say.points(row['contribution'])} ({percent_level} ДИ "
            f"{say.points_range(row['lo'], row['hi'])}), нижняя граница выше порога "
            f"{say.points(min_contribution, signed=False)}",
            f"Модель: {expected.formula}",
        ]
    details = table.append_column("adverse", pa.array(is_adverse)).append_column(
        "resilient", pa.array(flags)
    )
    return CategoryResult("resilient", flagged, details)


# --- internals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray
    fitted: np.ndarray
    se_fit: np.ndarray
    r_squared: float


def _weighted_least_squares(design: np.ndarray, y: np.ndarray, w: np.ndarray) -> _Fit:
    """WLS with Var(y_i) = sigma² / w_i; sigma² estimated from the weighted residuals."""
    root = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)
    fitted = design @ beta
    residuals = y - fitted
    dof = len(y) - design.shape[1]
    sigma2 = float(np.sum(w * residuals**2) / dof)
    covariance = sigma2 * np.linalg.pinv(design.T @ (design * w[:, None]))
    se_fit = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", design, covariance, design), 0.0))
    mean = float(np.sum(w * y) / np.sum(w))
    total = float(np.sum(w * (y - mean) ** 2))
    r_squared = 1.0 - float(np.sum(w * residuals**2)) / total if total > 0 else 0.0
    return _Fit(beta=beta, fitted=fitted, se_fit=se_fit, r_squared=r_squared)


def _latest_context(context: Any) -> pa.Table:
    if isinstance(context, pa.Table):
        table = context
    else:
        table = collect(as_lazy(context))
    if "school_id" not in table.column_names:
        raise ValueError("В таблице контекста нет столбца school_id (Код ОО).")
    if "year" in table.column_names and table.num_rows:
        years = table.column("year")
        latest = pc.max(years)
        if latest.is_valid:
            table = table.filter(pc.fill_null(pc.equal(years, latest), False))
        else:
            table = table.slice(0, 0)
    return table


def _join(
    pooled: pa.Table, context: pa.Table, columns: list[str], weights: str
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Schools with participants and context, ordered by school_id (vectorised in Arrow)."""
    context = context.select(["school_id", *columns])
    # A school listed twice in the context keeps its last row.
    last_first = context.take(pa.array(np.arange(context.num_rows - 1, -1, -1, dtype=np.int64)))
    pooled = pooled.filter(pc.is_valid(pooled.column("school_id"))).sort_by("school_id")
    at = pc.index_in(
        pooled.column("school_id"), value_set=last_first.column("school_id").combine_chunks()
    )
    participants = pooled.column("participants")
    keep = pc.and_(pc.is_valid(at), pc.fill_null(pc.not_equal(participants, 0), False))
    factors = [last_first.column(c).take(at) for c in columns]
    if weights == "fixed":
        keep = pc.and_(keep, pc.is_valid(factors[0]))
    elif factors:
        present = factors[0].is_valid()
        for values in factors[1:]:
            present = pc.or_(present, values.is_valid())
        keep = pc.and_(keep, present)
    keep = pc.fill_null(keep, False)
    ids = pooled.column("school_id").filter(keep).to_pylist()
    failures = _float_values(pooled.column("failures").filter(keep))
    participants_kept = _float_values(participants.filter(keep))
    raw = [_float_values(values.filter(keep)) for values in factors]
    matrix = np.column_stack(raw) if raw else np.empty((len(ids), 0))
    return ids, failures, participants_kept, matrix.reshape(len(ids), len(columns))


def _float_values(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Numbers as float64, a missing value as NaN."""
    floats = values.cast(pa.float64())
    return np.asarray(floats.to_numpy(zero_copy_only=False), dtype=np.float64)


def _standardise(raw: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """z-score each factor over the modelled schools; missing → 0; constant factors dropped."""
    kept, columns, dropped = [], [], []
    for j, name in enumerate(names):
        column = raw[:, j]
        known = column[~np.isnan(column)]
        sd = float(known.std()) if known.size else 0.0
        if sd == 0.0:
            dropped.append(name)
            continue
        z = (column - known.mean()) / sd
        columns.append(np.where(np.isnan(z), 0.0, z))
        kept.append(name)
    matrix = np.column_stack(columns) if columns else np.empty((raw.shape[0], 0))
    return matrix, kept, dropped


def _range(lo: float, hi: float) -> str:
    return f"{say.percent(lo).removesuffix(' %')}–{say.percent(hi)}"
