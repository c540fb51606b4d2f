"""Every change to programs and roadmaps: checks the right, writes the audit, one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from opora.accounts.audit import record
from opora.programs import access
from opora.programs.fields import ACTIVITY_FIELDS, PASSPORT_FIELDS
from opora.programs.models import (
    Activity,
    DuePoint,
    Level,
    PointStatus,
    Program,
    ProgramStatus,
    ProgressReport,
    ReviewComment,
    Section,
)
from opora.programs.models.programs import CommentKind
from opora.programs.recurrence import DeadlineError, expand, parse_deadline
from opora.territory.models import School

if TYPE_CHECKING:
    from opora.accounts.models import User


def _audit(
    user: User | None, action: str, summary: str, program: Program, obj: Any = None, **details: Any
) -> None:
    record(
        user,
        f"programs.{action}",
        summary,
        obj=obj if obj is not None else program,
        details={"program_id": program.pk, **details},
    )


# --------------------------------------------------------------------------- programs


@transaction.atomic
def create_program(
    user: User,
    *,
    level: str,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    parent: Program | None = None,
    school: School | None = None,
    template_key: str = "",
    **passport: Any,
) -> Program:
    """Create a program of the user's level and territory.

    A school creates its roadmap (under its municipality's program when one exists), a
    municipality its address program, the region its regional program.
    """
    access.require(
        access.can_create(user, level),
        "Создавать программу этого уровня может только её владелец: школа — дорожную карту, "
        "муниципалитет — адресную программу, регион — региональную программу.",
    )
    if period_end < period_start:
        raise ValidationError("Окончание реализации раньше начала. Проверьте сроки программы.")
    region, municipality = _territory(user, level, school)
    if level == Level.SCHOOL:
        school = school or user.school
        municipality = school.municipality
    if parent is not None:
        expected_parent = {Level.SCHOOL: Level.MUNICIPALITY, Level.MUNICIPALITY: Level.REGION}.get(
            Level(level)
        )
        if parent.level != expected_parent:
            raise ValidationError(
                "Дорожная карта школы относится к муниципальной программе, муниципальная "
                "программа — к региональной. Выберите программу нужного уровня."
            )
    program = Program.objects.create(
        level=level,
        name=name,
        region=region,
        municipality=municipality,
        school=school if level == Level.SCHOOL else None,
        parent=parent,
        period_start=period_start,
        period_end=period_end,
        template_key=template_key,
        created_by=user,
        **{k: v for k, v in passport.items() if k in PASSPORT_FIELDS},
    )
    if level == Level.SCHOOL and school is not None:
        program.participants.add(school)
    _audit(user, "program.create", f"Создана программа «{name}»", program)
    return program


def _territory(user: User, level: str, school: School | None) -> tuple[Any, Any]:
    if level == Level.SCHOOL:
        target = school or user.school
        if target is None:
            raise ValidationError("Укажите школу, для которой составляется дорожная карта.")
        if not user.is_superuser and user.school_id != target.pk:
            raise access.PermissionDenied("Школа может составлять дорожную карту только для себя.")
        return target.municipality.region, target.municipality
    if level == Level.MUNICIPALITY:
        municipality = user.municipality if user.municipality_id else None
        if municipality is None:
            raise ValidationError("Укажите муниципалитет программы.")
        return municipality.region, municipality
    region = user.region if user.region_id else None
    if region is None:
        raise ValidationError("Укажите регион программы.")
    return region, None


@transaction.atomic
def update_passport(user: User, program: Program, **fields: Any) -> Program:
    access.require(
        access.can_edit(user, program),
        "Паспорт можно менять только в черновике или после возврата на доработку, и только "
        "владельцу программы.",
    )
    changed = {}
    for key, value in fields.items():
        if key in PASSPORT_FIELDS and getattr(program, key) != value:
            changed[key] = [_plain(getattr(program, key)), _plain(value)]
            setattr(program, key, value)
    if program.period_end < program.period_start:
        raise ValidationError("Окончание реализации раньше начала. Проверьте сроки программы.")
    program.save()
    if {"period_start", "period_end"} & changed.keys():
        for activity in program.activities.all():
            _sync_due_points(activity)
    _audit(user, "program.update", "Изменён паспорт программы", program, changes=changed)
    return program


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def set_participants(
    user: User,
    program: Program,
    schools: Iterable[School],
    source_run_id: int | None = None,
    *,
    note: str = "",
    **details: Any,
) -> list[School]:
    """Participating schools, chosen by hand or taken from an approved identification run
    (programs.participants.fill_from_approved_run); ``note`` ends the audit summary."""
    access.require(
        access.can_edit(user, program), "Состав участников меняет владелец программы в черновике."
    )
    from opora.territory.selectors import visible_schools

    chosen = list(schools)
    allowed = set(visible_schools(user).values_list("pk", flat=True))
    foreign = [s for s in chosen if s.pk not in allowed]
    if foreign:
        raise ValidationError(
            f"Школа «{foreign[0].name}» не относится к вашей территории. Выберите школы из списка."
        )
    program.participants.set(chosen)
    program.source_run_id = source_run_id
    program.save(update_fields=["source_run_id", "updated_at"])
    _audit(
        user,
        "program.participants",
        f"Школ-участников: {len(chosen)}" + (f": {note}" if note else ""),
        program,
        schools=[s.code for s in chosen],
        source_run_id=source_run_id,
        **details,
    )
    return chosen


# --------------------------------------------------------------------------- roadmap


@transaction.atomic
def add_section(user: User, program: Program, title: str, number: str = "") -> Section:
    access.require(
        access.can_edit(user, program), "Менять дорожную карту может её владелец в черновике."
    )
    position = program.sections.count() + 1
    section = Section.objects.create(program=program, title=title, number=number, position=position)
    _audit(user, "section.add", f"Добавлен раздел «{title}»", program, obj=section)
    return section


@transaction.atomic
def add_activity(
    user: User, program: Program, *, section: Section | None = None, **fields: Any
) -> Activity:
    access.require(
        access.can_edit(user, program), "Менять дорожную карту может её владелец в черновике."
    )
    _check_activity(fields)
    if section is not None and section.program_id != program.pk:
        raise ValidationError("Раздел относится к другой программе.")
    position = (
        program.activities.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    activity = Activity.objects.create(
        program=program,
        section=section,
        position=position,
        **{k: v for k, v in fields.items() if k in ACTIVITY_FIELDS},
    )
    _sync_due_points(activity)
    _audit(
        user,
        "activity.add",
        f"Добавлено мероприятие «{activity.title[:100]}»",
        program,
        obj=activity,
    )
    return activity


def _check_activity(fields: dict[str, Any]) -> None:
    if not str(fields.get("title", "")).strip():
        raise ValidationError("Укажите наименование мероприятия.")
    if not str(fields.get("deadline", "")).strip():
        raise ValidationError(
            "Укажите срок мероприятия: дату («июль 2021»), период («2021-2023») или "
            "периодичность («ежегодно, июль»)."
        )


@transaction.atomic
def update_activity(user: User, activity: Activity, **fields: Any) -> Activity:
    program = activity.program
    access.require(
        access.can_edit(user, program), "Менять дорожную карту может её владелец в черновике."
    )
    merged = {k: getattr(activity, k) for k in ACTIVITY_FIELDS} | fields
    _check_activity(merged)
    changes = {}
    for key in ACTIVITY_FIELDS:
        if key in fields and getattr(activity, key) != fields[key]:
            changes[key] = [getattr(activity, key), fields[key]]
            setattr(activity, key, fields[key])
    if "section" in fields:
        activity.section = fields["section"]
    activity.save()
    if "deadline" in changes:
        _sync_due_points(activity)
    _audit(
        user,
        "activity.update",
        f"Изменено мероприятие «{activity.title[:100]}»",
        program,
        obj=activity,
        changes=changes,
    )
    return activity


@transaction.atomic
def delete_activity(user: User, activity: Activity) -> None:
    program = activity.program
    access.require(
        access.can_edit(user, program), "Менять дорожную карту может её владелец в черновике."
    )
    title = activity.title
    activity.delete()
    _audit(user, "activity.delete", f"Удалено мероприятие «{title[:100]}»", program)


def _sync_due_points(activity: Activity) -> None:
    """Recompute the dated points of an activity; points with recorded work are never lost."""
    program = activity.program
    try:
        wanted = {
            d.date: d.label
            for d in expand(activity.deadline, program.period_start, program.period_end)
        }
        recognized = True
    except DeadlineError:
        wanted, recognized = {}, False
    if activity.deadline_recognized != recognized:
        activity.deadline_recognized = recognized
        activity.save(update_fields=["deadline_recognized"])
    existing = {p.due_date: p for p in activity.due_points.all()}
    for day, point in existing.items():
        if day not in wanted and _untouched(point):
            point.delete()
    DuePoint.objects.bulk_create(
        DuePoint(activity=activity, program=program, due_date=day, label=label)
        for day, label in wanted.items()
        if day not in existing
    )


def _untouched(point: DuePoint) -> bool:
    return (
        point.status == PointStatus.PLANNED
        and not point.result_note
        and not point.evidence_url
        and not point.evidence_file
    )


@dataclass
class ActivityRow:
    """One roadmap row as it comes from a template or an imported table."""

    section: str
    title: str
    deadline: str
    number: str = ""
    responsible: str = ""
    expected_result: str = ""
    quality_indicator: str = ""
    cause: str = ""
    section_number: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def add_rows(user: User, program: Program, rows: Sequence[ActivityRow], source: str) -> int:
    """Append many rows at once (templates, imports): sections by title, due points in bulk."""
    access.require(
        access.can_edit(user, program), "Менять дорожную карту может её владелец в черновике."
    )
    sections = {s.title: s for s in program.sections.all()}
    position = program.activities.count()
    activities = []
    for row in rows:
        section = None
        if row.section:
            section = sections.get(row.section)
            if section is None:
                section = Section.objects.create(
                    program=program,
                    title=row.section,
                    number=row.section_number,
                    position=len(sections) + 1,
                )
                sections[row.section] = section
        position += 1
        activities.append(
            Activity(
                program=program,
                section=section,
                position=position,
                number=row.number,
                title=row.title,
                deadline=row.deadline,
                responsible=row.responsible,
                expected_result=row.expected_result,
                quality_indicator=row.quality_indicator,
                cause=row.cause,
            )
        )
    Activity.objects.bulk_create(activities)
    points = []
    for activity in activities:
        try:
            dues = expand(
                parse_deadline(activity.deadline), program.period_start, program.period_end
            )
        except DeadlineError:
            activity.deadline_recognized = False
            activity.save(update_fields=["deadline_recognized"])
            continue
        points.extend(
            DuePoint(activity=activity, program=program, due_date=d.date, label=d.label)
            for d in dues
        )
    DuePoint.objects.bulk_create(points, batch_size=500)
    _audit(
        user,
        "activity.bulk_add",
        f"Добавлено мероприятий: {len(activities)} ({source})",
        program,
        source=source,
    )
    return len(activities)


# --------------------------------------------------------------------------- progress


@transaction.atomic
def update_due_point(
    user: User,
    point: DuePoint,
    *,
    status: str,
    result_note: str = "",
    evidence_url: str = "",
    evidence_file: Any = None,
    completed_on: dt.date | None = None,
) -> DuePoint:
    """Record progress on one due point. «Просрочено» is never stored: it is computed."""
    program = point.program
    access.require(
        access.can_report(user, program), "Отмечать выполнение может только владелец программы."
    )
    if status not in PointStatus.values:
        raise ValidationError(
            "Статус «просрочено» ставится автоматически. Выберите: запланировано, выполняется, "
            "выполнено или отменено."
        )
    if status == PointStatus.DONE and not (
        result_note.strip() or evidence_url or evidence_file or point.evidence_file
    ):
        raise ValidationError(
            "Чтобы отметить мероприятие выполненным, опишите результат или приложите "
            "подтверждение (файл или ссылку)."
        )
    before = point.status
    point.status = status
    point.result_note = result_note
    point.evidence_url = evidence_url
    if evidence_file is not None:
        point.evidence_file = evidence_file
    if status == PointStatus.DONE:
        point.completed_on = completed_on or timezone.localdate()
    else:
        point.completed_on = None
    point.updated_by = user
    point.save()
    _audit(
        user,
        "point.update",
        f"«{point.activity.title[:80]}», {point.label}: {PointStatus(status).label}",
        program,
        obj=point,
        status=[before, status],
    )
    return point


@transaction.atomic
def submit_progress_report(
    user: User, program: Program, period_start: dt.date, period_end: dt.date, summary: str
) -> ProgressReport:
    access.require(
        access.can_report(user, program), "Отчёт о ходе реализации представляет владелец программы."
    )
    report, created = ProgressReport.objects.update_or_create(
        program=program,
        period_start=period_start,
        defaults={"period_end": period_end, "summary": summary, "submitted_by": user},
    )
    _audit(
        user,
        "report.submit",
        f"Отчёт за период {period_start:%d.%m.%Y}–{period_end:%d.%m.%Y}",
        program,
        obj=report,
        created=created,
    )
    return report


# --------------------------------------------------------------------------- workflow


@transaction.atomic
def submit(user: User, program: Program) -> Program:
    access.require(
        access.can_edit(user, program), "Направить на рассмотрение может владелец черновика."
    )
    if not program.activities.exists():
        raise ValidationError(
            "В дорожной карте нет ни одного мероприятия. Добавьте мероприятия и направьте снова."
        )
    program.status = ProgramStatus.SUBMITTED
    program.submitted_at = timezone.now()
    program.save(update_fields=["status", "submitted_at", "updated_at"])
    ReviewComment.objects.create(program=program, author=user, kind=CommentKind.SUBMIT)
    _audit(user, "program.submit", "Направлена на рассмотрение", program)
    return program


@transaction.atomic
def approve(user: User, program: Program, text: str = "") -> Program:
    access.require(
        access.can_review(user, program),
        "Утверждать может только вышестоящий уровень: муниципалитет — дорожные карты своих "
        "школ, регион — муниципальные программы.",
    )
    if program.status != ProgramStatus.SUBMITTED and program.level != Level.REGION:
        raise ValidationError("Утвердить можно только программу, направленную на рассмотрение.")
    program.status = ProgramStatus.APPROVED
    program.approved_at = timezone.now()
    program.approved_by = user
    program.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    if program.previous_id:
        Program.objects.filter(pk=program.previous_id).update(status=ProgramStatus.SUPERSEDED)
    ReviewComment.objects.create(program=program, author=user, kind=CommentKind.APPROVE, text=text)
    _audit(user, "program.approve", "Утверждена", program, text=text)
    return program


@transaction.atomic
def return_for_revision(user: User, program: Program, text: str) -> Program:
    access.require(
        access.can_review(user, program),
        "Вернуть на доработку может только вышестоящий уровень.",
    )
    if program.status != ProgramStatus.SUBMITTED:
        raise ValidationError(
            "Вернуть на доработку можно только программу, направленную на рассмотрение."
        )
    if not text.strip():
        raise ValidationError(
            "Напишите, что нужно исправить: без замечаний вернуть на доработку нельзя."
        )
    program.status = ProgramStatus.RETURNED
    program.save(update_fields=["status", "updated_at"])
    ReviewComment.objects.create(program=program, author=user, kind=CommentKind.RETURN, text=text)
    _audit(user, "program.return", f"Возвращена на доработку: {text[:200]}", program, text=text)
    return program


@transaction.atomic
def comment(
    user: User, program: Program, text: str, activity: Activity | None = None
) -> ReviewComment:
    access.require(
        access.can_comment(user, program),
        "Комментировать могут владелец, проверяющий и куратор школы.",
    )
    if not text.strip():
        raise ValidationError("Комментарий пустой. Напишите текст комментария.")
    note = ReviewComment.objects.create(
        program=program, author=user, kind=CommentKind.COMMENT, text=text, activity=activity
    )
    _audit(user, "program.comment", text[:200], program, obj=note)
    return note


@transaction.atomic
def revise(user: User, program: Program, year: int | None = None) -> Program:
    """Annual revision (актуализация): a new draft version; the approved one stays in force
    until the new one is approved."""
    owner_ok = access.can_report(user, program)
    access.require(owner_ok, "Актуализировать программу может её владелец.")
    if program.status != ProgramStatus.APPROVED:
        raise ValidationError("Актуализировать можно только утверждённую программу.")
    if Program.objects.filter(previous=program).exists():
        raise ValidationError("Новая редакция уже создана. Откройте её и продолжите работу.")
    new = Program.objects.get(pk=program.pk)
    new.pk = None
    new.id = None
    new.previous = program
    new.version = program.version + 1
    new.status = ProgramStatus.DRAFT
    new.submitted_at = new.approved_at = None
    new.approved_by = None
    new.created_by = user
    new.save()
    new.participants.set(program.participants.all())
    section_map: dict[int, Section] = {}
    for section in program.sections.all():
        old_pk = section.pk
        section.pk = None
        section.id = None
        section.program = new
        section.save()
        section_map[old_pk] = section
    activity_map: dict[int, Activity] = {}
    for activity in program.activities.all():
        old_pk = activity.pk
        activity.pk = None
        activity.id = None
        activity.program = new
        activity.section = section_map.get(activity.section_id) if activity.section_id else None
        activity.save()
        activity_map[old_pk] = activity
    points = []
    for point in program.due_points.all():
        point.pk = None
        point.id = None
        point.program = new
        point.activity = activity_map[point.activity_id]
        points.append(point)
    DuePoint.objects.bulk_create(points)
    for indicator in program.indicators.prefetch_related("targets"):
        targets = list(indicator.targets.all())
        indicator.pk = None
        indicator.id = None
        indicator.program = new
        indicator.save()
        for target in targets:
            target.pk = None
            target.id = None
            target.indicator = indicator
            target.save()
    _audit(
        user,
        "program.revise",
        f"Начата актуализация: редакция {new.version}" + (f" на {year} год" if year else ""),
        new,
        previous_id=program.pk,
    )
    return new
