"""A seeded generator of a fictional Russian region in the interchange formats.

>>> region = generate_region(RegionSpec(schools=60, municipalities=3))
>>> region.schools.num_rows
60

Run ``python -m opora.demo.generator --out DIR [--national] [--seed N] [--students]`` to
write the CSV files. The model is described in docs/demo-region.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from opora.demo.assessments import draw_cells, results_table
from opora.demo.context import build_context
from opora.demo.profiles import PROFILES, Traits, draw_adversity, draw_traits
from opora.demo.register import KINDS, Register, build_register
from opora.demo.students import build_students

# Independent random streams: changing one part (e.g. students) never changes another.
_STREAM_REGISTER, _STREAM_TRAITS, _STREAM_CONTEXT, _STREAM_RESULTS, _STREAM_STUDENTS = range(5)


@dataclass
class RegionSpec:
    """What to generate. The defaults give the demo region (~400 schools, ~23,000 rows)."""

    seed: int = 2026
    municipalities: int = 12
    schools: int = 400
    years: tuple[int, ...] = (2024, 2025, 2026)
    with_students: bool = False
    region_name: str = "Северо-Озёрская область"


@dataclass
class Region:
    """Generated tables; ``truth`` holds the planted profile of every school."""

    name: str
    schools: pa.Table
    results: pa.Table
    context: pa.Table
    students: pa.Table | None
    truth: pa.Table


def national_spec(seed: int = 1) -> RegionSpec:
    """A national file set: 40,000 schools in 2,300 municipalities (85 "regions"), 3 years.

    >>> national_spec().schools
    40000
    """
    return RegionSpec(
        seed=seed,
        municipalities=2300,
        schools=40_000,
        years=(2024, 2025, 2026),
        with_students=False,
        region_name="Вымышленная страна (национальный набор)",
    )


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def generate_region(spec: RegionSpec | None = None) -> Region:
    """Generate a region: same spec (and seed) → identical tables."""
    spec = spec or RegionSpec()
    years = tuple(sorted(set(spec.years)))
    if not years:
        raise ValueError("Укажите хотя бы один год, например years=(2024, 2025, 2026).")
    register = build_register(
        _rng(spec.seed, _STREAM_REGISTER), spec.municipalities, spec.schools, years
    )
    traits_rng = _rng(spec.seed, _STREAM_TRAITS)
    adversity = draw_adversity(traits_rng, register)
    context, index = build_context(_rng(spec.seed, _STREAM_CONTEXT), register, adversity)
    traits = draw_traits(traits_rng, register, adversity, index)
    cells = draw_cells(_rng(spec.seed, _STREAM_RESULTS), register, traits)
    results = results_table(register, cells)
    students = None
    if spec.with_students:
        students = build_students(_rng(spec.seed, _STREAM_STUDENTS), register, cells, spec.seed)
    return Region(
        name=spec.region_name,
        schools=_schools_table(register),
        results=results,
        context=context,
        students=students,
        truth=_truth_table(register, traits),
    )


def _schools_table(register: Register) -> pa.Table:
    return pa.table(
        {
            "school_id": pa.array(register.school_id, pa.string()),
            "name": pa.array(register.name, pa.string()),
            "municipality": pa.array(register.municipality_names, pa.string()).take(
                pa.array(register.municipality)
            ),
            "settlement": pa.array(register.settlement, pa.string()),
            "students": pa.array(register.students(max(register.years)).astype(np.int64)),
            "kind": pa.array(list(KINDS), pa.string()).take(pa.array(register.kind)),
            "distance_km": pa.array(register.distance_km, pa.float64()),
            "latitude": pa.array(register.latitude, pa.float64()),
            "longitude": pa.array(register.longitude, pa.float64()),
        }
    )


def _truth_table(register: Register, traits: Traits) -> pa.Table:
    return pa.table(
        {
            "school_id": pa.array(register.school_id, pa.string()),
            "profile": pa.array(list(PROFILES), pa.string()).take(pa.array(traits.profile)),
            "event_year": pa.array(traits.event_year, pa.int64(), mask=traits.event_year == 0),
            "ability": pa.array(np.round(traits.ability, 3), pa.float64()),
            "adversity": pa.array(np.round(traits.adversity, 3), pa.float64()),
        }
    )


def write_region(
    region: Region, directory: Path, fmt: str = "csv", with_truth: bool = False
) -> dict[str, Path]:
    """Write schools/results/context[/students][/truth] files; returns name → path.

    CSV: UTF-8 without BOM, separator ',', English headers, empty cells for nulls.
    XLSX: the same columns on the first sheet (small regions only: a sheet holds 1,048,576
    rows).
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"Неизвестный формат «{fmt}»: поддерживаются csv и xlsx.")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = {"schools": region.schools, "results": region.results, "context": region.context}
    if region.students is not None:
        tables["students"] = region.students
    if with_truth:
        tables["truth"] = region.truth
    written: dict[str, Path] = {}
    for stem, table in tables.items():
        path = directory / f"{stem}.{fmt}"
        if fmt == "csv":
            options = pa_csv.WriteOptions(include_header=True, quoting_style="needed")
            pa_csv.write_csv(table, path, write_options=options)
        else:
            _write_xlsx(table, path)
        written[stem] = path
    return written


def _write_xlsx(table: pa.Table, path: Path) -> None:
    import xlsxwriter

    if table.num_rows >= 1_048_576:
        raise ValueError(
            f"Таблица «{path.stem}» содержит {table.num_rows} строк — больше, чем помещается "
            "на лист XLSX. Выберите формат csv."
        )
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet(path.stem)
    sheet.write_row(0, 0, table.column_names)
    columns = [table.column(name).to_pylist() for name in table.column_names]
    for r, row in enumerate(zip(*columns, strict=True), start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m opora.demo.generator",
        description="Генератор вымышленного региона: реестр школ, результаты, контекст.",
    )
    parser.add_argument("--out", required=True, type=Path, help="каталог для файлов")
    parser.add_argument("--national", action="store_true", help="национальный набор (40 000 ОО)")
    parser.add_argument("--seed", type=int, default=None, help="зерно генератора")
    parser.add_argument("--students", action="store_true", help="добавить students.csv")
    parser.add_argument("--truth", action="store_true", help="добавить truth.csv (профили)")
    parser.add_argument("--format", default="csv", choices=("csv", "xlsx"))
    args = parser.parse_args(argv)
    spec = national_spec() if args.national else RegionSpec()
    if args.seed is not None:
        spec.seed = args.seed
    spec.with_students = args.students
    started = time.perf_counter()
    region = generate_region(spec)
    generated = time.perf_counter() - started
    written = write_region(region, args.out, args.format, with_truth=args.truth)
    total = time.perf_counter() - started
    print(f"{region.name}: сгенерировано за {generated:.1f} с, записано за {total:.1f} с.")
    for stem, path in written.items():
        rows = getattr(region, stem).num_rows
        print(f"  {path}: {rows} строк")
    return 0


if __name__ == "__main__":
    sys.exit(main())
