"""Importing per-school rows (results, context, student results): map codes and names to ids,
check the user's access, compare with the stored rows and upsert only what changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from opora.assessments.models import Result, SchoolContext, StudentResult, Subject
from opora.assessments.plans import ImportPlan
from opora.assessments.upsert import Key, TableShape, existing_rows, write_rows
from opora.formats.report import RowError

Progress = Callable[[int, int], None]

# How a file column becomes a database column: the id columns are looked up by code or name.
_DB_COLUMN = {"school_id": "school_id", "procedure": "procedure_id", "subject": "subject_id"}


@dataclass(frozen=True)
class RowKind:
    """One importable per-school table: file columns of its key and of its values."""

    kind: str
    model: type
    key: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def shape(self) -> TableShape:
        return TableShape(
            table=self.model._meta.db_table,
            key=tuple(_DB_COLUMN.get(c, c) for c in self.key),
            values=tuple(_DB_COLUMN.get(c, c) for c in self.values),
            # The stored rows to compare with are found by the first column of the key: a
            # student's row is found even where the student was at another school.
            scope_column=_DB_COLUMN.get(self.key[0], self.key[0]),
        )


ROW_KINDS: dict[str, RowKind] = {
    "results": RowKind(
        "results",
        Result,
        key=("school_id", "year", "procedure", "subject", "grade"),
        values=(
            "participants",
            "mark_2",
            "mark_3",
            "mark_4",
            "mark_5",
            "below_min",
            "mean_score",
        ),
    ),
    "context": RowKind(
        "context",
        SchoolContext,
        key=("school_id", "year"),
        values=tuple(
            f.name
            for f in SchoolContext._meta.concrete_fields
            if f.name not in {"id", "school", "year"}
        ),
    ),
    "students": RowKind(
        "students",
        StudentResult,
        key=("student_id", "year", "procedure", "subject", "grade"),
        values=("school_id", "mark", "score", "journal_mark"),
    ),
}


@dataclass
class Lookups:
    """Codes and names → database ids, as they are before the import."""

    schools: dict[str, int]
    procedures: dict[str, int]
    subjects: dict[str, int]
    visible: set[str] | None  # school codes the user may import for; None: all


@dataclass
class RowChanges:
    """The file's rows as columns (in the order of the table shape's columns) and which of
    them are new and changed (`new` None: all of them are new). Negative subject ids stand
    for subjects to create."""

    row_kind: RowKind
    columns: list[list[Any]] = field(default_factory=list)
    new: list[int] | None = None
    changed: list[int] = field(default_factory=list)
    new_subjects: dict[str, int] = field(default_factory=dict)

    def write(self, progress: Progress | None = None) -> None:
        columns = list(self.columns)
        if self.new_subjects:
            Subject.objects.bulk_create(
                [Subject(name=name) for name in self.new_subjects], ignore_conflicts=True
            )
            real = dict(
                Subject.objects.filter(name__in=self.new_subjects).values_list("name", "pk")
            )
            remap = {provisional: real[name] for name, provisional in self.new_subjects.items()}
            position = self.row_kind.shape.columns.index("subject_id")
            columns[position] = [remap.get(v, v) for v in columns[position]]
        rows = list(zip(*columns, strict=True))
        new = rows if self.new is None else [rows[i] for i in self.new]
        changed = [rows[i] for i in self.changed]
        write_rows(self.row_kind.shape, new, changed, progress=progress)


def prepare_rows(
    kind: str, table: pa.Table, plan: ImportPlan, lookups: Lookups
) -> RowChanges | None:
    """Compare the parsed file with the stored rows; fill `plan`; return what to write."""
    row_kind = ROW_KINDS[kind]
    changes = RowChanges(row_kind)
    _check_access(table, lookups, plan)
    if plan.errors:
        return None
    maps: dict[str, dict[str, int]] = {"school_id": lookups.schools}
    if "procedure" in row_kind.key:
        maps["procedure"] = _procedure_ids(table, lookups)
        maps["subject"] = _subject_ids(table, lookups, changes, plan)

    changes.columns = [
        _ids(table.column(c), maps[c]) if c in maps else table.column(c).to_pylist()
        for c in (*row_kind.key, *row_kind.values)
    ]
    width = len(row_kind.key)
    if "subject" in maps and len(set(maps["subject"].values())) < len(maps["subject"]):
        # Two spellings of one subject («Математика», «математика») may make a repeated cell.
        keys = list(zip(*changes.columns[:width], strict=True))
        _check_duplicates(keys, table, row_kind, plan)
        if plan.errors:
            return None

    scope = pc.unique(table.column(row_kind.key[0])).to_pylist()
    if row_kind.key[0] in maps:
        scope = [maps[row_kind.key[0]][value] for value in scope]
    years = pc.unique(table.column("year")).to_pylist()
    existing = existing_rows(row_kind.shape, scope_ids=scope, years=years)
    if not existing:  # a new year or new schools: no comparison needed
        plan.created = table.num_rows
        return changes
    keys: list[Key] = list(zip(*changes.columns[:width], strict=True))
    values = zip(*changes.columns[width:], strict=True)
    changes.new = []
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        old = existing.get(key)
        if old is None:
            changes.new.append(index)
        elif old != value:
            changes.changed.append(index)
    plan.created, plan.updated = len(changes.new), len(changes.changed)
    plan.unchanged = len(keys) - plan.created - plan.updated
    return changes


def _ids(values: pa.ChunkedArray, mapping: dict[str, int]) -> list[int]:
    """Codes or names → ids, looking each distinct value up once."""
    encoded = pc.dictionary_encode(values).combine_chunks()
    ids = pa.array([mapping[v] for v in encoded.dictionary.to_pylist()], pa.int64())
    return ids.take(encoded.indices).to_pylist()


def _check_access(table: pa.Table, lookups: Lookups, plan: ImportPlan) -> None:
    """Every row of a school the user may not see is an error (nothing is imported)."""
    if lookups.visible is None:
        return
    codes = pc.unique(table.column("school_id")).to_pylist()
    refused = [c for c in codes if c not in lookups.visible]
    if not refused:
        return
    mask = pc.is_in(table.column("school_id"), value_set=pa.array(refused, pa.string()))
    bad = table.filter(mask)
    for row, code in zip(
        bad.column("row_number").to_pylist(), bad.column("school_id").to_pylist(), strict=True
    ):
        plan.errors.append(
            RowError(
                row,
                "Код ОО",
                code,
                "нет доступа к школе: загружать данные можно только по школам своей "
                "территории. Уберите строку из файла или попросите загрузить её того, "
                "у кого есть доступ.",
            )
        )


def _procedure_ids(table: pa.Table, lookups: Lookups) -> dict[str, int]:
    """Procedure names as written in the file → ids (the catalogue ignores case)."""
    by_lower = {name.strip().lower(): pk for name, pk in lookups.procedures.items()}
    return {
        name: by_lower[name.strip().lower()]
        for name in pc.unique(table.column("procedure")).to_pylist()
    }


def _subject_ids(
    table: pa.Table, lookups: Lookups, changes: RowChanges, plan: ImportPlan
) -> dict[str, int]:
    """Subject names of the file → ids; unknown names get provisional negative ids."""
    by_casefold = {name.casefold(): pk for name, pk in lookups.subjects.items()}
    ids: dict[str, int] = {}
    for name in pc.unique(table.column("subject")).to_pylist():
        pk = lookups.subjects.get(name) or by_casefold.get(name.casefold())
        if pk is None:
            spelled = next(
                (n for n in changes.new_subjects if n.casefold() == name.casefold()), None
            )
            if spelled is None:
                changes.new_subjects[name] = -1 - len(changes.new_subjects)
                spelled = name
            pk = changes.new_subjects[spelled]
        ids[name] = pk
    plan.new_subjects = sorted(changes.new_subjects)
    return ids


def _check_duplicates(
    keys: list[Key], table: pa.Table, row_kind: RowKind, plan: ImportPlan
) -> None:
    """Two rows of one file for the same cell: the later one is an error naming the first."""
    if len(set(keys)) == len(keys):
        return
    rows = table.column("row_number").to_pylist()
    first: dict[Key, int] = {}
    for key, row in zip(keys, rows, strict=True):
        if key in first:
            plan.errors.append(
                RowError(
                    row,
                    None,
                    None,
                    f"строка повторяет строку {first[key]} ({_cell_label(row_kind)}). "
                    "Оставьте одну из них.",
                )
            )
        else:
            first[key] = row


def _cell_label(row_kind: RowKind) -> str:
    return {
        "results": "та же школа, год, процедура, предмет и класс",
        "context": "та же школа и год",
        "students": "тот же обучающийся, год, процедура, предмет и класс",
    }[row_kind.kind]
