"""Student-level results that aggregate exactly to the results rows.

Every results row (ВПР, ОГЭ and ЕГЭ, every year) is expanded: its participants are a random
subset of the pupils of the school's cohort (grades 10–11: the cohort's seniors), and the
marks (or ЕГЭ scores) drawn for the row are dealt to them. A pupil keeps the same id from
year to year: the id is a keyed 40-bit permutation of (school, cohort, place in cohort),
written as "S" + 10 hex digits, so ids are unique and depend on the seed.

``journal_mark`` (the school's annual mark) is the ВПР/ОГЭ mark moved by −1/0/+1 (teachers
rarely give an annual «2»); at schools with inflated ВПР it is drawn from the school's honest
mark distribution instead, so it disagrees with the ВПР mark far more often. ЕГЭ rows carry
``score`` and no marks.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from opora.demo.assessments import Cells, templates
from opora.demo.register import Register

_HALF = 20
_MASK = (1 << _HALF) - 1
_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def pseudonym(keys: np.ndarray, seed: int) -> np.ndarray:
    """Unique "S" + 10 hex digit ids for distinct 40-bit keys (a keyed Feistel permutation).

    >>> pseudonym(np.array([1, 2]), 7).dtype
    dtype('S11')
    """
    round_keys = np.random.default_rng([seed, 7001]).integers(0, 1 << _HALF, 4, dtype=np.uint64)
    x = keys.astype(np.uint64)
    left = (x >> np.uint64(_HALF)) & np.uint64(_MASK)
    right = x & np.uint64(_MASK)
    for k in round_keys:
        mixed = (right * np.uint64(0x9E3779B1) + k) & np.uint64(0xFFFFFFFF)
        mixed = (mixed ^ (mixed >> np.uint64(13))) * np.uint64(0x85EBCA6B)
        mixed = (mixed ^ (mixed >> np.uint64(16))) & np.uint64(_MASK)
        left, right = right, left ^ mixed
    value = (left << np.uint64(_HALF)) | right
    shifts = np.arange(36, -1, -4, dtype=np.uint64)
    digits = _HEX[((value[:, None] >> shifts) & np.uint64(0xF)).astype(np.int64)]
    out = np.empty((len(value), 11), dtype=np.uint8)
    out[:, 0] = ord("S")
    out[:, 1:] = digits
    return out.view("S11").ravel()


def build_students(
    rng: np.random.Generator, register: Register, cells: Cells, seed: int
) -> pa.Table:
    """The students interchange table for every results row in ``cells``."""
    plan = templates()
    grade_of = np.array([t.grade for t in plan], dtype=np.int64)
    procedure_of = np.array([t.procedure for t in plan])
    n_cells = len(cells.participants)
    pool = cells.pool
    n = cells.participants

    # Choose n distinct places out of the pool of each cell: sort random keys within cells.
    pool_start = np.concatenate([[0], np.cumsum(pool)[:-1]])
    cell_of_place = np.repeat(np.arange(n_cells), pool)
    place = np.arange(len(cell_of_place)) - pool_start[cell_of_place]
    order = np.lexsort((rng.random(len(cell_of_place)), cell_of_place))
    rank = np.arange(len(order)) - pool_start[cell_of_place]
    taken = rank < n[cell_of_place]
    cell = cell_of_place[taken]
    place = place[order][taken]

    grade = grade_of[cells.template[cell]]
    cohort = cells.year[cell] - grade - register.first_cohort
    if place.size and (place.max() >= 1 << 11 or cohort.max() >= 1 << 6):
        raise ValueError("Слишком большой класс для генератора псевдонимов обучающихся.")
    keys = (cells.school[cell].astype(np.int64) << 17) | (cohort << 11) | place
    ids = pa.array(pseudonym(keys, seed), pa.binary()).cast(pa.string())

    graded_cell = procedure_of[cells.template] != "ЕГЭ"
    graded = graded_cell[cell]
    total = len(cell)
    mark = np.zeros(total, dtype=np.int64)
    mark_values = np.tile(np.array([2, 3, 4, 5]), n_cells)
    mark[graded] = np.repeat(mark_values, cells.marks.ravel())
    score = np.zeros(total, dtype=np.int64)
    score[~graded] = cells.scores

    journal = np.clip(mark + rng.choice([-1, 0, 1], size=total, p=[0.1, 0.65, 0.25]), 2, 5)
    journal = np.where((journal == 2) & (rng.random(total) < 0.6), 3, journal)
    fake = graded & cells.inflated[cell]
    cum = np.cumsum(cells.honest[cell[fake]], axis=1)
    u = rng.random(int(fake.sum()))
    journal[fake] = 2 + (u[:, None] > cum[:, :3]).sum(axis=1)

    school_ids = pa.array(register.school_id, pa.string())
    procedure_names = pa.array([t.procedure for t in plan], pa.string())
    subject_names = pa.array([t.subject for t in plan], pa.string())
    template = pa.array(cells.template[cell])
    return pa.table(
        {
            "student_id": ids,
            "school_id": school_ids.take(pa.array(cells.school[cell])),
            "year": pa.array(cells.year[cell].astype(np.int64)),
            "procedure": procedure_names.take(template),
            "subject": subject_names.take(template),
            "grade": pa.array(grade),
            "mark": pa.array(mark, pa.int64(), mask=~graded),
            "score": pa.array(score, pa.int64(), mask=graded),
            "journal_mark": pa.array(journal, pa.int64(), mask=~graded),
        }
    )
