"""Template filters of the identification pages."""

from __future__ import annotations

from django import template

from opora.analytics._phrases import points
from opora.analytics.verdicts import CATEGORY_LABELS

register = template.Library()


@register.filter
def category_label(code: str) -> str:
    """The Russian label of a category code: «low_results» → «ШНОР»."""
    return CATEGORY_LABELS.get(code, code)


@register.filter
def pp(delta: float | None) -> str:
    """A share difference in percentage points with its sign: 0.161 → «+16 п.п.»."""
    return "—" if delta is None else points(delta)


@register.simple_tag
def school_verdict(school, user) -> dict | None:
    """The school card's verdict block data: the current approved (or else latest) run's
    verdict of the school, if the user may see it."""
    from opora.identification.selectors import school_verdict as find
    from opora.identification.support import verdict_context

    if school is None or user is None:
        return None
    verdict = find(user, school)
    return verdict_context(verdict) if verdict is not None else None
