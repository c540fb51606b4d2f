import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from opora.accounts.models import AuditEvent
from opora.programs import services
from opora.programs.models import DuePoint, Level, Program, ProgramStatus
from opora.programs.revisions import history, roadmap_diff
from opora.programs.selectors import get_program, visible_programs


def test_it_expands_the_deadline_into_due_points(roadmaps):
    points = list(roadmaps.activity.due_points.values_list("due_date", flat=True))
    assert points == [dt.date(2021, 7, 31), dt.date(2022, 7, 31), dt.date(2023, 7, 31)]


def test_it_keeps_points_with_recorded_work_when_the_deadline_changes(world, roadmaps):
    first = roadmaps.activity.due_points.get(due_date=dt.date(2021, 7, 31))
    services.update_due_point(
        world.school_user, first, status="done", result_note="Прошли 3 учителя"
    )
    services.update_activity(world.school_user, roadmaps.activity, deadline="2 раза в год")
    dates = list(roadmaps.activity.due_points.values_list("due_date", flat=True))
    assert dt.date(2021, 7, 31) in dates  # recorded work stays
    assert dt.date(2022, 7, 31) not in dates  # untouched point of the old wording is gone
    assert len(dates) == 7


def test_it_marks_an_unreadable_deadline_and_creates_no_points(world, roadmaps):
    activity = services.add_activity(
        world.school_user, roadmaps.roadmap, title="Что-то", deadline="по возможности"
    )
    assert activity.deadline_recognized is False
    assert not activity.due_points.exists()


def test_it_requires_evidence_or_a_note_to_mark_done(world, roadmaps):
    point = roadmaps.activity.due_points.first()
    with pytest.raises(ValidationError):
        services.update_due_point(world.school_user, point, status="done")
    with pytest.raises(ValidationError):
        services.update_due_point(world.school_user, point, status="overdue")


