"""Results and context through the API: scoped rows, filters and hand-computed failure shares."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Row:
    school: str
    year: int
    procedure: str
    subject: str
    grade: int
    participants: int
    marks: tuple[int, int, int, int] | None = None
    below_min: int | None = None
    mean_score: float | None = None


# failures and failure_share below are worked out by hand:
#   0101001 ВПР 5 Математика: mark_2 = 3 of 25          → 3, 0.12
#   0101001 ЕГЭ 11 Русский:   below_min = 2 of 40       → 2, 0.05
#   0101002 ВПР 5 Математика: mark_2 = 3 of 8           → 3, 0.375
#   0201001 ОГЭ 9 Математика (2023): mark_2 = 6 of 120  → 6, 0.05
#   0201001 ВПР 4 Русский:    nobody wrote it (0 of 0)  → 0, null
#   9801001 ВПР 5 Математика: mark_2 = 9 of 30          → 9, 0.3 (another region)
ROWS = [
    Row("0101001", 2024, "ВПР", "Математика", 5, 25, marks=(3, 10, 8, 4), mean_score=3.52),
    Row("0101001", 2024, "ЕГЭ", "Русский язык", 11, 40, below_min=2, mean_score=61.5),
    Row("0101002", 2024, "ВПР", "Математика", 5, 8, marks=(3, 4, 1, 0)),
    Row("0201001", 2023, "ОГЭ", "Математика", 9, 120, marks=(6, 50, 40, 24)),
    Row("0201001", 2024, "ВПР", "Русский язык", 4, 0, marks=(0, 0, 0, 0)),
    Row("9801001", 2024, "ВПР", "Математика", 5, 30, marks=(9, 11, 6, 4)),
]

EXPECTED_FAILURES = {
    ("0101001", "ВПР"): (3, 0.12),
    ("0101001", "ЕГЭ"): (2, 0.05),
    ("0101002", "ВПР"): (3, 0.375),
    ("0201001", "ОГЭ"): (6, 0.05),
    ("0201001", "ВПР"): (0, None),
    ("9801001", "ВПР"): (9, 0.3),
}


def store(rows: list[Row]) -> None:
    from opora.assessments.models import Procedure, Result, Subject
    from opora.territory.models import School

    for row in rows:
        marks = dict(
            zip(("mark_2", "mark_3", "mark_4", "mark_5"), row.marks or (None,) * 4, strict=True)
        )
        Result.objects.create(
            school=School.objects.get(code=row.school),
            year=row.year,
            procedure=Procedure.objects.get(name=row.procedure),
            subject=Subject.objects.get_or_create(name=row.subject)[0],
            grade=row.grade,
            participants=row.participants,
            below_min=row.below_min,
            mean_score=row.mean_score,
            **marks,
        )


@pytest.fixture
def results(world):
    store(ROWS)
    return world


def listed(response) -> list[dict]:
    assert response.status_code == 200, response.content.decode()
    return response.json()["results"]


def keys(response) -> list[tuple[str, str]]:
    return [(row["school_id"], row["procedure"]) for row in listed(response)]


def test_it_shows_a_result_row_with_the_interchange_names_and_computed_failures(results, api):
    response = api(results.school_user).get("/api/v1/results/?procedure=ВПР")
    assert listed(response) == [
        {
            "school_id": "0101001",
            "year": 2024,
            "procedure": "ВПР",
            "subject": "Математика",
            "grade": 5,
            "participants": 25,
            "mark_2": 3,
            "mark_3": 10,
            "mark_4": 8,
            "mark_5": 4,
            "below_min": None,
            "mean_score": 3.52,
            "failures": 3,
            "failure_share": 0.12,
        }
    ]


def test_it_computes_failures_for_every_kind_of_procedure(results, api):
    for row in listed(api(results.admin).get("/api/v1/results/")):
        failures, share = EXPECTED_FAILURES[(row["school_id"], row["procedure"])]
        assert row["failures"] == failures
        if share is None:
            assert row["failure_share"] is None
        else:
            assert row["failure_share"] == pytest.approx(share, abs=1e-12)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (
            "region_user",
            [
                ("0101001", "ВПР"),
                ("0101001", "ЕГЭ"),
                ("0101002", "ВПР"),
                ("0201001", "ОГЭ"),
                ("0201001", "ВПР"),
            ],
        ),
        ("north_user", [("0101001", "ВПР"), ("0101001", "ЕГЭ"), ("0101002", "ВПР")]),
        ("south_user", [("0201001", "ОГЭ"), ("0201001", "ВПР")]),
        ("school_user", [("0101001", "ВПР"), ("0101001", "ЕГЭ")]),
        ("curator", [("0101002", "ВПР")]),
        ("nobody", []),
    ],
)
def test_it_lists_only_results_of_visible_schools(results, api, user, expected):
    assert keys(api(getattr(results, user)).get("/api/v1/results/")) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("school_id=0101002", [("0101002", "ВПР")]),
        ("school_id=9801001", []),
        ("year=2023", [("0201001", "ОГЭ")]),
        ("procedure=ЕГЭ", [("0101001", "ЕГЭ")]),
        ("procedure=КДР", []),
        ("subject=Русский язык", [("0101001", "ЕГЭ"), ("0201001", "ВПР")]),
        ("grade=5", [("0101001", "ВПР"), ("0101002", "ВПР")]),
        (
            "grade=5&procedure=ВПР&year=2024&subject=Математика&school_id=0101001",
            [("0101001", "ВПР")],
        ),
        ("municipality_id={south}", [("0201001", "ОГЭ"), ("0201001", "ВПР")]),
    ],
)
def test_it_filters_results(results, api, query, expected):
    url = "/api/v1/results/?" + query.format(south=results.south.pk)
    assert keys(api(results.region_user).get(url)) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("grade=12", "grade"), ("grade=0", "grade"), ("year=двадцать", "year"), ("year=24", "year")],
)
def test_it_rejects_malformed_result_filters_in_russian(results, api, query, parameter):
    response = api(results.region_user).get(f"/api/v1/results/?{query}")
    assert response.status_code == 400
    assert "укажите целое число от" in response.json()[parameter][0]


def test_it_lists_one_schools_results_under_its_code(results, api):
    client = api(results.north_user)
    assert keys(client.get("/api/v1/schools/0101001/results/")) == [
        ("0101001", "ВПР"),
        ("0101001", "ЕГЭ"),
    ]
    only_russian = client.get("/api/v1/schools/0101001/results/?subject=Русский язык")
    assert [(row["below_min"], row["failure_share"]) for row in listed(only_russian)] == [(2, 0.05)]
    assert client.get("/api/v1/schools/0201001/results/").status_code == 404


def test_it_lists_results_without_a_query_per_row(results, api, django_assert_max_num_queries):
    store(
        [
            Row("0101002", year, "ОГЭ", subject, 9, 20, marks=(1, 9, 6, 4))
            for year in (2021, 2022, 2023)
            for subject in ("Математика", "Русский язык", "История")
        ]
    )
    for user in (results.region_user, results.curator):
        client = api(user)
        with django_assert_max_num_queries(4):
            response = client.get("/api/v1/results/")
        assert len(listed(response)) > 9
    client = api(results.north_user)
    with django_assert_max_num_queries(5):
        assert len(listed(client.get("/api/v1/schools/0101002/results/"))) == 10


@pytest.fixture
def contexts(world):
    from opora.assessments.models import SchoolContext

    SchoolContext.objects.create(school=world.north_school, year=2023, low_income=31.0)
    SchoolContext.objects.create(
        school=world.north_school,
        year=2024,
        low_income=28.5,
        large_families=12.0,
        non_native_russian=4.0,
        social_index=0.7,
    )
    SchoolContext.objects.create(school=world.south_school, year=2024, low_income=6.0)
    SchoolContext.objects.create(school=world.far_school, year=2024, low_income=40.0)
    return world


def context_keys(response) -> list[tuple[str, int]]:
    return [(row["school_id"], row["year"]) for row in listed(response)]


@pytest.mark.parametrize(
    ("user", "query", "expected"),
    [
        ("region_user", "", [("0101001", 2023), ("0101001", 2024), ("0201001", 2024)]),
        ("region_user", "?year=2024", [("0101001", 2024), ("0201001", 2024)]),
        ("region_user", "?school_id=0101001&year=2023", [("0101001", 2023)]),
        ("region_user", "?school_id=9801001", []),
        ("south_user", "", [("0201001", 2024)]),
        ("school_user", "?school_id=0201001", []),
        ("curator", "", []),
        ("nobody", "", []),
        ("admin", "?year=2024", [("0101001", 2024), ("0201001", 2024), ("9801001", 2024)]),
    ],
)
def test_it_lists_context_of_visible_schools_only(contexts, api, user, query, expected):
    assert context_keys(api(getattr(contexts, user)).get(f"/api/v1/context/{query}")) == expected


def test_it_shows_a_context_row_with_every_factor(contexts, api):
    rows = listed(api(contexts.school_user).get("/api/v1/context/?year=2024"))
    assert rows == [
        {
            "school_id": "0101001",
            "year": 2024,
            "large_families": 12.0,
            "non_native_russian": 4.0,
            "parent_higher_education": None,
            "both_parents_higher_education": None,
            "both_parents_unemployed": None,
            "parent_disabled": None,
            "foster_care": None,
            "families_in_danger": None,
            "juvenile_commission": None,
            "low_income": 28.5,
            "special_needs": None,
            "social_index": 0.7,
        }
    ]


def test_it_lists_context_without_a_query_per_row(contexts, api, django_assert_max_num_queries):
    client = api(contexts.admin)
    with django_assert_max_num_queries(4):
        assert len(listed(client.get("/api/v1/context/"))) == 4
