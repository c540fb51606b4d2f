"""Blank XLSX templates of the interchange formats, with a short description of each."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opora.web.forms import KIND_LABELS

KIND_DESCRIPTIONS: dict[str, str] = {
    "schools": "Одна строка на школу. Код ОО — постоянный уникальный код, по нему связываются "
    "все остальные файлы. Школы не удаляются: отсутствующая в файле школа остаётся в реестре "
    "(при загрузке её можно перевести в архив).",
    "results": "Одна строка на школу × год × процедуру × предмет × класс. Для ВПР, ОГЭ и КДР "
    "заполните количество отметок «2»–«5» (в сумме — число участников), для ЕГЭ — число "
    "участников ниже минимального порога.",
    "context": "Одна строка на школу × год. Все показатели — проценты от числа обучающихся "
    "(от 0 до 100); незаполненные столбцы допустимы. Готовый индекс социального "
    "неблагополучия, если он есть, используется вместо показателей.",
    "students": "Необязательный файл: результаты отдельных обучающихся под постоянными "
    "обезличенными кодами. Никаких фамилий и имён. Если загружены и сводные результаты, "
    "они должны совпадать с суммой по обучающимся.",
}


def _format_columns(kind: str) -> list:
    """The columns of a format as described by ``opora.formats`` (empty if not available)."""
    try:
        from opora.formats.columns import columns
    except ImportError:
        return []
    return list(columns(kind))


@require_GET
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    kinds = [
        {
            "kind": kind,
            "label": label,
            "description": KIND_DESCRIPTIONS[kind],
            "columns": _format_columns(kind),
        }
        for kind, label in KIND_LABELS.items()
    ]
    return render(request, "web/templates.html", {"kinds": kinds})


@require_GET
@login_required
def template_download(request: HttpRequest, kind: str) -> FileResponse:
    from opora.formats import KINDS, write_template

    if kind not in KINDS:
        raise Http404("Такого шаблона нет.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{kind}.xlsx"
        write_template(kind, path)
        content = path.read_bytes()
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=f"шаблон-{kind}.xlsx")
