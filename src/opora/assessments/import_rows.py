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
from opora.assessments.upsert import Key, TableShape, existing_rows, upsert_rows
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
    """Columns to upsert (in the order of the table shape's columns) and which rows of them
    changed (`selected`; None: all). Negative subject ids stand for subjects to create."""

    row_kind: RowKind
    columns: list[list[Any]] = field(default_factory=list)
    selected: list[int] | None = None
    new_subjects: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        if self.selected is not None:
            return len(self.selected)
        return len(self.columns[0]) if self.columns else 0

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
        if self.selected is not None:
            rows = [rows[i] for i in self.selected]
        upsert_rows(self.row_kind.shape, rows, progress=progress)


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

    def column(name: str) -> list[Any]:
        values = table.column(name).to_pylist()
        if name in maps:
            mapping = maps[name]
            return [mapping[v] for v in values]
        return values

    changes.columns = [column(c) for c in (*row_kind.key, *row_kind.values)]
    width = len(row_kind.key)
    keys: list[Key] = list(zip(*changes.columns[:width], strict=True))
    if "subject" in maps and len(set(maps["subject"].values())) < len(maps["subject"]):
        # Two spellings of one subject («Математика», «математика») may make a repeated cell.
        _check_duplicates(keys, table, row_kind, plan)
        if plan.errors:
            return None

    school_ids = {maps["school_id"][c] for c in pc.unique(table.column("school_id")).to_pylist()}
    years = pc.unique(table.column("year")).to_pylist()
    existing = existing_rows(row_kind.shape, scope_ids=school_ids, years=years)
    if not existing:
        plan.created = len(keys)
        return changes
    values = zip(*changes.columns[width:], strict=True)
    changes.selected = []
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        old = existing.get(key)
        if old is None:
            plan.created += 1
        elif old == value:
            plan.unchanged += 1
            continue
        else:
            plan.updated += 1
        changes.selected.append(index)
    return changes


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
