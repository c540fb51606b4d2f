"""Editing the roadmap: sections, activities, progress on due points."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from opora.programs import access, services
from opora.programs.fields import ACTIVITY_FIELDS
from opora.programs.forms import ActivityForm, DuePointForm
from opora.programs.models import Activity, DuePoint
from opora.programs.selectors import get_program
from opora.programs.views.common import attempt


@login_required
@require_POST
def add_section(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    title = request.POST.get("title", "").strip()
    if not title:
        messages.error(request, "Укажите наименование раздела.")
    else:
        attempt(
            request,
            services.add_section,
            request.user,
            program,
            title,
            request.POST.get("number", "").strip(),
        )
    return redirect("programs:detail", program.pk)


@login_required
@require_http_methods(["GET", "POST"])
def add_activity(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    access.require(
        access.can_edit(request.user, program),
        "Мероприятия добавляет владелец в черновике или после возврата.",
    )
    form = ActivityForm(
        request.POST or None, program=program, initial={"section": request.GET.get("section")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = attempt(
            request,
            services.add_activity,
            request.user,
            program,
            section=data["section"],
            **{k: data[k] or "" for k in ACTIVITY_FIELDS},
        )
        if activity is not None:
            if not activity.deadline_recognized:
                messages.warning(
                    request,
                    f"Срок «{activity.deadline}» не распознан: контрольные точки не созданы. Уточните срок.",
                )
            else:
                messages.success(request, "Мероприятие добавлено.")
            return redirect("programs:detail", program.pk)
    return render(request, "programs/activity_form.html", {"program": program, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit_activity(request: HttpRequest, pk: int, activity_id: int) -> HttpResponse:
    program = get_program(request.user, pk)
    activity = get_object_or_404(Activity, pk=activity_id, program=program)
    access.require(
        access.can_edit(request.user, program),
        "Мероприятия меняет владелец в черновике или после возврата.",
    )
    form = ActivityForm(
        request.POST or None, instance=Activity.objects.get(pk=activity.pk), program=program
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] or "" for k in ACTIVITY_FIELDS} | {"section": data["section"]}
        if attempt(request, services.update_activity, request.user, activity, **fields) is not None:
            messages.success(request, "Мероприятие сохранено.")
            return redirect("programs:detail", program.pk)
    return render(
        request,
        "programs/activity_form.html",
        {"program": program, "form": form, "activity": activity},
    )


@login_required
@require_POST
def delete_activity(request: HttpRequest, pk: int, activity_id: int) -> HttpResponse:
    program = get_program(request.user, pk)
    activity = get_object_or_404(Activity, pk=activity_id, program=program)
    attempt(request, services.delete_activity, request.user, activity)
    messages.success(request, "Мероприятие удалено.")
    return redirect("programs:detail", program.pk)


@login_required
@require_http_methods(["GET", "POST"])
def update_point(request: HttpRequest, pk: int, point_id: int) -> HttpResponse:
    program = get_program(request.user, pk)
    point = get_object_or_404(
        DuePoint.objects.select_related("activity"), pk=point_id, program=program
    )
    access.require(
        access.can_report(request.user, program), "Выполнение отмечает владелец программы."
    )
    form = DuePointForm(
        request.POST or None, request.FILES or None, instance=DuePoint.objects.get(pk=point.pk)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            request,
            services.update_due_point,
            request.user,
            point,
            status=data["status"],
            result_note=data["result_note"],
            evidence_url=data["evidence_url"],
            evidence_file=request.FILES.get("evidence_file"),
            completed_on=data["completed_on"],
        )
        if done is not None:
            messages.success(request, "Отметка о выполнении сохранена.")
            return redirect("programs:detail", program.pk)
    return render(
        request, "programs/point_form.html", {"program": program, "point": point, "form": form}
    )
