"""Russian wording of figures shared by the explanation texts of the analytics rules.

Numbers are written the Russian way: a decimal comma, a space before «%», «п.п.» for
percentage points.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics import wording
from opora.analytics.wording import percent as percent  # one place for how a share is written
from opora.analytics.wording import percent_texts as percent_texts

# Pooled over procedures, a failure is «2» (ВПР, ОГЭ, КДР) or below the minimum (ЕГЭ).
POOLED_FAILURES = "доля неудовлетворительных результатов"


def number(value: float | None, digits: int = 1) -> str:
    """A number with a decimal comma: ``number(0.8)`` → ``'0,8'``; missing → «—»."""
    if value is None or math.isnan(value):
        return "—"
    return wording.number(value, digits)


def _half_up(value: float) -> int:
    """Round half away from zero (Python's round() rounds half to even)."""
    magnitude = math.floor(abs(value) + 0.5 + 1e-9)
    return -magnitude if value < 0 else magnitude


def points(delta: float, signed: bool = True) -> str:
    """A share difference in percentage points: ``points(0.161)`` → ``'+16 п.п.'``."""
    if delta is None or math.isnan(delta):
        return "—"
    value = _half_up(delta * 100)
    sign = "+" if signed and value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value)} п.п."


def points_texts(deltas: np.ndarray, signed: bool = True) -> pa.Array:
    """:func:`points` of many differences at once (Arrow kernels).

    >>> points_texts(np.array([0.161, -0.005, 0.0, np.nan])).to_pylist()
    ['+16 п.п.', '−1 п.п.', '0 п.п.', '—']
    """
    values = np.asarray(deltas, dtype=np.float64) * 100
    missing = np.isnan(values)
    with np.errstate(invalid="ignore"):
        magnitude = np.floor(np.abs(np.where(missing, 0.0, values)) + 0.5 + 1e-9).astype(np.int64)
    negative = (values < 0) & (magnitude > 0)
    positive = (values > 0) & (magnitude > 0) & signed
    sign = pc.if_else(pa.array(negative), "−", pc.if_else(pa.array(positive), "+", ""))
    texts = pc.binary_join_element_wise(sign, wording.number_texts(magnitude), " п.п.", "")
    return pc.if_else(pa.array(missing), "—", texts)


def points_range(lo: float, hi: float) -> str:
    """An interval of differences: ``points_range(0.06, 0.39)`` → ``'+6…+39 п.п.'``."""
    return f"{points(lo).removesuffix(' п.п.')}…{points(hi)}"


def p_value(p: float) -> str:
    """A p-value as a reader expects it: ``p_value(0.0004)`` → ``'p < 0,001'``."""
    if p < 0.001:
        return "p < 0,001"
    return f"p = {number(p, 3)}"


def p_value_texts(p: np.ndarray) -> pa.Array:
    """:func:`p_value` of many p-values (the rare ones of 0,001 and more one by one).

    >>> p_value_texts(np.array([0.0004, 0.0123])).to_pylist()
    ['p < 0,001', 'p = 0,012']
    """
    values = np.asarray(p, dtype=np.float64)
    small = values < 0.001
    texts = pa.array(np.where(small, "p < 0,001", ""), pa.string())
    if not small.all():
        exact = [p_value(v) for v in values[~small].tolist()]
        texts = pc.replace_with_mask(texts, pa.array(~small), pa.array(exact, pa.string()))
    return texts


def failure_share_phrase(procedure: str) -> str:
    """``'доля «2»'`` for graded procedures, ``'доля результатов ниже минимального порога'``."""
    if procedure == "ЕГЭ":
        return "доля результатов ниже минимального порога"
    return "доля «2»"


def count_of(failures: int, participants: int) -> str:
    """``count_of(9, 21)`` → ``'9 из 21'``."""
    return f"{int(failures)} из {int(participants)}"


def count_of_texts(failures: np.ndarray, participants: np.ndarray) -> pa.Array:
    """:func:`count_of` of many pairs: ``['9 из 21', …]``."""
    return pc.binary_join_element_wise(
        wording.number_texts(np.asarray(failures, dtype=np.int64)),
        wording.number_texts(np.asarray(participants, dtype=np.int64)),
        " из ",
    )


def cell_label_texts(
    procedure: pa.Array | pa.ChunkedArray,
    subject: pa.Array | pa.ChunkedArray,
    grade: pa.Array | pa.ChunkedArray,
) -> pa.Array | pa.ChunkedArray:
    """:func:`cell_label` of many cells: an empty subject or grade is left out.

    >>> cell_label_texts(pa.array(["ВПР", "ЕГЭ", "ОГЭ"]), pa.array(["Математика", None, ""]),
    ...     pa.array([5, None, 9])).to_pylist()
    ['ВПР, Математика, 5 кл.', 'ЕГЭ', 'ОГЭ, 9 кл.']
    """
    subject = pc.if_else(pc.equal(pc.binary_length(subject), 0), None, subject)
    grades = pc.binary_join_element_wise(wording.number_texts(grade), " кл.", "")
    return pc.binary_join_element_wise(procedure, subject, grades, ", ", null_handling="skip")


def cell_label(procedure: str, subject: str | None = None, grade: int | None = None) -> str:
    """``cell_label('ВПР', 'Математика', 5)`` → ``'ВПР, Математика, 5 кл.'``."""
    parts = [procedure]
    if subject:
        parts.append(subject)
    if grade is not None:
        parts.append(f"{int(grade)} кл.")
    return ", ".join(parts)


def place(rank: int) -> str:
    """An ordinal place: ``place(3)`` → ``'3-е место'``."""
    return f"{int(rank)}-е место"


def schools_count(n: int) -> str:
    """``schools_count(5)`` → ``'5 школ'`` with the right Russian plural."""
    return wording.plural(int(n), wording.SCHOOLS)


def schools_genitive(n: int) -> str:
    """After «из», «не больше», «отбор»: ``schools_genitive(1)`` → ``'1 школы'``, 3 → ``'3 школ'``."""
    return wording.plural(int(n), ("школы", "школ", "школ"))


def schools_accusative(n: int) -> str:
    """After «отобрать», «выбрать»: ``schools_accusative(1)`` → ``'1 школу'``, 3 → ``'3 школы'``."""
    return wording.plural(int(n), ("школу", "школы", "школ"))


def years_count(n: int) -> str:
    """``years_count(2)`` → ``'2 низких года'``."""
    return wording.plural(int(n), ("низкий год", "низких года", "низких лет"))
