"""One list of social-context factors: the format, the database and the analytics agree with it."""

from __future__ import annotations

from opora import factors
from opora.analytics.context import FACTOR_LABELS, SIGNS
from opora.assessments.models import SchoolContext
from opora.formats.columns import columns


def test_the_context_format_has_one_percentage_column_per_factor_in_order():
    found = [c for c in columns("context") if c.name in factors.CODES]
    assert [c.name for c in found] == list(factors.CODES)
    assert all((c.type, c.minimum, c.maximum) == ("float", 0, 100) for c in found)
    assert found[0].russian == "Из многодетных семей, %"
    assert found[-1].direction == "учитывается без направления"


def test_the_database_stores_every_factor():
    fields = {f.name for f in SchoolContext._meta.get_fields()}
    assert set(factors.CODES) <= fields


def test_the_index_signs_follow_the_directions_of_seed_002():
    assert SIGNS == {
        "large_families": 1.0,
        "non_native_russian": 1.0,
        "parent_higher_education": -1.0,
        "both_parents_higher_education": -1.0,
        "both_parents_unemployed": 1.0,
        "parent_disabled": 1.0,
        "foster_care": 1.0,
        "families_in_danger": 1.0,
        "juvenile_commission": 1.0,
        "low_income": 1.0,
    }
    assert set(FACTOR_LABELS) == set(factors.CODES)
