"""Benchmark of ``opora identify`` on the national file set, with two baselines from the same run.

    .venv/bin/python benchmarks/identify.py [--schools 40000] [--seed 1] [--repeat 3] [--regenerate]

1. Generates the national file set (40,000 schools, 3 years, ~2.4 million results rows) with
   ``opora.demo.generator`` into ``benchmarks/out/national-<schools>-<seed>/`` (kept between
   runs; ``--regenerate`` rebuilds it). Without the demo package a small built-in generator is
   used.
2. Runs seven programs, each in its own process so that its peak memory (``ru_maxrss``) is its
   own, ``--repeat`` times in turn (so that a noisy machine slows all of them alike; the
   median of each is reported):
   - Опора: ``identify_files`` (files → formats → analytics → CSV), i.e. what ``opora identify``
     does, called in-process in the child: its work, imports excluded;
   - the ``opora identify`` command itself (``python -m opora.cli identify …``): the wall time
     of the real command, start-up and imports included;
   - pandas: a plain ``read_csv`` + ``groupby`` implementation of the ``low_results`` rule of
     the default methodology — the baseline a region's analyst would write;
   - pandas+ («pandas с проверками»): the same rule after the checks the interchange format
     asks of every file (required cells, whole numbers in bounds, known procedures, marks
     adding up, no repeated cell, every school in the register) — the same input work as
     Опора, though still one rule and no reasons;
   - DuckDB: a bare scan ``SELECT count(*), sum(participants) FROM read_csv(...)``, the floor;
   - DuckDB, typed: every column of the file read with its type into Arrow
     (``SELECT * FROM read_csv(...)``), what any program that uses the data must do first;
   - DuckDB, the rule («duck-rule»): the ``low_results`` rule of pandas as one DuckDB query
     straight over the CSV (no checks, nothing else), the smallest part of Опора's work.
   The children keep compiled bytecode in ``benchmarks/out/pycache`` (an installed package has
   its ``.pyc`` files; without them every start-up compiles pandas, SciPy … from source).
3. Prints times (work inside the process, imports excluded, and wall time), peak memory and the
   ratios, checks the targets (faster than pandas, goal half; within 3× the bare scan; < 2 GB)
   and asserts that Опора, the command and the pandas baseline find the same ШНОР schools.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

OPORA = r"""
import json, sys, time
started = time.perf_counter()
from opora.analytics.batch import identify_files
from opora.analytics.frames import spare_pandas
imported = time.perf_counter()
spare_pandas()  # as the command does: pyarrow is kept from importing pandas
folder, out = sys.argv[1], sys.argv[2]
summary = identify_files(folder + "/schools.csv", folder + "/results.csv",
                         folder + "/context.csv", out=out)
done = time.perf_counter()
print(json.dumps({"import": imported - started, "work": done - imported,
                  "stages": summary.timings, "counts": summary.counts}))
"""

# The ШНОР rule of the default methodology on a pandas frame ``results``, then the output: the
# common end of both pandas baselines.
_RULE = r"""
results = results[results["procedure"].isin(["ВПР", "ОГЭ", "ЕГЭ"])]
window = sorted(results["year"].unique())[-2:]
results = results[results["year"].isin(window)].copy()
ege = results["procedure"] == "ЕГЭ"
results["failures"] = np.where(ege, results["below_min"].fillna(results["mark_2"]),
                               results["mark_2"].fillna(results["below_min"]))
judged = results[results["failures"].notna() & (results["participants"] >= 5)].copy()
judged["low"] = judged["failures"] >= 0.30 * judged["participants"] - 1e-9
per_year = judged.groupby(["school_id", "year"])["low"].agg(["size", "sum"])
per_year["low_year"] = per_year["sum"] >= 1
low_years = per_year.groupby("school_id")["low_year"].sum()
low_results = sorted(low_years[low_years >= 2].index)
with open(out, "w") as stream:
    stream.write("\n".join(low_results))
done = time.perf_counter()
print(json.dumps({"import": imported - started, "work": done - imported,
                  "low_results": len(low_results)}))
"""

PANDAS = (
    r"""
