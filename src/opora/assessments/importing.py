"""Import services: check a file against the database (`plan_import`) and apply it atomically
(`apply_import`). Both take the same file; the plan never writes anything."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa
from django.db import transaction

from opora.accounts.audit import record
from opora.assessments.import_rows import Lookups, prepare_rows
from opora.assessments.import_schools import may_import_register, prepare_schools, refusal_text
from opora.assessments.models import Procedure, Subject
from opora.assessments.plans import ImportPlan, ImportRejected
from opora.assessments.students_check import check_against_stored
from opora.formats import Procedure as FormatProcedure
from opora.formats import read_table
from opora.formats.columns import KIND_TITLES, KINDS
from opora.formats.report import RowError
from opora.territory.models import School
from opora.territory.selectors import visible_schools

if TYPE_CHECKING:
    from opora.accounts.models import User

Progress = Callable[[int, int], None]
Source = Path | bytes


class _Changes(Protocol):
    def write(self, progress: Progress | None = None) -> None: ...


@dataclass
class _Prepared:
    plan: ImportPlan
    changes: _Changes | None


def plan_import(
    kind: str,
    source: Source,
    *,
    filename: str,
    user: User | None,
    region: str | None = None,
    archive_missing: bool = False,
) -> ImportPlan:
    """Parse and validate a file and compare it with the database. Writes nothing.

    `user` None is the command line (full access). `region` and `archive_missing` matter for the
    school register only: the region to import into (command line) and whether schools of the
    region missing from the file are to be archived.
    """
    return _prepare(
        kind, source, filename=filename, user=user, region=region, archive_missing=archive_missing
    ).plan


def apply_import(
    kind: str,
    source: Source,
    *,
    filename: str,
    user: User | None,
    progress: Progress | None = None,
    region: str | None = None,
    archive_missing: bool = False,
) -> ImportPlan:
    """Import a file in one transaction, or raise `ImportRejected` having written nothing.

    Idempotent: importing the same file again creates and updates nothing. Writes an audit
    record (counts only, never the rows themselves).
    """
    parsed = _parse(kind, source, filename=filename, user=user)
    with transaction.atomic():
        prepared = _resolve(kind, parsed, user=user, region=region, archive_missing=archive_missing)
        plan = prepared.plan
        if not plan.ok or prepared.changes is None:
            raise ImportRejected(plan)
        prepared.changes.write(progress)
        plan.applied = True
        record(
            user,
            f"import.{kind}",
            f"Загрузка файла «{filename}» ({KIND_TITLES[kind]}): {plan.summary_text()}",
            details={**plan.as_details(), "filename": filename},
        )
    return plan


# -- internals ------------------------------------------------------------------------------


@dataclass
class _Parsed:
    plan: ImportPlan
    table: pa.Table | None  # None when the file is rejected already


def _prepare(
    kind: str,
    source: Source,
    *,
    filename: str,
    user: User | None,
    region: str | None,
    archive_missing: bool,
) -> _Prepared:
    parsed = _parse(kind, source, filename=filename, user=user)
    return _resolve(kind, parsed, user=user, region=region, archive_missing=archive_missing)


def _parse(kind: str, source: Source, *, filename: str, user: User | None) -> _Parsed:
    """Read and validate the file (no transaction is held meanwhile)."""
    if kind not in KINDS:
        raise ValueError(f"Неизвестный вид файла «{kind}». Допустимые виды: {', '.join(KINDS)}.")
    plan = ImportPlan(kind=kind)
    if kind == "schools" and not may_import_register(user):
        plan.errors = [RowError(None, None, None, refusal_text())]
        return _Parsed(plan, None)
    procedures = {
        name: FormatProcedure(name, scoring)
        for name, scoring in Procedure.objects.values_list("name", "scoring")
    }
    known = None if kind == "schools" else set(School.objects.values_list("code", flat=True))
    result = read_table(
        kind, source, filename=filename, known_school_ids=known, procedures=procedures
    )
    plan.warnings = [str(w) for w in result.warnings]
    if not result.ok:
        plan.errors = list(result.errors) or [
            RowError(None, None, None, "файл не удалось прочитать.")
        ]
        return _Parsed(plan, None)
    plan.rows = result.table.num_rows
    return _Parsed(plan, result.table)


def _resolve(
    kind: str,
    parsed: _Parsed,
    *,
    user: User | None,
    region: str | None,
    archive_missing: bool,
) -> _Prepared:
    """Compare the parsed file with the database (inside the import's transaction)."""
    plan = parsed.plan
    if parsed.table is None:
        return _Prepared(plan, None)
    if kind == "schools":
        changes: _Changes | None = prepare_schools(
            parsed.table, plan, user=user, region_name=region, archive_missing=archive_missing
        )
        return _Prepared(plan, changes)
    lookups = _lookups(user)
    row_changes = prepare_rows(kind, parsed.table, plan, lookups)
    if row_changes is not None and kind in ("results", "students"):
        plan.errors.extend(check_against_stored(kind, parsed.table, lookups))
    return _Prepared(plan, row_changes if plan.ok else None)


def _lookups(user: User | None) -> Lookups:
    visible = None
    if user is not None and not user.is_superuser:
        visible = set(visible_schools(user).values_list("code", flat=True))
    return Lookups(
        schools=dict(School.objects.values_list("code", "pk")),
        procedures=dict(Procedure.objects.values_list("name", "pk")),
        subjects=dict(Subject.objects.values_list("name", "pk")),
        visible=visible,
    )
