"""Documents of a program, produced through the reports registry."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from opora.programs.monitoring import periods
from opora.programs.selectors import get_program
from opora.reports.registry import get


@login_required
def monitoring_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    program = get_program(request.user, pk)
    exporter = get("program_monitoring")
    if fmt not in exporter.formats:
        raise Http404("Такого формата нет.")
    today = timezone.localdate()
    all_periods = periods(program.level, program.period_start, program.period_end)
    if not all_periods:
        raise Http404("У программы нет отчётных периодов.")
    wanted = request.GET.get("period")
    period = None
    if wanted:
        try:
            start = dt.date.fromisoformat(wanted)
        except ValueError:
            raise Http404("Неверный период.") from None
        period = next((p for p in all_periods if p.start == start), None)
    if period is None:
        started = [p for p in all_periods if p.start <= today]
        period = started[-1] if started else all_periods[0]
    document = exporter.render(fmt, program=program, period=period, today=today)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    return response
