"""What every programs view shares: turning a service's refusal into a Russian message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

T = TypeVar("T")


def attempt(request: HttpRequest, action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run a service; a ValidationError becomes an error message (PermissionDenied still
    becomes the 403 page, since a user who sees the button may do the action)."""
    try:
        return action(*args, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
