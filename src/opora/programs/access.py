"""Who may do what with a program. Reads go through selectors.visible_programs; these rules
decide the writes, and every service checks them before changing anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from opora.programs.models import Level, Program

if TYPE_CHECKING:
    from opora.accounts.models import User


def _owns(user: User, program: Program) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if program.level == Level.SCHOOL:
        return user.role == "school" and user.school_id == program.school_id
    if program.level == Level.MUNICIPALITY:
        return user.role == "municipality" and user.municipality_id == program.municipality_id
    return user.role == "region" and user.region_id == program.region_id


def can_edit(user: User, program: Program) -> bool:
    """The owner edits a draft or a returned program (the school its roadmap, the MOUO its
    address program, the ministry the regional program)."""
    return program.is_editable and _owns(user, program)


def can_report(user: User, program: Program) -> bool:
    """The owner records progress (statuses, results, evidence) at any stage."""
    return _owns(user, program) and program.status != "superseded"


def can_review(user: User, program: Program) -> bool:
    """The level above approves or returns: the municipality a school roadmap, the region a
    municipal program, the region its own regional program."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if program.level == Level.SCHOOL:
        return (
            user.role == "municipality"
            and program.school is not None
            and user.municipality_id == program.school.municipality_id
        )
    return user.role == "region" and user.region_id == program.region_id


def can_comment(user: User, program: Program) -> bool:
    """Reviewers, owners and the curators of the school comment."""
    if can_review(user, program) or _owns(user, program):
        return True
    return (
        user.is_authenticated
        and user.role == "curator"
        and program.level == Level.SCHOOL
        and user.curated_schools.filter(pk=program.school_id).exists()
    )


def can_create(user: User, level: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return {
        Level.SCHOOL: user.role == "school" and user.school_id is not None,
        Level.MUNICIPALITY: user.role == "municipality" and user.municipality_id is not None,
        Level.REGION: user.role == "region" and user.region_id is not None,
    }.get(Level(level), False)


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with a Russian explanation unless allowed."""
    if not allowed:
        raise PermissionDenied(message)
