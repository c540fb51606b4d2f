"""Smoke test on a realistic generated region: the stored run agrees with the batch analytics
run straight on the generated tables (the database round trip loses nothing)."""

from __future__ import annotations

import io

import pytest

from opora.analytics.identify import identify
from opora.demo.generator import RegionSpec, generate_region

SPEC = RegionSpec(seed=11, schools=60, municipalities=3, with_students=False)


@pytest.fixture
def demo(db, tmp_path):
    from opora.demo.loader import load_demo

    load_demo(directory=tmp_path / "demo", spec=SPEC, with_students=False)
    return generate_region(SPEC)


def test_a_run_on_the_demo_region_matches_the_batch_analytics(demo):
    from opora.accounts.models import User
    from opora.identification.services import run_identification
    from opora.reports.identification_report import IdentificationReport

    user = User.objects.get(username="region")
    run = run_identification(user, "altai-2020")
    batch = identify(demo.schools, demo.results, demo.context)
    expected = dict(
        zip(
            batch.schools.column("school_id").to_pylist(),
            batch.schools.column("categories").to_pylist(),
            strict=True,
        )
    )
    stored = dict(run.verdicts.values_list("school__code", "categories"))
    assert stored == expected
    assert run.verdicts.count() == 60
    assert run.summary["counts"]["low_results"] == len(batch.flagged("low_results")) > 0
    assert run.summary["fitted"]["r_squared"] == pytest.approx(batch.fitted["r_squared"])
    low = run.verdicts.exclude(categories="").first()
    assert low.reasons and low.evidence["pooled"]["participants"] > 0
    document = IdentificationReport().render("docx", run=run, user=user)
    assert document.content[:2] == b"PK" and len(io.BytesIO(document.content).getvalue()) > 10_000
