"""Access helpers for the views: every lookup goes through the user's visible territory."""

from __future__ import annotations

from django.http import Http404

from opora.accounts.models import Role, User
from opora.territory.models import Municipality, School
from opora.territory.selectors import visible_municipalities, visible_schools

IMPORT_KINDS_ALL = ("schools", "results", "context", "students")
IMPORT_KINDS_TERRITORY = ("results", "context", "students")


def get_school_for_user(user: User, code: str) -> School:
    """The school with this code if the user may see it; 404 otherwise, so that a school the
    user may not see is indistinguishable from one that does not exist."""
    try:
        return visible_schools(user).get(code=code)
    except School.DoesNotExist:
        raise Http404("Школа не найдена или недоступна.") from None


def get_municipality_for_user(user: User, pk: int) -> Municipality:
    """The municipality if the user may see it (404 otherwise, for the same reason)."""
    try:
        return visible_municipalities(user).get(pk=pk)
    except Municipality.DoesNotExist:
        raise Http404("Муниципалитет не найден или недоступен.") from None


def sees_region(user: User) -> bool:
    """Region staff and superusers get the region overview."""
    return user.is_superuser or (user.role == Role.REGION and user.region_id is not None)


def import_kinds_for(user: User) -> tuple[str, ...]:
    """Which files the user may upload: the register only at the region level; results and
    context for any territory (the import service keeps the rows within it); none otherwise."""
    if sees_region(user):
        return IMPORT_KINDS_ALL
    if user.role == Role.MUNICIPALITY and user.municipality_id:
        return IMPORT_KINDS_TERRITORY
    if user.role == Role.SCHOOL and user.school_id:
        return IMPORT_KINDS_TERRITORY
    return ()
