"""Web users import only for the schools they may see; only the region changes the register."""

from __future__ import annotations

import pytest
from import_helpers import data_file, snapshot

from opora.assessments.models import Result
from opora.assessments.services import ImportRejected, apply_import, plan_import
from opora.territory.models import Municipality, School

RESULTS = (
    "school_id,year,procedure,subject,grade,participants,mark_2,mark_3,mark_4,mark_5\n"
    "0101001,2025,ВПР,Математика,6,20,5,5,5,5\n"
    "0201001,2025,ВПР,Математика,6,10,1,3,3,3\n"
).encode()

REGISTER = (
    "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся\n"
    "0101001;МБОУ «Северная СОШ»;Северный район;село;185\n"
    "0301001;МБОУ «Озёрная СОШ»;Озёрный район;село;95\n"
).encode("cp1251")


def test_a_municipality_user_cannot_import_results_of_another_municipality(world):
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        apply_import("results", RESULTS, filename="r.csv", user=world.north_user)
    [problem] = caught.value.plan.errors
    assert (problem.row, problem.value) == (3, "0201001")
    assert "нет доступа к школе" in problem.message
    assert snapshot() == before


def test_a_municipality_user_imports_results_of_its_own_schools(world):
    own = RESULTS.decode().rsplit("0201001", 1)[0].encode()
    plan = apply_import("results", own, filename="r.csv", user=world.north_user)
    assert plan.created == 1
    assert Result.objects.get().school == world.north_school


def test_a_curator_imports_only_for_the_curated_schools(world):
    content = b"school_id,year,large_families\n0101002,2025,10\n0101001,2025,12\n"
    plan = plan_import("context", content, filename="c.csv", user=world.curator)
    assert [(e.row, e.value) for e in plan.errors] == [(3, "0101001")]


def test_a_user_without_a_territory_may_import_nothing(world):
    plan = plan_import("results", RESULTS, filename="r.csv", user=world.nobody)
    assert [e.row for e in plan.errors] == [2, 3]


def test_the_region_user_imports_results_for_the_whole_region_but_not_beyond(world):
    far = (RESULTS.decode() + "9801001,2025,ВПР,Математика,6,1,1,0,0,0\n").encode()
    plan = plan_import("results", far, filename="r.csv", user=world.region_user)
    assert [(e.row, e.value) for e in plan.errors] == [(4, "9801001")]


def test_a_school_user_cannot_import_the_register(world):
    before = snapshot()
    for user in (world.school_user, world.north_user, world.curator, world.nobody):
        with pytest.raises(ImportRejected) as caught:
            apply_import("schools", REGISTER, filename="s.csv", user=user)
        [problem] = caught.value.plan.errors
        assert problem.row is None
        assert "только пользователь регионального уровня" in problem.message
    assert snapshot() == before


def test_the_region_user_imports_the_register_into_its_region(world):
    plan = apply_import("schools", REGISTER, filename="s.csv", user=world.region_user)
    assert (plan.created, plan.updated, plan.unchanged) == (1, 1, 0)
    assert plan.new_municipalities == ["Озёрный район"]
    new = School.objects.get(code="0301001")
    assert new.municipality.region == world.region and new.students == 95
    assert School.objects.get(code="0101001").students == 185
    assert Municipality.objects.filter(name="Озёрный район", region=world.region).count() == 1


def test_the_region_user_cannot_take_over_a_school_of_another_region(world):
    content = REGISTER.decode("cp1251").replace("0301001", "9801001").encode("cp1251")
    plan = plan_import("schools", content, filename="s.csv", user=world.region_user)
    assert [(e.row, e.value) for e in plan.errors] == [(3, "9801001")]
    assert "другого региона" in plan.errors[0].message


def test_a_superuser_imports_results_anywhere(world):
    path = data_file("results_cp1251.csv")
    assert apply_import("results", path, filename=path.name, user=world.admin).created == 5


def test_a_superuser_without_a_region_is_told_how_to_choose_one(world):
    plan = plan_import("schools", REGISTER, filename="s.csv", user=world.admin)
    [problem] = plan.errors
    assert "несколько регионов" in problem.message and "учётной записи" in problem.message
    world.admin.region = world.region
    world.admin.save()
    plan = plan_import("schools", REGISTER, filename="s.csv", user=world.admin)
    assert plan.ok and plan.region == world.region.name
