"""The programs API: scoped like the pages, roadmaps with computed point statuses, indicators."""

from __future__ import annotations

import datetime as dt

import pytest

from opora.programs import services
from opora.programs.achievement import report_value
from opora.programs.models import Indicator, IndicatorTarget, Level, Program
from opora.programs.seed_templates import apply_indicator_preset

PASSWORD = "opora-test-pass"  # tests/conftest.py


def create(user, level, name, parent=None, start=2021, end=2022):
    return services.create_program(
        user,
        level=level,
        name=name,
        parent=parent,
        period_start=dt.date(start, 1, 1),
        period_end=dt.date(end, 12, 31),
    )


@pytest.fixture
def programs(world):
    """The regional program (three participants, monitoring indicators, R1 reported by
    municipality), the north and south address programs and the north school's roadmap:

    1. «Кадры» / 1.1 «Назначение координатора», январь 2021 — done on 20.01.2021
    1.2 «Мониторинг», twice a year — 30.06.2021 done on 05.07 (late), 31.12.2021 cancelled,
        30.06.2022 and 31.12.2022 still planned, so overdue today.
    """
    regional = create(world.region_user, Level.REGION, "Региональная программа")
    services.set_participants(
        world.region_user,
        regional,
        [world.north_school, world.north_village_school, world.south_school],
    )
    apply_indicator_preset(world.region_user, regional, "opora_monitoring")
    counted = Indicator.objects.create(
        program=regional,
        code="R1",
        name="Количество семинаров",
        unit="count",
        source="reported",
        position=10,
    )
    IndicatorTarget.objects.create(indicator=counted, year=2021, value=5, label="не менее 5")
    for value, municipality in ((6, None), (4, world.north), (2, world.south)):
        report_value(
            world.region_user,
            counted,
            year=2021,
            value=value,
            municipality=municipality,
            note="Протокол",
        )
    north = create(world.north_user, Level.MUNICIPALITY, "Программа Северного района", regional)
    south = create(world.south_user, Level.MUNICIPALITY, "Программа Южноозёрска", regional)
    roadmap = create(world.school_user, Level.SCHOOL, "Дорожная карта Северной СОШ", north)
    services.update_passport(
        world.school_user, roadmap, goal="Повысить результаты", order_number="7"
    )
    section = services.add_section(world.school_user, roadmap, "Кадры", number="1")
    first = services.add_activity(
        world.school_user,
        roadmap,
        section=section,
        number="1.1",
        title="Назначение координатора",
        deadline="Январь 2021",
        responsible="Директор",
    )
    twice = services.add_activity(
        world.school_user,
        roadmap,
        section=section,
        number="1.2",
        title="Мониторинг",
        deadline="2 раза в год",
    )
    services.update_due_point(
        world.school_user,
        first.due_points.get(),
        status="done",
        result_note="Приказ № 5",
        completed_on=dt.date(2021, 1, 20),
    )
    points = list(twice.due_points.order_by("due_date"))
    services.update_due_point(
        world.school_user,
        points[0],
        status="done",
        result_note="Справка",
        completed_on=dt.date(2021, 7, 5),
    )
    services.update_due_point(world.school_user, points[1], status="cancelled")
    services.submit(world.school_user, roadmap)
    services.approve(world.north_user, roadmap)
    Program.objects.filter(pk=roadmap.pk).update(approved_at=dt.datetime(2021, 2, 1, tzinfo=dt.UTC))
    return type(
        "Programs",
        (),
        {"regional": regional, "north": north, "south": south, "roadmap": roadmap},
    )


def names(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("region_user", {"R", "N", "S", "D"}),
        ("north_user", {"R", "N", "D"}),
        ("south_user", {"R", "S"}),
        ("school_user", {"R", "N", "D"}),
        ("curator", {"R", "N"}),  # curates the village school, not the north school
        ("nobody", set()),
    ],
)
def test_it_lists_the_programs_of_the_users_territory(world, api, programs, user, expected):
    full = {
        "R": "Региональная программа",
        "N": "Программа Северного района",
        "S": "Программа Южноозёрска",
        "D": "Дорожная карта Северной СОШ",
    }
    response = api(getattr(world, user)).get("/api/v1/programs/")
    assert names(response) == {full[key] for key in expected}


