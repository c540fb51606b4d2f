"""Loading the demo region through the import services, and the demo users."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from opora.demo.generator import RegionSpec, generate_region
from opora.demo.loader import failure_shares, load_demo

SPEC = RegionSpec(seed=5, municipalities=3, schools=40, with_students=True)


@pytest.fixture
def loaded(db, tmp_path, monkeypatch):
    monkeypatch.setenv("OPORA_DEMO_PASSWORD", "demo-secret")
    return load_demo(directory=tmp_path / "demo", spec=SPEC)


def test_it_imports_every_generated_table(loaded, tmp_path):
    from opora.assessments.models import Result, SchoolContext, StudentResult
    from opora.territory.models import Municipality, Region, School

    region = generate_region(SPEC)
    latest = max(region.students.column("year").to_pylist())
    students = pc.sum(pc.equal(region.students.column("year"), latest)).as_py()
    assert Region.objects.get().name == region.name == loaded.region
    assert Municipality.objects.count() == 3
    assert School.objects.count() == 40
    assert Result.objects.count() == region.results.num_rows
    assert SchoolContext.objects.count() == region.context.num_rows
    assert StudentResult.objects.count() == students > 0
    assert set(StudentResult.objects.values_list("year", flat=True).distinct()) == {latest}
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [
        "context.csv",
        "results.csv",
        "schools.csv",
        "students.csv",
    ]


def test_it_creates_a_user_for_every_role(loaded):
    from opora.accounts.models import User

    names = [login.username for login in loaded.logins]
    assert names == ["region", "mo01", "mo02", "mo03", "school-low", "school", "curator"]
    assert loaded.password == "demo-secret"
    region = User.objects.get(username="region")
    assert region.role == "region" and region.check_password("demo-secret")
    assert User.objects.get(username="mo02").municipality.name == loaded.logins[2].territory
    curator = User.objects.get(username="curator")
    assert curator.curated_schools.count() == 5
    low = User.objects.get(username="school-low").school
    typical = User.objects.get(username="school").school
    shares = failure_shares(generate_region(SPEC).results)
    assert shares[low.code] > shares[typical.code]
    assert low.code in curator.curated_schools.values_list("code", flat=True)


def test_loading_again_changes_nothing(loaded, tmp_path):
    from opora.accounts.models import User
    from opora.assessments.models import Result, StudentResult

    results = sorted(Result.objects.values_list())
    students = StudentResult.objects.count()
    again = load_demo(directory=tmp_path / "demo", spec=SPEC)
    for text in again.imports.values():
        assert text.startswith("Добавлено 0 строк, изменено 0, без изменений")
    assert sorted(Result.objects.values_list()) == results
    assert StudentResult.objects.count() == students
    assert User.objects.count() == 7


def test_a_region_generated_anew_replaces_the_stored_students(transactional_db, tmp_path):
    from opora.assessments.models import Result, StudentResult

    load_demo(directory=tmp_path / "demo", spec=SPEC)
    other = RegionSpec(seed=6, municipalities=3, schools=40, with_students=True)
    load_demo(directory=tmp_path / "other", spec=other)
    region = generate_region(other)
    assert Result.objects.filter(year__gt=0).count() >= region.results.num_rows
    latest = max(region.students.column("year").to_pylist())
    expected = pc.sum(pc.equal(region.students.column("year"), latest)).as_py()
    assert StudentResult.objects.count() == expected


def test_it_shows_an_approved_list_and_programs_started_from_the_seeds(loaded, tmp_path):
    from opora.identification.models import IdentificationRun, Verdict
    from opora.programs.models import Program

    runs = IdentificationRun.objects.all()
    assert [(r.status, r.order_number) for r in runs] == [("approved", "01-07/412")]
    run = runs.get()
    listed = set(
        Verdict.objects.filter(run=run)
        .exclude(categories="")
        .values_list("school__code", "categories")
    )
    wanted = {
        code for code, cats in listed if {"low_results", "adverse_context"} & set(cats.split(";"))
    }
    regional = Program.objects.get(template_key="altai_2020")
    assert regional.level == "region" and regional.source_run_id == run.pk
    assert set(regional.participants.values_list("code", flat=True)) == wanted
    municipal = Program.objects.get(template_key="krasnokutsky_2021")
    assert municipal.parent_id == regional.pk and municipal.municipality.name
    assert loaded.showcase is not None and loaded.showcase.run_id == run.pk

    again = load_demo(directory=tmp_path / "demo", spec=SPEC)
    assert again.showcase.created is False
    assert IdentificationRun.objects.count() == 1 and Program.objects.count() == 2
