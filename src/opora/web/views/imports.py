"""Uploading a file: choose the kind, see what would change (or every error), confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from opora.web.access import import_kinds_for
from opora.web.forms import KIND_LABELS, UploadForm
from opora.web.uploads import PendingUpload, PlanRecord, load_upload, store_upload

ERRORS_PER_PAGE = 100


def _import_kinds(request: HttpRequest) -> tuple[str, ...]:
    kinds = import_kinds_for(request.user)
    if not kinds:
        raise PermissionDenied("У вашей учётной записи нет права загружать данные.")
    return kinds


@require_http_methods(["GET", "POST"])
@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    kinds = _import_kinds(request)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        pending = store_upload(
            request.user,
            form.cleaned_data["kind"],
            form.cleaned_data["file"],
            archive_missing=form.cleaned_data.get("archive_missing", False),
        )
        _plan(request, pending)
        return redirect("import_preview", token=pending.token)
    return render(request, "web/import_start.html", {"form": form, "kind_labels": KIND_LABELS})


def _plan(request: HttpRequest, pending: PendingUpload) -> None:
    """Check the file and store what would change; nothing is written to the database."""
    from opora.assessments.services import plan_import

    plan = plan_import(
        pending.kind,
        pending.path,
        filename=pending.filename,
        user=request.user,
        archive_missing=pending.archive_missing,
    )
    pending.plan = PlanRecord.from_plan(plan)
    pending.save()


@require_http_methods(["GET"])
@login_required
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    pending = load_upload(request.user, token)
    if pending.kind not in _import_kinds(request):
        raise PermissionDenied("Этот вид данных вам загружать нельзя.")
    if pending.plan is None:
        _plan(request, pending)
    plan = pending.plan
    errors_page = Paginator(plan.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/import_preview.html",
        {
            "pending": pending,
            "plan": plan,
            "kind_label": KIND_LABELS.get(pending.kind, pending.kind),
            "errors_page": errors_page,
        },
    )


@require_POST
@login_required
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Apply a checked upload: only its owner may, and only once (the file is deleted after)."""
    from opora.assessments.services import ImportRejected, apply_import

    pending = load_upload(request.user, token)
    if pending.kind not in _import_kinds(request):
        raise PermissionDenied("Этот вид данных вам загружать нельзя.")
    try:
        plan = apply_import(
            pending.kind,
            pending.path,
            filename=pending.filename,
            user=request.user,
            archive_missing=pending.archive_missing,
        )
    except ImportRejected as rejected:
        pending.plan = PlanRecord.from_plan(rejected.plan)
        pending.save()
        messages.error(
            request,
            "Файл не загружен: при повторной проверке найдены ошибки. Исправьте их и загрузите файл снова.",
        )
        return redirect("import_preview", token=pending.token)
    pending.discard()
    messages.success(
        request, f"Файл «{pending.filename}» загружен. {PlanRecord.from_plan(plan).summary}"
    )
    return redirect("import_start")


@require_POST
@login_required
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    pending = load_upload(request.user, token)
    pending.discard()
    messages.info(request, f"Загрузка «{pending.filename}» отменена, данные не изменялись.")
    return redirect("import_start")