def test_a_school_gets_404_for_another_schools_roadmap(world, api, programs):
    from opora.accounts.models import User

    neighbour = User.objects.create_user(
        "neighbour", password=PASSWORD, role="school", school=world.north_village_school
    )
    client = api(neighbour)
    assert client.get(f"/api/v1/programs/{programs.roadmap.pk}/").status_code == 404
    assert client.get(f"/api/v1/programs/{programs.north.pk}/").status_code == 200
    assert api(world.south_user).get(f"/api/v1/programs/{programs.north.pk}/").status_code == 404
    assert api(world.nobody).get(f"/api/v1/programs/{programs.regional.pk}/").status_code == 404
    assert api(None).get(f"/api/v1/programs/{programs.regional.pk}/").status_code in (401, 403)
    roadmap_indicator = Indicator.objects.create(
        program=programs.roadmap, code="Ш1", name="Доля", unit="percent", source="reported"
    )
    assert client.get(f"/api/v1/indicators/{roadmap_indicator.pk}/").status_code == 404
    assert "Ш1" not in {row["code"] for row in client.get("/api/v1/indicators/").json()["results"]}


def test_it_shows_a_roadmap_with_computed_point_statuses(world, api, programs):
    body = api(world.north_user).get(f"/api/v1/programs/{programs.roadmap.pk}/").json()
    assert body["level"] == "school" and body["school_id"] == "0101001"
    assert body["status"] == "approved" and body["version"] == 1
    assert body["parent_id"] == programs.north.pk and body["municipality_id"] == world.north.pk
    assert body["goal"] == "Повысить результаты" and body["order_number"] == "7"
    assert body["participants"] == ["0101001"]
    assert [(s["number"], s["title"]) for s in body["sections"]] == [("1", "Кадры")]
    first, twice = body["activities"]
    assert first["title"] == "Назначение координатора" and first["responsible"] == "Директор"
    assert first["section_id"] == body["sections"][0]["id"] and first["deadline_recognized"]
    assert first["due_points"] == [
        {
            "id": first["due_points"][0]["id"],
            "due_date": "2021-01-31",
            "label": "январь 2021",
            "status": "done",
            "status_label": "выполнено",
            "completed_on": "2021-01-20",
            "on_time": True,
            "result_note": "Приказ № 5",
            "evidence_url": "",
        }
    ]
    points = [(p["due_date"], p["status"], p["on_time"]) for p in twice["due_points"]]
    assert points == [
        ("2021-06-30", "done", False),  # done on 05.07
        ("2021-12-31", "cancelled", None),
        ("2022-06-30", "overdue", None),  # planned, but the date has passed
        ("2022-12-31", "overdue", None),
    ]
    assert twice["due_points"][2]["status_label"] == "просрочено"


def test_it_shows_only_visible_participants(world, api, programs):
    south = api(world.south_user).get(f"/api/v1/programs/{programs.regional.pk}/").json()
    assert south["participants"] == ["0201001"]
    region = api(world.region_user).get(f"/api/v1/programs/{programs.regional.pk}/").json()
    assert region["participants"] == ["0101001", "0101002", "0201001"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("level=school", {"Дорожная карта Северной СОШ"}),
        ("level=municipality&municipality_id={north}", {"Программа Северного района"}),
        ("school_id=0101001", {"Дорожная карта Северной СОШ"}),
        ("status=approved", {"Дорожная карта Северной СОШ"}),
        ("current=false", set()),
        ("parent_id={regional}", {"Программа Северного района", "Программа Южноозёрска"}),
    ],
)
def test_it_filters_programs(world, api, programs, query, expected):
    url = "/api/v1/programs/?" + query.format(north=world.north.pk, regional=programs.regional.pk)
    assert names(api(world.region_user).get(url)) == expected


@pytest.mark.parametrize(
    ("query", "parameter", "fragment"),
    [
        ("level=district", "level", "укажите одно из `region`, `municipality`, `school`"),
        ("status=done", "status", "укажите одно из"),
        ("current=может", "current", "укажите true или false"),
        ("parent_id=x", "parent_id", "укажите целое число не меньше 1"),
    ],
)
def test_it_explains_a_malformed_program_filter_in_russian(
    world, api, programs, query, parameter, fragment
):
    response = api(world.region_user).get(f"/api/v1/programs/?{query}")
    assert response.status_code == 400
    assert fragment in response.json()[parameter][0]


