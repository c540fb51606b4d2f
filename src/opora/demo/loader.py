"""Loading the demo region into the database the way a region would: generated files go
through the ordinary import services, then demo users are created for every role.

Re-running is safe: the imports find nothing to change and the users are refreshed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from opora.demo.generator import Region, RegionSpec, generate_region, write_region

if TYPE_CHECKING:
    from opora.assessments.plans import ImportPlan
    from opora.demo.showcase import Showcase

DEFAULT_PASSWORD = "opora-demo"
IMPORT_ORDER: tuple[str, ...] = ("schools", "context", "results", "students")
STEP_TITLES = {
    "schools": "Реестр школ",
    "context": "Социальный контекст",
    "results": "Результаты процедур",
    "students": "Результаты обучающихся",
}
CURATED_SCHOOLS = 5
STUDENT_YEARS = 1

Report = Callable[[str, int, int], None]


@dataclass
class DemoLogin:
    username: str
    role: str
    territory: str


@dataclass
class DemoLoad:
    """What `load_demo` did: the region, one line per import and the demo logins."""

    region: str
    password: str
    imports: dict[str, str] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    showcase: Showcase | None = None

    def import_lines(self) -> list[tuple[str, str]]:
        """(step title, the import's summary) in the order of the imports."""
        return [(STEP_TITLES[kind], text) for kind, text in self.imports.items()]


def demo_password() -> str:
    return os.environ.get("OPORA_DEMO_PASSWORD") or DEFAULT_PASSWORD


def load_demo(
    *,
    directory: Path,
    seed: int = 2026,
    with_students: bool = True,
    student_years: int | None = STUDENT_YEARS,
    spec: RegionSpec | None = None,
    report: Report | None = None,
    showcase: bool = True,
) -> DemoLoad:
    """Generate the demo region, write it to `directory` as CSV, import it and create users.

    Student results are kept for the latest `student_years` years only (None: all years):
    they are the bulk of the data and the demo must start quickly.
    """
    say = report or (lambda step, done, total: None)
    spec = spec or RegionSpec(seed=seed, with_students=with_students)
    clock = time.perf_counter()
    say("Генерация демонстрационного региона", 0, 1)
    region = generate_region(spec)
    if region.students is not None and student_years is not None:
        region.students = latest_years(region.students, student_years)
    paths = write_region(region, Path(directory))
    say("Генерация демонстрационного региона", 1, 1)
    loaded = DemoLoad(region=region.name, password=demo_password())
    loaded.seconds["generate"] = time.perf_counter() - clock

    for kind in IMPORT_ORDER:
        if kind not in paths:
            continue
        clock = time.perf_counter()
        plan = import_demo_file(kind, paths[kind], region.name, say)
        loaded.imports[kind] = plan.summary_text()
        loaded.seconds[kind] = time.perf_counter() - clock

    clock = time.perf_counter()
    loaded.logins = create_demo_users(region, loaded.password)
    loaded.seconds["users"] = time.perf_counter() - clock

    if showcase:
        clock = time.perf_counter()
        say("Идентификация ШНОР/ШНСУ и программы поддержки", 0, 1)
        from opora.accounts.models import User
        from opora.demo.showcase import populate_showcase
        from opora.territory.models import Region as RegionRecord

        loaded.showcase = populate_showcase(
            RegionRecord.objects.get(name=region.name),
            User.objects.get(username="region"),
            User.objects.get(username="mo01"),
        )
        say("Идентификация ШНОР/ШНСУ и программы поддержки", 1, 1)
        loaded.seconds["showcase"] = time.perf_counter() - clock
    return loaded


def import_demo_file(kind: str, path: Path, region_name: str, say: Report) -> ImportPlan:
    """Import one generated file. A demo generated anew (another seed or generator version)
    may disagree with the student results stored by an earlier run: those are dropped and
    loaded again from the new students file."""
    from opora.assessments.models import StudentResult
    from opora.assessments.services import ImportRejected, apply_import

    def attempt() -> ImportPlan:
        return apply_import(
            kind,
            path,
            filename=path.name,
            user=None,
            region=region_name if kind == "schools" else None,
            progress=lambda done, total: say(STEP_TITLES[kind], done, total),
        )

    try:
        return attempt()
    except ImportRejected:
        stale = StudentResult.objects.filter(school__municipality__region__name=region_name)
        if kind != "results" or not stale.exists():
            raise
        stale.delete()
        return attempt()


def latest_years(table: pa.Table, years: int) -> pa.Table:
    """Rows of the latest `years` years of a table with a `year` column."""
    kept = sorted(set(table.column("year").to_pylist()))[-years:]
    return table.filter(pc.is_in(table.column("year"), value_set=pa.array(kept, pa.int64())))


def create_demo_users(region: Region, password: str) -> list[DemoLogin]:
    """One region user, one per municipality, a low-results school, a typical school and a
    curator of five schools with the lowest results."""
    from django.contrib.auth.hashers import make_password

    from opora.accounts.provisioning import provision_user
    from opora.territory.models import Municipality

    logins: list[DemoLogin] = []
    encoded = make_password(password)  # hashing is slow on purpose: once for all demo users

    def add(username: str, role: str, **where: object) -> None:
        user, _ = provision_user(
            username,
            role=role,
            password=password,
            encoded_password=encoded,
            **where,  # type: ignore[arg-type]
        )
        logins.append(DemoLogin(user.username, user.get_role_display(), user.territory_label))

    add("region", "region", territory=region.name)
    municipalities = Municipality.objects.filter(region__name=region.name)
    by_first_code = sorted(
        (min(m.schools.values_list("code", flat=True), default=m.name), m.name)
        for m in municipalities
    )
    for number, (_, name) in enumerate(by_first_code, start=1):
        add(f"mo{number:02d}", "municipality", territory=name)

    lowest, typical = schools_by_results(region)
    add("school-low", "school", territory=lowest[0])
    add("school", "school", territory=typical)
    add("curator", "curator", schools=lowest[:CURATED_SCHOOLS])
    return logins


def schools_by_results(region: Region) -> tuple[list[str], str]:
    """School codes from the lowest results up (planted «stably low» schools first, then by
    failure share of the latest year) and one typical school (the median failure share among
    schools of 100+ students with a normal profile)."""
    shares = failure_shares(region.results)
    profiles = dict(
        zip(
            region.truth.column("school_id").to_pylist(),
            region.truth.column("profile").to_pylist(),
            strict=True,
        )
    )
    students = dict(
        zip(
            region.schools.column("school_id").to_pylist(),
            region.schools.column("students").to_pylist(),
            strict=True,
        )
    )
    ranked = sorted(shares, key=lambda code: (profiles.get(code) != "stably_low", -shares[code]))
    normal = sorted(
        (shares[code], code)
        for code in shares
        if profiles.get(code) == "normal" and students.get(code, 0) >= 100
    )
    typical = normal[len(normal) // 2][1] if normal else ranked[len(ranked) // 2]
    return ranked, typical


def failure_shares(results: pa.Table) -> dict[str, float]:
    """Failures / participants per school in the latest year (all procedures together)."""
    latest = max(results.column("year").to_pylist())
    failures: dict[str, int] = {}
    participants: dict[str, int] = {}
    columns = [
        results.column(name).to_pylist()
        for name in ("school_id", "year", "participants", "mark_2", "below_min")
    ]
    for code, year, count, mark_2, below_min in zip(*columns, strict=True):
        if year != latest or not count:
            continue
        participants[code] = participants.get(code, 0) + count
        failures[code] = failures.get(code, 0) + (mark_2 if mark_2 is not None else below_min or 0)
    return {code: failures[code] / total for code, total in participants.items() if total}
