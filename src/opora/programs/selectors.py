"""Reads of programs that respect the user's territory (built on territory.selectors)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404

from opora.programs.models import DuePoint, Level, PointStatus, Program, ProgramStatus
from opora.programs.models.roadmaps import OPEN_STATUSES
from opora.territory.selectors import visible_municipalities, visible_schools

if TYPE_CHECKING:
    from opora.accounts.models import User


def visible_programs(user: User) -> QuerySet[Program]:
    """Regional programs of the user's region, municipal programs of visible municipalities,
    roadmaps of visible schools."""
    programs = Program.objects.select_related("region", "municipality", "school")
    if not user.is_authenticated or not user.is_active:
        return programs.none()
    if user.is_superuser:
        return programs.all()
    municipalities = visible_municipalities(user)
    regions = set(municipalities.values_list("region_id", flat=True))
    if user.region_id:
        regions.add(user.region_id)
    return programs.filter(
        Q(level=Level.REGION, region_id__in=regions)
        | Q(level=Level.MUNICIPALITY, municipality__in=municipalities)
        | Q(level=Level.SCHOOL, school__in=visible_schools(user))
    )


def get_program(user: User, pk: int) -> Program:
    """The program if the user may see it; 404 otherwise (never reveal that it exists)."""
    try:
        return visible_programs(user).get(pk=pk)
    except Program.DoesNotExist as exc:
        raise Http404("Программа не найдена или недоступна.") from exc


def current_versions(programs: QuerySet[Program]) -> QuerySet[Program]:
    return programs.exclude(status=ProgramStatus.SUPERSEDED)


def roadmap_rows(program: Program) -> list[dict]:
    """Activities in table order, grouped under a section heading whenever the section changes
    (a subsection such as «3.3» may sit between rows of section «3.»), in three queries."""
    sections = {s.pk: s for s in program.sections.all()}
    points: dict[int, list[DuePoint]] = {}
    for point in program.due_points.all().order_by("due_date"):
        points.setdefault(point.activity_id, []).append(point)
    rows: list[dict] = []
    for activity in program.activities.all():
        activity.points = points.get(activity.pk, [])
        if not rows or rows[-1]["section_id"] != activity.section_id:
            rows.append(
                {
                    "section_id": activity.section_id,
                    "section": sections.get(activity.section_id),
                    "activities": [],
                }
            )
        rows[-1]["activities"].append(activity)
    used = {row["section_id"] for row in rows}
    rows.extend(
        {"section_id": pk, "section": s, "activities": []}
        for pk, s in sections.items()
        if pk not in used
    )
    return rows


def overdue_points(programs: QuerySet[Program], today: dt.date) -> QuerySet[DuePoint]:
    return DuePoint.objects.filter(
        program__in=programs, status__in=OPEN_STATUSES, due_date__lt=today
    ).select_related(
        "activity", "program", "program__school", "program__municipality", "program__region"
    )


def completion_counts(programs: QuerySet[Program], today: dt.date) -> dict[int, dict[str, int]]:
    """Per program: total points, done, overdue, due so far."""
    rows = (
        DuePoint.objects.filter(program__in=programs)
        .values("program_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status="done")),
            cancelled=Count("id", filter=Q(status="cancelled")),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
            due=Count("id", filter=Q(due_date__lt=today) & ~Q(status="cancelled")),
        )
    )
    return {row["program_id"]: row for row in rows}


def point_counts_by_year(program: Program, today: dt.date) -> dict[int, dict[str, int]]:
    """Per year of the due date, the program's points in six states: done on time (on or
    before the due date), done late, in progress, planned, overdue (open and past due, the
    rule of DuePoint.overdue) and cancelled. Every point is in exactly one state."""
    done = Q(status=PointStatus.DONE)
    on_time = done & Q(completed_on__lte=F("due_date"))
    ahead = Q(due_date__gte=today)
    rows = (
        DuePoint.objects.filter(program=program)
        .annotate(year=ExtractYear("due_date"))
        .values("year")
        .annotate(
            done=Count("id", filter=done),
            done_on_time=Count("id", filter=on_time),
            in_progress=Count("id", filter=Q(status=PointStatus.IN_PROGRESS) & ahead),
            planned=Count("id", filter=Q(status=PointStatus.PLANNED) & ahead),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
            cancelled=Count("id", filter=Q(status=PointStatus.CANCELLED)),
        )
        .order_by("year")
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        year = row.pop("year")
        row["done_late"] = row.pop("done") - row["done_on_time"]
        counts[year] = row
    return counts
