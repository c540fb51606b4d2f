"""The orchestrator: one methodology, the interchange tables in, every category with reasons out.

>>> import pyarrow as pa
>>> results = pa.table({"school_id": ["01", "01"], "year": [2023, 2024],
...     "procedure": ["ВПР", "ВПР"], "subject": ["Математика"] * 2, "grade": [5, 6],
...     "participants": [20, 21], "mark_2": [6, 9]})
>>> run = identify(None, results)
>>> run.schools.select(["school_id", "categories"]).to_pylist()
[{'school_id': '01', 'categories': 'low_results'}]
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics.cells import window_years
from opora.analytics.context import ContextIndex, adverse_context, context_index
from opora.analytics.frames import to_lazy
from opora.analytics.leaders import leaders
from opora.analytics.low_results import (
    LowResultsOutcome,
    assess_low_results,
    prepare_results,
    write_reasons,
)
from opora.analytics.methodology import DEFAULT, Methodology
from opora.analytics.verdicts import CATEGORY_LABELS, CATEGORY_ORDER, CategoryResult
from opora.analytics.wording import joined_present

try:  # helper modules of the same package; the orchestrator works without them
    from opora.analytics import expected as _expected
except ImportError:  # pragma: no cover - only while the module is being written
    _expected = None  # type: ignore[assignment]
try:
    from opora.analytics import reliability as _reliability
except ImportError:  # pragma: no cover
    _reliability = None  # type: ignore[assignment]

REASONS_SEPARATOR = " | "

SCHOOLS_SCHEMA = pa.schema(
    [
        ("school_id", pa.string()),
        ("categories", pa.string()),
        ("status", pa.string()),
        ("context_index", pa.float64()),
        ("expected_share", pa.float64()),
        ("actual_share", pa.float64()),
        ("contribution", pa.float64()),
        ("contribution_lo", pa.float64()),
        ("contribution_hi", pa.float64()),
        ("shrunk_share", pa.float64()),
        ("shrunk_rank", pa.int64()),
        ("low_years", pa.int64()),
        ("judged_cells", pa.int64()),
        ("low_cells", pa.int64()),
        ("reasons", pa.string()),
    ]
)


@dataclass
class Identification:
    """One identification run.

    ``schools``: one row per school (columns of ``SCHOOLS_SCHEMA``), categories as codes joined
    by «;» in ``CATEGORY_ORDER``. ``cells``: the cell detail of the window (or ``None`` when not
    requested). ``categories``: code → CategoryResult. ``fitted``: the expected-results model
    (method, coefficients, r_squared, formula) or ``None``. ``signals``: the unreliable
    signals table, if computed.
    """

    schools: pa.Table
    cells: pa.Table | None
    categories: dict[str, CategoryResult]
    method: Methodology
    window_years: tuple[int, ...]
    fitted: dict[str, Any] | None = None
    context: ContextIndex | None = None
    signals: pa.Table | None = None
    warnings: list[str] = field(default_factory=list)

    def flagged(self, code: str) -> list[str]:
        """The sorted school ids carrying a category code."""
        result = self.categories.get(code)
        return sorted(result.flagged) if result else []


def identify(
    schools: pa.Table | None,
    results: pa.Table,
    context: pa.Table | None = None,
    students: pa.Table | None = None,
    method: Methodology | None = None,
    engine: str = "duckdb",
    *,
    keep_cells: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Identification:
    """Run every rule of a methodology on the interchange tables.

    ``schools`` (the register, may be ``None``) adds schools without results; ``context`` enables
    ШНСУ, the expected shares and resilience; ``students`` the journal-mark signal of
    ``unreliable``. ``engine`` is "duckdb" or "pyspark". ``keep_cells=False`` skips collecting
    the cell detail (the batch command does not need it).
    """
    method = method or DEFAULT
    step = progress or (lambda _message: None)
    step("Проверка результатов по правилу ШНОР")
    # The context index and ШНСУ need only the context: computed in another thread from the
    # start, while this one prepares the results.
    context_job = None
    if context is not None:
        context_job = _background(engine, _context_verdicts, context, method, engine)
    prepared = prepare_results(results)
    lazy_results = to_lazy(prepared, engine)
    # The signals of inflated results need only the window (and the years before it): on
    # DuckDB they are computed in a background thread (DuckDB works without the GIL), which
    # finds the window itself, while this one judges the cells and writes the reasons.
    # (A relation belongs to its cursor: the thread wraps the Arrow table on a cursor of its own.)
    source = prepared if engine == "duckdb" else lazy_results
    signals_job = _background(engine, _signals, source, prepared, students, method, engine)
    window = window_years(lazy_results, method.low_results)
    register = None  # without a register or context: every school of the results
    if schools is not None or context is not None:
        register = pa.concat_arrays([_ids(schools), _ids(context)])
    outcome = assess_low_results(
        lazy_results, method, school_ids=register, years=window, reasons=False
    )
    # While this thread has the engine find the leaders' cells, the reasons of ШНОР and the
    # risk group (Python and Arrow) are written in one thread and the expected results and
    # resilience (the pooled shares and the context) fitted in another.
    reasons_job = _background(engine, write_reasons, outcome, method)
    expected_job = None
    if context_job is not None:
        expected_job = _background(
            engine, _expected_verdicts, outcome, context_job, context, method
        )
    warnings = list(outcome.warnings)
    categories: dict[str, CategoryResult] = {
        "leader": leaders(outcome, method.leaders.max_failure_share)
    }
    # Each category is matched to the schools as soon as it is found (while the threads still
    # work on the others): the summary table then only joins the columns.
    ids = outcome.schools.column("school_id").combine_chunks().cast(pa.string())
    described: dict[str, tuple[pa.Array, pa.Array]] = {}

    def describe() -> None:
        for code, result in categories.items():
            if code not in described:
                described[code] = _category_columns(ids, code, result)

    describe()
    index: ContextIndex | None = None
    model = None
    if expected_job is not None:
        step("Социальный контекст, ожидаемые результаты и резильентность")
        index, categories["adverse_context"], model, resilient, more = expected_job()
        warnings += more
        if resilient is not None:
            categories["resilient"] = resilient
        describe()
    reasons_job()
    categories["low_results"], categories["risk"] = outcome.low_results, outcome.risk
    describe()
    step("Признаки необъективности")
    signals = None
    found = signals_job()
    if found is not None:
        categories["unreliable"], signals = found
        describe()
    step("Сводная таблица")
    table = _school_table(outcome, ids, described, index, model)
    cells = outcome.cell_table() if keep_cells else None
    fitted = None
    if model is not None:
        fitted = {
            "method": model.method,
            "coefficients": dict(model.coefficients),
            "r_squared": model.r_squared,
            "formula": model.formula,
            "dropped_factors": list(model.dropped_factors),
        }
    return Identification(
        schools=table,
        cells=cells,
        categories={code: categories[code] for code in CATEGORY_ORDER if code in categories},
        method=method,
        window_years=outcome.years,
        fitted=fitted,
        context=index,
        signals=signals,
        warnings=warnings,
    )


def _signals(
    results: pa.Table | nw.LazyFrame,
    prepared: pa.Table,
    students: pa.Table | None,
    method: Methodology,
    engine: str,
) -> tuple[CategoryResult, pa.Table] | None:
    """The ``unreliable`` category and its signal table, judged on the years of the window
    like every other category (``None`` without the reliability module). The results of the
    years before the window are given too: a collapse into the first window year is compared
    with the year before it, and a recovery after a one-year dip is told from a collapse."""
    if _reliability is None:
        return None
    rule = method.unreliable
    lazy = to_lazy(results, engine)
    window = window_years(lazy, method.low_results)  # the window of every other category
    return _reliability.unreliable(
        lazy,
        students,
        vpr_max_failure=rule.vpr_max_failure,
        vpr_min_top=rule.vpr_min_top,
        gia_min_failure=rule.gia_min_failure,
        collapse_p=rule.collapse_p,
        collapse_min_drop=rule.collapse_min_drop,
        mark_gap_ratio=rule.mark_gap_ratio,
        min_participants=method.low_results.min_participants,
        confidence=method.low_results.confidence,
        window=window,
        source=prepared,
    )


def _context_verdicts(
    context: pa.Table, method: Methodology, engine: str
) -> tuple[ContextIndex, CategoryResult]:
    """The context index of every school and the ШНСУ category judged on it."""
    rule = method.adverse_context
    index = context_index(context, rule.weights, engine)
    return index, adverse_context(index, rule.quantile)


def _expected_verdicts(
    outcome: LowResultsOutcome,
    context_job: Callable[[], tuple[ContextIndex, CategoryResult]],
    context: pa.Table,
    method: Methodology,
) -> tuple[ContextIndex, CategoryResult, Any, CategoryResult | None, list[str]]:
    """The context index, ШНСУ (from ``context_job``), the expected-results model, the
    resilient schools (``None`` without a model) and the warnings of the fit."""
    index, adverse = context_job()
    warnings: list[str] = []
    model = _expected_model(outcome, index, context, method, warnings)
    resilient = None
    if model is not None:
        resilient = _expected.resilient(
            model,
            adverse.reason_table().column("school_id").to_pylist(),
            min_contribution=method.resilient.min_contribution,
        )
    return index, adverse, model, resilient, warnings


def _background(engine: str, work: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """Start ``work(*args)`` and return a function that waits for its result (or raises its
    exception). On DuckDB the work runs in a thread of its own, on its own cursor; other
    engines run it at once (a Spark session parallelises by itself)."""
    if engine != "duckdb":
        value = work(*args)
        return lambda: value
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opora-identify")
    future = pool.submit(work, *args)
    pool.shutdown(wait=False)
    return future.result


def _ids(table: pa.Table | None) -> pa.Array:
    """The school ids of a table (none without the column), as one string array."""
    if table is None or "school_id" not in table.column_names:
        return pa.array([], pa.string())
    return table.column("school_id").combine_chunks().cast(pa.string())


def _expected_model(
    outcome: LowResultsOutcome,
    index: ContextIndex,
    context: pa.Table,
    method: Methodology,
    warnings: list[str],
) -> Any:
    """Fit helper-B's context model; a model that cannot be fitted becomes a warning."""
    if _expected is None:
        return None
    pooled = outcome.schools.select(["school_id", "failures", "participants"])
    pooled = pooled.filter(pc.greater(pooled.column("participants"), 0))
    if method.expected.weights == "fixed":
        source: Any = index.table.select(["school_id", "context_index"])
    else:
        source = context
    try:
        return _expected.expected_results(
            pooled,
            source,
            weights=method.expected.weights,
            confidence=method.low_results.confidence,
        )
    except ValueError as problem:
        warnings.append(f"Ожидаемые результаты не рассчитаны: {problem}")
        return None


