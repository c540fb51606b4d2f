"""Selection of a limited number of schools from the ШНОР list (seed 004).

«С учетом возможных ресурсных ограничений по количеству школ, которым может быть оказана
помощь, Программой предусмотрен отбор из исходного полного списка школ с низкими
образовательными результатами ограниченного количества школ для организации адресной помощи.»

Severity (1 = most severe), a total order shown with every choice:

1. the school's failure share pooled over the judged cells of the window, shrunk towards the
   regional mean by the empirical-Bayes beta-binomial model (``stats.shrunk_shares``), so that
   3 failures out of 5 do not outrank 40 out of 100 — higher is more severe;
2. then the number of low years in the window — more is more severe;
3. then the number of low cells — more is more severe;
4. then the school code, so that the order never depends on the input order.

Per-municipality minimum and maximum: the chosen set is the most severe one that honours them.
Each municipality first gets its minimum (its most severe schools), then the remaining places go
down the severity list skipping municipalities at their maximum. Because within a municipality
the severity only decreases, this greedy fill maximises the total severity under the bounds.
When the bounds cannot all be met, a Russian error says which and how to fix it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from opora.analytics import _phrases as say
from opora.analytics import wording
from opora.analytics.stats import shrunk_shares


class SelectionError(ValueError):
    """The selection cannot honour the limits; the message is Russian and says how to fix it."""


SELECTION_SCHEMA = pa.schema(
    [
        ("school_id", pa.string()),
        ("name", pa.string()),
        ("municipality", pa.string()),
        ("severity_rank", pa.int64()),
        ("shrunk_share", pa.float64()),
        ("actual_share", pa.float64()),
        ("failures", pa.int64()),
        ("participants", pa.int64()),
        ("low_years", pa.int64()),
        ("low_cells", pa.int64()),
        ("selected", pa.bool_()),
        ("selection_order", pa.int64()),
        ("by_minimum", pa.bool_()),
        ("reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class Selection:
    """The chosen schools, the rule in words and a reason for every candidate.

    ``table`` has every candidate in severity order (columns of ``SELECTION_SCHEMA``);
    ``selection_order`` is 1..n for the chosen ones, empty otherwise.
    """

    rule: str
    table: pa.Table

    @property
    def selected(self) -> list[str]:
        """School codes of the chosen schools, most severe first."""
        return [r["school_id"] for r in self.table.to_pylist() if r["selected"]]


def select_schools(
    candidates: pa.Table,
    n: int,
    *,
    municipality_min: int | Mapping[str, int] = 0,
    municipality_max: int | Mapping[str, int] | None = None,
    register: pa.Table | None = None,
) -> Selection:
    """Choose ``n`` schools from the ШНОР list by severity, honouring municipal bounds.

    Parameters
    ----------
    candidates : one row per ШНОР school: school_id, failures, participants, low_years,
        low_cells, and ``shrunk_share`` (from the low-results rule, shrunk over *all* schools;
        when absent it is computed over the candidates); ``municipality`` and ``name`` may come
        from ``register`` instead.
    n : how many schools to choose.
    municipality_min, municipality_max : the same bound for every municipality, or a mapping
        municipality → bound (municipalities not named are unbounded).
    register : the school register (school_id, name, municipality) to complete the candidates.

    >>> import pyarrow as pa
    >>> candidates = pa.table({"school_id": ["a", "b", "c"], "municipality": ["X", "X", "Y"],
    ...     "failures": [40, 30, 10], "participants": [100] * 3, "low_years": [2] * 3,
    ...     "low_cells": [3, 2, 1], "shrunk_share": [0.4, 0.3, 0.1]})
    >>> select_schools(candidates, 2).selected
    ['a', 'b']
    >>> select_schools(candidates, 2, municipality_min=1).selected
    ['a', 'c']
    """
    rows = _candidate_rows(candidates, register)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise SelectionError(
            f"Число отбираемых школ должно быть целым и не меньше 1; указано {n!r}."
        )
    rows.sort(key=lambda r: (-r["shrunk_share"], -r["low_years"], -r["low_cells"], r["school_id"]))
    for rank, row in enumerate(rows, start=1):
        row["severity_rank"] = rank
    available = Counter(r["municipality"] for r in rows)
    lower, upper = _bounds(available, municipality_min, municipality_max, n, len(rows))

    chosen: dict[str, str] = {}  # school_id -> "minimum" | "severity"
    taken: Counter[str] = Counter()
    for row in rows:  # phase 1: each municipality's minimum, its most severe schools
        if taken[row["municipality"]] < lower.get(row["municipality"], 0):
            chosen[row["school_id"]] = "minimum"
            taken[row["municipality"]] += 1
    for row in rows:  # phase 2: the rest down the severity list, within the maxima
        if len(chosen) == n:
            break
        m = row["municipality"]
        if row["school_id"] not in chosen and taken[m] < upper.get(m, n):
            chosen[row["school_id"]] = "severity"
            taken[m] += 1

    rule = _rule_text(n, len(rows), municipality_min, municipality_max)
    table = _explain(rows, chosen, taken, lower, upper, n)
    return Selection(rule=rule, table=table)


# --- internals -------------------------------------------------------------------------------


def _candidate_rows(candidates: pa.Table, register: pa.Table | None) -> list[dict]:
    required = ["school_id", "failures", "participants", "low_years", "low_cells"]
    missing = [c for c in required if c not in candidates.column_names]
    if missing:
        raise SelectionError(
            f"В списке ШНОР для отбора нет столбцов: {', '.join(missing)}. "
            "Передайте таблицу школ из расчёта ШНОР."
        )
    rows = candidates.to_pylist()
    if len({r["school_id"] for r in rows}) != len(rows):
        raise SelectionError("В списке ШНОР для отбора есть повторяющиеся коды ОО.")
    info = {r["school_id"]: r for r in register.to_pylist()} if register is not None else {}
    for row in rows:
        extra = info.get(row["school_id"], {})
        row["municipality"] = row.get("municipality") or extra.get("municipality")
        row["name"] = row.get("name") or extra.get("name")
        if not row["municipality"]:
            raise SelectionError(
                f"У школы с кодом «{row['school_id']}» не указан муниципалитет. "
                "Загрузите реестр школ с муниципалитетами."
            )
        for key in ("failures", "participants", "low_years", "low_cells"):
            row[key] = int(row[key] or 0)
        row["actual_share"] = row["failures"] / row["participants"] if row["participants"] else None
    if "shrunk_share" not in candidates.column_names or any(
        r.get("shrunk_share") is None for r in rows
    ):
        shrunk, _, _ = shrunk_shares(
            [r["failures"] for r in rows], [r["participants"] for r in rows]
        )
        for row, value in zip(rows, shrunk, strict=True):
            if row.get("shrunk_share") is None:
                row["shrunk_share"] = None if np.isnan(value) else float(value)
    for row in rows:
        if row["shrunk_share"] is None:
            row["shrunk_share"] = -1.0  # no participants: least severe, still listed
    return rows


def _bounds(
    available: Counter[str],
    minimum: int | Mapping[str, int],
    maximum: int | Mapping[str, int] | None,
    n: int,
    total: int,
) -> tuple[dict[str, int], dict[str, int]]:
    lower = (
        dict(minimum) if isinstance(minimum, Mapping) else dict.fromkeys(available, int(minimum))
    )
    if maximum is None:
        upper: dict[str, int] = {}
    elif isinstance(maximum, Mapping):
        upper = dict(maximum)
    else:
        upper = dict.fromkeys(available, int(maximum))
    errors = []
    if n > total:
        errors.append(
            f"Нужно отобрать {say.schools_accusative(n)}, а в списке ШНОР их {total}. "
            "Уменьшите число отбираемых школ."
        )
    for m, low in sorted(lower.items()):
        if low < 0 or upper.get(m, low) < 0:
            errors.append(f"Минимум и максимум для муниципалитета «{m}» не могут быть меньше 0.")
        elif low > available.get(m, 0):
            errors.append(
                f"Для муниципалитета «{m}» задан минимум {low}, а в списке ШНОР из него "
                f"{say.schools_count(available.get(m, 0))}. Уменьшите минимум."
            )
        elif m in upper and low > upper[m]:
            errors.append(
                f"Для муниципалитета «{m}» минимум ({low}) больше максимума ({upper[m]})."
            )
    if sum(lower.values()) > n:
        errors.append(
            f"Сумма минимумов по муниципалитетам ({sum(lower.values())}) больше числа "
            f"отбираемых школ ({n}). Уменьшите минимумы или увеличьте число школ."
        )
    capacity = sum(min(upper.get(m, count), count) for m, count in available.items())
    if n <= total and capacity < n:
        errors.append(
            f"С такими максимумами по муниципалитетам можно отобрать не больше "
            f"{say.schools_genitive(capacity)}, а нужно {n}. Увеличьте максимумы или уменьшите "
            "число школ."
        )
    if errors:
        raise SelectionError(" ".join(errors))
    return lower, upper


def _severity_figures(row: dict) -> str:
    parts = []
    if row["actual_share"] is not None:
        share = f"доля неудовлетворительных результатов {say.percent(row['actual_share'])}"
        shrunk = say.percent(row["shrunk_share"])
        if shrunk != say.percent(row["actual_share"]):
            share += f", с поправкой на число участников — {shrunk}"
        parts.append(share)
    else:
        parts.append("нет оценённых результатов")
    parts.append(say.years_count(row["low_years"]))
    parts.append(f"низких ячеек: {row['low_cells']}")
    return ", ".join(parts)


def _explain(
    rows: list[dict],
    chosen: dict[str, str],
    taken: Counter[str],
    lower: dict[str, int],
    upper: dict[str, int],
    n: int,
) -> pa.Table:
    order = {
        school: i
        for i, school in enumerate(r["school_id"] for r in rows if r["school_id"] in chosen)
    }
    worst_chosen_rank = max(
        (r["severity_rank"] for r in rows if r["school_id"] in chosen), default=0
    )
    forced = any(how == "minimum" for how in chosen.values())
    out = []
    for row in rows:
        school, m, rank = row["school_id"], row["municipality"], row["severity_rank"]
        head = f"{say.place(rank)} по тяжести ({_severity_figures(row)})"
        how = chosen.get(school)
        if how == "minimum" and rank > n:
            reason = f"Выбрана по минимуму для муниципалитета «{m}» (не меньше {lower[m]}): {head}"
        elif how is not None:
            reason = f"Выбрана: {head}"
            if rank > n:
                reason += "; вошла, потому что более тяжёлые школы не прошли по максимуму для своих муниципалитетов"
            elif lower.get(m, 0) > 0:
                reason += f"; минимум для муниципалитета «{m}» — {lower[m]}"
        elif m in upper and taken[m] >= upper[m]:
            reason = (
                f"Не выбрана: {head}; из муниципалитета «{m}» уже выбрано максимальное число "
                f"школ ({upper[m]})"
            )
        elif rank <= n or (forced and rank < worst_chosen_rank):
            reason = (
                f"Не выбрана: {head}; место занято школой, выбранной по минимуму для "
                "своего муниципалитета"
            )
        else:
            places = wording.plural(n, ("место", "места", "мест"))
            taken_by = f"все {places} заняты более тяжёлыми школами"
            if n == 1:
                taken_by = "единственное место занято более тяжёлой школой"
            reason = f"Не выбрана: {head}; {taken_by}"
        out.append(
            {
                **{k: row.get(k) for k in SELECTION_SCHEMA.names if k in row},
                "shrunk_share": row["shrunk_share"] if row["shrunk_share"] >= 0 else None,
                "selected": how is not None,
                "selection_order": order[school] + 1 if how is not None else None,
                "by_minimum": how == "minimum",
                "reason": reason,
            }
        )
    return pa.Table.from_pylist(out, schema=SELECTION_SCHEMA)


def _rule_text(
    n: int,
    total: int,
    minimum: int | Mapping[str, int],
    maximum: int | Mapping[str, int] | None,
) -> str:
    text = (
        f"Отбор {say.schools_genitive(n)} из {total} по тяжести: сначала доля неудовлетворительных "
        "результатов («2» или ниже минимального порога) за окно лет с поправкой на малое число "
        "участников (эмпирический Байес), при равенстве — число низких лет, затем число низких "
        "ячеек."
    )
    bounds = []
    if isinstance(minimum, Mapping):
        bounds += [f"«{m}» — не меньше {v}" for m, v in sorted(minimum.items()) if v]
    elif minimum:
        bounds.append(f"каждый муниципалитет — не меньше {minimum}")
    if isinstance(maximum, Mapping):
        bounds += [f"«{m}» — не больше {v}" for m, v in sorted(maximum.items())]
    elif maximum is not None:
        bounds.append(f"каждый муниципалитет — не больше {maximum}")
    if bounds:
        text += " Ограничения: " + "; ".join(bounds) + "."
    return text
