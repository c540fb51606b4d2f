"""Benchmark: importing a 200,000-row results file (CSV and XLSX) into a fresh SQLite database.

    python benchmarks/import_results.py [--rows 200000] [--seed 7] [--keep DIR]

Generates a region with the demo generator (enough schools for the rows asked), writes the
results as canonical CSV and as XLSX, imports the school register (not timed) and then each
results file into its own fresh copy of the database through `apply_import` (parse, validate,
diff, write: end to end). Prints rows per second and the ratio to a bare `duckdb.read_csv` of
the same CSV measured in the same run. Target: ≥ 50,000 rows/s for the CSV.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

TARGET_ROWS_PER_SECOND = 50_000
ROWS_PER_SCHOOL = 65  # the demo generator gives ≈ 65 results rows per school over 3 years


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Скорость загрузки результатов в SQLite.")
    parser.add_argument("--rows", type=int, default=200_000, help="строк в файле результатов")
    parser.add_argument("--seed", type=int, default=7, help="зерно генератора")
    parser.add_argument("--keep", type=Path, default=None, help="оставить файлы в каталоге")
    parser.add_argument("--no-xlsx", action="store_true", help="не измерять XLSX")
    args = parser.parse_args(argv)

    work = Path(args.keep or tempfile.mkdtemp(prefix="opora-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["OPORA_VAR_DIR"] = str(work)
    os.environ["OPORA_DATABASE_URL"] = f"sqlite:///{work / 'template.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opora.settings")
    try:
        return run(work, args.rows, args.seed, with_xlsx=not args.no_xlsx)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, rows: int, seed: int, *, with_xlsx: bool) -> int:
    import django

    django.setup()
    import duckdb
    from django.core.management import call_command
    from django.db import connection

    from opora.assessments.services import apply_import
    from opora.demo.generator import RegionSpec, generate_region
    from opora.formats import write_table

    print(f"Каталог: {work}; загрузка процессора (1 мин): {os.getloadavg()[0]:.1f}")
    started = time.perf_counter()
    schools = max(100, rows // ROWS_PER_SCHOOL + 1)
    region = generate_region(
        RegionSpec(seed=seed, municipalities=max(3, schools // 60), schools=schools)
    )
    while region.results.num_rows < rows:  # pragma: no cover - generator gave fewer rows
        schools = int(schools * 1.2) + 1
        region = generate_region(
            RegionSpec(seed=seed, municipalities=max(3, schools // 60), schools=schools)
        )
    results = region.results.slice(0, rows)
    paths = {"schools": work / "schools.csv", "csv": work / "results.csv"}
    write_table("schools", region.schools, paths["schools"])
    write_table("results", results, paths["csv"])
    if with_xlsx:
        paths["xlsx"] = work / "results.xlsx"
        write_table("results", results, paths["xlsx"])
    print(
        f"Сгенерировано: школ {region.schools.num_rows}, строк результатов {rows} "
        f"({time.perf_counter() - started:.1f} с)"
    )

    call_command("migrate", interactive=False, verbosity=0)
    apply_import("schools", paths["schools"], filename="schools.csv", user=None)
    connection.close()
    template = work / "template.sqlite3"

    clock = time.perf_counter()
    relation = duckdb.read_csv(str(paths["csv"]))
    # duckdb 2 calls it to_arrow_table(); duckdb 1.x has only arrow().
    (relation.to_arrow_table if hasattr(relation, "to_arrow_table") else relation.arrow)()
    baseline = time.perf_counter() - clock
    print(f"duckdb.read_csv того же CSV: {baseline:.3f} с ({rows / baseline:,.0f} строк/с)")

    figures: dict[str, float] = {}
    for label in ("csv", "xlsx") if with_xlsx else ("csv",):
        database = work / f"{label}.sqlite3"
        shutil.copy(template, database)
        connection.settings_dict["NAME"] = str(database)
        clock, cpu = time.perf_counter(), time.process_time()
        plan = apply_import("results", paths[label], filename=paths[label].name, user=None)
        seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
        assert plan.created == rows, plan.summary_text()
        figures[label] = seconds
        print(
            f"{label.upper()}: {rows} строк за {seconds:.2f} с — {rows / seconds:,.0f} строк/с; "
            f"в {seconds / baseline:.1f} раза дольше duckdb.read_csv "
            f"(процессорное время {cpu:.2f} с)"
        )
        if label == "csv":
            clock = time.perf_counter()
            again = apply_import("results", paths[label], filename=paths[label].name, user=None)
            repeat = time.perf_counter() - clock
            assert again.created == 0 and again.updated == 0, again.summary_text()
            print(f"CSV повторно (без изменений): {repeat:.2f} с — {rows / repeat:,.0f} строк/с")
        connection.close()

    rate = rows / figures["csv"]
    verdict = "достигнута" if rate >= TARGET_ROWS_PER_SECOND else "НЕ достигнута"
    print(f"Цель ≥ {TARGET_ROWS_PER_SECOND:,} строк/с для CSV {verdict}: {rate:,.0f} строк/с")
    return 0


if __name__ == "__main__":
    sys.exit(main())