import json, sys, time
started = time.perf_counter()
import numpy as np
import pandas as pd
imported = time.perf_counter()
folder, out = sys.argv[1], sys.argv[2]
results = pd.read_csv(folder + "/results.csv", dtype={"school_id": str})
"""
    + _RULE
)

# The same rule after the checks the interchange format asks of every file (what Опора does
# before any analysis): required cells, whole numbers within bounds, known procedures, marks
# adding up to the participants, below_min within them, no repeated cell, every school in the
# register. Straightforward pandas, stopping with the bad rows' numbers like the importer.
PANDAS_CHECKED = (
    r"""
import json, sys, time
started = time.perf_counter()
import numpy as np
import pandas as pd
imported = time.perf_counter()
folder, out = sys.argv[1], sys.argv[2]
problems = []
def check(frame, bad, what):
    rows = np.flatnonzero(np.asarray(bad)) + 2
    if len(rows):
        problems.append(f"{what}: rows {rows[:20].tolist()}")
def whole(frame, column, low=None, high=None):
    values = frame[column]
    present = values.notna()
    check(frame, present & (values != values.round()), column + " not whole")
    if low is not None:
        check(frame, present & (values < low), column + " too small")
    if high is not None:
        check(frame, present & (values > high), column + " too large")
schools = pd.read_csv(folder + "/schools.csv", dtype={"school_id": str}, keep_default_na=False,
                      na_values=[""])
for column in ("school_id", "name", "municipality", "settlement", "students"):
    check(schools, schools[column].isna(), column + " empty")
check(schools, ~schools["settlement"].str.lower().isin(["город", "село"]), "settlement")
whole(schools, "students", 0)
check(schools, schools["school_id"].duplicated(keep=False), "repeated school")
results = pd.read_csv(folder + "/results.csv", dtype={"school_id": str, "procedure": str,
                      "subject": str}, keep_default_na=False, na_values=[""])
for column in ("school_id", "year", "procedure", "subject", "grade", "participants"):
    check(results, results[column].isna(), column + " empty")
whole(results, "year", 2000, 2100)
whole(results, "grade", 1, 11)
for column in ("participants", "mark_2", "mark_3", "mark_4", "mark_5", "below_min"):
    whole(results, column, 0)
check(results, results["mean_score"].notna() & (results["mean_score"] < 0), "mean_score")
procedure = results["procedure"].str.strip().str.upper()
check(results, ~procedure.isin(["ВПР", "ОГЭ", "ЕГЭ", "КДР"]), "unknown procedure")
graded = procedure.isin(["ВПР", "ОГЭ", "КДР"])
marks = results[["mark_2", "mark_3", "mark_4", "mark_5"]]
check(results, graded & marks.isna().any(axis=1), "marks missing")
check(results, graded & (marks.sum(axis=1) != results["participants"]), "marks do not add up")
ege = procedure == "ЕГЭ"
check(results, ege & results["below_min"].isna(), "below_min missing")
check(results, results["below_min"] > results["participants"], "below_min > participants")
keys = results[["school_id", "year", "subject", "grade"]].assign(procedure=procedure)
check(results, keys.duplicated(keep=False), "repeated cell")
check(results, ~results["school_id"].isin(schools["school_id"]), "school not in register")
context = pd.read_csv(folder + "/context.csv", dtype={"school_id": str})
check(context, ~context["school_id"].isin(schools["school_id"]), "context school unknown")
if problems:
    raise SystemExit("\n".join(problems))
results["procedure"] = procedure
"""
    + _RULE
)

DUCKDB = r"""
import json, sys, time
started = time.perf_counter()
import duckdb
imported = time.perf_counter()
path = sys.argv[1] + "/results.csv"
rows, participants = duckdb.sql(
    f"SELECT count(*), sum(participants) FROM read_csv('{path}')").fetchall()[0]
