"""Social context factors per school and year, as percentages of the school's students.

Each factor is a count of students drawn from a binomial with a logit-linear probability
in the school's adversity, so small schools get the coarse percentages real small schools
report (1 of 18 = 5.6 %). Favourable factors (parents' higher education) fall with
adversity, adverse ones rise. ``both_parents_higher_education`` is drawn among the students
counted in ``parent_higher_education``, so it never exceeds it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from opora import factors
from opora.demo.register import BOARDING, Register

# factor: (logit at adversity 0, slope per unit of adversity, school-level sd)
FACTORS: dict[str, tuple[float, float, float]] = {
    "large_families": (-1.75, 0.35, 0.30),
    "non_native_russian": (-4.0, 0.35, 0.50),
    "parent_higher_education": (-0.25, -0.60, 0.25),
    "both_parents_unemployed": (-3.4, 0.60, 0.35),
    "parent_disabled": (-3.2, 0.25, 0.30),
    "foster_care": (-3.8, 0.45, 0.35),
    "families_in_danger": (-4.3, 0.65, 0.40),
    "juvenile_commission": (-4.9, 0.60, 0.40),
    "low_income": (-1.3, 0.55, 0.30),
    "special_needs": (-2.8, 0.20, 0.35),
}
FACTOR_COLUMNS: tuple[str, ...] = factors.CODES
MULTILINGUAL_SHARE = 0.12  # schools where many students do not speak Russian at home


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# Direction of each factor (seed 002, appendix 1): +1 adverse, -1 favourable, 0 none.
DIRECTION = {factor: 1 for factor in FACTOR_COLUMNS} | {
    "parent_higher_education": -1,
    "both_parents_higher_education": -1,
    "special_needs": 0,
}


def default_index(latest: dict[str, np.ndarray]) -> np.ndarray:
    """The methodology's default context index over one year's factor columns.

    Each factor is z-scored over the schools, signed by its direction and summed with equal
    weights; higher means more adverse.

    >>> default_index({"low_income": np.array([10.0, 30.0])}).round(1).tolist()
    [-1.0, 1.0]
    """
    index = np.zeros(len(next(iter(latest.values()))))
    for factor, values in latest.items():
        sign = DIRECTION.get(factor, 0)
        sd = values.std()
        if sign and sd > 0:
            index += sign * (values - values.mean()) / sd
    return index


def build_context(
    rng: np.random.Generator, register: Register, adversity: np.ndarray
) -> tuple[pa.Table, np.ndarray]:
    """One row per school × year with the factor columns in percent (one decimal), and the
    default context index of every school over the latest year."""
    n = register.size
    a = adversity
    school_level = {f: rng.normal(0.0, sd, n) for f, (_, _, sd) in FACTORS.items()}
    extra = {f: np.zeros(n) for f in FACTORS}
    extra["non_native_russian"] = np.where(rng.random(n) < MULTILINGUAL_SHARE, 2.8, 0.0)
    boarding = register.kind == BOARDING
    extra["foster_care"] = np.where(boarding, 2.2, 0.0)
    extra["special_needs"] = np.where(boarding, 1.0, 0.0)
    both_ratio_logit = -0.5 - 0.3 * a + rng.normal(0.0, 0.25, n)

    columns: dict[str, list[np.ndarray]] = {
        c: [] for c in ("school_index", "year", *FACTOR_COLUMNS)
    }
    for year in register.years:
        students = np.maximum(register.students(year), 1)
        counts: dict[str, np.ndarray] = {}
        for factor, (base, slope, _) in FACTORS.items():
            logit = base + slope * a + school_level[factor] + extra[factor]
            p = _sigmoid(logit + rng.normal(0.0, 0.08, n))
            counts[factor] = rng.binomial(students, p)
        counts["both_parents_higher_education"] = rng.binomial(
            counts["parent_higher_education"], _sigmoid(both_ratio_logit)
        )
        columns["school_index"].append(np.arange(n))
        columns["year"].append(np.full(n, year, dtype=np.int64))
        for factor in FACTOR_COLUMNS:
            columns[factor].append(np.round(100.0 * counts[factor] / students, 1))

    index = np.concatenate(columns["school_index"])
    ids = pa.array(register.school_id, pa.string())
    fields: dict[str, pa.Array] = {
        "school_id": ids.take(pa.array(index)),
        "year": pa.array(np.concatenate(columns["year"])),
    }
    for factor in FACTOR_COLUMNS:
        fields[factor] = pa.array(np.concatenate(columns[factor]), pa.float64())
    table = pa.table(fields)
    order = np.lexsort((table["year"].to_numpy(), index))
    latest = {factor: values[-1] for factor, values in columns.items() if factor in DIRECTION}
    return table.take(pa.array(order)), default_index(latest)
