"""Indicator values by year and municipality: computed from the data through
opora.analytics.indicators, or reported by a person with evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q

from opora.analytics.indicators import (
    Share,
    on_time_from_counts,
    positive_dynamics_share,
    share_of,
    traffic_light,
)
from opora.programs import access
from opora.programs.models import (
    DuePoint,
    Indicator,
    IndicatorSource,
    IndicatorUnit,
    IndicatorValue,
    Level,
    Program,
    ProgramStatus,
)
from opora.programs.services import _audit
from opora.territory.models import Municipality, School

if TYPE_CHECKING:
    from opora.accounts.models import User

COMPUTATIONS = {
    "positive_dynamics": "доля школ-участников со значимой положительной динамикой (процедура, предмет)",
    "approved_roadmap_share": "доля школ-участников с утверждённой дорожной картой",
    "revised_roadmap_share": "доля дорожных карт, актуализированных в этом году",
    "on_time_share": "доля контрольных точек, выполненных в срок",
}


def program_schools(program: Program) -> list[School]:
    """Participants of the program and of the programs below it."""
    ids = set(program.participants.values_list("pk", flat=True))
    children = Program.objects.filter(Q(parent=program) | Q(parent__parent=program)).exclude(
        status=ProgramStatus.SUPERSEDED
    )
    ids |= set(School.objects.filter(support_programs__in=children).values_list("pk", flat=True))
    return list(School.objects.filter(pk__in=ids).select_related("municipality").order_by("code"))


@dataclass
class Calculator:
    """Computes indicators of one program; memoizes the heavy reads for one page or report."""

    program: Program
    today: dt.date
    schools: list[School] = field(default_factory=list)
    _dynamics: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.schools:
            self.schools = program_schools(self.program)

    @cached_property
    def years(self) -> list[int]:
        years = set(range(self.program.period_start.year, self.program.period_end.year + 1))
        years |= set(
            self.program.indicators.values_list("targets__year", flat=True).exclude(
                targets__year=None
            )
        )
        return sorted(years)

    @cached_property
    def municipalities(self) -> list[Municipality]:
        seen: dict[int, Municipality] = {}
        for school in self.schools:
            seen.setdefault(school.municipality_id, school.municipality)
        return sorted(seen.values(), key=lambda m: m.name)

    def subset(self, municipality: Municipality | None) -> list[School]:
        if municipality is None:
            return self.schools
        return [s for s in self.schools if s.municipality_id == municipality.pk]

    def compute(
        self, indicator: Indicator, year: int, municipality: Municipality | None = None
    ) -> Share | None:
        if indicator.source != IndicatorSource.COMPUTED:
            return None
        kind, _, rest = indicator.computation.partition(":")
        schools = self.subset(municipality)
        codes = [s.code for s in schools]
        if kind == "positive_dynamics":
            procedure, _, subject = rest.partition(":")
            rows = self._dynamics_rows(procedure, subject)
            return positive_dynamics_share(rows, codes, year)
        if kind == "approved_roadmap_share":
            return share_of(self._approved_schools(year), codes)
        if kind == "revised_roadmap_share":
            with_roadmap = [c for c in codes if c in self._roadmap_schools]
            return share_of(self._revised_schools(year), with_roadmap)
        if kind == "on_time_share":
            counts = self._on_time_counts(year)
            return on_time_from_counts({c: counts[c] for c in codes if c in counts})
        raise ValidationError(f"Неизвестный способ расчёта показателя «{indicator.computation}».")

    def _dynamics_rows(self, procedure: str, subject: str) -> list[dict[str, Any]]:
        key = (procedure, subject)
        if key not in self._dynamics:
            self._dynamics[key] = _dynamics_rows(self.schools, procedure, subject)
        return self._dynamics[key]

    @cached_property
    def _roadmaps(self) -> list[Program]:
        return list(
            Program.objects.filter(level=Level.SCHOOL, school__in=self.schools).select_related(
                "school"
            )
        )

    @cached_property
    def _roadmap_schools(self) -> set[str]:
        return {p.school.code for p in self._roadmaps}

    def _approved_schools(self, year: int) -> set[str]:
        return {
            p.school.code
            for p in self._roadmaps
            if p.approved_at is not None
            and p.status in (ProgramStatus.APPROVED, ProgramStatus.SUPERSEDED)
            and p.approved_at.year <= year
            and p.period_start.year <= year <= p.period_end.year
        }

    def _revised_schools(self, year: int) -> set[str]:
        return {
            p.school.code for p in self._roadmaps if p.previous_id and p.created_at.year == year
        }

    @cached_property
    def _current_roadmaps(self) -> dict[str, Program]:
        """Per school the version in force: the approved one, else the latest draft."""
        chosen: dict[str, Program] = {}
        for p in sorted(
            self._roadmaps, key=lambda p: (p.status == ProgramStatus.APPROVED, p.version)
        ):
            if p.status != ProgramStatus.SUPERSEDED:
                chosen[p.school.code] = p
        return chosen

    def _on_time_counts(self, year: int) -> dict[str, tuple[int, int]]:
        """Per school (on time, fallen due) points of the year: the rule of
        analytics.indicators.on_time_share — not cancelled, due by today, done on or before
        the due date — counted by the database over thousands of points."""
        cache = self.__dict__.setdefault("_on_time_by_year", {})
        if year not in cache:
            current = {p.pk: p.school.code for p in self._current_roadmaps.values()}
            until = min(dt.date(year, 12, 31), self.today)
            rows = (
                DuePoint.objects.filter(
                    program_id__in=current, due_date__gte=dt.date(year, 1, 1), due_date__lte=until
                )
                .exclude(status="cancelled")
                .values("program_id")
                .annotate(
                    due=Count("id"),
                    on_time=Count("id", filter=Q(status="done", completed_on__lte=F("due_date"))),
                )
            )
            cache[year] = {current[r["program_id"]]: (r["on_time"], r["due"]) for r in rows}
        return cache[year]

    # ----------------------------------------------------------------- reported values

    @cached_property
    def _reported(self) -> dict[tuple[int, int, int | None], IndicatorValue]:
        values = IndicatorValue.objects.filter(indicator__program=self.program)
        return {(v.indicator_id, v.year, v.municipality_id): v for v in values}

    def reported(
        self, indicator: Indicator, year: int, municipality: Municipality | None = None
    ) -> IndicatorValue | None:
        return self._reported.get((indicator.pk, year, municipality.pk if municipality else None))

    def value(
        self, indicator: Indicator, year: int, municipality: Municipality | None = None
    ) -> tuple[float | None, Share | None, IndicatorValue | None]:
        if indicator.source == IndicatorSource.COMPUTED:
            share = self.compute(indicator, year, municipality)
            return (share.value if share else None), share, None
        reported = self.reported(indicator, year, municipality)
        return (reported.value if reported else None), None, reported


def _dynamics_rows(schools: list[School], procedure: str, subject: str) -> list[dict[str, Any]]:
    import pyarrow as pa

    from opora.analytics.dynamics import dynamics
    from opora.assessments.models import Result

    rows = list(
        Result.objects.filter(
            school__in=schools, procedure__name=procedure, subject__name=subject
        ).values_list(
            "school__code", "year", "grade", "participants", "mark_2", "below_min", "mean_score"
        )
    )
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    table = pa.table(
        {
            "school_id": pa.array(columns[0], pa.string()),
            "year": pa.array(columns[1], pa.int64()),
            "procedure": pa.array([procedure] * len(rows), pa.string()),
            "subject": pa.array([subject] * len(rows), pa.string()),
            "grade": pa.array(columns[2], pa.int64()),
            "participants": pa.array(columns[3], pa.int64()),
            "mark_2": pa.array(columns[4], pa.int64()),
            "below_min": pa.array(columns[5], pa.int64()),
            "mean_score": pa.array(columns[6], pa.float64()),
        }
    )
    return dynamics(table).to_pylist()


# --------------------------------------------------------------------------- the page


def format_value(value: float | None, unit: str, levels: list[str] | None = None) -> str:
    if value is None:
        return "—"
    if unit == IndicatorUnit.PERCENT:
        return f"{value:.1f} %".replace(".", ",").replace(",0 %", " %")
    if unit == IndicatorUnit.BOOLEAN:
        return "да" if value >= 0.5 else "нет"
    if unit == IndicatorUnit.LEVEL and levels:
        index = int(value)
        return levels[index] if 0 <= index < len(levels) else f"{value:g}"
    return f"{value:g}"


def light_for(indicator: Indicator, value: float | None, target: float | None) -> str:
    if indicator.unit == IndicatorUnit.BOOLEAN:
        return "grey" if value is None else ("green" if value >= 0.5 else "red")
    if indicator.unit == IndicatorUnit.LEVEL:
        # levels are listed best first
        return (
            "grey"
            if value is None
            else ("green" if value == 0 else "yellow" if value == 1 else "red")
        )
    return traffic_light(value, target, indicator.direction)


def achievement_rows(
    calculator: Calculator, municipality: Municipality | None = None
) -> list[dict[str, Any]]:
    """Every indicator with a cell per year: value, target, traffic light."""
    indicators = calculator.program.indicators.prefetch_related("targets")
    return [achievement_row(calculator, indicator, municipality) for indicator in indicators]


def achievement_row(
    calculator: Calculator, indicator: Indicator, municipality: Municipality | None = None
) -> dict[str, Any]:
    """One indicator of the calculator's program with a cell per year."""
    targets = {t.year: t.value for t in indicator.targets.all()}
    levels = indicator.levels.splitlines() if indicator.levels else []
    cells = []
    for year in calculator.years:
        value, share, reported = calculator.value(indicator, year, municipality)
        target = targets.get(year)
        cells.append(
            {
                "year": year,
                "value": value,
                "text": format_value(value, indicator.unit, levels),
                "target": target,
                "target_text": format_value(target, indicator.unit, levels)
                if target is not None
                else "",
                "light": light_for(indicator, value, target),
                "share": share,
                "reported": reported,
            }
        )
    return {"indicator": indicator, "cells": cells, "target_note": _target_note(indicator)}


