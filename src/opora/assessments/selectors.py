"""Territory-scoped reads of results and context for the pages: summaries, tables, chart data.

Every function takes a queryset of schools that the caller has already scoped with
``visible_schools(user)``; nothing here widens it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from opora.assessments.models import CONTEXT_FACTORS, Result, SchoolContext
from opora.territory.models import Municipality, School

# The defaults of the methodology's [low_results] section (shared/spec/methodology.md): a cell is
# low when failures / participants >= LOW_SHARE_PERCENT % and it has at least MIN_PARTICIPANTS.
LOW_SHARE_PERCENT = 30
MIN_PARTICIPANTS = 5

FAILURES = Coalesce("mark_2", "below_min")
# failures * 100 - threshold * participants >= 0  <=>  share >= threshold, in exact integers.
LOW_MARGIN = ExpressionWrapper(
    F("failures") * 100 - F("participants") * LOW_SHARE_PERCENT, output_field=IntegerField()
)
IS_LOW_CELL = Q(participants__gte=MIN_PARTICIPANTS, low_margin__gte=0)


@dataclass
class FailureShare:
    """Pooled failures of some results rows: failures / participants of rows where failures are known."""

    failures: int = 0
    participants: int = 0

    @property
    def share(self) -> float | None:
        return self.failures / self.participants if self.participants else None

    def add(self, failures: int, participants: int) -> None:
        self.failures += failures
        self.participants += participants


@dataclass
class Summary:
    """Latest-year figures of one school or a group of schools, by procedure."""

    participants: int = 0
    shares: dict[str, FailureShare] = field(default_factory=dict)
    low_cells: int = 0
    low_schools: int = 0

    def share_cells(self, procedures: Iterable[str]) -> list[FailureShare | None]:
        return [self.shares.get(name) for name in procedures]


@dataclass
class SchoolRow:
    school: School
    summary: Summary
    shares: list[FailureShare | None]


@dataclass
class MunicipalityRow:
    municipality: Municipality | None  # None for the total row
    schools: int
    summary: Summary
    shares: list[FailureShare | None]


@dataclass
class SchoolTable:
    year: int | None
    procedures: list[str]
    rows: list[SchoolRow]


@dataclass
class Overview:
    year: int | None
    procedures: list[str]
    rows: list[MunicipalityRow]
    total: MunicipalityRow | None


def latest_year(schools: QuerySet[School]) -> int | None:
    """The latest year with results among the given schools (None without results)."""
    return Result.objects.filter(school__in=schools).aggregate(year=Max("year"))["year"]


def _school_summaries(schools: QuerySet[School], year: int | None) -> dict[int, Summary]:
    """Per-school summaries of one year, computed in the database."""
    if year is None:
        return {}
    groups = (
        Result.objects.filter(school__in=schools, year=year)
        .annotate(failures=FAILURES)
        .annotate(low_margin=LOW_MARGIN)
        .values("school_id", "procedure__name")
        .annotate(
            all_participants=Sum("participants"),
            judged_participants=Sum("participants", filter=Q(failures__isnull=False)),
            failures_total=Sum("failures"),
            low_cells=Count("id", filter=IS_LOW_CELL),
        )
        .order_by()
    )
    summaries: dict[int, Summary] = defaultdict(Summary)
    for group in groups:
        summary = summaries[group["school_id"]]
        summary.participants += group["all_participants"] or 0
        summary.low_cells += group["low_cells"]
        share = summary.shares.setdefault(group["procedure__name"], FailureShare())
        share.add(group["failures_total"] or 0, group["judged_participants"] or 0)
    for summary in summaries.values():
        summary.low_schools = 1 if summary.low_cells else 0
    return dict(summaries)


def _ordered_procedures(summaries: Iterable[Summary]) -> list[str]:
    names = {name for summary in summaries for name in summary.shares}
    # The federal procedures first in their usual order, then regional ones alphabetically.
    usual = ["ВПР", "ОГЭ", "ЕГЭ"]
    return [name for name in usual if name in names] + sorted(names - set(usual))


def school_table(schools: QuerySet[School]) -> SchoolTable:
    """Each school with its latest-year participants, failure share by procedure and low cells."""
    year = latest_year(schools)
    summaries = _school_summaries(schools, year)
    procedures = _ordered_procedures(summaries.values())
    rows = []
    for school in schools.order_by("code"):
        summary = summaries.get(school.pk, Summary())
        rows.append(SchoolRow(school, summary, summary.share_cells(procedures)))
    return SchoolTable(year, procedures, rows)


def _merge(target: Summary, summary: Summary) -> None:
    target.participants += summary.participants
    target.low_cells += summary.low_cells
    target.low_schools += summary.low_schools
    for name, share in summary.shares.items():
        target.shares.setdefault(name, FailureShare()).add(share.failures, share.participants)


def region_overview(municipalities: QuerySet[Municipality], schools: QuerySet[School]) -> Overview:
    """Municipalities with active-school counts and pooled latest-year figures of their schools."""
    schools = schools.filter(is_archived=False)
    year = latest_year(schools)
    summaries = _school_summaries(schools, year)
    by_municipality: dict[int, Summary] = defaultdict(Summary)
    counts: dict[int, int] = defaultdict(int)
    for school_id, municipality_id in schools.values_list("pk", "municipality_id"):
        counts[municipality_id] += 1
        if school_id in summaries:
            _merge(by_municipality[municipality_id], summaries[school_id])
    procedures = _ordered_procedures(summaries.values())
    rows = []
    total = Summary()
    for municipality in municipalities.order_by("region__name", "name"):
        summary = by_municipality.get(municipality.pk, Summary())
        _merge(total, summary)
        rows.append(
            MunicipalityRow(
                municipality, counts[municipality.pk], summary, summary.share_cells(procedures)
            )
        )
    total_row = (
        MunicipalityRow(None, sum(counts.values()), total, total.share_cells(procedures))
        if rows
        else None
    )
    return Overview(year, procedures, rows, total_row)


@dataclass
class ResultRow:
    """One results row as shown on the school card."""

    result: Result
    failures: int | None
    share: float | None
    is_low: bool
    is_small: bool


def school_results(
    school: School, *, year: int | None = None, procedure: str | None = None
) -> list[ResultRow]:
    """The school's results by year (latest first), procedure, subject and grade."""
    results = Result.objects.filter(school=school).select_related("procedure", "subject")
    if year:
        results = results.filter(year=year)
    if procedure:
        results = results.filter(procedure__name=procedure)
    rows = []
    for result in results.order_by("-year", "procedure__name", "subject__name", "grade"):
        share = result.failure_share
        is_small = result.participants < MIN_PARTICIPANTS
        is_low = (
            share is not None
            and not is_small
            and result.failures * 100 >= LOW_SHARE_PERCENT * result.participants  # type: ignore[operator]
        )
        rows.append(ResultRow(result, result.failures, share, is_low, is_small))
    return rows


