"""Computed target indicators of support programs: shares of schools and of activities.

Django-free: plain rows in, a :class:`Share` out (numerator, denominator and the members of the
numerator, so that a page can drill down from a percentage to the schools behind it). The same
functions feed the achievement page and the Word/PDF monitoring report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

NEAR_TARGET = 0.9  # at least 90 % of the way to the target is «yellow», not «red»


@dataclass(frozen=True)
class Share:
    """A share in percent with the ids behind it.

    >>> s = Share(1, 4, ("a",))
    >>> s.value
    25.0
    >>> Share(0, 0).value is None
    True
    """

    numerator: int
    denominator: int
    members: tuple[str, ...] = ()
    population: tuple[str, ...] = ()
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def value(self) -> float | None:
        if self.denominator == 0:
            return None
        return 100.0 * self.numerator / self.denominator


def share_of(members: Iterable[str], population: Iterable[str]) -> Share:
    """The share of a population that belongs to a set (members outside it are ignored).

    >>> share_of({"a", "c", "z"}, ["a", "b", "c", "d"]).value
    50.0
    """
    people = list(dict.fromkeys(population))
    inside = set(members)
    hit = tuple(p for p in people if p in inside)
    return Share(len(hit), len(people), hit, tuple(people))


def positive_dynamics_share(
    dynamics_rows: Iterable[Mapping[str, object]],
    school_ids: Iterable[str],
    year_to: int,
) -> Share:
    """Seed 004 «доля школ, достигших положительной динамики» from the rows of
    :func:`opora.analytics.dynamics.dynamics` (already filtered to one procedure and subject).

    A school is in the numerator when a row ending in ``year_to`` says ``better`` and none
    says ``worse``; the denominator is the schools with a comparable row (they took part in
    both years with enough participants — the seed's «при условии участия»).

    >>> rows = [{"school_id": "a", "year_to": 2022, "verdict": "better", "text": "лучше"},
    ...         {"school_id": "b", "year_to": 2022, "verdict": "no_change", "text": "так же"},
    ...         {"school_id": "c", "year_to": 2022, "verdict": "insufficient", "text": "мало"}]
    >>> s = positive_dynamics_share(rows, ["a", "b", "c", "d"], 2022)
    >>> s.members, s.denominator, s.value
    (('a',), 2, 50.0)
    """
    wanted = list(dict.fromkeys(school_ids))
    verdicts: dict[str, set[str]] = {}
    details: dict[str, str] = {}
    for row in dynamics_rows:
        school = str(row["school_id"])
        if row["year_to"] != year_to or school not in wanted:
            continue
        verdicts.setdefault(school, set()).add(str(row["verdict"]))
        details[school] = (details.get(school, "") + " " + str(row.get("text", ""))).strip()
    population = tuple(s for s in wanted if verdicts.get(s, set()) - {"insufficient"})
    members = tuple(s for s in population if "better" in verdicts[s] and "worse" not in verdicts[s])
    return Share(len(members), len(population), members, population, details)


class PointRow(NamedTuple):
    """A due point of a roadmap activity, owned by a school (a tuple: pages build thousands)."""

    owner_id: str
    due_date: dt.date
    status: str
    completed_on: dt.date | None


def on_time_share(points: Iterable[PointRow], until: dt.date) -> Share:
    """Due points (not cancelled) that fell due by ``until`` and were done on or before their
    date. Members are counted per point; ``details`` gives per-owner «done on time / due».

    >>> d = dt.date
    >>> rows = [PointRow("s1", d(2021, 7, 31), "done", d(2021, 7, 30)),
    ...         PointRow("s1", d(2021, 10, 31), "done", d(2021, 11, 5)),
    ...         PointRow("s2", d(2021, 7, 31), "planned", None),
    ...         PointRow("s2", d(2022, 7, 31), "planned", None)]
    >>> s = on_time_share(rows, d(2021, 12, 31))
    >>> s.numerator, s.denominator, s.details["s1"]
    (1, 3, '1 из 2')
    """
    due = [p for p in points if p.status != "cancelled" and p.due_date <= until]
    on_time = [
        p
        for p in due
        if p.status == "done" and p.completed_on is not None and p.completed_on <= p.due_date
    ]
    per_owner: dict[str, list[int]] = {}
    for p in due:
        per_owner.setdefault(p.owner_id, [0, 0])[1] += 1
    for p in on_time:
        per_owner[p.owner_id][0] += 1
    details = {owner: f"{hit} из {total}" for owner, (hit, total) in per_owner.items()}
    owners_all_on_time = tuple(o for o, (hit, total) in per_owner.items() if hit == total)
    return Share(len(on_time), len(due), owners_all_on_time, tuple(per_owner), details)


def on_time_from_counts(counts: Mapping[str, tuple[int, int]]) -> Share:
    """The same share as :func:`on_time_share` from per-owner (on time, fallen due) counts,
    for pages that let the database count thousands of points.

    >>> s = on_time_from_counts({"s1": (1, 2), "s2": (0, 1), "s3": (2, 2)})
    >>> s.numerator, s.denominator, s.members
    (3, 5, ('s3',))
    """
    hit = sum(c[0] for c in counts.values())
    total = sum(c[1] for c in counts.values())
    details = {owner: f"{c[0]} из {c[1]}" for owner, c in counts.items()}
    members = tuple(owner for owner, c in counts.items() if c[1] and c[0] == c[1])
    return Share(hit, total, members, tuple(counts), details)


def achieved(value: float | None, target: float | None, direction: str = "up") -> bool | None:
    """Whether a value meets its target («не менее» for up, «не более» for down).

    >>> achieved(30.0, 25.0), achieved(4.0, 5.0, "down"), achieved(None, 5.0)
    (True, True, None)
    """
    if value is None or target is None:
        return None
    return value >= target if direction == "up" else value <= target


def traffic_light(value: float | None, target: float | None, direction: str = "up") -> str:
    """green — target met; yellow — within 10 % of it; red — further away; grey — no value
    or no target.

    >>> [traffic_light(v, 20.0) for v in (25.0, 18.0, 10.0, None)]
    ['green', 'yellow', 'red', 'grey']
    >>> traffic_light(6.0, 5.0, "down")
    'red'
    """
    met = achieved(value, target, direction)
    if met is None:
        return "grey"
    if met:
        return "green"
    assert value is not None and target is not None
    if direction == "up":
        near = value >= NEAR_TARGET * target
    else:
        near = value <= target / NEAR_TARGET
    return "yellow" if near else "red"