done = time.perf_counter()
print(json.dumps({"import": imported - started, "work": done - imported, "rows": rows}))
"""


# The same ШНОР rule as one DuckDB query straight over the CSV (no checks, no reasons, no other
# category): how far the bare scan is from even the smallest part of the work.
DUCKDB_RULE = r"""
import json, sys, time
started = time.perf_counter()
import duckdb
imported = time.perf_counter()
path, out = sys.argv[1] + "/results.csv", sys.argv[2]
query = f'''
WITH r AS (
  SELECT school_id, year, participants,
    CASE WHEN procedure = 'ЕГЭ' THEN coalesce(below_min, mark_2)
         ELSE coalesce(mark_2, below_min) END AS failures
  FROM read_csv('{path}', types = {{'school_id': 'VARCHAR'}})
  WHERE procedure IN ('ВПР', 'ОГЭ', 'ЕГЭ')),
w AS (SELECT * FROM r WHERE year IN (SELECT DISTINCT year FROM r ORDER BY year DESC LIMIT 2)),
y AS (SELECT school_id, year,
        max(CASE WHEN failures >= 0.30 * participants - 1e-9 THEN 1 ELSE 0 END) AS low_year
      FROM w WHERE failures IS NOT NULL AND participants >= 5 GROUP BY school_id, year)
SELECT school_id FROM y GROUP BY school_id HAVING sum(low_year) >= 2 ORDER BY school_id
'''
low_results = [row[0] for row in duckdb.sql(query).fetchall()]
with open(out, "w") as stream:
    stream.write("\n".join(low_results))
done = time.perf_counter()
print(json.dumps({"import": imported - started, "work": done - imported,
                  "low_results": len(low_results)}))
"""


TYPED = r"""
import json, sys, time
started = time.perf_counter()
import duckdb
imported = time.perf_counter()
path = sys.argv[1] + "/results.csv"
table = duckdb.sql(f"SELECT * FROM read_csv('{path}')").to_arrow_table()
done = time.perf_counter()
print(json.dumps({"import": imported - started, "work": done - imported, "rows": table.num_rows}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Бенчмарк opora identify на национальном наборе")
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="прогонов каждой программы")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)

    folder = OUT / f"national-{args.schools}-{args.seed}"
    generate(folder, args.schools, args.seed, args.regenerate)
    size = (folder / "results.csv").stat().st_size / 2**20
    with (folder / "results.csv").open(encoding="utf-8") as stream:
        rows = sum(1 for _ in stream) - 1
    print(f"Набор: {folder} — {args.schools} школ, {rows:,} строк результатов ({size:.0f} МБ)")
    print(f"Загрузка процессора (1 мин): {os.getloadavg()[0]:.1f} на {os.cpu_count()} ядрах")
    warm_bytecode()

    with tempfile.TemporaryDirectory(prefix="opora-bench-") as scratch:
        opora_out = Path(scratch) / "identification.csv"
        cli_out = Path(scratch) / "cli.csv"
        pandas_out = Path(scratch) / "pandas.txt"
        checked_out = Path(scratch) / "pandas-checked.txt"
        rule_out = Path(scratch) / "duckdb-rule.txt"
        programs = {
            "duckdb": lambda: run_child(python(DUCKDB, folder)),
            "typed": lambda: run_child(python(TYPED, folder)),
            "duck-rule": lambda: run_child(python(DUCKDB_RULE, folder, rule_out)),
            "pandas": lambda: run_child(python(PANDAS, folder, pandas_out)),
            "pandas+": lambda: run_child(python(PANDAS_CHECKED, folder, checked_out)),
            "opora": lambda: run_child(python(OPORA, folder, opora_out)),
            "cli": lambda: run_child(cli(folder, cli_out), quiet=True),
        }
        trials: dict[str, list[dict]] = {name: [] for name in programs}
        for _ in range(max(1, args.repeat)):
            for name, program in programs.items():
                trials[name].append(program())
        runs = {name: median_run(found) for name, found in trials.items()}
        opora_low = read_low_results(opora_out)
        cli_low = read_low_results(cli_out)
        pandas_low = set(filter(None, pandas_out.read_text().split("\n")))
        checked_low = set(filter(None, checked_out.read_text().split("\n")))
        rule_low = set(filter(None, rule_out.read_text().split("\n")))

    report(runs, args.repeat)
    assert opora_low == pandas_low, (
        f"Опора и pandas расходятся: только Опора {sorted(opora_low - pandas_low)[:10]}, "
        f"только pandas {sorted(pandas_low - opora_low)[:10]}"
    )
    assert cli_low == opora_low, "команда opora identify и identify_files расходятся"
    assert checked_low == pandas_low, "pandas с проверками и без них расходятся"
    assert rule_low == pandas_low, "правило одним запросом DuckDB и pandas расходятся"
    print(f"ШНОР совпадают с pandas: {len(opora_low)} школ")
    (OUT / "identify-latest.json").write_text(
        json.dumps({"median": runs, "trials": trials}, indent=1, ensure_ascii=False)
    )
    return 0


