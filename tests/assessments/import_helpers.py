"""Helpers for the import and export tests: the fixture files and a snapshot of the tables."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def data_file(name: str) -> Path:
    return DATA / name


def snapshot() -> dict[str, list[tuple]]:
    """Every stored row an import may touch (ids included), to prove nothing changed."""
    from opora.accounts.models import AuditEvent
    from opora.assessments.models import Result, SchoolContext, StudentResult, Subject
    from opora.territory.models import Municipality, Region, School

    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (
            Region, Municipality, School, Subject, Result, SchoolContext, StudentResult,
            AuditEvent,
        )
    }  # fmt: skip
