"""Export gives back exactly what was imported, scoped to what the user may see."""

from __future__ import annotations

import pytest
from import_helpers import data_file

from opora.assessments.services import apply_import, export_table
from opora.formats import read_table, write_table
from opora.territory.models import School

CANONICAL = {
    "results": "results_canonical.csv",
    "context": "context_canonical.csv",
    "students": "students_canonical.csv",
}


def import_all(world) -> None:
    for kind in ("results", "context", "students"):
        path = data_file(CANONICAL[kind])
        apply_import(kind, path, filename=path.name, user=None)


@pytest.mark.parametrize("kind", ["results", "context", "students"])
def test_import_then_export_gives_the_same_csv_bytes(world, tmp_path, kind):
    import_all(world)
    target = tmp_path / f"{kind}.csv"
    write_table(kind, export_table(kind, None), target)
    assert target.read_bytes() == data_file(CANONICAL[kind]).read_bytes()


@pytest.mark.django_db
def test_the_register_round_trips_byte_for_byte(tmp_path):
    source = data_file("schools_canonical.csv")
    apply_import("schools", source, filename=source.name, user=None, region="Тестовая область")
    target = tmp_path / "schools.csv"
    write_table("schools", export_table("schools", None), target)
    assert target.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("kind", ["results", "context", "students"])
def test_an_xlsx_export_reads_back_as_the_imported_table(world, tmp_path, kind):
    import_all(world)
    target = tmp_path / f"{kind}.xlsx"
    write_table(kind, export_table(kind, None), target)
    imported = read_table(kind, data_file(CANONICAL[kind])).table.drop_columns(["row_number"])
    exported = read_table(kind, target).table.drop_columns(["row_number"])
    assert exported.equals(imported)


def test_an_exported_xlsx_imports_without_changes(world, tmp_path):
    import_all(world)
    target = tmp_path / "results.xlsx"
    write_table("results", export_table("results", None), target)
    plan = apply_import("results", target, filename=target.name, user=None)
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 5)


def test_export_is_scoped_to_the_schools_the_user_sees(world):
    import_all(world)
    codes = export_table("results", world.north_user).column("school_id").to_pylist()
    assert codes == ["0101001", "0101001", "0101002"]
    assert export_table("results", world.curator).column("school_id").to_pylist() == ["0101002"]
    assert export_table("results", world.nobody).num_rows == 0
    assert export_table("results", world.south_user).column("procedure").to_pylist() == [
        "ЕГЭ",
        "ОГЭ",
    ]
    register = export_table("schools", world.region_user).column("school_id").to_pylist()
    assert register == ["0101001", "0101002", "0201001"]


def test_the_register_export_leaves_archived_schools_out(world):
    School.objects.filter(code="0101002").update(is_archived=True)
    codes = export_table("schools", None).column("school_id").to_pylist()
    assert codes == ["0101001", "0201001", "9801001"]
