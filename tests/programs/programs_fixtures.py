"""Shared builders for the programs tests (fixtures stay in conftest.py)."""

from __future__ import annotations

import datetime as dt

from opora.programs import services
from opora.programs.models import Level


def approved_roadmap(world):
    """The north school's roadmap for 2021–2022, approved on 1 February 2021: «Назначение
    координатора» (January 2021) done on time, «Мониторинг» twice a year with due points
    30.06.2021 done (5 July), 31.12.2021 cancelled, 30.06.2022 and 31.12.2022 planned.
    Returns the roadmap and the monitoring's due points in date order."""
    from opora.programs.models import Program

    roadmap = services.create_program(
        world.school_user,
        level=Level.SCHOOL,
        name="Дорожная карта",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2022, 12, 31),
    )
    first = services.add_activity(
        world.school_user, roadmap, title="Назначение координатора", deadline="Январь 2021"
    )
    twice = services.add_activity(
        world.school_user, roadmap, title="Мониторинг", deadline="2 раза в год"
    )
    services.update_due_point(
        world.school_user,
        first.due_points.get(),
        status="done",
        result_note="Приказ № 5",
        completed_on=dt.date(2021, 1, 20),
    )
    points = list(twice.due_points.order_by("due_date"))
    services.update_due_point(
        world.school_user,
        points[0],
        status="done",
        result_note="Справка",
        completed_on=dt.date(2021, 7, 5),
    )
    services.update_due_point(world.school_user, points[1], status="cancelled")
    services.submit(world.school_user, roadmap)
    services.approve(world.north_user, roadmap)
    Program.objects.filter(pk=roadmap.pk).update(approved_at=dt.datetime(2021, 2, 1, tzinfo=dt.UTC))
    return roadmap, points