def school_result_choices(school: School) -> tuple[list[int], list[str]]:
    """Years (latest first) and procedure names present in the school's results."""
    results = Result.objects.filter(school=school)
    years = sorted(set(results.values_list("year", flat=True)), reverse=True)
    procedures = sorted(set(results.values_list("procedure__name", flat=True)))
    return years, procedures


def failure_chart(school: School) -> dict:
    """Chart data: the pooled failure share (in %, one decimal) by year, one series per procedure.

    Each point carries its counts for the tooltip; a year without the procedure is ``None``.
    """
    groups = (
        Result.objects.filter(school=school)
        .annotate(failures=FAILURES)
        .filter(failures__isnull=False)
        .values("year", "procedure__name")
        .annotate(failures_total=Sum("failures"), participants_total=Sum("participants"))
        .order_by()
    )
    pooled: dict[tuple[int, str], FailureShare] = {}
    for group in groups:
        pooled[(group["year"], group["procedure__name"])] = FailureShare(
            group["failures_total"] or 0, group["participants_total"] or 0
        )
    years = sorted({year for year, _ in pooled})
    procedures = _ordered_procedures([Summary(shares={name: FailureShare() for _, name in pooled})])
    series = []
    for name in procedures:
        points = []
        for year in years:
            share = pooled.get((year, name))
            if share is None or share.share is None:
                points.append(None)
            else:
                points.append(
                    {
                        "value": round(share.share * 100, 1),
                        "failures": share.failures,
                        "participants": share.participants,
                    }
                )
        series.append({"name": name, "data": points})
    return {"years": years, "series": series, "threshold": LOW_SHARE_PERCENT}


CONTEXT_LABELS: dict[str, tuple[str, str]] = {
    "large_families": ("Из многодетных семей, %", "adverse"),
    "non_native_russian": ("Русский язык не родной, %", "adverse"),
    "parent_higher_education": ("Хотя бы один родитель с высшим образованием, %", "favourable"),
    "both_parents_higher_education": ("Оба родителя с высшим образованием, %", "favourable"),
    "both_parents_unemployed": ("Оба родителя безработные, %", "adverse"),
    "parent_disabled": ("Хотя бы один родитель — инвалид, %", "adverse"),
    "foster_care": ("Из приёмных семей, под опекой, %", "adverse"),
    "families_in_danger": ("Из семей в социально опасном положении, %", "adverse"),
    "juvenile_commission": ("На учёте в КДН, %", "adverse"),
    "low_income": ("Из малоимущих семей, %", "adverse"),
    "special_needs": ("Обучающиеся с ОВЗ и дети-инвалиды, %", ""),
    "social_index": ("Индекс социального неблагополучия", "index"),
}
DIRECTION_LABELS = {
    "adverse": "неблагоприятный",
    "favourable": "благоприятный",
    "": "без направления",
    "index": "выше — неблагополучнее",
}


@dataclass
class ContextFactorRow:
    factor: str
    label: str
    direction: str
    values: list[float | None]


@dataclass
class ContextTable:
    years: list[int]
    rows: list[ContextFactorRow]


def school_context(school: School) -> ContextTable:
    """The school's social context: one row per factor with at least one value, one column per year."""
    contexts = list(SchoolContext.objects.filter(school=school).order_by("year"))
    years = [context.year for context in contexts]
    rows = []
    for factor in (*CONTEXT_FACTORS, "social_index"):
        values = [getattr(context, factor) for context in contexts]
        if all(value is None for value in values):
            continue
        label, direction = CONTEXT_LABELS[factor]
        rows.append(ContextFactorRow(factor, label, DIRECTION_LABELS[direction], values))
    return ContextTable(years, rows)
