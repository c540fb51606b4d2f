"""The list of programs, a new program, the program page with its roadmap, the passport."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from opora.programs import access, services
from opora.programs.causes import CAUSE_BY_CODE
from opora.programs.charts import completion_chart
from opora.programs.forms import NewProgramForm, PassportForm
from opora.programs.models import Level, Program
from opora.programs.participants import approved_list, fill_from_approved_run
from opora.programs.recurrence import describe
from opora.programs.seed_templates import roadmap_templates, start_from_template
from opora.programs.selectors import (
    completion_counts,
    current_versions,
    get_program,
    point_counts_by_year,
    roadmap_rows,
    visible_programs,
)
from opora.programs.views.common import attempt
from opora.territory.selectors import visible_schools

LEVEL_OF_ROLE = {"school": Level.SCHOOL, "municipality": Level.MUNICIPALITY, "region": Level.REGION}


def _level_for(user) -> str | None:
    if user.is_superuser and not user.role:
        return None
    return LEVEL_OF_ROLE.get(user.role)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    programs = current_versions(visible_programs(request.user)).select_related("parent")
    today = timezone.localdate()
    counts = completion_counts(programs, today)
    groups = {level: [] for level in Level.values}
    for program in programs.order_by("level", "municipality__name", "school__code", "name"):
        program.counts = counts.get(program.pk, {})
        groups[program.level].append(program)
    with_roadmap = {p.school_id for p in groups[Level.SCHOOL]}
    participants = visible_schools(request.user).filter(support_programs__in=programs).distinct()
    missing = [s for s in participants if s.pk not in with_roadmap]
    level = _level_for(request.user)
    return render(
        request,
        "programs/index.html",
        {
            "groups": [(Level(level).label, items) for level, items in groups.items() if items],
            "missing": missing,
            "can_create": level is not None and access.can_create(request.user, level),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    level = _level_for(request.user)
    if level is None or not access.can_create(request.user, level):
        return render(request, "programs/no_access.html", status=403)
    parent_level = {Level.SCHOOL: Level.MUNICIPALITY, Level.MUNICIPALITY: Level.REGION}.get(level)
    parents = (
        current_versions(visible_programs(request.user)).filter(level=parent_level)
        if parent_level
        else None
    )
    templates = [(t.key, t.title) for t in roadmap_templates().values()]
    form = NewProgramForm(request.POST or None, templates=templates, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        passport = {k: data.get(k) for k in NewProgramForm.Meta.fields}
        if data["template"]:
            program = attempt(
                request,
                start_from_template,
                request.user,
                data["template"],
                level=level,
                parent=data.get("parent"),
                **passport,
            )
        else:
            program = attempt(
                request,
                services.create_program,
                request.user,
                level=level,
                parent=data.get("parent"),
                **passport,
            )
        if program is not None:
            messages.success(request, "Программа создана. Заполните паспорт и мероприятия.")
            return redirect("programs:detail", program.pk)
    return render(
        request, "programs/create.html", {"form": form, "level_label": Level(level).label}
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    today = timezone.localdate()
    rows = roadmap_rows(program)
    for group in rows:
        for activity in group["activities"]:
            activity.cause_title = (
                CAUSE_BY_CODE[activity.cause].title if activity.cause in CAUSE_BY_CODE else ""
            )
            try:
                activity.frequency = describe(activity.deadline)
            except ValueError:
                activity.frequency = ""
            for point in activity.points:
                point.code = point.status_code(today)
                point.text = point.status_label(today)
    user = request.user
    next_version = Program.objects.filter(previous=program).first()
    context = {
        "program": program,
        "base": reverse("programs:detail", args=[program.pk]),
        "rows": rows,
        "comments": program.comments.select_related("author", "activity"),
        "children": current_versions(visible_programs(user)).filter(parent=program),
        "participants": program.participants.select_related("municipality"),
        "can_edit": access.can_edit(user, program),
        "can_report": access.can_report(user, program),
        "can_review": access.can_review(user, program) and program.status == "submitted",
        "can_approve_directly": access.can_review(user, program)
        and program.level == Level.REGION
        and program.status in ("draft", "returned"),
        "can_comment": access.can_comment(user, program),
        "next_version": next_version,
        "can_revise": access.can_report(user, program)
        and program.status == "approved"
        and next_version is None,
        "counts": completion_counts(Program.objects.filter(pk=program.pk), today).get(
            program.pk, {}
        ),
        "completion_chart": completion_chart(point_counts_by_year(program, today)),
        "today": today,
    }
    return render(request, "programs/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_passport(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    access.require(
        access.can_edit(request.user, program), "Паспорт меняет владелец программы в черновике."
    )
    form = PassportForm(request.POST or None, instance=Program.objects.get(pk=program.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if attempt(request, services.update_passport, request.user, program, **fields) is not None:
            messages.success(request, "Паспорт сохранён.")
            return redirect("programs:detail", program.pk)
    return render(request, "programs/passport_form.html", {"program": program, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def participants(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    access.require(
        access.can_edit(request.user, program),
        "Состав участников меняет владелец программы в черновике.",
    )
    schools = visible_schools(request.user).filter(is_archived=False).select_related("municipality")
    if request.method == "POST":
        chosen = schools.filter(pk__in=request.POST.getlist("schools"))
        if (
            attempt(
                request,
                services.set_participants,
                request.user,
                program,
                chosen,
                program.source_run_id,
            )
            is not None
        ):
            messages.success(request, f"Школ-участников: {chosen.count()}.")
            return redirect("programs:detail", program.pk)
    approved = approved_list(request.user, program)
    labels = approved.labels()
    chosen_ids = set(program.participants.values_list("pk", flat=True))
    return render(
        request,
        "programs/participants.html",
        {
            "program": program,
            "rows": [(school, labels.get(school.pk, "")) for school in schools],
            "chosen": chosen_ids,
            "run": approved.run,
            "low_results": len(approved.schools_with("low_results")),
            "adverse_context": len(approved.schools_with("adverse_context")),
        },
    )


@login_required
@require_POST
def participants_from_run(request: HttpRequest, pk: int) -> HttpResponse:
    """«Заполнить из утверждённого списка»: the ШНОР (and ШНСУ if ticked) of the approved run."""
    program = get_program(request.user, pk)
    chosen = attempt(
        request,
        fill_from_approved_run,
        request.user,
        program,
        include_adverse_context=request.POST.get("adverse_context") == "1",
    )
    if chosen is None:
        return redirect("programs:participants", program.pk)
    messages.success(
        request,
        f"Школы-участники взяты из утверждённого расчёта № {program.source_run_id}, школ: "
        f"{len(chosen)}. При необходимости уточните состав вручную.",
    )
    return redirect("programs:participants", program.pk)