def child_environment() -> dict[str, str]:
    """The children's environment: compiled bytecode kept (as in an installed package)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    return env


def warm_bytecode() -> None:
    """Import everything the programs import once, so that every timed start-up finds .pyc."""
    imports = (
        "import duckdb, numpy, pandas, pyarrow, narwhals, scipy.stats, typer, "
        "rich; import opora.cli, opora.analytics.batch, opora.analytics.expected, "
        "opora.analytics.reliability, opora.formats"
    )
    subprocess.run([sys.executable, "-c", imports], env=child_environment(), check=True)


def python(code: str, *args: Path) -> list[str]:
    return [sys.executable, "-c", code, *map(str, args)]


def cli(folder: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "opora.cli", "identify",
        "--schools", str(folder / "schools.csv"),
        "--results", str(folder / "results.csv"),
        "--context", str(folder / "context.csv"),
        "--out", str(out),
    ]  # fmt: skip


def median_run(trials: list[dict]) -> dict:
    """The trial with the median work time (wall time for the command), and the largest peak."""
    key = "work" if "work" in trials[0] else "wall"
    ordered = sorted(trials, key=lambda t: t[key])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["peak_mb"] = max(t["peak_mb"] for t in trials)
    chosen["spread"] = [round(t[key], 2) for t in trials]
    return chosen


def generate(folder: Path, schools: int, seed: int, regenerate: bool) -> None:
    """Write schools/results/context CSV files unless they are already there."""
    names = ("schools.csv", "results.csv", "context.csv")
    if not regenerate and all((folder / n).exists() for n in names):
        return
    started = time.perf_counter()
    try:
        from opora.demo.generator import generate_region, national_spec, write_region
    except ImportError:
        quick_generator(folder, schools, seed)
    else:
        spec = national_spec(seed)
        spec.schools = schools
        spec.municipalities = max(1, round(spec.municipalities * schools / 40_000))
        write_region(generate_region(spec), folder)
    print(f"Генерация: {time.perf_counter() - started:.1f} с")


def quick_generator(folder: Path, schools: int, seed: int) -> None:
    """A crude stand-in for the demo generator: ВПР 4–8, ОГЭ 9, ЕГЭ 11, three years."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.array([f"{i:06d}" for i in range(schools)])
    ability = rng.normal(0.15, 0.08, schools).clip(0.0, 0.9)
    size = rng.integers(5, 120, schools)
    pa_csv.write_csv(
        pa.table(
            {
                "school_id": ids,
                "name": [f"Школа {i}" for i in ids],
                "municipality": [f"Район {int(i) % 500}" for i in ids],
                "settlement": np.where(size > 40, "город", "село"),
                "students": size * 11,
            }
        ),
        folder / "schools.csv",
    )
    cells = [("ВПР", s, g) for g in range(4, 9) for s in ("Математика", "Русский язык")]
    cells += [("ОГЭ", s, 9) for s in ("Математика", "Русский язык")]
    cells += [("ЕГЭ", s, 11) for s in ("Математика (профильная)", "Русский язык")]
    parts = []
    for year in (2024, 2025, 2026):
        for procedure, subject, grade in cells:
            n = rng.poisson(size)
            failures = rng.binomial(n, ability)
            ege = procedure == "ЕГЭ"
            rest = n - failures
            m3 = rng.binomial(rest, 0.4)
            m4 = rng.binomial(rest - m3, 0.6)
            parts.append(
                pa.table(
                    {
                        "school_id": ids,
                        "year": np.full(schools, year),
                        "procedure": np.full(schools, procedure),
                        "subject": np.full(schools, subject),
                        "grade": np.full(schools, grade),
                        "participants": n,
                        "mark_2": pa.array(failures, mask=np.full(schools, ege)),
                        "mark_3": pa.array(m3, mask=np.full(schools, ege)),
                        "mark_4": pa.array(m4, mask=np.full(schools, ege)),
                        "mark_5": pa.array(rest - m3 - m4, mask=np.full(schools, ege)),
                        "below_min": pa.array(failures, mask=np.full(schools, not ege)),
                    }
                )
            )
    pa_csv.write_csv(pa.concat_tables(parts), folder / "results.csv")
    pa_csv.write_csv(
        pa.table(
            {
                "school_id": ids,
                "year": np.full(schools, 2026),
                "low_income": (ability * 150 + rng.normal(0, 5, schools)).clip(0, 100),
            }
        ),
        folder / "context.csv",
    )


