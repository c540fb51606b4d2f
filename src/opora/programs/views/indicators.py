"""The achievement page: indicators by year and municipality with traffic lights, the
drill-down from a share to the schools behind it, reporting a value with evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from opora.programs import access
from opora.programs.achievement import (
    Calculator,
    achievement_rows,
    format_value,
    municipality_rows,
    report_value,
)
from opora.programs.charts import indicator_charts, municipality_chart
from opora.programs.forms import IndicatorValueForm
from opora.programs.models import Indicator
from opora.programs.seed_templates import apply_indicator_preset, indicator_presets
from opora.programs.selectors import get_program
from opora.programs.views.common import attempt
from opora.territory.selectors import visible_municipalities


@login_required
def indicators(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    calculator = Calculator(program, timezone.localdate())
    visible = set(visible_municipalities(request.user).values_list("pk", flat=True))
    municipalities = [m for m in calculator.municipalities if m.pk in visible]
    year = _year(request, calculator.years)
    rows = achievement_rows(calculator)
    by_municipality = []
    if len(municipalities) > 1 or program.level == "region":
        by_municipality = municipality_rows(calculator, rows, municipalities, year)
    return render(
        request,
        "programs/indicators.html",
        {
            "program": program,
            "years": calculator.years,
            "year": year,
            "rows": rows,
            "municipalities": municipalities,
            "by_municipality": by_municipality,
            "charts": indicator_charts(rows),
            "municipality_chart": municipality_chart(by_municipality, municipalities, year),
            "presets": indicator_presets().values(),
            "can_edit": access.can_edit(request.user, program),
            "can_report": access.can_report(request.user, program)
            or request.user.role == "municipality",
        },
    )


def _year(request: HttpRequest, years: list[int]) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    if year in years:
        return year
    today = timezone.localdate().year
    return today if today in years else (years[-1] if years else today)


@login_required
def drill(request: HttpRequest, pk: int, indicator_id: int, year: int) -> HttpResponse:
    """The schools behind a computed share, by municipality."""
    program = get_program(request.user, pk)
    indicator = get_object_or_404(Indicator, pk=indicator_id, program=program)
    calculator = Calculator(program, timezone.localdate())
    if year not in calculator.years:
        raise Http404("Год вне срока программы.")
    visible = set(visible_municipalities(request.user).values_list("pk", flat=True))
    parts = []
    for municipality in calculator.municipalities:
        if municipality.pk not in visible:
            continue
        share = calculator.compute(indicator, year, municipality)
        schools = calculator.subset(municipality)
        parts.append(
            {
                "municipality": municipality,
                "share": share,
                "text": format_value(share.value if share else None, indicator.unit),
                "schools": [
                    {
                        "school": s,
                        "member": share is not None and s.code in share.members,
                        "judged": share is not None and s.code in share.population,
                        "detail": share.details.get(s.code, "") if share else "",
                    }
                    for s in schools
                ],
            }
        )
    total = calculator.compute(indicator, year)
    return render(
        request,
        "programs/indicator_drill.html",
        {
            "program": program,
            "indicator": indicator,
            "year": year,
            "parts": parts,
            "total": total,
            "total_text": format_value(total.value if total else None, indicator.unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int, indicator_id: int) -> HttpResponse:
    program = get_program(request.user, pk)
    indicator = get_object_or_404(Indicator, pk=indicator_id, program=program)
    form = IndicatorValueForm(
        request.POST or None, request.FILES or None, initial={"year": timezone.localdate().year}
    )
    form.fields["municipality"].queryset = visible_municipalities(request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            request,
            report_value,
            request.user,
            indicator,
            year=data["year"],
            value=data["value"],
            municipality=data["municipality"],
            evidence_url=data["evidence_url"],
            evidence_file=request.FILES.get("evidence_file"),
            note=data["note"],
        )
        if saved is not None:
            messages.success(request, "Значение показателя сохранено.")
            return redirect("programs:indicators", program.pk)
    return render(
        request,
        "programs/indicator_report.html",
        {"program": program, "indicator": indicator, "form": form},
    )


@login_required
@require_POST
def add_preset(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    key = request.POST.get("preset", "")
    if key not in indicator_presets():
        messages.error(request, "Выберите набор показателей из списка.")
    else:
        added = attempt(request, apply_indicator_preset, request.user, program, key)
        if added is not None:
            messages.success(request, f"Добавлено показателей: {added}.")
    return redirect("programs:indicators", program.pk)