def test_a_school_user_cannot_read_or_change_another_schools_roadmap(world, roadmaps):
    other = services.create_program(
        world.south_user,
        level=Level.MUNICIPALITY,
        name="Программа Южноозёрска",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    from opora.accounts.models import User

    neighbour = User.objects.create_user(
        "neighbour", role="school", school=world.north_village_school
    )
    assert roadmaps.roadmap not in visible_programs(neighbour)
    with pytest.raises(Http404):
        get_program(neighbour, roadmaps.roadmap.pk)
    with pytest.raises(PermissionDenied):
        services.add_activity(neighbour, roadmaps.roadmap, title="Чужое", deadline="2021")
    with pytest.raises(PermissionDenied):
        services.update_due_point(
            neighbour, roadmaps.activity.due_points.first(), status="in_progress"
        )
    assert other not in visible_programs(world.school_user)
    assert set(visible_programs(world.nobody)) == set()


def test_a_municipality_cannot_approve_another_municipalitys_roadmap(world, roadmaps):
    services.submit(world.school_user, roadmaps.roadmap)
    with pytest.raises(PermissionDenied):
        services.approve(world.south_user, roadmaps.roadmap)
    with pytest.raises(PermissionDenied):
        services.return_for_revision(world.south_user, roadmaps.roadmap, "Нет")
    assert roadmaps.roadmap not in visible_programs(world.south_user)
    # the school itself cannot approve its own roadmap either
    with pytest.raises(PermissionDenied):
        services.approve(world.school_user, roadmaps.roadmap)
    services.approve(world.north_user, roadmaps.roadmap)
    assert Program.objects.get(pk=roadmaps.roadmap.pk).status == ProgramStatus.APPROVED


def test_a_returned_roadmap_keeps_the_reviewers_comments(world, roadmaps):
    roadmap = roadmaps.roadmap
    services.submit(world.school_user, roadmap)
    with pytest.raises(ValidationError):
        services.return_for_revision(world.north_user, roadmap, "  ")
    services.return_for_revision(world.north_user, roadmap, "Добавьте работу со слабоуспевающими")
    services.comment(world.curator if False else world.north_user, roadmap, "И сроки уточните")
    roadmap.refresh_from_db()
    assert roadmap.status == ProgramStatus.RETURNED
    services.add_activity(
        world.school_user, roadmap, title="Дополнительные занятия", deadline="1 раз в четверть"
    )
    services.submit(world.school_user, roadmap)
    services.approve(world.north_user, roadmap)
    texts = list(roadmap.comments.values_list("kind", "text"))
    assert ("return", "Добавьте работу со слабоуспевающими") in texts
    assert ("comment", "И сроки уточните") in texts
    assert [k for k, _ in texts] == ["submit", "return", "comment", "submit", "approve"]


def test_a_curator_comments_only_on_curated_schools(world, roadmaps):
    with pytest.raises(PermissionDenied):
        services.comment(world.curator, roadmaps.roadmap, "Замечание")  # curates another school
    world.curator.curated_schools.add(world.north_school)
    services.comment(world.curator, roadmaps.roadmap, "Замечание")
    with pytest.raises(PermissionDenied):
        services.add_activity(world.curator, roadmaps.roadmap, title="x", deadline="2021")


def test_an_approved_roadmap_cannot_be_edited_but_progress_can_be_recorded(world, roadmaps):
    services.submit(world.school_user, roadmaps.roadmap)
    with pytest.raises(PermissionDenied):
        services.add_activity(world.school_user, roadmaps.roadmap, title="x", deadline="2021")
    services.approve(world.north_user, roadmaps.roadmap)
    point = roadmaps.activity.due_points.first()
    services.update_due_point(world.school_user, point, status="in_progress")


def test_revision_keeps_the_previous_version_and_shows_the_difference(world, roadmaps):
    services.submit(world.school_user, roadmaps.roadmap)
    services.approve(world.north_user, roadmaps.roadmap)
    new = services.revise(world.school_user, roadmaps.roadmap, year=2022)
    assert new.version == 2 and new.previous_id == roadmaps.roadmap.pk
    assert new.activities.count() == 1 and new.due_points.count() == 3
    moved = new.activities.get()
    services.update_activity(world.school_user, moved, deadline="ежегодно, август")
    services.add_activity(
        world.school_user, new, title="Работа с родителями", deadline="2 раза в год"
    )
    changes = roadmap_diff(roadmaps.roadmap, new)
    assert [(c.kind, c.title) for c in changes] == [
        ("changed", "Повышение квалификации учителей математики"),
        ("added", "Работа с родителями"),
    ]
    assert changes[0].fields == [("сроки", "ежегодно, июль", "ежегодно, август")]
    # the old version stays in force until the new one is approved
    assert Program.objects.get(pk=roadmaps.roadmap.pk).status == ProgramStatus.APPROVED
    services.submit(world.school_user, new)
    services.approve(world.north_user, new)
    assert Program.objects.get(pk=roadmaps.roadmap.pk).status == ProgramStatus.SUPERSEDED
    actions = list(history(new).values_list("action", flat=True))
    assert "programs.program.revise" in actions and "programs.activity.add" in actions
    assert "programs.program.create" in actions  # from the first version


def test_every_change_is_audited_with_who_and_what(world, roadmaps):
    events = AuditEvent.objects.filter(details__program_id=roadmaps.roadmap.pk)
    assert {e.user.username for e in events} == {"school"}
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "programs.program.create",
        "programs.section.add",
        "programs.activity.add",
    ]


def test_only_the_owner_level_creates_programs(world):
    with pytest.raises(PermissionDenied):
        services.create_program(
            world.school_user,
            level=Level.MUNICIPALITY,
            name="x",
            period_start=dt.date(2021, 1, 1),
            period_end=dt.date(2021, 12, 31),
        )
    with pytest.raises(ValidationError):
        services.create_program(
            world.north_user,
            level=Level.MUNICIPALITY,
            name="x",
            period_start=dt.date(2021, 1, 1),
            period_end=dt.date(2020, 12, 31),
        )


def test_participants_come_from_the_users_territory(world, roadmaps):
    services.set_participants(
        world.north_user, roadmaps.municipal, [world.north_school], source_run_id=None
    )
    assert list(roadmaps.municipal.participants.all()) == [world.north_school]
    with pytest.raises(ValidationError):
        services.set_participants(world.north_user, roadmaps.municipal, [world.south_school])


def test_due_points_are_stored_once_per_date(world, roadmaps):
    assert DuePoint.objects.filter(activity=roadmaps.activity).count() == 3
