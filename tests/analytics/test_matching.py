"""Partner matching: similarity by hand, an optimal assignment that beats the greedy one."""

from __future__ import annotations

import itertools
import math

import pyarrow as pa
import pytest

from opora.analytics.matching import haversine_km, match_partners


def _village_schools(indices: dict[str, float]) -> pa.table:
    ids = list(indices)
    return pa.table(
        {
            "school_id": ids,
            "name": [f"МБОУ «{s.upper()}»" for s in ids],
            "settlement": ["село"] * len(ids),
            "context_index": [indices[s] for s in ids],
        }
    )


def _similarity(delta: float) -> float:
    """No coordinates, same settlement: (0.5·exp(−Δ) + 0.25·1) / 0.75 with context scale 1."""
    return (0.5 * math.exp(-delta) + 0.25) / 0.75


def _comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _greedy(sim: dict[tuple[str, str], float], capacity: int) -> dict[str, str]:
    taken: dict[str, int] = {}
    chosen: dict[str, str] = {}
    for (school, partner), _ in sorted(sim.items(), key=lambda kv: -kv[1]):
        if school not in chosen and taken.get(partner, 0) < capacity:
            chosen[school] = partner
            taken[partner] = taken.get(partner, 0) + 1
    return chosen


def _best(sim, schools, partners, capacity):
    best, best_total = None, -1.0
    for combo in itertools.product(partners, repeat=len(schools)):
        if any(combo.count(p) > capacity for p in partners):
            continue
        total = sum(sim[(s, p)] for s, p in zip(schools, combo, strict=True))
        if total > best_total:
            best, best_total = dict(zip(schools, combo, strict=True)), total
    return best, best_total


def test_it_beats_the_greedy_choice_with_one_school_per_partner():
    # P and Q are leaders; A sits right next to P, but B has nobody else close.
    indices = {"a": 0.05, "b": -0.3, "p": 0.0, "q": 0.2}
    schools = _village_schools(indices)
    sim = {(t, p): _similarity(abs(indices[t] - indices[p])) for t in "ab" for p in "pq"}
    greedy = _greedy(sim, 1)
    assert greedy == {"a": "p", "b": "q"}
    best, best_total = _best(sim, ["a", "b"], ["p", "q"], 1)
    assert best == {"a": "q", "b": "p"}
    assert best_total > sum(sim[(s, p)] for s, p in greedy.items())

    matching = match_partners(schools, ["a", "b"], ["p", "q"], capacity=1, context_scale=1.0)
    rows = {r["school_id"]: r for r in matching.assignments.to_pylist()}
    assert {s: r["partner_id"] for s, r in rows.items()} == best
    assert rows["a"]["similarity"] == pytest.approx(sim[("a", "q")])
    assert rows["a"]["text"] == (
        "Школа-партнёр: МБОУ «Q» (код q); индекс контекста 0,20 против 0,05, обе — в селе, "
        f"сходство {_comma(sim[('a', 'q')])}. Более похожий партнёр — МБОУ «P» (код p) "
        f"со сходством {_comma(sim[('a', 'p')])} — закреплён за другой школой: так суммарное "
        "сходство всех пар больше"
    )


def test_it_beats_the_greedy_choice_with_two_schools_per_partner():
    indices = {"a": 0.4, "b": -0.6, "c": 0.2, "p": 0.0, "q": 1.0}
    schools = _village_schools(indices)
    sim = {(t, p): _similarity(abs(indices[t] - indices[p])) for t in "abc" for p in "pq"}
    greedy = _greedy(sim, 2)
    assert greedy == {"c": "p", "a": "p", "b": "q"}
    best, _ = _best(sim, ["a", "b", "c"], ["p", "q"], 2)
    assert best == {"a": "q", "b": "p", "c": "p"}

    matching = match_partners(schools, ["a", "b", "c"], ["p", "q"], capacity=2, context_scale=1.0)
    assert {r["school_id"]: r["partner_id"] for r in matching.assignments.to_pylist()} == best
    assert "не больше 2 школ на одного партнёра" in matching.rule


def test_similarity_combines_context_settlement_and_distance_as_documented():
    schools = pa.table(
        {
            "school_id": ["t", "p"],
            "name": ["МБОУ «Кебезенская СОШ»", "МБОУ «Турочакская СОШ»"],
            "settlement": ["село", "село"],
            "context_index": [0.9, 0.8],
            "latitude": [51.0, 51.0],
            "longitude": [87.0, 87.0 + 23.0 / (111.195 * math.cos(math.radians(51.0)))],
        }
    )
    matching = match_partners(
        schools, ["t"], {"p": "leader"}, context_scale=1.0, distance_scale_km=100.0
    )
    row = matching.assignments.to_pylist()[0]
    distance = float(haversine_km(51.0, 87.0, 51.0, schools.column("longitude")[1].as_py()))
    assert distance == pytest.approx(23.0, abs=0.05)
    expected = 0.5 * math.exp(-0.1) + 0.25 * 1.0 + 0.25 * math.exp(-distance / 100.0)
    assert row["similarity"] == pytest.approx(expected)
    assert row["same_settlement"] is True
    assert row["distance_km"] == pytest.approx(distance)
    assert row["text"] == (
        "Школа-партнёр: МБОУ «Турочакская СОШ» (код p, стабильно высокие результаты); "
        f"индекс контекста 0,80 против 0,90, обе — в селе, 23 км, сходство {_comma(expected)}"
    )


