"""The input of a run: a region's stored tables in the interchange format, and their checksum.

The tables come from ``assessments.exporting.stored_table`` (the same columns, types and row
order as the import reads), so the analytics see exactly what a batch run on exported files
would see. The checksum is the SHA-256 of a canonical CSV of every table: the same stored data
give the same checksum, any change of a figure gives another.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pa_csv

from opora.assessments.exporting import stored_table
from opora.assessments.models import Result, SchoolContext, StudentResult
from opora.territory.models import Region, School

KINDS: tuple[str, ...] = ("schools", "results", "context", "students")


@dataclass(frozen=True)
class RunInputs:
    """The tables of one region; context and students are ``None`` when nothing is stored."""

    schools: pa.Table
    results: pa.Table
    context: pa.Table | None
    students: pa.Table | None

    def rows(self) -> dict[str, int]:
        """Rows per table, for the run summary."""
        return {
            kind: (table.num_rows if table is not None else 0)
            for kind, table in zip(KINDS, self.tables(), strict=True)
        }

    def tables(self) -> tuple[pa.Table | None, ...]:
        return (self.schools, self.results, self.context, self.students)


def region_inputs(region: Region) -> RunInputs:
    """Every stored table of the region (the register without archived schools; results,
    context and student results of all its schools)."""
    schools = School.objects.filter(municipality__region=region)
    in_region = {"school__municipality__region": region}
    context = stored_table("context", SchoolContext.objects.filter(**in_region))
    students = stored_table("students", StudentResult.objects.filter(**in_region))
    return RunInputs(
        schools=stored_table("schools", schools.filter(is_archived=False)),
        results=stored_table("results", Result.objects.filter(**in_region)),
        context=context if context.num_rows else None,
        students=students if students.num_rows else None,
    )


def input_checksum(inputs: RunInputs) -> str:
    """SHA-256 (hex) over the canonical CSV of every table, each preceded by its name."""
    digest = hashlib.sha256()
    for kind, table in zip(KINDS, inputs.tables(), strict=True):
        digest.update(f"#{kind}\n".encode())
        if table is not None:
            digest.update(canonical_bytes(table))
    return digest.hexdigest()


def canonical_bytes(table: pa.Table) -> bytes:
    """The table as CSV with a header, rows in the given order (already sorted by the key)."""
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=True))
    return buffer.getvalue()
