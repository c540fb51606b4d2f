"""The data behind the charts (json_script on the pages) against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from programs_fixtures import approved_roadmap

from opora.programs import services
from opora.programs.achievement import report_value
from opora.programs.models import Indicator, IndicatorTarget, Level
from opora.programs.seed_templates import apply_indicator_preset
from opora.programs.selectors import point_counts_by_year

PASSWORD = "opora-test-pass"  # tests/conftest.py


def chart_data(html: str, element_id: str):
    opening = f'<script id="{element_id}" type="application/json">'
    start = html.index(opening) + len(opening)
    return json.loads(html[start : html.index("</script>", start)])


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def program(world):
    """A regional program 2020–2022 over three schools with the monitoring indicators and one
    reported count indicator (R1: targets 5 in 2021 and 7 in 2022), and the north school's
    approved roadmap with five due points:

    31.01.2021 done on 20.01 (on time)      30.06.2021 done on 05.07 (late)
    31.12.2021 cancelled                    30.06.2022 and 31.12.2022 planned
    """
    regional = services.create_program(
        world.region_user,
        level=Level.REGION,
        name="Региональная программа",
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2022, 12, 31),
    )
    services.set_participants(
        world.region_user,
        regional,
        [world.north_school, world.north_village_school, world.south_school],
    )
    apply_indicator_preset(world.region_user, regional, "opora_monitoring")
    counted = Indicator.objects.create(
        program=regional,
        code="R1",
        name="Количество проведённых методических семинаров",
        unit="count",
        source="reported",
        position=10,
    )
    IndicatorTarget.objects.create(indicator=counted, year=2021, value=5)
    IndicatorTarget.objects.create(indicator=counted, year=2022, value=7)
    for year, value, municipality in (
        (2021, 6, None),
        (2022, 6, None),
        (2021, 5, world.north),
        (2021, 2, world.south),
    ):
        report_value(
            world.region_user,
            counted,
            year=year,
            value=value,
            municipality=municipality,
            note="Протокол",
        )
    roadmap, points = approved_roadmap(world)
    return type("Fixture", (), {"regional": regional, "roadmap": roadmap, "points": points})


def test_it_charts_each_indicator_with_values_against_its_targets(client, world, program):
    html = page(
        client, world.region_user, reverse("programs:indicators", args=[program.regional.pk])
    )
    charts = {c["code"]: c for c in chart_data(html, "indicator-charts-data")}
    assert list(charts) == ["M1", "M2", "M3", "R1"]
    # the years of the program and 2023, for which M2 has a target
    assert charts["M1"]["years"] == [2020, 2021, 2022, 2023] and charts["M1"]["unit"] == "%"
    # M1: approved roadmaps among 3 participants; the roadmap runs 2021–2022
    assert charts["M1"]["actual"] == [0.0, 33.3, 33.3, 0.0]
    assert charts["M1"]["target"] == [None, None, None, None]
    assert charts["M1"]["lights"] == ["grey", "grey", "grey", "grey"]
    # M2: no roadmap revised, target 75 % from 2021: red where a target exists
    assert charts["M2"]["actual"] == [0.0, 0.0, 0.0, 0.0]
    assert charts["M2"]["target"] == [None, 75.0, 75.0, 75.0]
    assert charts["M2"]["lights"] == ["grey", "red", "red", "red"]
    # M3: 2021 — 1 of 2 (cancelled left out), 2022 — 0 of 2, 2020 and 2023 — no points
    assert charts["M3"]["actual"] == [None, 50.0, 0.0, None]
    # R1: 6 against 5 (green), 6 against 7 (6 < 0.9 × 7 = 6.3: red)
    assert charts["R1"] == {
        "code": "R1",
        "name": "Количество проведённых методических семинаров",
        "unit": "",
        "direction": "up",
        "years": [2020, 2021, 2022, 2023],
        "actual": [None, 6.0, 6.0, None],
        "target": [None, 5.0, 7.0, None],
        "lights": ["grey", "green", "red", "grey"],
    }
    assert html.count('data-programs-chart="indicator"') == 4
    assert "programs/charts.js" in html


def test_it_charts_one_year_by_municipality(client, world, program):
    url = reverse("programs:indicators", args=[program.regional.pk]) + "?year=2021"
    data = chart_data(page(client, world.region_user, url), "municipality-chart-data")
    assert data["year"] == 2021
    assert data["municipalities"] == ["Северный район", "город Южноозёрск"]
    rows = {i["code"]: i for i in data["indicators"]}
    # M1: north 1 of 2 schools with an approved roadmap, south 0 of 1
    assert rows["M1"]["values"] == [50.0, 0.0]
    # M2: the south has no roadmap at all, so nothing to revise
    assert rows["M2"]["values"] == [0.0, None] and rows["M2"]["target"] == 75.0
    assert rows["M2"]["lights"] == ["red", "grey"]
    assert rows["M3"]["values"] == [50.0, None]
    assert rows["R1"]["values"] == [5.0, 2.0] and rows["R1"]["target"] == 5.0
    assert rows["R1"]["lights"] == ["green", "red"]


def test_it_counts_due_points_in_six_states_by_year(world, program):
    zero = dict.fromkeys(
        ("done_on_time", "done_late", "in_progress", "planned", "overdue", "cancelled"), 0
    )
    june, december = program.points[2], program.points[3]
    services.update_due_point(world.school_user, june, status="in_progress")
    counts = point_counts_by_year(program.roadmap, dt.date(2022, 1, 1))
    assert counts == {
        2021: zero | {"done_on_time": 1, "done_late": 1, "cancelled": 1},
        2022: zero | {"in_progress": 1, "planned": 1},
    }
    assert december.status == "planned"
    # on 01.07.2022 the June point in progress has passed its date: overdue
    later = point_counts_by_year(program.roadmap, dt.date(2022, 7, 1))
    assert later[2022] == zero | {"overdue": 1, "planned": 1}


def test_the_roadmap_page_charts_completion(client, world, program):
    html = page(client, world.school_user, reverse("programs:detail", args=[program.roadmap.pk]))
    data = chart_data(html, "completion-chart-data")
    assert data["years"] == [2021, 2022]
    assert {s["code"]: s["data"] for s in data["series"]} == {
        "done_on_time": [1, 0],
        "done_late": [1, 0],
        "in_progress": [0, 0],
        "planned": [0, 0],
        "overdue": [0, 2],  # both 2022 points have passed
        "cancelled": [1, 0],
    }
    assert [s["name"] for s in data["series"]][:2] == ["выполнено в срок", "выполнено с опозданием"]
    assert data["total"] == 5 and data["totals"]["overdue"] == 2


def test_a_roadmap_without_points_has_no_chart(client, world, roadmaps):
    roadmaps.activity.delete()
    html = page(client, world.school_user, reverse("programs:detail", args=[roadmaps.roadmap.pk]))
    assert "completion-chart-data" not in html and "charts.js" not in html


def test_the_dashboard_charts_overdue_by_municipality(client, world, program):
    from opora.accounts.models import User

    gymnasium = User.objects.create_user(
        "gymnasium", password=PASSWORD, role="school", school=world.south_school
    )
    south = services.create_program(
        gymnasium,
        level=Level.SCHOOL,
        name="Дорожная карта гимназии",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    services.add_activity(gymnasium, south, title="Педсовет", deadline="Март 2021")
    data = chart_data(
        page(client, world.region_user, reverse("programs:monitoring")), "overdue-chart-data"
    )
    assert data == {
        "municipalities": ["Северный район", "город Южноозёрск"],
        "overdue": [2, 1],
        "done": [2, 0],
        "roadmaps": [1, 1],
    }
    # the south municipality sees its own roadmap only
    data = chart_data(
        page(client, world.south_user, reverse("programs:monitoring")), "overdue-chart-data"
    )
    assert data["municipalities"] == ["город Южноозёрск"] and data["overdue"] == [1]