def municipality_rows(
    calculator: Calculator,
    rows: list[dict[str, Any]],
    municipalities: list[Municipality],
    year: int,
) -> list[dict[str, Any]]:
    """For one year, every indicator of ``rows`` (from achievement_rows) by municipality:
    value, text and traffic light against the program's target of that year."""
    out = []
    for row in rows:
        indicator = row["indicator"]
        levels = indicator.levels.splitlines() if indicator.levels else []
        target = next((c["target"] for c in row["cells"] if c["year"] == year), None)
        cells = []
        for municipality in municipalities:
            value, _, _ = calculator.value(indicator, year, municipality)
            cells.append(
                {
                    "municipality": municipality,
                    "value": value,
                    "text": format_value(value, indicator.unit, levels),
                    "light": light_for(indicator, value, target),
                }
            )
        out.append({"indicator": indicator, "target": target, "cells": cells})
    return out


def _target_note(indicator: Indicator) -> str:
    first = next(iter(indicator.targets.all()), None)
    return first.label if first else ""


# --------------------------------------------------------------------------- reporting


@transaction.atomic
def report_value(
    user: User,
    indicator: Indicator,
    *,
    year: int,
    value: float,
    municipality: Municipality | None = None,
    evidence_url: str = "",
    evidence_file: Any = None,
    note: str = "",
) -> IndicatorValue:
    """A person reports the value of a non-computed indicator, with evidence."""
    program = indicator.program
    allowed = access.can_report(user, program) or (
        municipality is not None
        and user.role == "municipality"
        and user.municipality_id == municipality.pk
    )
    access.require(
        allowed,
        "Значение показателя вносит владелец программы или муниципалитет за свою территорию.",
    )
    if indicator.source == IndicatorSource.COMPUTED:
        raise ValidationError(
            "Этот показатель рассчитывается по данным автоматически; вносить его вручную не нужно."
        )
    if not (evidence_url or evidence_file or note.strip()):
        raise ValidationError(
            "Приложите подтверждение: ссылку на документ, файл или комментарий с источником."
        )
    if indicator.unit == IndicatorUnit.BOOLEAN and value not in (0, 1):
        raise ValidationError("Для показателя «да/нет» укажите 1 (да) или 0 (нет).")
    if indicator.unit == IndicatorUnit.PERCENT and not 0 <= value <= 100:
        raise ValidationError("Доля указывается в процентах: от 0 до 100.")
    existing = IndicatorValue.objects.filter(
        indicator=indicator, year=year, municipality=municipality
    ).first()
    item = existing or IndicatorValue(indicator=indicator, year=year, municipality=municipality)
    item.value = value
    item.evidence_url = evidence_url
    if evidence_file is not None:
        item.evidence_file = evidence_file
    item.note = note
    item.reported_by = user
    item.save()
    where = f", {municipality.name}" if municipality else ""
    _audit(
        user,
        "indicator.report",
        f"Показатель {indicator.code}, {year}{where}: {value:g}",
        program,
        obj=item,
    )
    return item
