"""Partner schools: leaders and resilient schools «в сопоставимых социальных условиях».

Seeds 000 and 001 attach a «пилотная школа» with stably high results to each school with low
results and build networks with high-result schools working in comparable social conditions.

Similarity of a school and a candidate partner, from 0 to 1, is a weighted mean of the parts
that are known for both schools (weights renormalised over them):

* context: ``exp(−|index₁ − index₂| / context_scale)``; the scale defaults to the standard
  deviation of the index over the schools passed in (1 when it cannot be computed);
* settlement: 1 when both are «город» or both «село», else 0;
* distance: ``exp(−d / distance_scale_km)`` with ``d`` the great-circle (haversine) distance.

Default weights: context 0.5, settlement 0.25, distance 0.25. With no known part the
similarity is 0.

Each partner takes at most ``capacity`` schools. The pairs maximise the total similarity, an
assignment problem solved exactly by ``scipy.optimize.linear_sum_assignment`` with each
partner's column repeated ``capacity`` times — unlike a greedy «best pair first» choice, it
will give a school its second-best partner when that lets another school keep a much better
one. Every school also gets its top alternatives regardless of capacity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.optimize import linear_sum_assignment

from opora.analytics import _phrases as say
from opora.analytics.verdicts import CATEGORY_LABELS

EARTH_RADIUS_KM = 6371.0
DEFAULT_WEIGHTS: dict[str, float] = {"context": 0.5, "settlement": 0.25, "distance": 0.25}
_FORBIDDEN = 1e6  # cost of a pair that must not be chosen (the school itself, too dissimilar)

PAIR_SCHEMA = pa.schema(
    [
        ("school_id", pa.string()),
        ("partner_id", pa.string()),
        ("partner_category", pa.string()),
        ("similarity", pa.float64()),
        ("context_index", pa.float64()),
        ("partner_context_index", pa.float64()),
        ("same_settlement", pa.bool_()),
        ("distance_km", pa.float64()),
        ("text", pa.string()),
    ]
)
ALTERNATIVE_SCHEMA = pa.schema([("rank", pa.int64()), *PAIR_SCHEMA])


@dataclass(frozen=True)
class Matching:
    """Assigned partners and alternatives.

    ``assignments``: one row per school to support (``partner_id`` empty when no partner could
    be given; ``text`` then says why). ``alternatives``: up to N rows per school, rank 1 = the
    most similar partner other than the assigned one. ``rule`` is the similarity in words.
    """

    assignments: pa.Table
    alternatives: pa.Table
    rule: str

    def partner_of(self, school_id: str) -> str | None:
        """The partner assigned to a school, or None."""
        for row in self.assignments.to_pylist():
            if row["school_id"] == school_id:
                return row["partner_id"]
        return None


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in km (vectorised; broadcasting like NumPy).

    >>> round(float(haversine_km(0.0, 0.0, 0.0, 1.0)), 1)
    111.2
    """
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def match_partners(
    schools: pa.Table,
    targets: Iterable[str],
    partners: Mapping[str, str] | Iterable[str],
    *,
    capacity: int = 1,
    alternatives: int = 3,
    index_column: str = "context_index",
    context_scale: float | None = None,
    distance_scale_km: float = 100.0,
    weights: Mapping[str, float] | None = None,
    min_similarity: float = 0.0,
) -> Matching:
    """Propose a partner school for every target school, at most ``capacity`` per partner.

    Parameters
    ----------
    schools : one row per school (the register joined with the context index): school_id and
        any of name, settlement, latitude, longitude, ``index_column``.
    targets : codes of the schools to support (e.g. the selected ШНОР).
    partners : codes of possible partners, or a mapping code → category (``"leader"``,
        ``"resilient"``) shown in the text.
    capacity : the most schools one partner takes.
    alternatives : how many other partners to propose per school.
    min_similarity : pairs less similar than this are never assigned.

    >>> import pyarrow as pa
    >>> schools = pa.table({"school_id": ["t1", "t2", "p1", "p2"],
    ...     "settlement": ["село"] * 4, "context_index": [1.0, 0.0, 0.9, 0.1]})
    >>> m = match_partners(schools, ["t1", "t2"], {"p1": "leader", "p2": "leader"},
    ...                    context_scale=1.0)
    >>> m.partner_of("t1"), m.partner_of("t2")
    ('p1', 'p2')
    """
    if isinstance(capacity, bool) or int(capacity) != capacity or capacity < 1:
        raise ValueError(
            f"Число школ на одного партнёра должно быть целым и не меньше 1: {capacity!r}."
        )
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown or any(w < 0 for w in weights.values()):
        raise ValueError(
            "Веса сходства задаются для «context», «settlement», «distance» и не меньше 0."
        )
    categories = dict(partners) if isinstance(partners, Mapping) else dict.fromkeys(partners, "")
    info = {row["school_id"]: row for row in schools.to_pylist()}
    target_ids = list(dict.fromkeys(targets))
    partner_ids = sorted(categories)
    missing = [s for s in [*target_ids, *partner_ids] if s not in info]
    if missing:
        raise ValueError(
            f"В таблице школ нет кодов ОО: {', '.join(missing[:10])}. Проверьте реестр школ."
        )
    scale = _context_scale(schools, index_column) if context_scale is None else context_scale
    parts = _pair_parts(
        [info[s] for s in target_ids],
        [info[s] for s in partner_ids],
        index_column,
        scale,
        distance_scale_km,
        weights,
    )
    similarity = parts["similarity"]
    allowed = similarity >= min_similarity - 1e-12
    for i, school in enumerate(target_ids):
        for j, partner in enumerate(partner_ids):
            if school == partner:
                allowed[i, j] = False

    assigned = _assign(similarity, allowed, int(capacity))
    context = _Context(info, categories, index_column, parts, target_ids, partner_ids)
    rows, alt_rows = [], []
    for i in range(len(target_ids)):
        j = assigned.get(i)
        rows.append(context.assignment_row(i, j, allowed, assigned, int(capacity)))
        order = sorted(
            (k for k in range(len(partner_ids)) if allowed[i, k] and k != j),
            key=lambda k: (-similarity[i, k], partner_ids[k]),
        )
        for rank, k in enumerate(order[:alternatives], start=1):
            alt_rows.append({"rank": rank, **context.pair_row(i, k, "Вариант")})
    return Matching(
        assignments=pa.Table.from_pylist(rows, schema=PAIR_SCHEMA),
        alternatives=pa.Table.from_pylist(alt_rows, schema=ALTERNATIVE_SCHEMA),
        rule=_rule_text(weights, scale, distance_scale_km, int(capacity)),
    )


