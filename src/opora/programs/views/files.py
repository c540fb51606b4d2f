"""Word and Excel: export of a roadmap; import with a column-mapping step and a preview."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from opora.programs import access, services
from opora.programs.documents import DOCX_TYPE, XLSX_TYPE, roadmap_docx, roadmap_xlsx
from opora.programs.importing import (
    FIELDS,
    ImportProblem,
    find_header,
    guess_mapping,
    pick_table,
    read_tables,
    to_rows,
)
from opora.programs.selectors import get_program
from opora.programs.views.common import attempt

SESSION_KEY = "programs_imports"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _file_name(program, ext: str) -> str:
    kind = {
        "school": "Дорожная карта",
        "municipality": "Программа",
        "region": "Региональная программа",
    }[program.level]
    owner = program.school.code if program.school_id else program.owner_label
    return f"{kind} {owner} ред{program.version}.{ext}"


@login_required
def export_docx(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    return _download(roadmap_docx(program), DOCX_TYPE, _file_name(program, "docx"))


@login_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    return _download(
        roadmap_xlsx(program, timezone.localdate()), XLSX_TYPE, _file_name(program, "xlsx")
    )


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "programs" / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program(request.user, pk)
    access.require(
        access.can_edit(request.user, program), "Загружать мероприятия может владелец в черновике."
    )
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(
                request, "Выберите файл Word (.docx) или Excel (.xlsx) с таблицей дорожной карты."
            )
        else:
            data = upload.read()
            try:
                tables = read_tables(data, upload.name)
            except ImportProblem as problem:
                messages.error(request, str(problem))
                tables = None
            if tables is not None:
                if not tables:
                    messages.error(
                        request,
                        "В файле нет таблиц. Дорожная карта должна быть оформлена таблицей.",
                    )
                else:
                    token = secrets.token_urlsafe(12)
                    suffix = Path(upload.name).suffix.lower()
                    (_import_dir() / f"{token}{suffix}").write_bytes(data)
                    imports = request.session.get(SESSION_KEY, {})
                    imports[token] = {"program": program.pk, "name": upload.name, "suffix": suffix}
                    request.session[SESSION_KEY] = imports
                    return redirect("programs:import_preview", program.pk, token)
    return render(request, "programs/import_start.html", {"program": program})


def _load(request: HttpRequest, program, token: str):
    info = request.session.get(SESSION_KEY, {}).get(token)
    if not info or info["program"] != program.pk:
        return None, None
    path = _import_dir() / f"{token}{info['suffix']}"
    if not path.exists():
        return None, None
    return info, read_tables(path.read_bytes(), info["name"])


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    program = get_program(request.user, pk)
    access.require(
        access.can_edit(request.user, program), "Загружать мероприятия может владелец в черновике."
    )
    info, tables = _load(request, program, token)
    if info is None:
        messages.error(request, "Загрузка устарела. Выберите файл ещё раз.")
        return redirect("programs:import_start", program.pk)
    params = request.POST if request.method == "POST" else request.GET
    table_index = _int(params.get("table"), pick_table(tables), len(tables))
    table = tables[table_index]
    width = max((len(r) for r in table), default=0)
    header = _int(params.get("header"), find_header(table) or 0, len(table))
    guessed = guess_mapping(table[header] if table else [])
    mapping = [params.get(f"col{i}", guessed[i] if i < len(guessed) else "") for i in range(width)]
    try:
        preview = to_rows(table, header, mapping)
        problem = None
    except ImportProblem as error:
        preview, problem = None, str(error)
    if (
        request.method == "POST"
        and request.POST.get("confirm")
        and preview is not None
        and preview.rows
    ):
        count = attempt(
            request,
            services.add_rows,
            request.user,
            program,
            preview.rows,
            source=f"файл «{info['name']}»",
        )
        if count is not None:
            (_import_dir() / f"{token}{info['suffix']}").unlink(missing_ok=True)
            messages.success(request, f"Загружено мероприятий: {count}.")
            return redirect("programs:detail", program.pk)
    header_cells = table[header] if table else []
    columns = [
        {
            "index": i,
            "header": header_cells[i] if i < len(header_cells) else "",
            "field": mapping[i],
        }
        for i in range(width)
    ]
    return render(
        request,
        "programs/import_preview.html",
        {
            "program": program,
            "token": token,
            "info": info,
            "tables": [(i, len(t)) for i, t in enumerate(tables)],
            "table_index": table_index,
            "header": header,
            "header_choices": [(i, " | ".join(r)[:120]) for i, r in enumerate(table[:15])],
            "columns": columns,
            "fields": FIELDS,
            "preview": preview,
            "problem": problem,
            "shown": preview.rows[:50] if preview else [],
        },
    )


def _int(value, default: int, limit: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 0 <= number < limit else default


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    program = get_program(request.user, pk)
    info = request.session.get(SESSION_KEY, {}).pop(token, None)
    request.session.modified = True
    if info:
        (_import_dir() / f"{token}{info['suffix']}").unlink(missing_ok=True)
    return redirect("programs:detail", program.pk)