def _category_columns(
    ids: pa.Array, code: str, category: CategoryResult
) -> tuple[pa.Array, pa.Array]:
    """The category's code where a school of ``ids`` has it (else null) and its reasons,
    labelled with the category's name: matched by Arrow kernels, without a Python string per
    school."""
    reasons = category.reason_table()
    at = pc.index_in(ids, value_set=reasons.column("school_id").combine_chunks())
    codes = pc.if_else(pc.is_valid(at), code, pa.scalar(None, pa.string()))
    texts = pc.binary_join(reasons.column("reasons").combine_chunks(), "; ")
    labelled = pc.binary_join_element_wise(f"{CATEGORY_LABELS[code]}: ", texts, "")
    return codes, labelled.take(at)


def _school_table(
    outcome: LowResultsOutcome,
    ids: pa.Array,
    described: dict[str, tuple[pa.Array, pa.Array]],
    index: ContextIndex | None,
    model: Any,
) -> pa.Table:
    """One row per school of ``ids`` (those of ``outcome.schools``): the categories of
    ``described`` (:func:`_category_columns`) in ``CATEGORY_ORDER``, the figures and reasons."""
    base = outcome.schools
    order = [code for code in CATEGORY_ORDER if code in described]
    codes = [described[code][0] for code in order]
    parts = [described[code][1] for code in order]
    if outcome.status_reasons:
        said = outcome.status_reasons
        at = pc.index_in(ids, value_set=pa.array(list(said), pa.string()))
        parts.append(pa.array(list(said.values()), pa.string()).take(at))
    (context_values,) = _lookup(ids, index.table if index else None, "context_index")
    expected, contribution, lo, hi = _lookup(
        ids, model.table if model else None, "expected", "contribution", "lo", "hi"
    )
    columns = {
        "school_id": ids,
        "categories": joined_present(codes, ";", len(ids)),
        "status": base.column("status"),
        "context_index": context_values,
        "expected_share": expected,
        "actual_share": base.column("actual_share"),
        "contribution": contribution,
        "contribution_lo": lo,
        "contribution_hi": hi,
        "shrunk_share": base.column("shrunk_share"),
        "shrunk_rank": base.column("shrunk_rank"),
        "low_years": base.column("low_years"),
        "judged_cells": base.column("judged_cells"),
        "low_cells": base.column("low_cells"),
        "reasons": joined_present(parts, REASONS_SEPARATOR, len(ids)),
    }
    return pa.table(columns, schema=SCHOOLS_SCHEMA)


def _lookup(ids: pa.Array, table: pa.Table | None, *columns: str) -> list[pa.Array]:
    """The values of ``columns`` of ``table`` for each school of ``ids`` (null where the table
    has no such school or column), the schools matched once for all the columns."""
    if table is None:
        return [pa.nulls(len(ids), pa.float64()) for _ in columns]
    keys = table.column("school_id").cast(pa.string())
    positions = pc.index_in(ids.cast(pa.string()), value_set=keys.combine_chunks())
    found = []
    for column in columns:
        if column not in table.column_names:
            found.append(pa.nulls(len(ids), pa.float64()))
            continue
        values = table.column(column).combine_chunks().cast(pa.float64())
        taken = values.take(positions)
        # NaN from the model (e.g. an empty interval) is shown as empty, like a missing value.
        found.append(pc.if_else(pc.is_nan(taken), pa.scalar(None, pa.float64()), taken))
    return found