def run_child(command: list[str], *, quiet: bool = False) -> dict:
    """Run a program in a fresh interpreter; its JSON line (unless ``quiet``), wall time and
    peak RSS in MB."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, env=child_environment()
        )
        output = child.stdout.read() if child.stdout else b""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if child.returncode != 0:
            errors.seek(0)
            sys.stderr.write(output.decode(errors="replace"))
            sys.stderr.write(errors.read().decode(errors="replace"))
            raise SystemExit(f"Программа завершилась с кодом {child.returncode}")
    result = {} if quiet else json.loads(output.decode().strip().splitlines()[-1])
    result["wall"] = wall
    result["cpu"] = usage.ru_utime + usage.ru_stime
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def read_low_results(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as stream:
        return {
            row["school_id"]
            for row in csv.DictReader(stream)
            if "low_results" in row["categories"].split(";")
        }


def report(runs: dict[str, dict], repeat: int) -> None:
    print()
    print(f"Медиана {repeat} прогонов (в скобках — все прогоны)")
    print(
        f"{'программа':<10} {'работа, с':>10} {'всего, с':>10} {'ЦП, с':>8} "
        f"{'память, МБ':>11}  прогоны"
    )
    for name, run in runs.items():
        work = f"{run['work']:>10.2f}" if "work" in run else f"{'—':>10}"
        print(
            f"{name:<10} {work} {run['wall']:>10.2f} {run['cpu']:>8.2f} "
            f"{run['peak_mb']:>11.0f}  {run['spread']}"
        )
    stages = runs["opora"].get("stages", {})
    print("Опора по этапам: " + ", ".join(f"{k} {v:.2f} с" for k, v in stages.items()))
    opora, pandas, scan = (runs[n]["work"] for n in ("opora", "pandas", "duckdb"))
    command = runs["cli"]["wall"]
    analytics = stages.get("identify", opora)
    checked = runs["pandas+"]["work"]
    print()
    print(f"Опора / pandas:                {opora / pandas:5.2f}  (цель < 1, желательно ≤ 0,5)")
    print(f"Опора / pandas с проверками формата (pandas+): {opora / checked:5.2f}")
    print(f"Опора / чтение DuckDB:         {opora / scan:5.2f}  (цель ≤ 3)")
    print(
        f"Команда opora identify / pandas (обе с запуском): "
        f"{command / runs['pandas']['wall']:5.2f}; / DuckDB с запуском: "
        f"{command / runs['duckdb']['wall']:5.2f}"
    )
    print(f"Анализ Опоры (без чтения файлов) / pandas: {analytics / pandas:5.2f}")
    typed = runs["typed"]["work"]
    print(
        f"Типизированное чтение всех столбцов DuckDB / голое чтение: {typed / scan:5.2f}; "
        f"Опора / типизированное чтение: {opora / typed:5.2f}"
    )
    rule = runs["duck-rule"]["work"]
    print(
        f"Одно правило ШНОР одним запросом DuckDB по CSV (без проверок) / голое чтение: "
        f"{rule / scan:5.2f}; / pandas: {rule / pandas:5.2f}"
    )
    peak = max(runs["opora"]["peak_mb"], runs["cli"]["peak_mb"])
    checks = {
        "быстрее pandas": opora < pandas,
        "вдвое быстрее pandas": opora <= pandas / 2,
        "не дольше 3× чтения DuckDB": opora <= 3 * scan,
        "память < 2 ГБ": peak < 2048,
    }
    print("Цели: " + "; ".join(f"{k} — {'да' if ok else 'нет'}" for k, ok in checks.items()))


if __name__ == "__main__":
    raise SystemExit(main())
