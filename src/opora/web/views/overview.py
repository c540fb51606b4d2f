"""The landing page of each role and the municipality page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from opora.accounts.models import Role
from opora.assessments.selectors import (
    LOW_SHARE_PERCENT,
    MIN_PARTICIPANTS,
    region_overview,
    school_table,
)
from opora.territory.selectors import visible_municipalities, visible_schools
from opora.web.access import get_municipality_for_user, sees_region


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Region staff get the overview; a municipality or a school goes to its own page;
    a curator gets the list of assigned schools; anyone else an explanation."""
    user = request.user
    if sees_region(user):
        overview = region_overview(visible_municipalities(user), visible_schools(user))
        return render(
            request,
            "web/overview.html",
            {
                "overview": overview,
                "several_regions": len({row.municipality.region_id for row in overview.rows}) > 1,
                "threshold": LOW_SHARE_PERCENT,
                "min_participants": MIN_PARTICIPANTS,
            },
        )
    if user.role == Role.MUNICIPALITY and user.municipality_id:
        return redirect("municipality_detail", pk=user.municipality_id)
    if user.role == Role.SCHOOL and user.school_id:
        school = visible_schools(user).first()
        if school is not None:
            return redirect("school_detail", code=school.code)
    if user.role == Role.CURATOR:
        table = school_table(visible_schools(user).filter(is_archived=False))
        return render(
            request,
            "web/curated_schools.html",
            {"table": table, "threshold": LOW_SHARE_PERCENT, "min_participants": MIN_PARTICIPANTS},
        )
    return render(request, "web/no_access.html")


@require_GET
@login_required
def municipality_detail(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = get_municipality_for_user(request.user, pk)
    schools = visible_schools(request.user).filter(municipality=municipality, is_archived=False)
    return render(
        request,
        "web/municipality.html",
        {
            "municipality": municipality,
            "table": school_table(schools),
            "threshold": LOW_SHARE_PERCENT,
            "min_participants": MIN_PARTICIPANTS,
            "sees_region": sees_region(request.user),
        },
    )
