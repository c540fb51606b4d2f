"""The school register, its export and the school card."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from opora.assessments.selectors import (
    LOW_SHARE_PERCENT,
    MIN_PARTICIPANTS,
    failure_chart,
    school_context,
    school_result_choices,
    school_results,
)
from opora.territory.models import School
from opora.territory.selectors import visible_municipalities, visible_schools
from opora.web.access import get_school_for_user, sees_region
from opora.web.forms import SchoolFilterForm

SCHOOLS_PER_PAGE = 50


def _filtered_schools(request: HttpRequest) -> tuple[SchoolFilterForm, QuerySet[School]]:
    """The register form and the visible schools it selects."""
    schools = visible_schools(request.user)
    form = SchoolFilterForm(
        request.GET or None,
        municipalities=visible_municipalities(request.user),
        schools=schools,
    )
    return form, form.filter(schools)


@require_GET
@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    form, schools = _filtered_schools(request)
    page = Paginator(schools, SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/school_list.html",
        {"form": form, "page_obj": page, "sort": request.GET.get("sort") or "code"},
    )


@require_GET
@login_required
def school_export(request: HttpRequest) -> FileResponse:
    """The filtered register as XLSX in the import format (so it can be edited and re-loaded)."""
    from opora.assessments.exporting import stored_table
    from opora.formats import write_table

    _form, schools = _filtered_schools(request)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schools.xlsx"
        write_table("schools", stored_table("schools", schools), path)
        content = path.read_bytes()
    filename = f"реестр-школ-{timezone.localdate():%d.%m.%Y}.xlsx"
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename)


@require_GET
@login_required
def school_detail(request: HttpRequest, code: str) -> HttpResponse:
    school = get_school_for_user(request.user, code)
    years, procedures = school_result_choices(school)
    year = _choice(request.GET.get("year"), [str(y) for y in years])
    procedure = _choice(request.GET.get("procedure"), procedures)
    results = school_results(school, year=int(year) if year else None, procedure=procedure)
    context = {
        "school": school,
        "results": results,
        "years": years,
        "procedures": procedures,
        "selected_year": year,
        "selected_procedure": procedure,
        "threshold": LOW_SHARE_PERCENT,
        "min_participants": MIN_PARTICIPANTS,
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        response = render(request, "web/_school_results.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    context.update(
        {
            "chart": failure_chart(school),
            "social": school_context(school),
            "sees_region": sees_region(request.user),
            "municipality_visible": _municipality_visible(request, school),
        }
    )
    response = render(request, "web/school_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _choice(value: str | None, allowed: list[str]) -> str | None:
    return value if value in allowed else None


def _municipality_visible(request: HttpRequest, school: School) -> bool:
    return visible_municipalities(request.user).filter(pk=school.municipality_id).exists()
