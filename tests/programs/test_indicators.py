"""Computed indicators against figures worked out by hand on a small fixture."""

import datetime as dt

import pytest
from django.urls import reverse
from programs_fixtures import approved_roadmap

from opora.programs import services
from opora.programs.achievement import Calculator, report_value
from opora.programs.models import Level, Program
from opora.programs.seed_templates import apply_indicator_preset


@pytest.fixture
def regional(world):
    from opora.assessments.models import Procedure, Result, Subject

    program = services.create_program(
        world.region_user,
        level=Level.REGION,
        name="Региональная программа",
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2022, 12, 31),
    )
    services.set_participants(
        world.region_user,
        program,
        [world.north_school, world.north_village_school, world.south_school],
    )
    apply_indicator_preset(world.region_user, program, "altai_2020")
    apply_indicator_preset(world.region_user, program, "opora_monitoring")
    oge, _ = Procedure.objects.get_or_create(name="ОГЭ", defaults={"scoring": "graded"})
    maths, _ = Subject.objects.get_or_create(name="Математика")
    rows = [
        # school, year, participants, «2»
        (world.north_school, 2020, 30, 12),  # 40 % → 10 %: z = 0.30 / 0.1118 = 2.68, p = 0.007
        (world.north_school, 2021, 30, 3),
        (world.north_village_school, 2020, 20, 5),  # 25 % → 20 %: z = 0.38, p = 0.70
        (world.north_village_school, 2021, 20, 4),
        (world.south_school, 2021, 40, 2),  # no 2020: not comparable
    ]
    for school, year, n, twos in rows:
        Result.objects.create(
            school=school,
            year=year,
            procedure=oge,
            subject=maths,
            grade=9,
            participants=n,
            mark_2=twos,
        )
    roadmap, points = approved_roadmap(world)
    return program, roadmap


def value(calculator, code, year, municipality=None):
    indicator = calculator.program.indicators.get(code=code)
    share = calculator.compute(indicator, year, municipality)
    return (share.numerator, share.denominator, share.value) if share else None


def test_positive_dynamics_in_oge_mathematics(world, regional):
    program, _ = regional
    calc = Calculator(program, dt.date(2022, 12, 31))
    # north school improved significantly, the village school did not, south is not comparable
    assert value(calc, "8.2", 2021) == (1, 2, 50.0)
    assert value(calc, "8.2", 2021, world.north) == (1, 2, 50.0)
    assert value(calc, "8.2", 2021, world.south) == (0, 0, None)
    assert value(calc, "8.1", 2021) == (0, 0, None)  # no Russian results at all
    share = calc.compute(program.indicators.get(code="8.2"), 2021)
    assert share.members == (world.north_school.code,)


def test_share_of_schools_with_an_approved_roadmap(world, regional):
    program, _ = regional
    calc = Calculator(program, dt.date(2022, 12, 31))
    assert value(calc, "M1", 2021)[:2] == (1, 3)  # only the north school, of three participants
    assert value(calc, "M1", 2021)[2] == pytest.approx(100 / 3)
    assert value(calc, "M1", 2020) == (0, 3, 0.0)  # the roadmap starts in 2021


def test_share_of_due_points_done_on_time(world, regional):
    program, _ = regional
    calc = Calculator(program, dt.date(2022, 12, 31))
    # 2021: 31.01 done on 20.01 (on time), 30.06 done on 05.07 (late), 31.12 cancelled → 1 of 2
    assert value(calc, "M3", 2021) == (1, 2, 50.0)
    # 2022: two planned points, both passed by 31.12.2022 → 0 of 2
    assert value(calc, "M3", 2022) == (0, 2, 0.0)
    # seen on 01.07.2022 only the June point has fallen due
    assert value(Calculator(program, dt.date(2022, 7, 1)), "M3", 2022) == (0, 1, 0.0)


def test_share_of_roadmaps_revised_this_year(world, regional):
    program, roadmap = regional
    new = services.revise(world.school_user, roadmap)
    Program.objects.filter(pk=new.pk).update(created_at=dt.datetime(2022, 2, 1, tzinfo=dt.UTC))
    calc = Calculator(program, dt.date(2022, 12, 31))
    assert value(calc, "M2", 2022) == (1, 1, 100.0)
    assert value(calc, "M2", 2021) == (0, 1, 0.0)
    # the draft revision does not double the points: the approved version is in force
    assert value(calc, "M3", 2021) == (1, 2, 50.0)


def test_a_reported_value_needs_evidence_and_shows_on_the_page(client, world, regional):
    from django.core.exceptions import ValidationError

    program, _ = regional
    indicator = program.indicators.get(code="4.3")  # количество практик: 2021 — не менее 5
    with pytest.raises(ValidationError):
        report_value(world.region_user, indicator, year=2021, value=6)
    report_value(
        world.region_user, indicator, year=2021, value=6, evidence_url="https://example.org/bank"
    )
    with pytest.raises(ValidationError):
        report_value(
            world.region_user, program.indicators.get(code="8.2"), year=2021, value=10, note="x"
        )
    client.login(username="region", password="opora-test-pass")
    page = client.get(reverse("programs:indicators", args=[program.pk])).content.decode()
    assert 'id="indicator-4.3"' in page and "light-green" in page
    drill = client.get(
        reverse(
            "programs:indicator_drill",
            args=[program.pk, program.indicators.get(code="8.2").pk, 2021],
        )
    )
    text = drill.content.decode()
    assert "(1 из 2)" in text and world.north_school.code in text
    assert "снизилась" in text  # the dynamics sentence for the north school


def test_a_municipality_sees_only_its_schools_in_the_drill_down(client, world, regional):
    program, _ = regional
    client.login(username="south", password="opora-test-pass")
    indicator = program.indicators.get(code="8.2")
    text = client.get(
        reverse("programs:indicator_drill", args=[program.pk, indicator.pk, 2021])
    ).content.decode()
    assert world.south_school.code in text
    assert world.north_school.code not in text
