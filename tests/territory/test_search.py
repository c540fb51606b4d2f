"""Case-insensitive search in Cyrillic, the same on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from opora.territory.models import School


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ключевская", ["МКОУ «Ключевская ООШ»"]),
        ("КЛЮЧЕВСКАЯ ООШ", ["МКОУ «Ключевская ООШ»"]),
        ("мкоу «ключ", ["МКОУ «Ключевская ООШ»"]),  # any mix of cases, not only the usual ones
        ("сОш", ["МБОУ «Дальняя СОШ»", "МБОУ «Северная СОШ»"]),
        ("гимназия № 3", ["МБОУ «Гимназия № 3»"]),
        ("50%", []),  # the pattern characters of LIKE are taken literally
        ("_ОШ", []),
    ],
)
def test_names_are_found_in_any_case(world, query, expected):
    found = School.objects.filter(name__icontains=query).order_by("name")
    assert [s.name for s in found] == expected


def test_prefix_lookups_work_in_cyrillic(world):
    assert School.objects.filter(name__startswith="МБОУ").count() == 3
    assert School.objects.filter(name__istartswith="мбоу").count() == 3
