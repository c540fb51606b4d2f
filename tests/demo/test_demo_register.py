"""The school register of the demo region: ids, names, kinds, sizes, places."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyarrow as pa

SCHOOL_COLUMNS = [
    ("school_id", pa.string()),
    ("name", pa.string()),
    ("municipality", pa.string()),
    ("settlement", pa.string()),
    ("students", pa.int64()),
    ("kind", pa.string()),
    ("distance_km", pa.float64()),
    ("latitude", pa.float64()),
    ("longitude", pa.float64()),
]
SEED_DIR = Path("/work/shared/seeds")
# Schools named in the seed documents (real schools): the demo must not reuse them.
REAL_SCHOOL_WORDS = [
    "Павловская", "Сахаптинская", "Сережская", "Краснополянская", "Преображенская",
    "Степновская", "Крутоярская", "Гляденская", "Сохновская", "Подсосенская",
]  # fmt: skip


def test_it_has_exactly_the_interchange_columns(demo_region):
    schema = demo_region.schools.schema
    assert [(f.name, f.type) for f in schema] == SCHOOL_COLUMNS


def test_it_has_400_schools_in_12_municipalities(demo_region):
    schools = demo_region.schools.to_pylist()
    assert len(schools) == 400
    municipalities = {s["municipality"] for s in schools}
    assert len(municipalities) == 12
    assert {"город Светлоярск", "город Краснозаводск", "Берёзовский муниципальный район"} <= (
        municipalities
    )


def test_it_codes_schools_by_municipality_and_number(demo_region):
    schools = demo_region.schools.to_pylist()
    ids = [s["school_id"] for s in schools]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"\d{7}", i) for i in ids)
    assert ids[0] == "0101001"
    # One municipality code (first four digits) per municipality and vice versa.
    code_of = {}
    for s in schools:
        code_of.setdefault(s["municipality"], set()).add(s["school_id"][:4])
    assert all(len(codes) == 1 for codes in code_of.values())
    assert len({next(iter(c)) for c in code_of.values()}) == 12


def test_it_uses_only_known_kinds_and_settlements(demo_region):
    schools = demo_region.schools.to_pylist()
    kinds = Counter(s["kind"] for s in schools)
    assert set(kinds) <= {"СОШ", "ООШ", "НОШ", "гимназия", "лицей", "вечерняя", "школа-интернат"}
    assert kinds["СОШ"] > kinds["ООШ"] > kinds["гимназия"] > 0
    assert {s["settlement"] for s in schools} == {"город", "село"}


def test_city_schools_are_big_and_village_schools_small(demo_region):
    schools = demo_region.schools.to_pylist()
    city_sosh = sorted(
        s["students"]
        for s in schools
        if s["municipality"].startswith("город ") and s["kind"] == "СОШ"
    )
    village = sorted(s["students"] for s in schools if s["settlement"] == "село")
    assert 500 <= city_sosh[len(city_sosh) // 2] <= 1500
    assert 20 <= village[len(village) // 2] <= 150
    small = sum(1 for s in schools if 20 <= s["students"] <= 150)
    assert small >= 0.3 * len(schools)


def test_names_follow_the_russian_pattern_and_are_fictional(demo_region):
    schools = demo_region.schools.to_pylist()
    pattern = re.compile(r"(МБОУ|МКОУ|МАОУ|ГКОУ|ГБОУ) «[^«»]+»")
    assert all(pattern.fullmatch(s["name"]) for s in schools), [
        s["name"] for s in schools if not pattern.fullmatch(s["name"])
    ][:5]
    names = " ".join(s["name"] for s in schools)
    assert not [w for w in REAL_SCHOOL_WORDS if w in names]
    assert any(re.search(r"«[А-ЯЁ][а-яё]+ская СОШ»", s["name"]) for s in schools)
    assert any(re.search(r"«Гимназия № \d+»", s["name"]) for s in schools)
    by_municipality = Counter((s["municipality"], s["name"]) for s in schools)
    assert max(by_municipality.values()) == 1


def test_an_oosh_name_matches_its_kind(demo_region):
    for s in demo_region.schools.to_pylist():
        if s["kind"] == "ООШ":
            assert "ООШ" in s["name"]
        if s["kind"] == "лицей":
            assert "ицей" in s["name"]


def test_coordinates_are_near_each_municipal_centre(demo_region):
    schools = demo_region.schools.to_pylist()
    for s in schools:
        assert 54.0 < s["latitude"] < 63.0 and 38.0 < s["longitude"] < 54.0
        assert 0.0 <= s["distance_km"] <= 100.0
    villages = [s["distance_km"] for s in schools if s["settlement"] == "село"]
    assert max(villages) > 30.0
