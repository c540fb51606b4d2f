"""A small hand-made region for identification tests, with verdicts worked out by hand.

Default preset (altai-2020): a cell is low when failures / participants >= 30 % with at least
5 participants; the window is the last 2 years (2023, 2024); ШНОР needs 2 low years, the risk
group at least 1; a leader is judged in both years with every cell at or below 5 %.

    school    municipality   ВПР Математика 5 кл. 2023   2024          verdict
    0101001   Северный       9 из 21 (43 %) low         8 из 20 (40 %) low    ШНОР (+ ШНСУ)
    0101002   Северный       1 из 10 (10 %)             4 из 10 (40 %) low    группа риска
    0201001   Южноозёрск     0 из 30 (0 %)              1 из 40 (2,5 %)       стабильно высокие
    0201002   Южноозёрск     —                          2 из 4 (too few)      недостаточно данных
    9801001   другой регион  20 из 30                   20 из 30              not in the region's run

Context (low_income, % of students, 2024): 40, 30, 5, 20 — the only factor, so the index is its
z-score; ШНСУ is the top 20 %: k = ⌈0.2 × 4⌉ = 1 school, 0101001.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client


@pytest.fixture
def client_for(world) -> Callable[[object], Client]:
    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def region_data(world):
    from opora.assessments.models import Procedure, Result, SchoolContext, Subject
    from opora.territory.models import School

    vpr = Procedure.objects.get(name="ВПР")
    math = Subject.objects.create(name="Математика")
    tiny = School.objects.create(
        code="0201002",
        name="МКОУ «Малая НОШ»",
        municipality=world.south,
        settlement="город",
        students=12,
        kind="НОШ",
    )
    world.tiny_school = tiny

    def cell(school, year, failures, participants):
        Result.objects.create(
            school=school,
            year=year,
            procedure=vpr,
            subject=math,
            grade=5,
            participants=participants,
            mark_2=failures,
            mark_3=participants - failures,
            mark_4=0,
            mark_5=0,
        )

    cell(world.north_school, 2023, 9, 21)
    cell(world.north_school, 2024, 8, 20)
    cell(world.north_village_school, 2023, 1, 10)
    cell(world.north_village_school, 2024, 4, 10)
    cell(world.south_school, 2023, 0, 30)
    cell(world.south_school, 2024, 1, 40)
    cell(tiny, 2024, 2, 4)
    cell(world.far_school, 2023, 20, 30)
    cell(world.far_school, 2024, 20, 30)
    for school, low_income in (
        (world.north_school, 40.0),
        (world.north_village_school, 30.0),
        (world.south_school, 5.0),
        (tiny, 20.0),
        (world.far_school, 90.0),
    ):
        SchoolContext.objects.create(school=school, year=2024, low_income=low_income)
    return world


@pytest.fixture
def run(region_data):
    from opora.identification.services import run_identification

    return run_identification(region_data.region_user, "altai-2020")
