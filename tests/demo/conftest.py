"""Regions generated once per session for the demo generator tests."""

from __future__ import annotations

import pytest

from opora.demo.generator import Region, RegionSpec, generate_region


@pytest.fixture(scope="session")
def demo_region() -> Region:
    """The default demo region (seed 2026, 400 schools, 12 municipalities, 3 years)."""
    return generate_region(RegionSpec())


@pytest.fixture(scope="session")
def small_region_with_students() -> Region:
    return generate_region(RegionSpec(seed=11, municipalities=4, schools=120, with_students=True))


@pytest.fixture(scope="session")
def student_rows(small_region_with_students) -> list[dict]:
    return small_region_with_students.students.to_pylist()
