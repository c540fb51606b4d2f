"""Reads of runs and verdicts that respect the user's territory.

Runs belong to a region: every user of the region (region, municipality, school, curator)
sees the region's runs, but only the verdicts of the schools ``visible_schools`` gives them.
Only region users (and superusers) run and approve.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from opora.analytics.verdicts import CATEGORY_ORDER
from opora.identification.models import IdentificationRun, RunStatus, Verdict
from opora.territory.models import Region, School
from opora.territory.selectors import visible_schools

if TYPE_CHECKING:
    from opora.accounts.models import User


def user_regions(user: User) -> QuerySet[Region]:
    """The regions whose runs the user sees: the region of the user's territory."""
    regions = Region.objects.all()
    if not user.is_authenticated or not user.is_active:
        return regions.none()
    if user.is_superuser:
        return regions
    if user.role == "region" and user.region_id:
        return regions.filter(pk=user.region_id)
    return regions.filter(municipalities__schools__in=visible_schools(user)).distinct()


def can_run(user: User) -> bool:
    """Region staff of a region, or a superuser, start runs."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == "region" and user.region_id is not None)


def is_region_staff_of(user: User, run: IdentificationRun) -> bool:
    """Region staff of the run's region (or a superuser)."""
    if not can_run(user):
        return False
    return user.is_superuser or user.region_id == run.region_id


def can_approve(user: User, run: IdentificationRun) -> bool:
    """The region of the run approves a draft (a superuser too)."""
    return not run.is_approved and is_region_staff_of(user, run)


def runnable_regions(user: User) -> QuerySet[Region]:
    """Regions the user may run an identification for."""
    if not can_run(user):
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(pk=user.region_id)


def visible_runs(user: User) -> QuerySet[IdentificationRun]:
    return IdentificationRun.objects.filter(region__in=user_regions(user)).select_related(
        "region", "created_by", "approved_by"
    )


def get_run(user: User, pk: int) -> IdentificationRun:
    """The run if the user may see it; 404 otherwise (never reveal that it exists)."""
    try:
        return visible_runs(user).get(pk=pk)
    except IdentificationRun.DoesNotExist as exc:
        raise Http404("Расчёт не найден или недоступен.") from exc


def visible_verdicts(user: User, run: IdentificationRun) -> QuerySet[Verdict]:
    """Verdicts of the run for the schools the user may see, by school code."""
    return (
        run.verdicts.filter(school__in=visible_schools(user).values("pk"))
        .select_related("school", "school__municipality")
        .order_by("school__code")
    )


def with_category(verdicts: QuerySet[Verdict], code: str) -> QuerySet[Verdict]:
    """Verdicts carrying a category code (codes are joined by «;» in the stored field)."""
    return verdicts.filter(
        Q(categories=code)
        | Q(categories__startswith=f"{code};")
        | Q(categories__endswith=f";{code}")
        | Q(categories__contains=f";{code};")
    )


def category_counts(verdicts: QuerySet[Verdict] | list[Verdict]) -> dict[str, int]:
    """Verdicts per category code, every code listed."""
    counter: Counter[str] = Counter()
    rows = (
        verdicts.values_list("categories", flat=True)
        if isinstance(verdicts, QuerySet)
        else [v.categories for v in verdicts]
    )
    for categories in rows:
        counter.update(code for code in categories.split(";") if code)
    return {code: counter.get(code, 0) for code in CATEGORY_ORDER}


def municipality_counts(verdicts: list[Verdict]) -> list[dict]:
    """Per municipality: schools in the run and schools per category, by municipality name."""
    rows: dict[int, dict] = {}
    for verdict in verdicts:
        municipality = verdict.school.municipality
        row = rows.setdefault(
            municipality.pk,
            {"municipality": municipality, "schools": 0, "counts": Counter()},
        )
        row["schools"] += 1
        row["counts"].update(verdict.codes)
    ordered = sorted(rows.values(), key=lambda r: r["municipality"].name)
    for row in ordered:
        row["counts"] = {code: row["counts"].get(code, 0) for code in CATEGORY_ORDER}
    return ordered


def current_approved_run(region: Region | int) -> IdentificationRun | None:
    """The region's most recently approved run: the list later programs use."""
    region_id = region.pk if isinstance(region, Region) else region
    return (
        IdentificationRun.objects.filter(region_id=region_id, status=RunStatus.APPROVED)
        .order_by("-approved_at", "-id")
        .first()
    )


def approved_list(
    region: Region | int, code: str = "low_results"
) -> tuple[IdentificationRun | None, QuerySet[School]]:
    """The current approved run of the region and the schools it lists under a category code
    (the ШНОР list by default): what programs take as participants."""
    run = current_approved_run(region)
    if run is None:
        return None, School.objects.none()
    verdicts = with_category(run.verdicts.all(), code)
    return run, School.objects.filter(pk__in=verdicts.values("school_id")).select_related(
        "municipality"
    )


def latest_run(region: Region | int) -> IdentificationRun | None:
    region_id = region.pk if isinstance(region, Region) else region
    return (
        IdentificationRun.objects.filter(region_id=region_id).order_by("-created_at", "-id").first()
    )


def school_verdict(user: User, school: School) -> Verdict | None:
    """The school's verdict in the current approved run of its region, or else in the latest
    run; ``None`` when the user may not see the school or there is no run yet."""
    if not visible_schools(user).filter(pk=school.pk).exists():
        return None
    region_id = school.municipality.region_id
    for run in (current_approved_run(region_id), latest_run(region_id)):
        if run is not None:
            verdict = run.verdicts.filter(school=school).select_related("run").first()
            if verdict is not None:
                return verdict
    return None


def school_reasons(school: School, year: int) -> list[str]:
    """Reasons of the school's categories in the latest approved run whose window ends by
    ``year`` (used by the analysis of causes); empty when there is none."""
    runs = IdentificationRun.objects.filter(
        region_id=school.municipality.region_id, status=RunStatus.APPROVED
    ).order_by("-approved_at", "-id")
    for run in runs:
        if run.window_years and max(int(y) for y in run.window_years) > year:
            continue
        verdict = run.verdicts.filter(school=school).first()
        if verdict is None:
            return []
        return [
            f"{reason['label']}: {reason['text']}" if reason.get("label") else reason["text"]
            for reason in verdict.reasons
            if reason.get("category")
        ]
    return []


def runs_to_compare(run: IdentificationRun) -> QuerySet[IdentificationRun]:
    """Other runs of the same region, newest first."""
    return IdentificationRun.objects.filter(region_id=run.region_id).exclude(pk=run.pk)
