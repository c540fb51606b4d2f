import datetime as dt

import pytest
from django.urls import reverse

from opora.programs import services
from opora.programs.models import Program, ProgramStatus

PASSWORD = "opora-test-pass"  # tests/conftest.py


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def point(roadmaps):
    return roadmaps.activity.due_points.order_by("due_date").first()


def test_every_page_of_a_roadmap_opens_for_its_school(client, world, roadmaps, point):
    login(client, world.school_user)
    pk = roadmaps.roadmap.pk
    names = [
        ("programs:index", []),
        ("programs:create", []),
        ("programs:monitoring", []),
        ("programs:causes", []),
        ("programs:detail", [pk]),
        ("programs:edit_passport", [pk]),
        ("programs:participants", [pk]),
        ("programs:add_activity", [pk]),
        ("programs:edit_activity", [pk, roadmaps.activity.pk]),
        ("programs:update_point", [pk, point.pk]),
        ("programs:history", [pk]),
        ("programs:diff", [pk]),
        ("programs:indicators", [pk]),
        ("programs:program_monitoring", [pk]),
        ("programs:import_start", [pk]),
        ("programs:cause_form", [world.north_school.code, 2021]),
    ]
    for name, args in names:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    assert (
        "Повышение квалификации учителей математики"
        in client.get(reverse("programs:detail", args=[pk])).content.decode()
    )


def test_a_school_cannot_open_another_schools_roadmap(client, world, roadmaps, point):
    from opora.accounts.models import User

    User.objects.create_user(
        "neighbour", password=PASSWORD, role="school", school=world.north_village_school
    )
    client.login(username="neighbour", password=PASSWORD)
    pk = roadmaps.roadmap.pk
    for name, args in [
        ("programs:detail", [pk]),
        ("programs:indicators", [pk]),
        ("programs:export_docx", [pk]),
        ("programs:export_xlsx", [pk]),
        ("programs:history", [pk]),
        ("programs:update_point", [pk, point.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    response = client.post(
        reverse("programs:add_activity", args=[pk]), {"title": "x", "deadline": "2021"}
    )
    assert response.status_code == 404
    assert roadmaps.roadmap.activities.count() == 1
    assert "Дорожная карта" not in client.get(reverse("programs:index")).content.decode()


def test_nobody_sees_nothing(client, world, roadmaps):
    login(client, world.nobody)
    assert client.get(reverse("programs:detail", args=[roadmaps.roadmap.pk])).status_code == 404
    assert client.get(reverse("programs:create")).status_code == 403


def test_another_municipality_cannot_approve_over_http(client, world, roadmaps):
    services.submit(world.school_user, roadmaps.roadmap)
    login(client, world.south_user)
    response = client.post(
        reverse("programs:review", args=[roadmaps.roadmap.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    assert Program.objects.get(pk=roadmaps.roadmap.pk).status == ProgramStatus.SUBMITTED


def test_the_review_loop_over_http(client, world, roadmaps):
    pk = roadmaps.roadmap.pk
    login(client, world.school_user)
    client.post(reverse("programs:submit", args=[pk]))
    client.logout()
    login(client, world.north_user)
    page = client.get(reverse("programs:detail", args=[pk])).content.decode()
    assert "Вернуть на доработку" in page
    response = client.post(
        reverse("programs:review", args=[pk]), {"decision": "return", "text": ""}, follow=True
    )
    assert "без замечаний вернуть на доработку нельзя" in response.content.decode()
    client.post(
        reverse("programs:review", args=[pk]),
        {"decision": "return", "text": "Уточните ответственных"},
    )
    assert Program.objects.get(pk=pk).status == ProgramStatus.RETURNED
    client.logout()
    login(client, world.school_user)
    assert (
        "Уточните ответственных"
        in client.get(reverse("programs:detail", args=[pk])).content.decode()
    )
    response = client.post(
        reverse("programs:edit_activity", args=[pk, roadmaps.activity.pk]),
        {
            "title": "Повышение квалификации учителей математики",
            "deadline": "ежегодно, июль",
            "responsible": "Иванова И. И.",
        },
    )
    assert response.status_code == 302
    client.post(reverse("programs:submit", args=[pk]))
    client.logout()
    login(client, world.north_user)
    client.post(reverse("programs:review", args=[pk]), {"decision": "approve"})
    assert Program.objects.get(pk=pk).status == ProgramStatus.APPROVED


def test_a_school_records_progress_with_evidence(client, world, roadmaps, point):
    login(client, world.school_user)
    url = reverse("programs:update_point", args=[roadmaps.roadmap.pk, point.pk])
    response = client.post(
        url, {"status": "done", "result_note": "", "evidence_url": ""}, follow=True
    )
    assert "опишите результат" in response.content.decode()
    client.post(
        url,
        {"status": "done", "result_note": "Прошли курсы 3 учителя", "completed_on": "2021-07-20"},
    )
    point.refresh_from_db()
    assert point.status == "done" and point.completed_on == dt.date(2021, 7, 20)


def test_a_new_program_from_a_template(client, world):
    login(client, world.north_user)
    response = client.post(reverse("programs:create"), {"template": "krasnokutsky_2021"})
    program = Program.objects.get(created_by=world.north_user)
    assert response.status_code == 302 and program.activities.count() == 19
    assert program.level == "municipality" and program.municipality == world.north


def test_the_monitoring_report_in_three_formats(client, world, roadmaps):
    login(client, world.school_user)
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(
            reverse("programs:monitoring_report", args=[roadmaps.roadmap.pk, fmt])
            + "?period=2021-04-01"
        )
        assert response.status_code == 200, fmt
        assert response.content[:4].startswith(magic)


def test_the_reports_registry_lists_every_document():
    from opora.reports.registry import available, get

    keys = {cls.key for cls in available()}
    assert "program_monitoring" in keys
    assert get("program_monitoring").formats == ("docx", "pdf", "xlsx")
    with pytest.raises(KeyError):
        get("no-such-document")
