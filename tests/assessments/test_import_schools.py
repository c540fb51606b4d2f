"""The school register from the command line (user None): region, municipalities, archive."""

from __future__ import annotations

import pytest
from import_helpers import data_file, snapshot

from opora.assessments.services import ImportRejected, apply_import, plan_import
from opora.territory.models import Municipality, Region, School

REGISTER = data_file("schools_canonical.csv")


@pytest.mark.django_db
def test_the_first_register_creates_the_region_and_its_municipalities():
    plan = plan_import(
        "schools", REGISTER, filename="schools.csv", user=None, region="Тестовая область"
    )
    assert plan.new_region and plan.region == "Тестовая область"
    assert plan.new_municipalities == ["Северный район", "город Южноозёрск"]
    assert not Region.objects.exists()
    plan = apply_import(
        "schools", REGISTER, filename="schools.csv", user=None, region="Тестовая область"
    )
    assert (plan.created, plan.updated, plan.unchanged) == (3, 0, 0)
    region = Region.objects.get()
    assert region.name == "Тестовая область"
    assert sorted(Municipality.objects.values_list("name", flat=True)) == [
        "Северный район",
        "город Южноозёрск",
    ]
    gymnasium = School.objects.get(code="0201001")
    assert (gymnasium.kind, gymnasium.distance_km, gymnasium.longitude) == (
        "гимназия",
        None,
        46.125,
    )
    assert gymnasium.municipality.region == region


@pytest.mark.django_db
def test_without_a_region_name_the_region_is_called_region():
    apply_import("schools", REGISTER, filename="schools.csv", user=None)
    assert list(Region.objects.values_list("name", flat=True)) == ["Регион"]
    # The only region is used afterwards, without naming it.
    plan = apply_import("schools", REGISTER, filename="schools.csv", user=None)
    assert (plan.created, plan.unchanged, plan.new_region) == (0, 3, False)


def test_with_several_regions_the_command_line_must_name_one(world):
    plan = plan_import("schools", REGISTER, filename="schools.csv", user=None)
    [problem] = plan.errors
    assert "несколько регионов" in problem.message and "--region" in problem.message


def test_a_school_missing_from_the_file_is_kept(world):
    plan = apply_import(
        "schools", REGISTER, filename="schools.csv", user=None, region=world.region.name
    )
    assert (plan.created, plan.updated, plan.unchanged) == (0, 3, 0)  # coordinates are new
    assert plan.archived == []
    assert School.objects.filter(is_archived=False).count() == 4


def test_archive_missing_archives_the_schools_of_the_region_absent_from_the_file(world):
    content = "\n".join(REGISTER.read_text(encoding="utf-8").splitlines()[:3]) + "\n"
    plan = plan_import(
        "schools", content.encode(), filename="s.csv", user=None, region=world.region.name,
        archive_missing=True,
    )  # fmt: skip
    assert plan.archived == ["0201001"]
    assert (
        "которых нет в файле, будут переведены в архив: 0201001 (всего 1)." in plan.summary_text()
    )
    assert not School.objects.filter(is_archived=True).exists()
    apply_import(
        "schools", content.encode(), filename="s.csv", user=None, region=world.region.name,
        archive_missing=True,
    )  # fmt: skip
    assert list(School.objects.filter(is_archived=True).values_list("code", flat=True)) == [
        "0201001"
    ]
    # The school of the other region is not touched; a school back in the file is restored.
    assert not School.objects.get(code="9801001").is_archived
    plan = apply_import("schools", REGISTER, filename="s.csv", user=None, region=world.region.name)
    assert plan.updated == 1 and not School.objects.get(code="0201001").is_archived


def test_a_changed_school_is_updated_and_may_move_to_a_new_municipality(world):
    apply_import("schools", REGISTER, filename="s.csv", user=None, region=world.region.name)
    text = REGISTER.read_text(encoding="utf-8").replace(
        "0101002,МКОУ «Ключевская ООШ»,Северный район",
        "0101002,МКОУ «Ключевская ООШ»,Ключевской район",
    )
    plan = apply_import(
        "schools", text.encode(), filename="s.csv", user=None, region=world.region.name
    )
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 2)
    assert plan.new_municipalities == ["Ключевской район"]
    assert School.objects.get(code="0101002").municipality.name == "Ключевской район"


def test_a_broken_register_is_rejected_whole(world):
    text = REGISTER.read_text(encoding="utf-8")
    broken = text.replace(",село,41,", ",деревня,41,").replace(",1150,", ",-3,")
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        apply_import(
            "schools", broken.encode(), filename="s.csv", user=None, region=world.region.name
        )
    assert sorted(e.row for e in caught.value.plan.errors) == [3, 4]
    assert snapshot() == before
