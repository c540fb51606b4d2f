"""Writing the files, the command line, and the size of the national file set."""

from __future__ import annotations

import csv
import os

import pytest

from opora.demo.generator import RegionSpec, generate_region, main, national_spec, write_region


@pytest.fixture(scope="module")
def tiny_region():
    return generate_region(RegionSpec(seed=3, municipalities=2, schools=30, with_students=True))


def test_it_writes_utf8_csv_with_english_headers(tiny_region, tmp_path):
    written = write_region(tiny_region, tmp_path)
    assert sorted(written) == ["context", "results", "schools", "students"]
    with written["schools"].open(encoding="utf-8", newline="") as f:
        raw = f.read()
    assert not raw.startswith("\ufeff")
    rows = list(csv.reader(raw.splitlines()))
    assert rows[0] == [
        "school_id", "name", "municipality", "settlement", "students", "kind",
        "distance_km", "latitude", "longitude",
    ]  # fmt: skip
    assert len(rows) == 31
    assert rows[1][0] == "0101001" and "«" in rows[1][1]


def test_nulls_are_empty_cells_and_counts_are_integers(tiny_region, tmp_path):
    written = write_region(tiny_region, tmp_path)
    with written["results"].open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == tiny_region.results.num_rows
    ege = next(r for r in rows if r["procedure"] == "ЕГЭ")
    vpr = next(r for r in rows if r["procedure"] == "ВПР")
    assert ege["mark_2"] == "" and ege["below_min"].isdigit()
    assert vpr["below_min"] == "" and vpr["mark_2"].isdigit()
    assert int(vpr["mark_2"]) + int(vpr["mark_3"]) + int(vpr["mark_4"]) + int(vpr["mark_5"]) == int(
        vpr["participants"]
    )


def test_it_writes_truth_only_when_asked(tiny_region, tmp_path):
    assert "truth" not in write_region(tiny_region, tmp_path / "a")
    written = write_region(tiny_region, tmp_path / "b", with_truth=True)
    with written["truth"].open(encoding="utf-8") as f:
        assert f.readline().strip() == '"school_id","profile","event_year","ability","adversity"'


def test_it_writes_xlsx_with_the_same_columns(tmp_path):
    from python_calamine import CalamineWorkbook

    region = generate_region(RegionSpec(seed=3, municipalities=2, schools=20))
    written = write_region(region, tmp_path, fmt="xlsx")
    sheet = CalamineWorkbook.from_path(str(written["results"])).get_sheet_by_index(0).to_python()
    assert sheet[0] == region.results.column_names
    assert len(sheet) == region.results.num_rows + 1


def test_it_rejects_an_unknown_format(tiny_region, tmp_path):
    with pytest.raises(ValueError, match="csv и xlsx"):
        write_region(tiny_region, tmp_path, fmt="json")


def test_it_rejects_an_impossible_spec():
    with pytest.raises(ValueError, match="муниципалитет"):
        generate_region(RegionSpec(municipalities=5, schools=3))


def test_the_command_line_writes_the_demo_files(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--seed", "4", "--truth"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "context.csv", "results.csv", "schools.csv", "truth.csv",
    ]  # fmt: skip
    assert "Северо-Озёрская область" in capsys.readouterr().out


def test_the_national_spec_is_40000_schools_over_three_years():
    spec = national_spec()
    assert spec.schools == 40_000 and spec.municipalities <= 2_300
    assert spec.years == (2024, 2025, 2026) and not spec.with_students
    assert national_spec(seed=9).seed == 9


def test_a_tenth_of_the_national_spec_scales_to_2_3_million_rows():
    spec = national_spec()
    tenth = RegionSpec(
        seed=spec.seed,
        municipalities=spec.municipalities // 10,
        schools=spec.schools // 10,
        years=spec.years,
    )
    region = generate_region(tenth)
    assert region.schools.num_rows == 4_000
    assert len(set(region.schools.column("municipality").to_pylist())) == 230
    estimate = region.results.num_rows * 10
    assert 2_000_000 <= estimate <= 2_600_000, estimate


@pytest.mark.skipif(
    not os.environ.get("OPORA_FULL_NATIONAL"),
    reason="the full national set takes ~10 s; set OPORA_FULL_NATIONAL=1 to generate it",
)
def test_the_full_national_set_has_2_to_2_6_million_rows():
    region = generate_region(national_spec())
    assert region.schools.num_rows == 40_000
    assert 2_000_000 <= region.results.num_rows <= 2_600_000
    ids = region.schools.column("school_id").to_pylist()
    assert len(set(ids)) == len(ids)
    names = region.schools.column("municipality").unique()
    assert len(names) == 2_300
