"""``opora identify`` without a database: files → formats → analytics → one output file.

The output has one row per school: ``school_id``, ``categories`` (codes joined by «;», empty
when none), then the name and municipality from the register and the explanatory columns of
:data:`OUTPUT_COLUMNS`. CSV (UTF-8, «,», English headers), XLSX (Russian headers) or JSON (a
list of objects with English keys) is chosen by the output file's extension.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "schools.csv").write_text(
...     "school_id,name,municipality,settlement,students\\n01,СОШ № 1,Район,село,100\\n")
>>> _ = (folder / "results.csv").write_text(
...     "school_id,year,procedure,subject,grade,participants,mark_2,mark_3,mark_4,mark_5\\n"
...     "01,2023,ВПР,Математика,5,20,6,8,4,2\\n01,2024,ВПР,Математика,6,21,9,8,3,1\\n")
>>> summary = identify_files(folder / "schools.csv", folder / "results.csv",
...     out=folder / "out.csv")
>>> summary.counts["low_results"], (folder / "out.csv").read_text().splitlines()[1].split(",")[:4]
(1, ['01', 'low_results', 'ШНОР', 'СОШ № 1'])
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opora.analytics.identify import Identification, identify
from opora.analytics.methodology import Methodology, load_methodology
from opora.analytics.verdicts import CATEGORY_LABELS, CATEGORY_ORDER
from opora.formats import DEFAULT_PROCEDURES, Procedure, read_table
from opora.formats.clean_csv import all_registered
from opora.formats.writer import cell_texts

OUTPUT_COLUMNS: dict[str, str] = {
    "school_id": "Код ОО",
    "categories": "Категории (коды)",
    "category_labels": "Категории",
    "name": "Наименование",
    "municipality": "Муниципалитет",
    "status": "Статус",
    "context_index": "Индекс социального неблагополучия",
    "expected_share": "Ожидаемая доля неуспевающих",
    "actual_share": "Доля неуспевающих",
    "contribution": "Вклад ОО",
    "contribution_lo": "Вклад ОО: нижняя граница",
    "contribution_hi": "Вклад ОО: верхняя граница",
    "shrunk_share": "Доля неуспевающих (сглаженная)",
    "shrunk_rank": "Место по сглаженной доле",
    "low_years": "Низких лет",
    "judged_cells": "Оценённых ячеек",
    "low_cells": "Низких ячеек",
    "reasons": "Основания",
}
_ROUND = {
    "context_index": 3,
    "expected_share": 4,
    "actual_share": 4,
    "contribution": 4,
    "contribution_lo": 4,
    "contribution_hi": 4,
    "shrunk_share": 4,
}
_KIND_NAMES = {
    "schools": "реестр школ",
    "results": "результаты",
    "context": "контекст",
    "students": "результаты обучающихся",
}


class BatchInputError(ValueError):
    """An input file was rejected; the message is the Russian report of every error."""


@dataclass
class BatchSummary:
    """What a batch run did: the output file, counts per category, timings in seconds."""

    output: Path
    schools: int
    counts: dict[str, int]
    insufficient: int
    window_years: tuple[int, ...]
    method: str
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    formulas: list[str] = field(default_factory=list)

    def text(self) -> str:
        """A short Russian summary for the console."""
        years = ", ".join(str(y) for y in self.window_years) or "—"
        lines = [
            f"Методика: {self.method}",
            f"Годы окна: {years}",
            f"Школ: {self.schools}",
        ]
        lines += [
            f"  {CATEGORY_LABELS[code]} ({code}): {self.counts.get(code, 0)}"
            for code in CATEGORY_ORDER
        ]
        lines.append(f"  недостаточно данных: {self.insufficient}")
        lines += self.formulas
        lines += [f"Внимание: {w}" for w in self.warnings]
        lines.append(f"Результат записан в {self.output}")
        return "\n".join(lines)


def identify_files(
    schools: str | Path | None,
    results: str | Path,
    context: str | Path | None = None,
    students: str | Path | None = None,
    method: Methodology | str | Path | None = None,
    out: str | Path = "identification.csv",
    progress: Callable[[str], None] | None = None,
    engine: str = "duckdb",
) -> BatchSummary:
    """Read the interchange files, run the identification and write one row per school.

    ``method`` is a Methodology, a preset name or a TOML path (default: the default preset).
    Any rejected input raises :class:`BatchInputError` with the Russian error report; nothing
    is written then.
    """
    step = progress or (lambda _message: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    target = Path(out)
    _check_extension(target)
    methodology = method if isinstance(method, Methodology) else load_methodology(method)
    tables: dict[str, pa.Table | None] = {}
    warnings: list[str] = []
    problems: list[str] = []
    paths = {"schools": schools, "results": results, "context": context, "students": students}

    def read(kind: str, known: list[str] | None = None) -> tuple[Any, float]:
        clock = time.perf_counter()
        parsed = _read_with_regional_procedures(kind, Path(paths[kind]), known)
        return parsed, time.perf_counter() - clock

    # Every file at once: the results here, the register and the smaller files in a second
    # thread (Arrow and DuckDB read without the GIL). Then each file is checked against the
    # register; one naming a school the register lacks, or rejected, is read again with the
    # register, so that the report names every bad row, those of unknown schools too.
    given = [kind for kind, path in paths.items() if path is not None]
    for kind in given:
        step(f"Чтение файла «{Path(paths[kind]).name}» ({_KIND_NAMES[kind]})")
    found: dict[str, tuple[Any, float]] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="opora-read") as pool:
        pending = {kind: pool.submit(read, kind) for kind in given if kind != "results"}
        found["results"] = read("results")
        found.update({kind: job.result() for kind, job in pending.items()})
    if "schools" in found and found["schools"][0].ok:
        register = found["schools"][0].table.column("school_id")
        known = register.combine_chunks()
        for kind, (parsed, seconds) in list(found.items()):
            if kind != "schools" and (not parsed.ok or not all_registered(parsed.table, known)):
                again, more = read(kind, register.to_pylist())
                found[kind] = (again, seconds + more)
    for kind in paths:
        tables[kind] = None
        if kind not in found:
            continue
        parsed, seconds = found[kind]
        name = Path(paths[kind]).name
        timings[f"read_{kind}"] = seconds
        warnings += [f"{name}: {w}" for w in parsed.warnings]
        if not parsed.ok:
            problems.append(f"Файл «{name}» ({_KIND_NAMES[kind]}):\n{parsed.error_report()}")
            continue
        tables[kind] = parsed.table
    if problems:
        raise BatchInputError("\n\n".join(problems))
    clock = time.perf_counter()
    run = identify(
        tables["schools"],
        tables["results"],
        tables["context"],
        tables["students"],
        method=methodology,
        engine=engine,
        keep_cells=False,
        progress=step,
    )
    timings["identify"] = time.perf_counter() - clock
    step(f"Запись «{target.name}»")
    clock = time.perf_counter()
    table = output_table(run, tables["schools"])
    write_output(table, target)
    timings["write"] = time.perf_counter() - clock
    timings["total"] = time.perf_counter() - started
    status = run.schools.column("status")
    return BatchSummary(
        output=target,
        schools=run.schools.num_rows,
        counts={code: result.count for code, result in run.categories.items()},
        insufficient=int(pc.sum(pc.equal(status, "недостаточно данных")).as_py() or 0),
        window_years=run.window_years,
        method=methodology.name,
        warnings=warnings + run.warnings,
        timings=timings,
        formulas=_formulas(run),
    )


def _formulas(run: Identification) -> list[str]:
    """How the index and the expected shares were computed, shown with every result."""
    lines = []
    if run.context is not None:
        lines.append(f"Индекс контекста: {run.context.formula}")
    if run.fitted is not None:
        lines.append(f"Ожидаемые результаты: {run.fitted['formula']}")
    return lines


def _read_with_regional_procedures(kind: str, path: Path, known: Any) -> Any:
    """Read a file; a batch has no procedure catalogue, so the spec's «regional procedure name»
    is accepted: names outside the default catalogue are taken as graded (marks «2»–«5») or,
    failing that, as threshold procedures (below_min), and the caller is told which."""
    # The big files keep their key texts as dictionaries: the analytics number the cells by them.
    dictionary = kind in ("results", "students")
    parsed = read_table(kind, path, known_school_ids=known, dictionary_texts=dictionary)
    if parsed.ok or kind not in ("results", "students"):
        return parsed
    unknown = {e.value for e in parsed.errors if "неизвестная процедура" in e.message}
    unknown.discard(None)
    if not unknown:
        return parsed
    for scoring, words in (
        ("graded", "с отметками «2»–«5»"),
        ("threshold", "с минимальным порогом"),
    ):
        catalogue = dict(DEFAULT_PROCEDURES)
        catalogue.update({name: Procedure(name, scoring) for name in unknown})
        retried = read_table(
            kind, path, known_school_ids=known, procedures=catalogue, dictionary_texts=dictionary
        )
        if retried.ok:
            names = ", ".join(f"«{name}»" for name in sorted(unknown))
            retried.warnings.append(
                f"Региональные процедуры {names} приняты как процедуры {words}."
            )
            return retried
    return parsed


def output_table(run: Identification, register: pa.Table | None = None) -> pa.Table:
    """The batch output of a run: :data:`OUTPUT_COLUMNS`, shares rounded for reading."""
    schools = run.schools
    ids = schools.column("school_id")
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in OUTPUT_COLUMNS:
        if name == "category_labels":
            columns[name] = _labels(schools.column("categories"))
        elif name in ("name", "municipality"):
            columns[name] = _from_register(ids, register, name)
        elif name in _ROUND:
            columns[name] = pc.round(schools.column(name), _ROUND[name])
        else:
            columns[name] = schools.column(name)
    return pa.table(columns)


def _labels(codes: pa.ChunkedArray) -> pa.Array:
    """The Russian labels of «;»-joined codes, worked out once per distinct combination."""
    encoded = codes.combine_chunks().dictionary_encode()
    labels = [
        None
        if combination is None
        else "; ".join(CATEGORY_LABELS[c] for c in combination.split(";") if c)
        for combination in encoded.dictionary.to_pylist()
    ]
    return pa.array(labels, pa.string()).take(encoded.indices)


def write_output(table: pa.Table, path: Path) -> None:
    """Write by extension: .csv (English headers), .xlsx (Russian headers), .json."""
    suffix = _check_extension(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(table, path)
    elif suffix == ".json":
        with path.open("w", encoding="utf-8") as stream:
            json.dump(table.to_pylist(), stream, ensure_ascii=False, indent=1)
            stream.write("\n")
    else:
        _write_xlsx(table, path)


def _write_csv(table: pa.Table, path: Path) -> None:
    """CSV like the interchange files: «,», quotes only where needed, empty cells for nulls.

    The lines are built by Arrow's string kernels, which work without the GIL: each half of
    the rows on a thread of its own. Each line starts with its line break (put before the
    short first cell: no pass over the long last one), and the text goes to the file straight
    from Arrow's buffers, without a copy as Python bytes.
    """
    middle = table.num_rows // 2
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="opora-write") as pool:
        halves = list(pool.map(_csv_lines, (table.slice(0, middle), table.slice(middle))))
    with path.open("wb") as stream:
        stream.write(",".join(table.column_names).encode())
        for half in halves:
            stream.write(half)
        stream.write(b"\n")


def _csv_lines(table: pa.Table) -> pa.Buffer:
    """The CSV lines of the rows of ``table`` back to back, each after a line break."""
    if table.num_rows == 0:
        return pa.py_buffer(b"")
    texts = [cell_texts(table.column(n).combine_chunks()) for n in table.column_names]
    newline, empty, comma = (pa.scalar(t, pa.large_string()) for t in ("\n", "", ","))
    texts[0] = pc.binary_join_element_wise(
        newline, texts[0], empty, null_handling="replace", null_replacement=""
    )
    lines = pc.binary_join_element_wise(*texts, comma, null_handling="replace", null_replacement="")
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    lines = lines.cast(pa.large_string())
    # The lines back to back are the values buffer of the (large) string array.
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset :]
    first, last = int(offsets[0]), int(offsets[len(lines)])
    return lines.buffers()[2].slice(first, last - first)


def _check_extension(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".json"):
        raise BatchInputError(
            f"Не знаю, как сохранить результат в «{path.name}»: укажите файл с расширением "
            ".csv, .xlsx или .json."
        )
    return suffix


def _from_register(ids: pa.ChunkedArray, register: pa.Table | None, column: str) -> pa.Array:
    if register is None or column not in register.column_names:
        return pa.nulls(len(ids), pa.string())
    keys = register.column("school_id").cast(pa.string()).combine_chunks()
    positions = pc.index_in(ids.combine_chunks(), value_set=keys)
    return register.column(column).combine_chunks().cast(pa.string()).take(positions)


def _write_xlsx(table: pa.Table, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Выявление")
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    names = table.column_names
    sheet.write_row(0, 0, [OUTPUT_COLUMNS.get(n, n) for n in names], header)
    for i, name in enumerate(names):
        sheet.set_column(i, i, 80 if name == "reasons" else 14)
    sheet.freeze_panes(1, 1)
    columns = [table.column(n).to_pylist() for n in names]
    for r, row in enumerate(zip(*columns, strict=True), start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)  # never a formula, even when it starts with «=»
            else:
                sheet.write_number(r, c, value)
    workbook.close()
