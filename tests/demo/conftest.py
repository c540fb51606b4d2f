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
    return generate_region(
        RegionSpec(seed=11, municipalities=4, schools=120, with_students=True)
    )


def rows(table) -> list[dict]:
    """Plain Python rows, so the checks do not reuse the generator's NumPy code."""
    return table.to_pylist()


def failures(row: dict) -> int:
    return row["below_min"] if row["procedure"] == "ЕГЭ" else row["mark_2"]