def test_it_lists_programs_without_a_query_per_row(
    world, api, programs, django_assert_max_num_queries
):
    for number in range(5):
        create(world.north_user, Level.MUNICIPALITY, f"Программа {number}")
    client = api(world.region_user)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/programs/")
    assert response.json()["count"] == 9


def test_it_lists_indicators_of_visible_programs_with_visible_values(world, api, programs):
    Indicator.objects.create(
        program=programs.north,
        code="С1",
        name="Северный показатель",
        unit="count",
        source="reported",
    )
    rows = api(world.south_user).get("/api/v1/indicators/").json()["results"]
    assert [r["code"] for r in rows] == ["M1", "M2", "M3", "R1"]
    r1 = rows[-1]
    assert r1["program_id"] == programs.regional.pk and r1["unit"] == "count"
    assert r1["targets"] == [{"year": 2021, "value": 5.0, "label": "не менее 5"}]
    # the whole program and the south only: the north's value is not the south's business
    assert [(v["municipality_id"], v["value"]) for v in r1["reported"]] == [
        (None, 6.0),
        (world.south.pk, 2.0),
    ]
    region_rows = api(world.region_user).get("/api/v1/indicators/?source=reported").json()
    assert [r["code"] for r in region_rows["results"]] == ["R1", "С1"]
    assert len(region_rows["results"][0]["reported"]) == 3
    north_only = api(world.region_user).get(f"/api/v1/indicators/?program={programs.north.pk}")
    assert [r["code"] for r in north_only.json()["results"]] == ["С1"]
    bad = api(world.region_user).get("/api/v1/indicators/?source=manual")
    assert bad.status_code == 400 and "укажите `computed` или `reported`" in bad.json()["source"][0]


def test_an_indicator_shows_its_achievement_by_year(world, api, programs):
    client = api(world.north_user)
    m3 = programs.regional.indicators.get(code="M3")
    body = client.get(f"/api/v1/indicators/{m3.pk}/").json()
    # on-time share of due points of the approved roadmap: 2021 — 1 of 2 (the cancelled point
    # does not count), 2022 — 0 of 2; 2023 (a year of M2's targets) has no points
    assert [
        (a["year"], a["value"], a["numerator"], a["denominator"]) for a in body["achievement"]
    ] == [
        (2021, 50.0, 1, 2),
        (2022, 0.0, 0, 2),
        (2023, None, 0, 0),
    ]
    r1 = programs.regional.indicators.get(code="R1")
    body = client.get(f"/api/v1/indicators/{r1.pk}/").json()
    assert body["achievement"][:2] == [
        {
            "year": 2021,
            "value": 6.0,
            "numerator": None,
            "denominator": None,
            "target": 5.0,
            "light": "green",
        },
        {
            "year": 2022,
            "value": None,
            "numerator": None,
            "denominator": None,
            "target": None,
            "light": "grey",
        },
    ]
    assert [a["year"] for a in body["achievement"]] == [2021, 2022, 2023]


def test_it_lists_indicators_without_a_query_per_row(
    world, api, programs, django_assert_max_num_queries
):
    apply_indicator_preset(world.north_user, programs.north, "opora_monitoring")
    client = api(world.region_user)
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/indicators/")
    assert response.json()["count"] == 7


def test_the_schema_describes_the_programs_api(world, api):
    document = api(world.school_user).get("/api/schema/?format=json").json()
    for path in ("/api/v1/programs/", "/api/v1/programs/{id}/", "/api/v1/indicators/"):
        assert set(document["paths"][path]) == {"get"}
    detail = document["paths"]["/api/v1/indicators/{id}/"]["get"]
    assert detail["tags"] == ["Показатели"] and "светофор" in detail["description"]
    schemas = document["components"]["schemas"]
    assert schemas["PointStatusEnum"]["enum"] == [
        "planned",
        "in_progress",
        "done",
        "cancelled",
        "overdue",
    ]
    assert "superseded" in schemas["ProgramStatusEnum"]["enum"]
    assert "просрочено" in schemas["DuePoint"]["properties"]["status"]["description"]
