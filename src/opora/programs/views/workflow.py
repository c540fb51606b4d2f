"""Submit, approve or return, comment, revise; the difference between versions; the history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from opora.programs import services
from opora.programs.models import Activity
from opora.programs.revisions import history as program_history
from opora.programs.revisions import roadmap_diff
from opora.programs.selectors import get_program
from opora.programs.views.common import attempt


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    if attempt(request, services.submit, request.user, program) is not None:
        messages.success(request, "Программа направлена на рассмотрение.")
    return redirect("programs:detail", program.pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    text = request.POST.get("text", "")
    if request.POST.get("decision") == "approve":
        if attempt(request, services.approve, request.user, program, text) is not None:
            messages.success(request, "Программа утверждена.")
    elif attempt(request, services.return_for_revision, request.user, program, text) is not None:
        messages.success(request, "Программа возвращена на доработку с замечаниями.")
    return redirect("programs:detail", program.pk)


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    activity = None
    if request.POST.get("activity"):
        activity = get_object_or_404(Activity, pk=request.POST["activity"], program=program)
    if (
        attempt(
            request, services.comment, request.user, program, request.POST.get("text", ""), activity
        )
        is not None
    ):
        messages.success(request, "Комментарий добавлен.")
    return redirect("programs:detail", program.pk)


@login_required
@require_POST
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    new = attempt(request, services.revise, request.user, program)
    if new is None:
        return redirect("programs:detail", program.pk)
    messages.success(
        request, f"Создана редакция {new.version}. Внесите изменения и направьте на рассмотрение."
    )
    return redirect("programs:detail", new.pk)


@login_required
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    previous = get_program(request.user, program.previous_id) if program.previous_id else None
    changes = roadmap_diff(previous, program) if previous else []
    return render(
        request,
        "programs/diff.html",
        {"program": program, "previous": previous, "changes": changes},
    )


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    return render(
        request,
        "programs/history.html",
        {"program": program, "events": program_history(program)[:500]},
    )
