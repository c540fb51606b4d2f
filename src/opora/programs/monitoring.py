"""Monitoring periods (seed 004, roadmap items 16–18: the regional program «1 раз в
полугодие»… — here: school roadmaps every school quarter, municipal programs every half-year,
the regional program every year) and who has reported for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from opora.programs.models import Level, Program, ProgressReport

GRACE_DAYS = 10  # a report is late when it has not come within ten days after the period
FREQUENCY_LABELS = {
    Level.SCHOOL: "1 раз в учебную четверть",
    Level.MUNICIPALITY: "1 раз в полугодие",
    Level.REGION: "1 раз в год",
}
# (first month, first day, last month, last day, label) of school quarters; summer is not one
SCHOOL_QUARTERS = (
    (9, 1, 10, 31, "I четверть"),
    (11, 1, 12, 31, "II четверть"),
    (1, 1, 3, 31, "III четверть"),
    (4, 1, 5, 31, "IV четверть"),
)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def due(self) -> dt.date:
        return self.end + dt.timedelta(days=GRACE_DAYS)


def periods(level: str, start: dt.date, end: dt.date) -> list[Period]:
    """Monitoring periods of a program of this level that overlap [start, end], in order.

    >>> [p.label for p in periods("municipality", dt.date(2021, 3, 1), dt.date(2021, 12, 31))]
    ['I полугодие 2021', 'II полугодие 2021']
    >>> [p.label for p in periods("school", dt.date(2021, 9, 1), dt.date(2022, 1, 31))][:3]
    ['I четверть 2021/22', 'II четверть 2021/22', 'III четверть 2021/22']
    """
    found: list[Period] = []
    for year in range(start.year - 1, end.year + 1):
        if level == Level.SCHOOL:
            for m1, d1, m2, d2, name in SCHOOL_QUARTERS:
                y = year + 1 if m1 < 9 else year
                school_year = f"{year}/{str(year + 1)[2:]}"
                found.append(
                    Period(dt.date(y, m1, d1), dt.date(y, m2, d2), f"{name} {school_year}")
                )
        elif level == Level.MUNICIPALITY:
            found.append(Period(dt.date(year, 1, 1), dt.date(year, 6, 30), f"I полугодие {year}"))
            found.append(Period(dt.date(year, 7, 1), dt.date(year, 12, 31), f"II полугодие {year}"))
        else:
            found.append(Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year} год"))
    return sorted((p for p in found if p.end >= start and p.start <= end), key=lambda p: p.start)


@dataclass
class PeriodState:
    period: Period
    report: ProgressReport | None
    state: str  # reported, late, awaiting, open

    @property
    def label(self) -> str:
        return {
            "reported": "отчёт представлен",
            "late": "отчёт не представлен в срок",
            "awaiting": "ожидается отчёт",
            "open": "период идёт",
        }[self.state]


def period_states(
    program: Program, today: dt.date, reports: list[ProgressReport] | None = None
) -> list[PeriodState]:
    """Each period of the program up to today with whether its report came in time."""
    if reports is None:
        reports = list(program.progress_reports.all())
    by_start = {r.period_start: r for r in reports}
    states = []
    for period in periods(program.level, program.period_start, program.period_end):
        if period.start > today:
            break
        report = by_start.get(period.start)
        if report is not None:
            state = "reported"
        elif period.end >= today:
            state = "open"
        elif period.due < today:
            state = "late"
        else:
            state = "awaiting"
        states.append(PeriodState(period, report, state))
    return states


def dashboard(
    programs: list[Program], today: dt.date, counts: dict[int, dict[str, int]]
) -> list[dict]:
    """One row per program: the last closed period, whether it is reported, overdue points."""
    reports: dict[int, list[ProgressReport]] = {}
    for report in ProgressReport.objects.filter(program__in=programs):
        reports.setdefault(report.program_id, []).append(report)
    rows = []
    for program in programs:
        states = period_states(program, today, reports.get(program.pk, []))
        closed = [s for s in states if s.state != "open"]
        late = [s for s in states if s.state == "late"]
        rows.append(
            {
                "program": program,
                "last": closed[-1] if closed else None,
                "late": late,
                "overdue": counts.get(program.pk, {}).get("overdue", 0),
                "done": counts.get(program.pk, {}).get("done", 0),
                "due": counts.get(program.pk, {}).get("due", 0),
            }
        )
    return rows


def by_municipality(rows: list[dict]) -> list[dict]:
    """Dashboard rows of school roadmaps summed per municipality, by municipality name."""
    totals: dict[str, dict] = {}
    for row in rows:
        program = row["program"]
        if program.level != Level.SCHOOL:
            continue
        name = program.municipality.name if program.municipality else "—"
        item = totals.setdefault(
            name, {"name": name, "roadmaps": 0, "late": 0, "overdue": 0, "due": 0, "done": 0}
        )
        item["roadmaps"] += 1
        item["late"] += 1 if row["late"] else 0
        item["overdue"] += row["overdue"]
        item["due"] += row["due"]
        item["done"] += row["done"]
    return sorted(totals.values(), key=lambda m: m["name"])
