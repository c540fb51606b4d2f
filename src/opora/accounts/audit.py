"""Writing the audit trail: one function every service calls."""

from __future__ import annotations

from typing import Any

from opora.accounts.models import AuditEvent, User


def record(
    user: User | None,
    action: str,
    summary: str = "",
    *,
    obj: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Store one audit record (call inside the service's transaction)."""
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
        summary=summary,
        details=details or {},
    )
