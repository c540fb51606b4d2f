"""The difference between two versions of a roadmap, and the change history of a program."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from opora.accounts.models import AuditEvent
from opora.programs.fields import ACTIVITY_FIELDS, PASSPORT_FIELDS
from opora.programs.models import Activity, Program

FIELD_LABELS = {
    name: str(Activity._meta.get_field(name).verbose_name) for name in ACTIVITY_FIELDS
} | {name: str(Program._meta.get_field(name).verbose_name) for name in PASSPORT_FIELDS}


@dataclass
class Change:
    kind: str  # added, removed, changed
    title: str
    fields: list[tuple[str, str, str]]  # (label, before, after)

    @property
    def kind_label(self) -> str:
        return {"added": "добавлено", "removed": "исключено", "changed": "изменено"}[self.kind]


def _key(activity: Activity) -> str:
    return " ".join(activity.title.lower().split())


def roadmap_diff(old: Program, new: Program) -> list[Change]:
    """Activities added, removed or changed between two versions, matched by their wording."""
    changes: list[Change] = []
    for name in PASSPORT_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(
                Change(
                    "changed",
                    "Паспорт",
                    [(FIELD_LABELS[name], str(before or ""), str(after or ""))],
                )
            )
    before = {_key(a): a for a in old.activities.all()}
    after = {_key(a): a for a in new.activities.all()}
    for key, activity in after.items():
        if key not in before:
            changes.append(Change("added", activity.title, []))
            continue
        fields = [
            (FIELD_LABELS[name], str(getattr(before[key], name)), str(getattr(activity, name)))
            for name in ACTIVITY_FIELDS
            if getattr(before[key], name) != getattr(activity, name)
        ]
        if fields:
            changes.append(Change("changed", activity.title, fields))
    for key, activity in before.items():
        if key not in after:
            changes.append(Change("removed", activity.title, []))
    return changes


def history(program: Program) -> QuerySet[AuditEvent]:
    """Every change of this program and of the versions before it: who, when, what."""
    ids = [program.pk]
    cursor = program
    while cursor.previous_id:
        ids.append(cursor.previous_id)
        cursor = cursor.previous
    return AuditEvent.objects.filter(details__program_id__in=ids).select_related("user")
