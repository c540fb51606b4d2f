"""Territory-scoped reads of assessment data for the API.

Every row is reached through `visible_schools(user)`, so the API never decides access on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from opora.assessments.models import Result, SchoolContext
from opora.territory.selectors import visible_schools

if TYPE_CHECKING:
    from opora.accounts.models import User


def visible_results(user: User) -> QuerySet[Result]:
    """Aggregated results of the schools the user may see, in the order of the results file."""
    return (
        Result.objects.filter(school__in=visible_schools(user))
        .select_related("school", "procedure", "subject")
        .order_by("school__code", "year", "procedure__name", "subject__name", "grade")
    )


def visible_contexts(user: User) -> QuerySet[SchoolContext]:
    """Social context rows of the schools the user may see, by school code and year."""
    return (
        SchoolContext.objects.filter(school__in=visible_schools(user))
        .select_related("school")
        .order_by("school__code", "year")
    )
