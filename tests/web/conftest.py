"""Web tests: the world plus a few results and context rows with figures checked by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client


@pytest.fixture
def client_for(world) -> Callable[[object], Client]:
    """`client_for(user)` is a test client logged in as that user (None: anonymous)."""

    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def results(world):
    """Results of three schools of the region and one of the other region.

    By hand, for 0101001 (Северная СОШ), pooled failure share by year and procedure:
      ВПР 2023: (4 + 2) / (20 + 20) = 15.0 %;  ВПР 2024: (9 + 3) / (21 + 20) = 29.3 %;
      ЕГЭ 2024: 1 / 10 = 10.0 %;               ОГЭ 2024: 2 / 4 = 50.0 % (a cell too small to judge).
    Low cells (≥ 30 %, ≥ 5 participants) in 2024: ВПР Математика 5 (9/21 = 43 %) at 0101001,
    ВПР Математика 5 (2/6 = 33 %) at 0101002; none at 0201001 (10/100).
    """
    from opora.assessments.models import Procedure, Result, SchoolContext, Subject

    vpr, oge, ege = (Procedure.objects.get(name=name) for name in ("ВПР", "ОГЭ", "ЕГЭ"))
    math = Subject.objects.create(name="Математика")
    russian = Subject.objects.create(name="Русский язык")
    math_profile = Subject.objects.create(name="Математика (профильная)")

    def graded(school, year, procedure, subject, grade, marks, mean=None):
        Result.objects.create(
            school=school,
            year=year,
            procedure=procedure,
            subject=subject,
            grade=grade,
            participants=sum(marks),
            mark_2=marks[0],
            mark_3=marks[1],
            mark_4=marks[2],
            mark_5=marks[3],
            mean_score=mean,
        )

    north = world.north_school
    graded(north, 2023, vpr, math, 5, (4, 8, 6, 2), 3.3)
    graded(north, 2023, vpr, russian, 5, (2, 10, 6, 2))
    graded(north, 2024, vpr, math, 5, (9, 7, 4, 1), 2.86)
    graded(north, 2024, vpr, russian, 5, (3, 10, 5, 2))
    graded(north, 2024, oge, math, 9, (2, 1, 1, 0))
    Result.objects.create(
        school=north,
        year=2024,
        procedure=ege,
        subject=math_profile,
        grade=11,
        participants=10,
        below_min=1,
        mean_score=48.5,
    )
    graded(world.north_village_school, 2024, vpr, math, 5, (2, 2, 1, 1))
    graded(world.south_school, 2024, vpr, math, 5, (10, 30, 40, 20))
    graded(world.far_school, 2024, vpr, math, 5, (25, 15, 5, 5))
    SchoolContext.objects.create(school=north, year=2023, low_income=12.5, large_families=20.0)
    SchoolContext.objects.create(school=north, year=2024, low_income=14.0, social_index=0.8)
    SchoolContext.objects.create(school=world.far_school, year=2024, low_income=77.7)
    return world


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
