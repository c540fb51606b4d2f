"""The yearly analysis of causes of low results for each participating school."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from opora.programs import causes as logic
from opora.programs.forms import CauseForm
from opora.programs.models import CauseAnalysis, Program
from opora.programs.selectors import current_versions, visible_programs
from opora.programs.views.common import attempt
from opora.territory.selectors import visible_schools


@login_required
def index(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year"))
    programs = current_versions(visible_programs(request.user))
    schools = (
        visible_schools(request.user)
        .filter(support_programs__in=programs)
        .distinct()
        .order_by("code")
    )
    if request.user.role == "school":
        schools = visible_schools(request.user)
    analyses = {
        a.school_id: a
        for a in CauseAnalysis.objects.filter(school__in=schools, year=year).prefetch_related(
            "ratings"
        )
    }
    roadmaps = {
        p.school_id: p
        for p in current_versions(
            Program.objects.filter(level="school", school__in=schools)
        ).order_by("version")
    }
    rows = []
    for school in schools:
        analysis = analyses.get(school.pk)
        rows.append(
            {
                "school": school,
                "analysis": analysis,
                "significant": [
                    logic.CAUSE_BY_CODE[r.cause]
                    for r in analysis.ratings.all()
                    if r.rating >= logic.SIGNIFICANT and r.cause in logic.CAUSE_BY_CODE
                ]
                if analysis
                else [],
                "unaddressed": logic.unaddressed_causes(analysis, roadmaps.get(school.pk))
                if analysis
                else [],
                "can_edit": logic.can_analyse(request.user, school),
            }
        )
    return render(
        request,
        "programs/causes_index.html",
        {"rows": rows, "year": year, "years": range(year - 3, year + 2)},
    )


def _year(value: str | None) -> int:
    try:
        year = int(value or "")
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    school = visible_schools(request.user).filter(code=code).first()
    if school is None:
        raise Http404("Школа не найдена или недоступна.")
    can_edit = logic.can_analyse(request.user, school)
    analysis = logic.visible_analysis(request.user, school, year)
    data = logic.prefill(school, year)
    saved = {r.cause: r for r in analysis.ratings.all()} if analysis else {}
    initial = {"summary": analysis.summary if analysis else ""}
    for cause in logic.CAUSES:
        rating = saved.get(cause.code)
        initial[f"rating_{cause.code}"] = (
            rating.rating if rating else (logic.SIGNIFICANT if cause.code in data else 0)
        )
        initial[f"evidence_{cause.code}"] = (
            rating.evidence if rating else "\n".join(data.get(cause.code, []))
        )
    form = CauseForm(request.POST or None, initial=initial)
    if request.method == "POST" and can_edit and form.is_valid():
        ratings = {
            c.code: (form.cleaned_data[f"rating_{c.code}"], form.cleaned_data[f"evidence_{c.code}"])
            for c in logic.CAUSES
        }
        if (
            attempt(
                request,
                logic.save_analysis,
                request.user,
                school,
                year,
                ratings,
                form.cleaned_data["summary"],
            )
            is not None
        ):
            messages.success(request, "Анализ причин сохранён.")
            return redirect(f"{_causes_url()}?year={year}")
    roadmap = logic.current_roadmap(school)
    unaddressed = logic.unaddressed_causes(analysis, roadmap) if analysis else []
    rows = [
        {
            "cause": cause,
            "rating": form[f"rating_{cause.code}"],
            "evidence": form[f"evidence_{cause.code}"],
            "data": data.get(cause.code, []),
            "flagged": cause in unaddressed,
        }
        for cause in logic.CAUSES
    ]
    return render(
        request,
        "programs/causes_form.html",
        {
            "school": school,
            "year": year,
            "form": form,
            "rows": rows,
            "can_edit": can_edit,
            "roadmap": roadmap,
            "analysis": analysis,
        },
    )


def _causes_url() -> str:
    from django.urls import reverse

    return reverse("programs:causes")
