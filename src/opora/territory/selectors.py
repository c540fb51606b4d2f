"""Territory-scoped reads: the one place that decides which schools a user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from opora.territory.models import Municipality, School

if TYPE_CHECKING:
    from opora.accounts.models import User


def visible_schools(user: User) -> QuerySet[School]:
    """Schools the user may see: a region its region, a municipality its schools,
    a school itself, a curator its assigned schools; anybody else nothing."""
    schools = School.objects.select_related("municipality")
    if not user.is_authenticated or not user.is_active:
        return schools.none()
    if user.is_superuser:
        return schools.all()
    role = user.role
    if role == "region" and user.region_id:
        return schools.filter(municipality__region_id=user.region_id)
    if role == "municipality" and user.municipality_id:
        return schools.filter(municipality_id=user.municipality_id)
    if role == "school" and user.school_id:
        return schools.filter(pk=user.school_id)
    if role == "curator":
        return schools.filter(curators=user)
    return schools.none()


def visible_municipalities(user: User) -> QuerySet[Municipality]:
    """Municipalities with at least one visible school (all of the region for a region user)."""
    municipalities = Municipality.objects.select_related("region")
    if not user.is_authenticated or not user.is_active:
        return municipalities.none()
    if user.is_superuser:
        return municipalities.all()
    if user.role == "region" and user.region_id:
        return municipalities.filter(region_id=user.region_id)
    if user.role == "municipality" and user.municipality_id:
        return municipalities.filter(pk=user.municipality_id)
    return municipalities.filter(schools__in=visible_schools(user)).distinct()