def test_a_town_partner_is_less_similar_than_a_village_one():
    schools = pa.table(
        {
            "school_id": ["t", "town", "village"],
            "settlement": ["село", "город", "село"],
            "context_index": [1.0, 1.0, 1.4],
        }
    )
    matching = match_partners(schools, ["t"], ["town", "village"], context_scale=1.0)
    # town: (0.5·1 + 0) / 0.75 = 0.667; village: (0.5·e^−0.4 + 0.25) / 0.75 = 0.780
    assert matching.partner_of("t") == "village"
    alternative = matching.alternatives.to_pylist()[0]
    assert alternative["partner_id"] == "town"
    assert alternative["similarity"] == pytest.approx(2 / 3)
    assert "в городе и в селе" in alternative["text"]


def test_it_proposes_up_to_three_alternatives_other_than_the_partner():
    indices = {"t": 0.0, "p1": 0.1, "p2": 0.2, "p3": 0.3, "p4": 0.4, "p5": 0.5}
    schools = _village_schools(indices)
    matching = match_partners(schools, ["t"], ["p1", "p2", "p3", "p4", "p5"], context_scale=1.0)
    assert matching.partner_of("t") == "p1"
    alternatives = matching.alternatives.to_pylist()
    assert [(a["rank"], a["partner_id"]) for a in alternatives] == [
        (1, "p2"),
        (2, "p3"),
        (3, "p4"),
    ]
    assert alternatives[0]["text"].startswith("Вариант: МБОУ «P2» (код p2);")


def test_schools_left_without_a_seat_are_told_why():
    indices = {"a": 0.0, "b": 0.1, "c": 2.0, "p": 0.05}
    schools = _village_schools(indices)
    matching = match_partners(schools, ["a", "b", "c"], ["p"], capacity=2, context_scale=1.0)
    rows = {r["school_id"]: r for r in matching.assignments.to_pylist()}
    assert rows["a"]["partner_id"] == rows["b"]["partner_id"] == "p"
    assert rows["c"]["partner_id"] is None
    assert rows["c"]["text"].startswith(
        "Школа-партнёр не назначена: все подходящие школы-партнёры уже взяли по 2"
    )


def test_min_similarity_and_self_pairs_are_never_assigned():
    indices = {"a": 0.0, "b": 5.0}
    schools = _village_schools(indices)
    matching = match_partners(
        schools, ["a", "b"], ["a", "b"], context_scale=1.0, min_similarity=0.5
    )
    rows = {r["school_id"]: r for r in matching.assignments.to_pylist()}
    # a–b similarity (0.5·e^−5 + 0.25)/0.75 = 0.338 < 0.5; a school is not its own partner.
    assert rows["a"]["partner_id"] is None and rows["b"]["partner_id"] is None
    assert rows["a"]["text"] == (
        "Школа-партнёр не назначена: нет школы-партнёра с достаточным сходством"
    )


def test_the_default_context_scale_is_the_spread_of_the_index():
    indices = {"t": 0.0, "p": 1.0, "x": 2.0, "y": 3.0}
    schools = _village_schools(indices)
    sd = math.sqrt(sum((v - 1.5) ** 2 for v in indices.values()) / 4)  # population sd = 1.118
    matching = match_partners(schools, ["t"], ["p"])
    assert matching.assignments.column("similarity")[0].as_py() == pytest.approx(
        (0.5 * math.exp(-1.0 / sd) + 0.25) / 0.75
    )


def test_it_refuses_unknown_schools_and_a_bad_capacity():
    schools = _village_schools({"t": 0.0, "p": 1.0})
    with pytest.raises(ValueError, match="нет кодов ОО: zz"):
        match_partners(schools, ["t"], ["zz"])
    with pytest.raises(ValueError, match="не меньше 1"):
        match_partners(schools, ["t"], ["p"], capacity=0)


def test_haversine_gives_the_known_distance_between_two_towns():
    # Горно-Алтайск (51.958, 85.960) – Бийск (52.539, 85.214): about 82 km.
    assert float(haversine_km(51.958, 85.960, 52.539, 85.214)) == pytest.approx(82, abs=2)
