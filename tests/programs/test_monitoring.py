import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opora.programs import causes, services
from opora.programs.monitoring import period_states, periods


def labels(level, start, end):
    return [(p.label, p.start.isoformat(), p.end.isoformat()) for p in periods(level, start, end)]


def test_school_roadmaps_report_every_school_quarter():
    assert labels("school", dt.date(2021, 1, 1), dt.date(2021, 12, 31)) == [
        ("III четверть 2020/21", "2021-01-01", "2021-03-31"),
        ("IV четверть 2020/21", "2021-04-01", "2021-05-31"),
        ("I четверть 2021/22", "2021-09-01", "2021-10-31"),
        ("II четверть 2021/22", "2021-11-01", "2021-12-31"),
    ]


def test_municipal_programs_half_yearly_and_the_region_yearly():
    assert [p[0] for p in labels("municipality", dt.date(2020, 9, 1), dt.date(2021, 12, 31))] == [
        "II полугодие 2020",
        "I полугодие 2021",
        "II полугодие 2021",
    ]
    assert [p[0] for p in labels("region", dt.date(2020, 9, 1), dt.date(2022, 6, 30))] == [
        "2020 год",
        "2021 год",
        "2022 год",
    ]


def test_who_reported_and_who_is_late(world, roadmaps):
    roadmap = roadmaps.roadmap
    services.submit_progress_report(
        world.school_user, roadmap, dt.date(2021, 1, 1), dt.date(2021, 3, 31), "Сделано"
    )
    states = period_states(roadmap, dt.date(2021, 6, 5))
    assert [(s.period.label, s.state) for s in states] == [
        ("III четверть 2020/21", "reported"),
        ("IV четверть 2020/21", "awaiting"),  # ended 31.05, ten days of grace
    ]
    states = period_states(roadmap, dt.date(2021, 6, 11))
    assert states[1].state == "late"
    with pytest.raises(PermissionDenied):
        services.submit_progress_report(
            world.north_user, roadmap, dt.date(2021, 4, 1), dt.date(2021, 5, 31), ""
        )


def test_the_dashboard_lists_overdue_points_of_the_municipality_only(client, world, roadmaps):
    services.create_program(
        world.south_user,
        level="municipality",
        name="Южная программа",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    client.login(username="north", password="opora-test-pass")
    text = client.get(reverse("programs:monitoring")).content.decode()
    assert "Повышение квалификации учителей математики" in text  # July 2021 has passed
    assert "Южная программа" not in text
    assert "Северный район" in text


def test_causes_are_prefilled_from_the_data_and_flagged_without_activities(world, roadmaps):
    from opora.assessments.models import Procedure, Result, SchoolContext, Subject

    oge, _ = Procedure.objects.get_or_create(name="ОГЭ", defaults={"scoring": "graded"})
    maths, _ = Subject.objects.get_or_create(name="Математика")
    Result.objects.create(
        school=world.north_school,
        year=2021,
        procedure=oge,
        subject=maths,
        grade=9,
        participants=20,
        mark_2=8,
    )
    SchoolContext.objects.create(
        school=world.north_school, year=2021, non_native_russian=35.0, families_in_danger=1.0
    )
    data = causes.prefill(world.north_school, 2021)
    assert data["high_risk_students"] == [
        "ОГЭ 2021, Математика, 9 кл.: 8 из 20 (40 %) получили «2»."
    ]
    assert data["language_barriers"][0].startswith(
        "Социальный контекст 2021: русский язык не родной — 35 %"
    )
    assert "social_context" not in data  # 1 % in danger is below the 5 % threshold

    with pytest.raises(ValidationError):
        causes.save_analysis(world.school_user, world.north_school, 2021, {"internet": (3, "")})
    with pytest.raises(PermissionDenied):
        causes.save_analysis(world.south_user, world.north_school, 2021, {"internet": (1, "")})
    analysis = causes.save_analysis(
        world.school_user,
        world.north_school,
        2021,
        {
            "internet": (3, "Скорость 2 Мбит/с"),
            "little_extra_work": (2, "Нет консультаций"),
            "parents": (1, ""),
        },
    )
    flagged = [c.code for c in causes.unaddressed_causes(analysis, roadmaps.roadmap)]
    assert flagged == ["internet", "little_extra_work"]
    services.update_activity(world.school_user, roadmaps.activity, cause="little_extra_work")
    assert [c.code for c in causes.unaddressed_causes(analysis, roadmaps.roadmap)] == ["internet"]


def test_the_causes_pages(client, world, roadmaps):
    client.login(username="school", password="opora-test-pass")
    url = reverse("programs:cause_form", args=[world.north_school.code, 2021])
    form = {"summary": "Итоги"}
    for cause in causes.CAUSES:
        form[f"rating_{cause.code}"] = 0
        form[f"evidence_{cause.code}"] = ""
    form["rating_internet"] = 3
    form["evidence_internet"] = "Скорость 2 Мбит/с"
    assert client.post(url, form).status_code == 302
    text = client.get(reverse("programs:causes") + "?year=2021").content.decode()
    assert "Низкая скорость Интернета" in text and "flag" in text
    client.logout()
    client.login(username="south", password="opora-test-pass")
    assert client.get(url).status_code == 404
