"""Identification pages: runs, a run with its verdicts, comparison, approval, documents,
selection of schools and partner suggestions. Views parse the request, call a service or a
selector and render; every object is looked up through the user's scope (404 outside it)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opora.analytics.methodology import list_presets, preset_text
from opora.analytics.verdicts import CATEGORY_LABELS
from opora.identification import chart_data, selectors, services, support
from opora.identification.forms import ApproveForm, RunForm, SelectionForm, VerdictFilterForm
from opora.territory.selectors import visible_municipalities, visible_schools


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The runs of the user's region(s) and, for region staff, the form that starts a run."""
    allowed = selectors.can_run(request.user)
    regions = selectors.runnable_regions(request.user)
    form = RunForm(request.POST or None, request.FILES or None, regions=regions)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied("Запускать идентификацию может только сотрудник региона.")
        if form.is_valid():
            try:
                run = services.run_identification(
                    request.user,
                    form.cleaned_data["methodology"],
                    region=form.cleaned_data.get("region"),
                )
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(request, f"Расчёт № {run.pk} выполнен и сохранён как черновик.")
                return redirect("identification:run", pk=run.pk)
    runs = selectors.visible_runs(request.user)
    current = {
        region_id: selectors.current_approved_run(region_id)
        for region_id in {run.region_id for run in runs}
    }
    return render(
        request,
        "identification/index.html",
        {
            "runs": runs,
            "current_ids": {run.pk for run in current.values() if run is not None},
            "form": form if allowed else None,
            "presets": [(name, preset_text(name)) for name in list_presets()],
            "categories": CATEGORY_LABELS,
        },
    )


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run(request.user, pk)
    verdicts = selectors.visible_verdicts(request.user, run).defer("evidence")
    form = VerdictFilterForm(request.GET or None, municipalities=_run_municipalities(request, run))
    shown = verdicts
    if form.is_valid():
        category = form.cleaned_data.get("category")
        if category == "any":
            shown = shown.exclude(categories="")
        elif category:
            shown = selectors.with_category(shown, category)
        if form.cleaned_data.get("municipality"):
            shown = shown.filter(school__municipality=form.cleaned_data["municipality"])
    all_verdicts = list(verdicts)
    current = selectors.current_approved_run(run.region_id)
    return render(
        request,
        "identification/run_detail.html",
        {
            "run": run,
            "form": form,
            "verdicts": list(shown),
            "counts": [
                (code, CATEGORY_LABELS[code], n)
                for code, n in selectors.category_counts(all_verdicts).items()
            ],
            "schools_total": len(all_verdicts),
            "whole_region": selectors.can_run(request.user),
            "scatter": chart_data.scatter(run, all_verdicts),
            "is_current": current is not None and current.pk == run.pk,
            "current": current,
            "can_approve": selectors.can_approve(request.user, run),
            "approve_form": ApproveForm(),
            "others": selectors.runs_to_compare(run),
            "method_words": support.method_words(run),
        },
    )


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run(request.user, pk)
    if not selectors.is_region_staff_of(request.user, run):
        raise PermissionDenied("Утверждать расчёт может только сотрудник региона этого расчёта.")
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите номер и дату приказа, которым утверждается список.")
        return redirect("identification:run", pk=run.pk)
    try:
        services.approve_run(
            request.user, run, form.cleaned_data["order_number"], form.cleaned_data["order_date"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Расчёт № {run.pk} утверждён.")
    return redirect("identification:run", pk=run.pk)


@login_required
@require_GET
def compare_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """The run page's «compare with» form lands here and goes on to the comparison."""
    run = selectors.get_run(request.user, pk)
    other = request.GET.get("other", "")
    if not other.isdigit():
        messages.error(request, "Выберите расчёт, с которым нужно сравнить.")
        return redirect("identification:run", pk=run.pk)
    return redirect("identification:compare", pk=run.pk, other_pk=int(other))


@login_required
@require_GET
def compare(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    base = selectors.get_run(request.user, pk)
    other = selectors.get_run(request.user, other_pk)
    if base.pk == other.pk:
        raise Http404("Выберите другой расчёт для сравнения.")
    try:
        comparison = services.compare_runs(
            base, other, schools=visible_schools(request.user).values_list("pk", flat=True)
        )
    except ValidationError:
        raise Http404("Сравнивать можно только расчёты одного региона.") from None
    return render(request, "identification/compare.html", {"comparison": comparison})


@login_required
@require_GET
def verdict_detail(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One school's verdict in one run: reasons, evidence, chart, recommendations."""
    run = selectors.get_run(request.user, pk)
    verdict = selectors.visible_verdicts(request.user, run).filter(school__code=code).first()
    if verdict is None:
        raise Http404("Школа не найдена в расчёте или недоступна.")
    return render(request, "identification/verdict_detail.html", support.verdict_context(verdict))


@login_required
@require_GET
def report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from opora.reports.identification_report import IdentificationReport

    run = selectors.get_run(request.user, pk)
    exporter = IdentificationReport()
    if fmt not in exporter.formats:
        raise Http404("Такого формата нет.")
    document = exporter.render(fmt, run=run, user=request.user)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    return response


@login_required
@require_GET
def selection(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose N schools from the run's ШНОР list (seed 004), with municipal bounds."""
    run = selectors.get_run(request.user, pk)
    candidates = list(
        selectors.with_category(selectors.visible_verdicts(request.user, run), "low_results")
    )
    municipalities = sorted({v.school.municipality for v in candidates}, key=lambda m: m.name)
    form = SelectionForm(request.GET or None, municipalities=municipalities)
    chosen = None
    if candidates and form.is_valid():
        try:
            chosen = support.select(candidates, form)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
    return render(
        request,
        "identification/selection.html",
        {"run": run, "form": form, "candidates": candidates, "selection": chosen},
    )


@login_required
@require_GET
def partners(request: HttpRequest, pk: int) -> HttpResponse:
    """Partner schools (leaders, resilient) for the ШНОР of a run, in comparable conditions."""
    run = selectors.get_run(request.user, pk)
    verdicts = list(selectors.visible_verdicts(request.user, run))
    return render(
        request,
        "identification/partners.html",
        {"run": run, "matching": support.partners(verdicts)},
    )


def _run_municipalities(request: HttpRequest, run):
    return visible_municipalities(request.user).filter(region_id=run.region_id)