# --- internals -------------------------------------------------------------------------------


def _context_scale(schools: pa.Table, index_column: str) -> float:
    if index_column not in schools.column_names:
        return 1.0
    values = np.array(
        [v for v in schools.column(index_column).to_pylist() if v is not None], dtype=float
    )
    values = values[~np.isnan(values)]
    sd = float(values.std()) if values.size >= 2 else 0.0
    return sd if sd > 0 else 1.0


def _column(rows: list[dict], key: str) -> np.ndarray:
    return np.array(
        [np.nan if r.get(key) is None else float(r[key]) for r in rows], dtype=np.float64
    )


def _pair_parts(
    targets: list[dict],
    partners: list[dict],
    index_column: str,
    context_scale: float,
    distance_scale_km: float,
    weights: Mapping[str, float],
) -> dict[str, np.ndarray]:
    """Similarity parts as target × partner matrices (NaN where unknown) and their mean."""
    ti, pi = _column(targets, index_column), _column(partners, index_column)
    difference = np.abs(ti[:, None] - pi[None, :])
    context = np.exp(-difference / context_scale)

    ts = np.array([r.get("settlement") for r in targets], dtype=object)
    ps = np.array([r.get("settlement") for r in partners], dtype=object)
    known_settlement = (ts[:, None] != None) & (ps[None, :] != None)  # noqa: E711
    same = np.where(known_settlement, ts[:, None] == ps[None, :], False)
    settlement = np.where(known_settlement, same.astype(float), np.nan)

    distance = haversine_km(
        _column(targets, "latitude")[:, None],
        _column(targets, "longitude")[:, None],
        _column(partners, "latitude")[None, :],
        _column(partners, "longitude")[None, :],
    )
    near = np.exp(-distance / distance_scale_km)

    total = np.zeros_like(context)
    weight_sum = np.zeros_like(context)
    for name, part in (("context", context), ("settlement", settlement), ("distance", near)):
        w = weights.get(name, 0.0)
        known = ~np.isnan(part)
        total += np.where(known, w * np.nan_to_num(part), 0.0)
        weight_sum += np.where(known, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = np.where(weight_sum > 0, total / weight_sum, 0.0)
    return {
        "similarity": similarity,
        "same_settlement": np.where(known_settlement, same, None),
        "distance": distance,
        "target_index": ti,
        "partner_index": pi,
    }


def _assign(similarity: np.ndarray, allowed: np.ndarray, capacity: int) -> dict[int, int]:
    """Target row → partner column maximising the total similarity, ≤ capacity per partner."""
    if similarity.size == 0:
        return {}
    cost = np.where(allowed, 1.0 - similarity, _FORBIDDEN)
    replicated = np.repeat(cost, capacity, axis=1)  # column j*capacity + c is partner j's seat c
    rows, columns = linear_sum_assignment(replicated)
    return {
        int(r): int(c) // capacity
        for r, c in zip(rows, columns, strict=True)
        if replicated[r, c] < _FORBIDDEN
    }


@dataclass
class _Context:
    info: dict[str, dict]
    categories: dict[str, str]
    index_column: str
    parts: dict[str, np.ndarray]
    target_ids: list[str]
    partner_ids: list[str]

    def name(self, school: str, note: str = "") -> str:
        name = self.info[school].get("name")
        tail = f", {note}" if note else ""
        return f"{name} (код {school}{tail})" if name else f"школа с кодом {school}{tail}"

    def pair_row(self, i: int, j: int, head: str) -> dict[str, Any]:
        school, partner = self.target_ids[i], self.partner_ids[j]
        ti, pi = self.parts["target_index"][i], self.parts["partner_index"][j]
        same = self.parts["same_settlement"][i, j]
        distance = self.parts["distance"][i, j]
        similarity = float(self.parts["similarity"][i, j])
        category = self.categories.get(partner) or None
        label = CATEGORY_LABELS.get(category or "", "")
        details = []
        if not np.isnan(ti) and not np.isnan(pi):
            details.append(f"индекс контекста {say.number(pi, 2)} против {say.number(ti, 2)}")
        if same is not None:
            settlements = (self.info[partner]["settlement"], self.info[school]["settlement"])
            details.append(
                f"обе — {_where(settlements[0])}"
                if same
                else f"{_where(settlements[0])} и {_where(settlements[1])}"
            )
        if not np.isnan(distance):
            details.append(f"{say.number(distance, 0)} км")
        details.append(f"сходство {say.number(similarity, 2)}")
        return {
            "school_id": school,
            "partner_id": partner,
            "partner_category": category,
            "similarity": similarity,
            "context_index": None if np.isnan(ti) else float(ti),
            "partner_context_index": None if np.isnan(pi) else float(pi),
            "same_settlement": None if same is None else bool(same),
            "distance_km": None if np.isnan(distance) else float(distance),
            "text": f"{head}: {self.name(partner, label)}; " + ", ".join(details),
        }

    def assignment_row(
        self,
        i: int,
        j: int | None,
        allowed: np.ndarray,
        assigned: dict[int, int],
        capacity: int,
    ) -> dict[str, Any]:
        if j is not None:
            row = self.pair_row(i, j, "Школа-партнёр")
            best = self._best(i, allowed)
            if (
                best is not None
                and best != j
                and self.parts["similarity"][i, best] > (self.parts["similarity"][i, j] + 1e-12)
            ):
                row["text"] += (
                    f". Более похожий партнёр — {self.name(self.partner_ids[best])} "
                    f"со сходством {say.number(float(self.parts['similarity'][i, best]), 2)} — "
                    "закреплён за другой школой: так суммарное сходство всех пар больше"
                )
            return row
        school = self.target_ids[i]
        if not allowed[i].any():
            why = "нет школы-партнёра с достаточным сходством"
        else:
            why = (
                f"все подходящие школы-партнёры уже взяли по {capacity} "
                "(распределение даёт наибольшее суммарное сходство); см. варианты"
            )
        return {
            "school_id": school,
            "partner_id": None,
            "partner_category": None,
            "similarity": None,
            "context_index": _none(self.parts["target_index"][i]),
            "partner_context_index": None,
            "same_settlement": None,
            "distance_km": None,
            "text": f"Школа-партнёр не назначена: {why}",
        }

    def _best(self, i: int, allowed: np.ndarray) -> int | None:
        order = [k for k in range(len(self.partner_ids)) if allowed[i, k]]
        if not order:
            return None
        return min(order, key=lambda k: (-self.parts["similarity"][i, k], self.partner_ids[k]))


def _none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _where(settlement: str | None) -> str:
    return {"город": "в городе", "село": "в селе"}.get(settlement or "", f"«{settlement}»")


def _rule_text(
    weights: Mapping[str, float], scale: float, distance_scale: float, capacity: int
) -> str:
    return (
        "Сходство от 0 до 1 — взвешенное среднее известных составляющих: контекст "
        f"exp(−|разница индексов| / {say.number(scale, 2)}) с весом "
        f"{say.number(weights.get('context', 0.0), 2)}, тип поселения (совпадает — 1, нет — 0) "
        f"с весом {say.number(weights.get('settlement', 0.0), 2)}, расстояние "
        f"exp(−км / {say.number(distance_scale, 0)}) с весом "
        f"{say.number(weights.get('distance', 0.0), 2)}. Пары подобраны так, чтобы суммарное "
        f"сходство было наибольшим, не больше {say.schools_genitive(capacity)} на одного партнёра."
    )
