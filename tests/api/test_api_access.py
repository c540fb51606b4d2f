"""Territory scoping of the API: each role sees exactly its schools, nothing else exists."""

from __future__ import annotations

import pytest

ALL_ENDPOINTS = [
    "/api/v1/municipalities/",
    "/api/v1/schools/",
    "/api/v1/schools/0101001/",
    "/api/v1/schools/0101001/results/",
    "/api/v1/results/",
    "/api/v1/context/",
    "/api/v1/procedures/",
    "/api/v1/subjects/",
]


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [row["school_id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("region_user", ["0101001", "0101002", "0201001"]),
        ("north_user", ["0101001", "0101002"]),
        ("south_user", ["0201001"]),
        ("school_user", ["0101001"]),
        ("curator", ["0101002"]),
        ("nobody", []),
        ("admin", ["0101001", "0101002", "0201001", "9801001"]),
    ],
)
def test_it_lists_only_the_schools_of_the_users_territory(world, api, user, expected):
    response = api(getattr(world, user)).get("/api/v1/schools/")
    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("url", ALL_ENDPOINTS)
def test_it_refuses_anonymous_requests(world, api, url):
    response = api(None).get(url)
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("school_user", "0101002"),
        ("school_user", "9801001"),
        ("north_user", "0201001"),
        ("south_user", "0101001"),
        ("curator", "0101001"),
        ("region_user", "9801001"),
        ("nobody", "0101001"),
    ],
)
def test_it_answers_404_for_a_school_outside_the_territory(world, api, user, code):
    client = api(getattr(world, user))
    assert client.get(f"/api/v1/schools/{code}/").status_code == 404
    assert client.get(f"/api/v1/schools/{code}/results/").status_code == 404


def test_it_answers_404_for_an_unknown_school_code(world, api):
    assert api(world.admin).get("/api/v1/schools/0000000/").status_code == 404


def test_it_shows_a_school_with_the_interchange_field_names(world, api):
    response = api(world.school_user).get("/api/v1/schools/0101001/")
    assert response.status_code == 200
    assert response.json() == {
        "school_id": "0101001",
        "name": "МБОУ «Северная СОШ»",
        "municipality": "Северный район",
        "municipality_id": world.north.pk,
        "settlement": "село",
        "students": 180,
        "kind": "СОШ",
        "distance_km": 12.5,
        "latitude": None,
        "longitude": None,
        "archived": False,
    }


def test_it_finds_a_school_whose_code_contains_a_dot(world, api):
    from opora.territory.models import School

    School.objects.create(
        code="01.01.003",
        name="МБОУ «Точечная СОШ»",
        municipality=world.north,
        settlement="село",
        students=10,
    )
    response = api(world.north_user).get("/api/v1/schools/01.01.003/")
    assert response.status_code == 200
    assert response.json()["name"] == "МБОУ «Точечная СОШ»"


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("region_user", ["Северный район", "город Южноозёрск"]),
        ("north_user", ["Северный район"]),
        ("school_user", ["Северный район"]),
        ("curator", ["Северный район"]),
        ("nobody", []),
    ],
)
def test_it_lists_only_visible_municipalities(world, api, user, expected):
    response = api(getattr(world, user)).get("/api/v1/municipalities/")
    assert response.status_code == 200
    # Compared as sets: the order of Cyrillic names depends on the database collation.
    assert {row["name"] for row in response.json()["results"]} == set(expected)
    assert response.json()["count"] == len(expected)


def test_it_shows_a_municipality_and_hides_another_regions_one(world, api):
    far = world.far_school.municipality
    client = api(world.region_user)
    response = client.get(f"/api/v1/municipalities/{world.north.pk}/")
    assert response.json() == {
        "id": world.north.pk,
        "name": "Северный район",
        "region": "Северо-Озёрская область",
    }
    assert client.get(f"/api/v1/municipalities/{far.pk}/").status_code == 404
    assert api(world.south_user).get(f"/api/v1/municipalities/{world.north.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["0101001", "0101002", "0201001"]),
        ("?municipality_id={north}", ["0101001", "0101002"]),
        ("?municipality_id={far}", []),
        ("?settlement=город", ["0201001"]),
        ("?settlement=село", ["0101001", "0101002"]),
        ("?kind=ООШ", ["0101002"]),
        ("?archived=true", ["0101002"]),
        ("?archived=false", ["0101001", "0201001"]),
        ("?archived=нет", ["0101001", "0201001"]),
        ("?q=ключевская", ["0101002"]),
        ("?q=ГИМНАЗИЯ", ["0201001"]),
        ("?q=0101", ["0101001", "0101002"]),
        ("?q=мбоу&settlement=село", ["0101001"]),
    ],
)
def test_it_filters_schools(world, api, query, expected):
    world.north_village_school.is_archived = True
    world.north_village_school.save()
    url = "/api/v1/schools/" + query.format(
        north=world.north.pk, far=world.far_school.municipality_id
    )
    assert codes(api(world.region_user).get(url)) == expected


@pytest.mark.parametrize(
    ("query", "parameter", "fragment"),
    [
        ("settlement=деревня", "settlement", "укажите «город» или «село»"),
        ("archived=может быть", "archived", "укажите true или false"),
        ("municipality_id=север", "municipality_id", "укажите целое число не меньше 1"),
    ],
)
def test_it_explains_a_malformed_school_filter_in_russian(world, api, query, parameter, fragment):
    response = api(world.region_user).get(f"/api/v1/schools/?{query}")
    assert response.status_code == 400
    assert fragment in response.json()[parameter][0]


def test_it_pages_with_limit_and_offset(world, api):
    response = api(world.region_user).get("/api/v1/schools/?limit=2&offset=1")
    body = response.json()
    assert body["count"] == 3
    assert [row["school_id"] for row in body["results"]] == ["0101002", "0201001"]
    assert body["next"] is None
    assert body["previous"] == "http://testserver/api/v1/schools/?limit=2"


def test_it_serves_reference_lists_to_any_signed_in_user(world, api):
    from opora.assessments.models import Subject

    Subject.objects.create(name="Математика")
    Subject.objects.create(name="Русский язык")
    client = api(world.nobody)
    procedures = client.get("/api/v1/procedures/").json()["results"]
    assert {row["name"]: row["scoring"] for row in procedures} == {
        "ВПР": "graded",
        "ЕГЭ": "threshold",
        "КДР": "graded",
        "ОГЭ": "graded",
    }
    subjects = client.get("/api/v1/subjects/").json()["results"]
    assert subjects == [{"name": "Математика"}, {"name": "Русский язык"}]


def test_it_lists_schools_without_a_query_per_row(world, api, django_assert_max_num_queries):
    from opora.territory.models import School

    for number in range(10):
        School.objects.create(
            code=f"01019{number:02d}",
            name=f"Школа {number}",
            municipality=world.north,
            settlement="село",
            students=number,
        )
    client = api(world.region_user)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/schools/")
    assert response.json()["count"] == 13
