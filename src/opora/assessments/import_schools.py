"""Importing the school register: upsert schools by code, create municipalities by name.

Schools absent from the file stay as they are, unless the caller asks to archive them
(`archive_missing`): a school is never deleted, so its history stays intact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from opora.assessments.plans import ImportPlan
from opora.assessments.upsert import TableShape, write_rows
from opora.formats.report import RowError
from opora.territory.models import Municipality, Region, School

if TYPE_CHECKING:
    from opora.accounts.models import User

DEFAULT_REGION_NAME = "Регион"

SCHOOL_SHAPE = TableShape(
    table=School._meta.db_table,
    key=("code",),
    values=(
        "name",
        "municipality_id",
        "settlement",
        "students",
        "kind",
        "distance_km",
        "latitude",
        "longitude",
        "is_archived",
    ),
)
# File columns stored as they are.
_MUNICIPALITY = 1 + SCHOOL_SHAPE.values.index("municipality_id")  # in a row: code, values...
_DIRECT = ("settlement", "students", "kind", "distance_km", "latitude", "longitude")

Progress = Callable[[int, int], None]


class RegisterRefused(Exception):
    """The user may not import the register (or the region is ambiguous): a Russian message."""


def may_import_register(user: User | None) -> bool:
    """The command line, a superuser and region staff may change the register."""
    if user is None or user.is_superuser:
        return True
    return user.role == "region" and user.region_id is not None


def refusal_text() -> str:
    return (
        "загружать реестр школ может только пользователь регионального уровня "
        "(министерство, РЦОКО). Обратитесь к администратору региона."
    )


def resolve_region(user: User | None, region_name: str | None) -> tuple[Region | None, str]:
    """The region the register belongs to: (existing region or None if it is to be created, name).

    Region staff import into their own region. The command line names a region (`--region`);
    without a name the only region of the database is used, or a new «Регион» is created.
    """
    if not may_import_register(user):
        raise RegisterRefused(refusal_text())
    if user is not None and user.region_id is not None:
        return user.region, user.region.name
    if region_name:
        name = region_name.strip()
        return Region.objects.filter(name=name).first(), name
    regions = list(Region.objects.order_by("name")[:2])
    if not regions:
        return None, DEFAULT_REGION_NAME
    if len(regions) > 1:
        names = "», «".join(Region.objects.order_by("name").values_list("name", flat=True))
        how = (
            "параметр --region «Название»"
            if user is None
            else "регион в свойствах вашей учётной записи (раздел администрирования)"
        )
        raise RegisterRefused(
            f"в базе несколько регионов («{names}»). Укажите, в какой регион загрузить "
            f"реестр: {how}."
        )
    return regions[0], regions[0].name


@dataclass
class RegisterChanges:
    """What a register import writes: rows to upsert and names/codes to create or archive."""

    region: Region | None
    region_name: str
    rows: list[list[Any]] = field(default_factory=list)
    new_codes: set[str] = field(default_factory=set)
    new_municipalities: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)

    def write(self, progress: Progress | None = None) -> None:
        region = self.region or Region.objects.get_or_create(name=self.region_name)[0]
        created = Municipality.objects.bulk_create(
            [Municipality(region=region, name=name) for name in self.new_municipalities]
        )
        ids = {m.name: m.pk for m in created}
        if any(m.pk is None for m in created):  # backends that do not return ids
            ids = dict(
                Municipality.objects.filter(
                    region=region, name__in=self.new_municipalities
                ).values_list("name", "pk")
            )
        for row in self.rows:
            if isinstance(row[_MUNICIPALITY], _NewMunicipality):
                row[_MUNICIPALITY] = ids[row[_MUNICIPALITY].name]
        new = [row for row in self.rows if row[0] in self.new_codes]
        changed = [row for row in self.rows if row[0] not in self.new_codes]
        write_rows(SCHOOL_SHAPE, new, changed, progress=progress)
        if self.archived:
            School.objects.filter(code__in=self.archived).update(is_archived=True)


@dataclass(frozen=True)
class _NewMunicipality:
    name: str


def prepare_schools(
    table: pa.Table,
    plan: ImportPlan,
    *,
    user: User | None,
    region_name: str | None,
    archive_missing: bool,
) -> RegisterChanges | None:
    """Compare the parsed register with the database; fill `plan`; return what to write."""
    try:
        region, name = resolve_region(user, region_name)
    except RegisterRefused as refused:
        plan.errors.append(RowError(None, None, None, str(refused)))
        return None
    plan.region = name
    plan.new_region = region is None
    changes = RegisterChanges(region=region, region_name=name)

    columns = {c: table.column(c).to_pylist() for c in table.column_names}
    codes: list[str] = columns["school_id"]
    wanted = set(codes)
    # The whole register is small (thousands of schools): one query, no long IN lists.
    existing = {
        s["code"]: s
        for s in School.objects.values("code", "municipality__region_id", *SCHOOL_SHAPE.values)
        if s["code"] in wanted
    }
    municipalities = _municipality_lookup(region)
    new_municipalities: dict[str, _NewMunicipality] = {}

    for index, code in enumerate(codes):
        old = existing.get(code)
        if old is not None and (region is None or old["municipality__region_id"] != region.pk):
            plan.errors.append(
                RowError(
                    columns["row_number"][index],
                    "Код ОО",
                    code,
                    "школа с этим кодом уже есть в реестре другого региона. "
                    "Проверьте код или загрузите файл в свой регион.",
                )
            )
            continue
        municipality_name = columns["municipality"][index].strip()
        key = municipality_name.casefold()
        municipality = municipalities.get(key) or new_municipalities.setdefault(
            key, _NewMunicipality(municipality_name)
        )
        school = {c: columns[c][index] for c in _DIRECT}
        school.update(name=columns["name"][index], municipality_id=municipality)
        school.update(kind=school["kind"] or "", is_archived=False)
        values = [school[c] for c in SCHOOL_SHAPE.values]
        if old is None:
            plan.created += 1
            changes.new_codes.add(code)
        elif [old[c] for c in SCHOOL_SHAPE.values] == values:
            plan.unchanged += 1
            continue
        else:
            plan.updated += 1
        changes.rows.append([code, *values])

    if plan.errors:
        return None
    changes.new_municipalities = [m.name for m in new_municipalities.values()]
    plan.new_municipalities = list(changes.new_municipalities)
    if archive_missing and region is not None:
        changes.archived = sorted(
            code
            for code in School.objects.filter(
                municipality__region=region, is_archived=False
            ).values_list("code", flat=True)
            if code not in wanted
        )
        plan.archived = list(changes.archived)
    return changes


def _municipality_lookup(region: Region | None) -> dict[str, int]:
    if region is None:
        return {}
    return {
        name.casefold(): pk
        for name, pk in Municipality.objects.filter(region=region).values_list("name", "pk")
    }
