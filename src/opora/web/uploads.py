"""Uploaded files waiting for the user's confirmation.

An upload lives in ``MEDIA_ROOT/uploads/<uuid>/``: the file as sent and ``upload.json`` with
its owner, kind, original name and the stored preview (the import plan as plain data). Nothing
reaches the database before the owner confirms; the folder is deleted after the import.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404

from opora.accounts.models import User

STALE_AFTER_SECONDS = 2 * 24 * 3600


@dataclass
class PlanRecord:
    """What the preview page needs from an ``ImportPlan``, as JSON-friendly data."""

    ok: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_subjects: list[str] = field(default_factory=list)
    new_municipalities: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    region: str = ""
    new_region: bool = False
    warnings: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""

    @classmethod
    def from_plan(cls, plan: Any) -> PlanRecord:
        errors = [
            {
                "row": getattr(error, "row", None),
                "column": getattr(error, "column", "") or "",
                "value": "" if getattr(error, "value", None) is None else str(error.value),
                "message": getattr(error, "message", str(error)),
            }
            for error in plan.errors
        ]
        summary = plan.summary_text() if hasattr(plan, "summary_text") else ""
        return cls(
            ok=bool(plan.ok),
            rows=plan.rows,
            created=plan.created,
            updated=plan.updated,
            unchanged=plan.unchanged,
            new_subjects=[str(name) for name in plan.new_subjects],
            new_municipalities=[str(name) for name in plan.new_municipalities],
            archived=[str(code) for code in getattr(plan, "archived", [])],
            region=str(getattr(plan, "region", "") or ""),
            new_region=bool(getattr(plan, "new_region", False)),
            warnings=[str(warning) for warning in plan.warnings],
            errors=errors,
            summary=summary,
        )


@dataclass
class PendingUpload:
    token: str
    owner_id: int
    kind: str
    filename: str
    uploaded_at: float
    archive_missing: bool = False
    plan: PlanRecord | None = None

    @property
    def folder(self) -> Path:
        return uploads_root() / self.token

    @property
    def path(self) -> Path:
        return self.folder / ("source" + Path(self.filename).suffix.lower())

    def save(self) -> None:
        data = asdict(self)
        (self.folder / "upload.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads"


def store_upload(
    user: User, kind: str, upload: UploadedFile, *, archive_missing: bool = False
) -> PendingUpload:
    """Save an uploaded file for the user; old abandoned uploads are cleared on the way."""
    _clear_stale()
    pending = PendingUpload(
        token=uuid.uuid4().hex,
        owner_id=user.pk,
        kind=kind,
        filename=Path(upload.name or "file").name,
        uploaded_at=time.time(),
        archive_missing=archive_missing and kind == "schools",
    )
    pending.folder.mkdir(parents=True, exist_ok=False)
    with pending.path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    pending.save()
    return pending


def load_upload(user: User, token: str) -> PendingUpload:
    """The user's pending upload; 404 for a malformed token, a missing upload or another
    user's upload (confirming someone else's file must not be possible)."""
    try:
        token = uuid.UUID(token).hex
    except ValueError:
        raise Http404("Загрузка не найдена.") from None
    meta = uploads_root() / token / "upload.json"
    if not meta.is_file():
        raise Http404("Загрузка не найдена: возможно, она уже применена или устарела.")
    data = json.loads(meta.read_text("utf-8"))
    if data["owner_id"] != user.pk:
        raise Http404("Загрузка не найдена.")
    plan = data.pop("plan")
    pending = PendingUpload(**data)
    pending.plan = PlanRecord(**plan) if plan else None
    return pending


def _clear_stale() -> None:
    root = uploads_root()
    if not root.is_dir():
        return
    limit = time.time() - STALE_AFTER_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
