"""Benchmark: the programs pages of a municipality with 40 schools and 2,000 roadmap activities.

    python benchmarks/pages.py [--schools 40] [--activities 50] [--repeat 15] [--keep DIR]

Builds a fresh SQLite database: a region, a municipality with 40 schools, its address program
(from the Boksitogorsk template, 88 activities) with every school as a participant, and a
roadmap per school with 50 activities (≈ 2,000 in all, with their dated due points, some done,
some overdue) plus the regional program with the seed 004 indicators. Then it opens each page
as the municipality user through Django's test client and prints the median and p95 time
per page, and the ratio to a baseline measured in the same run (the login page, which touches
no programs data). Target: every page's median and p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 300.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Скорость страниц программ поддержки.")
    parser.add_argument("--schools", type=int, default=40, help="школ в муниципалитете")
    parser.add_argument(
        "--activities", type=int, default=50, help="мероприятий в дорожной карте школы"
    )
    parser.add_argument("--repeat", type=int, default=15, help="повторов на страницу")
    parser.add_argument("--keep", type=Path, default=None, help="оставить базу в каталоге")
    args = parser.parse_args(argv)

    work = Path(args.keep or tempfile.mkdtemp(prefix="opora-bench-pages-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["OPORA_VAR_DIR"] = str(work)
    os.environ["OPORA_DATABASE_URL"] = f"sqlite:///{work / 'pages.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opora.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    try:
        return run(args.schools, args.activities, args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def build(schools: int, activities: int) -> dict:
    """The municipality and its programs; returns what the timed pages need."""
    import datetime as dt
    import random

    from opora.accounts.models import User
    from opora.programs import services
    from opora.programs.models import DuePoint, Level, Program
    from opora.programs.seed_templates import start_from_template
    from opora.territory.models import Municipality, Region, School

    rng = random.Random(7)
    region = Region.objects.create(name="Тестовая область", code="77")
    municipality = Municipality.objects.create(region=region, name="Тестовый район")
    school_rows = [
        School(
            code=f"77{i:05d}",
            name=f"МБОУ «Школа № {i}»",
            municipality=municipality,
            settlement="село" if i % 3 else "город",
            students=100 + 7 * i,
        )
        for i in range(1, schools + 1)
    ]
    School.objects.bulk_create(school_rows)
    school_rows = list(School.objects.filter(municipality=municipality).order_by("code"))
    region_user = User.objects.create_user(
        "bench-region", password="bench", role="region", region=region
    )
    mouo = User.objects.create_user(
        "bench-mouo", password="bench", role="municipality", municipality=municipality
    )

    regional = start_from_template(
        region_user,
        "altai_2020",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2024, 12, 31),
    )
    services.set_participants(region_user, regional, school_rows)
    municipal = start_from_template(
        mouo,
        "boksitogorsk_2020",
        parent=regional,
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2024, 12, 31),
    )
    services.set_participants(mouo, municipal, school_rows)
    deadlines = [
        "ежегодно, июль",
        "1 раз в четверть",
        "2 раза в год",
        "постоянно",
        "до 2024 года",
        "Январь 2022",
        "2021-2023",
    ]
    template_rows = services.ActivityRow
    for school in school_rows:
        staff = User.objects.create_user(
            f"bench-{school.code}", password="bench", role="school", school=school
        )
        roadmap = services.create_program(
            staff,
            level=Level.SCHOOL,
            name=f"Дорожная карта {school.name}",
            parent=municipal,
            period_start=dt.date(2021, 1, 1),
            period_end=dt.date(2024, 12, 31),
        )
        rows = [
            template_rows(
                section=f"{1 + n // 10}. Раздел {1 + n // 10}",
                section_number=f"{1 + n // 10}.",
                number=f"{1 + n // 10}.{1 + n % 10}",
                title=f"Мероприятие {n + 1} школы {school.code}: работа со слабоуспевающими обучающимися",
                deadline=deadlines[n % len(deadlines)],
                responsible="Заместитель директора по УВР",
                expected_result="Положительная динамика результатов",
                cause="little_extra_work" if n % 5 == 0 else "",
            )
            for n in range(activities)
        ]
        services.add_rows(staff, roadmap, rows, source="benchmark")
        if rng.random() < 0.8:
            services.submit(staff, roadmap)
            services.approve(mouo, roadmap)
    # mark about half of the passed points done
    passed = list(
        DuePoint.objects.filter(
            program__level=Level.SCHOOL, due_date__lt=dt.date(2023, 1, 1)
        ).values_list("pk", "due_date")
    )
    done = [pk for pk, _ in passed if rng.random() < 0.5]
    DuePoint.objects.filter(pk__in=done).update(
        status="done", completed_on=dt.date(2022, 6, 1), result_note="Выполнено"
    )
    return {
        "user": mouo,
        "municipal": municipal,
        "regional": regional,
        "roadmap": Program.objects.filter(level=Level.SCHOOL).order_by("pk").first(),
        "activities": DuePoint.objects.values("activity").distinct().count(),
        "points": DuePoint.objects.count(),
    }


def timed(client, url: str, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request (CPU time tells a busy machine apart)."""
    client.get(url)  # warm: templates compiled, caches filled
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: ответ {response.status_code}")
    return wall, cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(schools: int, activities: int, repeat: int) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    world = build(schools, activities)
    print(
        f"Подготовка: {time.perf_counter() - started:.1f} с; школ {schools}, "
        f"мероприятий с контрольными точками {world['activities']}, контрольных точек {world['points']}"
    )
    client = Client()
    baseline = statistics.median(timed(client, reverse("login"), repeat)[0])
    client.force_login(world["user"])
    municipal, regional, roadmap = world["municipal"], world["regional"], world["roadmap"]
    pages = [
        ("список программ", reverse("programs:index")),
        ("мониторинг: что просрочено", reverse("programs:monitoring")),
        ("муниципальная программа", reverse("programs:detail", args=[municipal.pk])),
        ("дорожная карта школы", reverse("programs:detail", args=[roadmap.pk])),
        ("показатели муниципальной программы", reverse("programs:indicators", args=[municipal.pk])),
        ("показатели региональной программы", reverse("programs:indicators", args=[regional.pk])),
        ("отчёты по периодам", reverse("programs:program_monitoring", args=[municipal.pk])),
        ("анализ причин", reverse("programs:causes")),
    ]
    print(f"Базовая страница (вход): медиана {baseline:.1f} мс")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"Загрузка машины (load average): {load:.1f} на {os.cpu_count()} ядер")
    print(
        f"{'страница':40} {'медиана, мс':>12} {'p95, мс':>9} {'ЦП медиана':>11} {'к базовой':>10}"
    )
    worst = 0.0
    for label, url in pages:
        wall, cpu = timed(client, url, repeat)
        median, high = statistics.median(wall), p95(wall)
        worst = max(worst, high)
        print(
            f"{label:40} {median:12.1f} {high:9.1f} {statistics.median(cpu):11.1f} {median / baseline:9.1f}×"
        )
    verdict = "да" if worst < TARGET_MS else "нет"
    print(f"Все страницы быстрее {TARGET_MS:.0f} мс (p95): {verdict}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
