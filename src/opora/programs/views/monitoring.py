"""Monitoring: the dashboard of what is overdue and who is late; a program's periods."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from opora.programs import access, services
from opora.programs.charts import overdue_chart
from opora.programs.models import Level
from opora.programs.monitoring import (
    FREQUENCY_LABELS,
    by_municipality,
    dashboard,
    period_states,
    periods,
)
from opora.programs.selectors import (
    completion_counts,
    current_versions,
    get_program,
    overdue_points,
    visible_programs,
)
from opora.programs.views.common import attempt

OVERDUE_SHOWN = 100


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    programs = current_versions(visible_programs(request.user)).order_by(
        "level", "municipality__name", "school__code"
    )
    counts = completion_counts(programs, today)
    rows = dashboard(list(programs), today, counts)
    by_level = {level: [r for r in rows if r["program"].level == level] for level in Level.values}
    municipalities = by_municipality(rows)
    points = overdue_points(programs, today).order_by("due_date")[:OVERDUE_SHOWN]
    return render(
        request,
        "programs/monitoring.html",
        {
            "today": today,
            "levels": [
                (Level(level).label, FREQUENCY_LABELS[level], items)
                for level, items in by_level.items()
                if items
            ],
            "by_municipality": municipalities,
            "overdue_chart": overdue_chart(municipalities),
            "points": points,
            "shown": OVERDUE_SHOWN,
            "prefix": reverse("programs:index"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_periods(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    today = timezone.localdate()
    if request.method == "POST":
        start = dt.date.fromisoformat(request.POST["period_start"])
        period = next(
            (
                p
                for p in periods(program.level, program.period_start, program.period_end)
                if p.start == start
            ),
            None,
        )
        if period is None:
            messages.error(request, "Такого отчётного периода у программы нет.")
        elif (
            attempt(
                request,
                services.submit_progress_report,
                request.user,
                program,
                period.start,
                period.end,
                request.POST.get("summary", ""),
            )
            is not None
        ):
            messages.success(request, f"Отчёт за {period.label} сохранён.")
        return redirect("programs:program_monitoring", program.pk)
    return render(
        request,
        "programs/program_monitoring.html",
        {
            "program": program,
            "states": period_states(program, today),
            "frequency": FREQUENCY_LABELS[program.level],
            "can_report": access.can_report(request.user, program),
        },
    )
