"""Cells: results rows that pass the methodology's filters, with their failures and verdicts.

A cell is one results row (school × year × procedure × subject × grade). Its failures are
``mark_2`` for graded procedures and ``below_min`` for ЕГЭ: for a row of ЕГЭ ``below_min`` is
used when present, otherwise ``mark_2``; for every other procedure ``mark_2`` is used when
present, otherwise ``below_min`` (so a regional threshold procedure that only reports
``below_min`` works too). A row with neither is not judged («нет данных о неуспевающих»).

Everything here is a Narwhals lazy expression: it runs on DuckDB and on PySpark alike.

>>> import pyarrow as pa
>>> from opora.analytics.frames import to_lazy, collect
>>> from opora.analytics.methodology import LowResultsRule
>>> results = prepare_results(pa.table({"school_id": ["01"], "year": [2024],
...     "procedure": ["ВПР"], "subject": ["Математика"], "grade": [5],
...     "participants": [10], "mark_2": [3]}))
>>> rule = LowResultsRule()
>>> cells = finish_cells(collect(judge(cell_frame(to_lazy(results), rule, (2024,)), rule)), rule)
>>> cells["low"].to_pylist(), cells["status"].to_pylist()
([True], ['оценена'])
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics.frames import collect, distinct, without_dictionaries
from opora.analytics.methodology import LowResultsRule
from opora.analytics.stats import wilson_interval, z_value
from opora.formats.clean_csv import key_numbers, key_numbers_within, rows_in

# Shares are compared as failures >= threshold * participants; the epsilon absorbs the float
# error of the product (0.3 * 10 = 3.0000000000000004), so 3 of 10 at 0.30 is low.
EPSILON = 1e-9

THRESHOLD_PROCEDURES: tuple[str, ...] = ("ЕГЭ",)
STATUS_JUDGED = "оценена"
STATUS_TOO_FEW = "недостаточно данных"
STATUS_NO_FAILURES = "нет данных о неуспевающих"
ALL_SUBJECTS = "все предметы"

RESULTS_SCHEMA: dict[str, pa.DataType] = {
    "school_id": pa.string(),
    "year": pa.int64(),
    "procedure": pa.string(),
    "subject": pa.string(),
    "grade": pa.int64(),
    "participants": pa.int64(),
    "mark_2": pa.int64(),
    "mark_3": pa.int64(),
    "mark_4": pa.int64(),
    "mark_5": pa.int64(),
    "below_min": pa.int64(),
}
# The integer key of a cell (see :func:`cell_keys`), added by :func:`prepare_results`.
CELL_KEY = "cell_key"
# The integer key of a school's procedure (school × procedure), numbered like the cells.
UNIT_KEY = "unit_key"
# Each prepared row's position in its table: a query can give positions instead of texts,
# which are then taken from the Arrow table (DuckDB moves texts through a join slowly).
ROW_ID = "row_id"
KEY_COLUMNS = ("school_id", "procedure", "subject", "grade")
REQUIRED_RESULTS = ("school_id", "year", "procedure", "subject", "grade", "participants")

CELL_SCHEMA: dict[str, pa.DataType] = {
    **{k: v for k, v in RESULTS_SCHEMA.items() if not k.startswith("mark_") and k != "below_min"},
    "failures": pa.int64(),
    "failure_source": pa.string(),
    "share": pa.float64(),
    "wilson_lo": pa.float64(),
    "wilson_hi": pa.float64(),
    "judged": pa.bool_(),
    "low": pa.bool_(),
    "status": pa.string(),
}
LAZY_CELL_COLUMNS: tuple[str, ...] = (
    "school_id",
    "year",
    "procedure",
    "subject",
    "grade",
    "participants",
    "failures",
    "failure_source",
    "share",
    "judged",
    "low",
)
CELL_COLUMNS: tuple[str, ...] = (
    "school_id",
    "year",
    "procedure",
    "subject",
    "grade",
    "participants",
    "failures",
    "failure_source",
    "share",
    "wilson_lo",
    "wilson_hi",
    "judged",
    "low",
    "status",
)


def prepare_results(results: pa.Table) -> pa.Table:
    """Keep the columns the rules need, with fixed types; absent optional columns become nulls;
    ``cell_key`` numbers the cells (:func:`cell_keys`), ``unit_key`` the school × procedure
    pairs in the same way, ``row_id`` is the row's position and
    ``failures`` is each row's count of failures (:func:`failure_columns`).

    >>> prepare_results(pa.table({"school_id": ["1"], "year": [2024], "procedure": ["ЕГЭ"],
    ...     "subject": ["Химия"], "grade": [11], "participants": [7], "below_min": [1]})
    ... ).column_names[-6:]
    ['mark_5', 'below_min', 'cell_key', 'unit_key', 'row_id', 'failures']
    """
    missing = [c for c in REQUIRED_RESULTS if c not in results.column_names]
    if missing:
        names = ", ".join(f"«{c}»" for c in missing)
        raise ValueError(f"В таблице результатов нет обязательных столбцов: {names}.")

    def typed(name: str) -> pa.ChunkedArray | pa.Array:
        if name not in results.column_names:
            return pa.nulls(results.num_rows, RESULTS_SCHEMA[name])
        values = results.column(name)
        if pa.types.is_dictionary(values.type) and values.type.value_type == RESULTS_SCHEMA[name]:
            # Texts read as dictionaries stay so: DuckDB reads them as texts as fast, and
            # spelling out 2.4 million of them nationally took a tenth of a second.
            return values
        return values.cast(RESULTS_SCHEMA[name])

    # The columns are typed in threads while the cells are numbered (Arrow works without the GIL).
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="opora-prepare") as pool:
        keys = pool.submit(_unit_and_cell_keys, results)
        columns = dict(zip(RESULTS_SCHEMA, pool.map(typed, RESULTS_SCHEMA), strict=True))
        columns[CELL_KEY], columns[UNIT_KEY] = keys.result()
    columns[ROW_ID] = pa.array(np.arange(results.num_rows, dtype=np.int64))
    # The failures once (every query on the results would otherwise compute them again).
    columns["failures"] = row_failures(
        columns["procedure"], columns["mark_2"], columns["below_min"]
    )
    return pa.table(columns)


def row_failures(
    procedure: pa.ChunkedArray | pa.Array,
    mark_2: pa.ChunkedArray | pa.Array,
    below_min: pa.ChunkedArray | pa.Array,
) -> pa.ChunkedArray | pa.Array:
    """Each row's failures by the rule of :func:`failure_columns`, computed in Arrow: whether
    a procedure counts by threshold is looked up once per distinct name of a dictionary
    column, not once per row.

    >>> row_failures(pa.array(["ЕГЭ", "ВПР", "ВПР", None]), pa.array([5, 2, None, 1]),
    ...     pa.array([1, 9, 3, None])).to_pylist()
    [1, 2, 3, 1]
    """
    # An empty procedure is not a threshold one.
    threshold = pc.fill_null(rows_in(procedure, pa.array(THRESHOLD_PROCEDURES, pa.string())), False)
    has_below = pc.is_valid(below_min)
    uses_below = pc.and_(has_below, pc.or_(threshold, pc.is_null(mark_2)))
    return pc.if_else(uses_below, below_min, mark_2)


def _unit_and_cell_keys(results: pa.Table) -> tuple[pa.Array, pa.Array]:
    """The cell numbers and the school × procedure numbers, the latter numbered on the way."""
    unit = key_numbers_within(results, KEY_COLUMNS[:2])
    cell = key_numbers_within(results, KEY_COLUMNS[2:], unit)[0]
    return pa.array(cell, pa.int64()), pa.array(unit[0], pa.int64())


def cell_keys(results: pa.Table) -> pa.Array:
    """One whole number per cell (school × procedure × subject × grade), equal for the rows of
    the same cell in different years, different otherwise; empty keys count as a value.

    Rows of consecutive years are matched on this single number instead of four columns, three
    of them texts: several times cheaper on either engine. The numbers keep the order of the
    keys (:func:`opora.formats.clean_csv.key_numbers`) but mean nothing outside the table
    they were computed for.

    >>> t = pa.table({"school_id": ["1", "1", "2"], "procedure": ["ВПР"] * 3,
    ...     "subject": ["М", "М", "М"], "grade": [5, 5, 5]})
    >>> keys = cell_keys(t).to_pylist()
    >>> keys[0] == keys[1] != keys[2]
    True
    """
    return pa.array(key_numbers(results, KEY_COLUMNS), pa.int64())


def filter_results(results: nw.LazyFrame, rule: LowResultsRule) -> nw.LazyFrame:
    """Rows of the procedures and subjects the methodology judges (empty lists mean all)."""
    if rule.procedures:
        results = results.filter(nw.col("procedure").is_in(list(rule.procedures)))
    if rule.subjects:
        results = results.filter(nw.col("subject").is_in(list(rule.subjects)))
    return results


def window_years(results: nw.LazyFrame, rule: LowResultsRule) -> tuple[int, ...]:
    """The last ``window_years`` years present in the filtered results, the same for all schools.

    >>> import pyarrow as pa
    >>> from opora.analytics.frames import to_lazy
    >>> t = prepare_results(pa.table({"school_id": ["1"] * 3, "year": [2022, 2023, 2024],
    ...     "procedure": ["ВПР"] * 3, "subject": ["М"] * 3, "grade": [5] * 3,
    ...     "participants": [9] * 3}))
    >>> window_years(to_lazy(t), LowResultsRule(window_years=2))
    (2023, 2024)
    """
    years = collect(distinct(filter_results(results, rule), "year"))
    present = sorted({y for y in years.column("year").to_pylist() if y is not None})
    return tuple(present[-rule.window_years :])


def failure_columns() -> list[nw.Expr]:
    """``failures`` and ``failure_source`` (``mark_2`` or ``below_min``) of a results row."""
    # An empty procedure is not a threshold one (as in :func:`row_failures`).
    threshold = nw.col("procedure").is_in(list(THRESHOLD_PROCEDURES)).fill_null(False)
    has_mark_2 = ~nw.col("mark_2").is_null()
    has_below = ~nw.col("below_min").is_null()
    uses_below = (threshold & has_below) | (~threshold & ~has_mark_2 & has_below)
    return [
        nw.when(uses_below).then(nw.col("below_min")).otherwise(nw.col("mark_2")).alias("failures"),
        nw.when(uses_below)
        .then(nw.lit("below_min"))
        .otherwise(nw.lit("mark_2"))
        .alias("failure_source"),
    ]


def cell_frame(results: nw.LazyFrame, rule: LowResultsRule, years: Sequence[int]) -> nw.LazyFrame:
    """Results rows of the window as cells with ``failures`` (not yet judged)."""
    return (
        filter_results(results, rule)
        .filter(nw.col("year").is_in(list(years)))
        .with_columns(*_failures_unless_known(results))
    )


def _failures_unless_known(frame: nw.LazyFrame) -> list[nw.Expr]:
    """``failures`` and ``failure_source``, or only the source for prepared results, which
    carry their failures already."""
    failures, source = failure_columns()
    return [source] if "failures" in frame.collect_schema().names() else [failures, source]


def procedure_frame(
    results: nw.LazyFrame, rule: LowResultsRule, years: Sequence[int]
) -> nw.LazyFrame:
    """Cells pooled per school × year × procedure (the Rosobrnadzor indicator's unit).

    Participants and failures are summed over the subjects and grades whose failures are known;
    ``subject`` becomes «все предметы» and ``grade`` is null.
    """
    rows = cell_frame(results, rule, years).filter(~nw.col("failures").is_null())
    return (
        rows.group_by("school_id", "year", "procedure")
        .agg(
            # DuckDB sums integers to HUGEINT, which arrives as Decimal: keep counts Int64.
            nw.col("participants").sum().cast(nw.Int64),
            nw.col("failures").sum().cast(nw.Int64),
            nw.col("failure_source").max(),
        )
        .with_columns(
            nw.lit(ALL_SUBJECTS).alias("subject"),
            nw.lit(None, dtype=nw.Int64).alias("grade"),
        )
    )


def judge(cells: nw.LazyFrame, rule: LowResultsRule) -> nw.LazyFrame:
    """Add ``share``, ``judged`` and ``low`` to cells (lazy; Wilson bounds come at collection).

    ``judged``: participants >= min_participants and failures known. ``low``: judged and
    failures >= threshold × participants; with ``significance`` also the Wilson lower bound
    >= threshold, tested without square roots: for 0 < t < 1 the lower bound of the Wilson
    interval is at least t exactly when x >= t·n and (x − t·n)² >= z²·t·(1 − t)·n.
    """
    n = nw.col("participants").cast(nw.Float64)
    x = nw.col("failures").cast(nw.Float64)
    known = ~nw.col("failures").is_null()
    judged = known & (nw.col("participants") >= rule.min_participants)
    t = rule.threshold
    low = judged & (x >= n * t - EPSILON)
    if rule.significance and t < 1.0:
        z = z_value(rule.confidence)
        low = low & ((x - n * t) * (x - n * t) >= n * (z * z * t * (1.0 - t)) - EPSILON)
    frame = cells.with_columns(
        nw.when(known & (nw.col("participants") > 0)).then(x / n).alias("share"),
        judged.fill_null(False).alias("judged"),
        low.fill_null(False).alias("low"),
    )
    return frame.select(*LAZY_CELL_COLUMNS)


def finish_cells(cells: pa.Table, rule: LowResultsRule) -> pa.Table:
    """Add the Wilson interval and the Russian status to collected cells (NumPy, any engine).

    >>> t = pa.table({"failures": [9, 3, None], "participants": [21, 4, 10],
    ...     "judged": [True, False, False]})
    >>> done = finish_cells(t, LowResultsRule())
    >>> round(done["wilson_lo"][0].as_py(), 4), done["status"].to_pylist()
    (0.2447, ['оценена', 'недостаточно данных', 'нет данных о неуспевающих'])
    """
    failures = cells.column("failures")
    known = pc.invert(pc.is_null(failures)).to_numpy(zero_copy_only=False)
    x = failures.fill_null(0).to_numpy(zero_copy_only=False).astype(np.float64)
    n = cells.column("participants").to_numpy(zero_copy_only=False).astype(np.float64)
    lo, hi = wilson_interval(x, np.where(known, n, 0.0), rule.confidence)
    judged = cells.column("judged").to_numpy(zero_copy_only=False)
    status = pc.if_else(
        pa.array(judged, pa.bool_()),
        STATUS_JUDGED,
        pc.if_else(pa.array(known, pa.bool_()), STATUS_TOO_FEW, STATUS_NO_FAILURES),
    )
    return (
        cells.append_column("wilson_lo", pa.array(lo, pa.float64(), mask=np.isnan(lo)))
        .append_column("wilson_hi", pa.array(hi, pa.float64(), mask=np.isnan(hi)))
        .append_column("status", status)
    )


def judged_cells(results: nw.LazyFrame, rule: LowResultsRule, years: Sequence[int]) -> nw.LazyFrame:
    """The judged cell frame of a methodology: per row, or per procedure for «rosobrnadzor»."""
    if rule.rule == "rosobrnadzor":
        return judge(procedure_frame(results, rule, years), rule)
    return judge(cell_frame(results, rule, years), rule)


def worst_cells(cells: pa.Table, limit: int = 5) -> pa.Table:
    """Up to ``limit`` of the collected ``cells`` per school, worst first, with their ``place``
    (1 = worst), sorted by school and place.

    Order: share descending (an empty share last), participants descending, year descending,
    then procedure, subject and grade (an empty grade first); the order is total, so the cells
    of either engine give the same rows. The engine only filters the cells; they are ranked
    here, in Arrow (a window function over every low cell took twice as long on DuckDB).

    >>> t = pa.table({"school_id": ["a", "a", "b", "a"], "share": [0.5, 0.6, 0.4, 0.5],
    ...     "participants": [20, 10, 10, 30], "year": [2024] * 4, "procedure": ["ВПР"] * 4,
    ...     "subject": ["М"] * 4, "grade": [5] * 4})
    >>> w = worst_cells(t, 2)
    >>> w["participants"].to_pylist(), w["place"].to_pylist()
    ([10, 30, 10], [1, 2, 1])
    """
    keys = without_dictionaries(
        cells.select(["school_id", "share", "participants", "year", "procedure", "subject"])
    ).append_column("__grade", cells.column("grade").fill_null(0))
    order = pc.sort_indices(
        keys,
        sort_keys=[
            ("school_id", "ascending"),
            ("share", "descending"),
            ("participants", "descending"),
            ("year", "descending"),
            ("procedure", "ascending"),
            ("subject", "ascending"),
            ("__grade", "ascending"),
        ],
    )
    ranked = cells.take(order)
    if ranked.num_rows == 0:
        return ranked.append_column("place", pa.array([], pa.int64()))
    ids = keys.column("school_id").take(order).combine_chunks()
    rows = len(ids)
    starts = np.ones(rows, dtype=bool)
    starts[1:] = pc.not_equal(ids.slice(1), ids.slice(0, rows - 1)).to_numpy(zero_copy_only=False)
    position = np.arange(rows, dtype=np.int64)
    place = position - np.maximum.accumulate(np.where(starts, position, 0)) + 1
    kept = place <= limit
    return ranked.filter(pa.array(kept)).append_column("place", pa.array(place[kept]))
