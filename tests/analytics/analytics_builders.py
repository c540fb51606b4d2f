"""Small builders for hand-made analytics cases (imported by the test modules)."""

from __future__ import annotations

import pyarrow as pa

from opora.analytics.frames import to_lazy
from opora.analytics.low_results import LowResultsOutcome, assess_low_results, prepare_results
from opora.analytics.methodology import Methodology, parse_methodology

RESULT_COLUMNS = (
    "school_id",
    "year",
    "procedure",
    "subject",
    "grade",
    "participants",
    "mark_2",
    "below_min",
)


def results(*rows: tuple) -> pa.Table:
    """Results rows (school, year, procedure, subject, grade, participants, mark_2[, below_min])."""
    full = [tuple(r) + (None,) * (len(RESULT_COLUMNS) - len(r)) for r in rows]
    types = [pa.string(), pa.int64(), pa.string(), pa.string(), pa.int64(), pa.int64()]
    types += [pa.int64(), pa.int64()]
    return pa.table(
        {name: pa.array([r[i] for r in full], types[i]) for i, name in enumerate(RESULT_COLUMNS)}
    )


def method(toml: str = "") -> Methodology:
    """A methodology from TOML text; every key not written keeps its default."""
    return parse_methodology(toml, source="тест")


def low(engine: str, table: pa.Table, toml: str = "", school_ids=None) -> LowResultsOutcome:
    """Run the low-results rule on a table on an engine."""
    return assess_low_results(
        to_lazy(prepare_results(table), engine), method(toml), school_ids=school_ids
    )


def by_school(table: pa.Table) -> dict[str, dict]:
    """Rows of a school-level table keyed by school_id."""
    return {row["school_id"]: row for row in table.to_pylist()}


def cells_of(outcome: LowResultsOutcome) -> dict[tuple, dict]:
    """Cell detail keyed by (school, year, procedure, subject, grade)."""
    return {
        (r["school_id"], r["year"], r["procedure"], r["subject"], r["grade"]): r
        for r in outcome.cell_table().to_pylist()
    }
