"""Russian number formatting and the optional include hook for other apps' fragments."""

from __future__ import annotations

import math

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.template.loader import get_template
from django.utils.safestring import SafeString

register = template.Library()

NBSP = "\u00a0"
DASH = "—"


@register.filter
def percent(share: float | None) -> str:
    """A share from 0 to 1 as whole percent, Russian style: 0.4286 → «43 %»; None → «—»."""
    if share is None or share == "":
        return DASH
    return f"{math.floor(float(share) * 100 + 0.5)}{NBSP}%"


@register.filter
def number(value: int | float | None, decimals: int | None = None) -> str:
    """An integer with thousands separated by a space (1 150), or a decimal with a comma."""
    if value is None or value == "":
        return DASH
    if decimals is None:
        return intcomma(value)
    return floatformat(value, f"{int(decimals)}g")


@register.simple_tag(takes_context=True)
def optional_include(context: template.Context, template_name: str) -> str:
    """Render a template with the current context if some app provides it, else nothing.

    The hook other apps fill in without touching these templates (e.g. the identification app
    ships ``identification/_school_verdicts.html`` for the school card).
    """
    try:
        fragment = get_template(template_name)
    except template.TemplateDoesNotExist:
        return ""
    return SafeString(fragment.render(context.flatten(), context.get("request")))


@register.filter
def can_import(user) -> bool:
    """Whether to show «Загрузка данных» in the navigation."""
    from opora.web.access import import_kinds_for

    return bool(user.is_authenticated and import_kinds_for(user))
