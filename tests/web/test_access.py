"""Every page is scoped by the user's territory: the denials, role by role."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

PAGES = [
    ("home", []),
    ("municipality_detail", ["north"]),
    ("school_list", []),
    ("school_export", []),
    ("school_detail", ["0101001"]),
    ("import_start", []),
    ("import_preview", ["0123456789abcdef0123456789abcdef"]),
    ("template_list", []),
    ("template_download", ["results"]),
]


def url(world, name: str, args: list) -> str:
    resolved = [world.north.pk if arg == "north" else arg for arg in args]
    return reverse(name, args=resolved)


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(world, client, name, args):
    response = client.get(url(world, name, args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_it_does_not_let_anonymous_visitors_confirm_an_upload(world, client):
    response = client.post(reverse("import_confirm", args=["0123456789abcdef0123456789abcdef"]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def card(client, code: str) -> int:
    return client.get(reverse("school_detail", args=[code])).status_code


def test_a_school_user_sees_only_its_own_card(results, client_for):
    client = client_for(results.school_user)
    assert card(client, "0101001") == 200
    for other in ("0101002", "0201001", "9801001"):
        assert card(client, other) == 404


def test_a_school_user_gets_a_404_not_another_schools_data(results, client_for):
    response = client_for(results.school_user).get(reverse("school_detail", args=["0201001"]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Гимназия" not in html and "Страница не найдена" in html


def test_a_school_users_register_lists_only_its_school(world, client_for):
    html = client_for(world.school_user).get(reverse("school_list")).content.decode()
    assert "Найдено школ: <strong>1</strong>" in html
    assert "0101002" not in html


def test_a_municipality_user_sees_only_its_municipality(results, client_for):
    client = client_for(results.north_user)
    assert client.get(reverse("municipality_detail", args=[results.north.pk])).status_code == 200
    assert client.get(reverse("municipality_detail", args=[results.south.pk])).status_code == 404
    far = results.far_school.municipality_id
    assert client.get(reverse("municipality_detail", args=[far])).status_code == 404
    assert card(client, "0101002") == 200
    assert card(client, "0201001") == 404
    assert card(client, "9801001") == 404


def test_a_region_user_does_not_see_another_region(results, client_for):
    client = client_for(results.region_user)
    assert card(client, "0201001") == 200
    assert card(client, "9801001") == 404
    far = results.far_school.municipality_id
    assert client.get(reverse("municipality_detail", args=[far])).status_code == 404


def test_a_superuser_sees_every_region(results, client_for):
    client = client_for(results.admin)
    assert card(client, "9801001") == 200
    html = client.get(reverse("home")).content.decode()
    assert "Дальний район" in html and "Северный район" in html


def test_a_curator_sees_only_assigned_schools(results, client_for):
    client = client_for(results.curator)
    assert card(client, "0101002") == 200
    assert card(client, "0101001") == 404
    html = client.get(reverse("municipality_detail", args=[results.north.pk])).content.decode()
    assert "0101002" in html and "0101001" not in html
    html = client.get(reverse("school_list")).content.decode()
    assert "Найдено школ: <strong>1</strong>" in html


def test_nobody_sees_nothing(results, client_for):
    client = client_for(results.nobody)
    html = client.get(reverse("school_list")).content.decode()
    assert "Найдено школ: <strong>0</strong>" in html
    for code in ("0101001", "0101002", "0201001", "9801001"):
        assert card(client, code) == 404
    assert client.get(reverse("municipality_detail", args=[results.north.pk])).status_code == 404
    assert client.get(reverse("import_start")).status_code == 403


def test_nobody_exports_an_empty_register(world, client_for):
    response = client_for(world.nobody).get(reverse("school_export"))
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 1  # the header only


def test_the_export_is_scoped_to_the_territory(world, client_for):
    response = client_for(world.north_user).get(reverse("school_export"))
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sorted(str(row[0]) for row in rows[1:]) == ["0101001", "0101002"]


def test_an_inactive_user_is_logged_out(world, client_for):
    client = client_for(world.region_user)
    world.region_user.is_active = False
    world.region_user.save()
    assert client.get(reverse("school_list")).status_code == 302


# -- admin -----------------------------------------------------------------------------------


def test_the_admin_refuses_users_without_staff_status(world, client_for):
    response = client_for(world.region_user).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def staff(user):
    user.is_staff = True
    user.save()
    return user


def test_region_staff_see_only_their_regions_schools_in_the_admin(world, client_for):
    client = client_for(staff(world.region_user))
    html = client.get(reverse("admin:territory_school_changelist")).content.decode()
    assert "0101001" in html and "0201001" in html
    assert "9801001" not in html
    far = reverse("admin:territory_school_change", args=[world.far_school.pk])
    assert client.get(far).status_code == 302  # «not found» redirect to the admin index
    mine = reverse("admin:territory_school_change", args=[world.north_school.pk])
    assert client.get(mine).status_code == 200


def test_region_staff_manage_only_users_of_their_region(world, client_for):
    client = client_for(staff(world.region_user))
    html = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert ">north<" in html and ">school<" in html and ">curator<" in html
    assert ">admin<" not in html and ">nobody<" not in html


def test_region_staff_cannot_raise_privileges(world, client_for):
    client = client_for(staff(world.region_user))
    html = client.get(
        reverse("admin:accounts_user_change", args=[world.north_user.pk])
    ).content.decode()
    assert 'name="is_superuser"' not in html and 'name="is_staff"' not in html
    assert 'name="role"' in html


def test_region_staff_can_archive_a_school_with_an_audit_record(world, client_for):
    from opora.accounts.models import AuditEvent

    client = client_for(staff(world.region_user))
    response = client.post(
        reverse("admin:territory_school_changelist"),
        {"action": "archive_schools", "_selected_action": [world.north_village_school.pk]},
    )
    assert response.status_code == 302
    world.north_village_school.refresh_from_db()
    assert world.north_village_school.is_archived
    assert AuditEvent.objects.filter(
        action="school.archive", object_id=str(world.north_village_school.pk)
    ).exists()


def test_municipality_staff_get_no_admin_data(world, client_for):
    client = client_for(staff(world.north_user))
    assert client.get(reverse("admin:territory_school_changelist")).status_code == 403


ADMIN_PAGES = [
    "admin:index",
    "admin:territory_region_changelist",
    "admin:territory_municipality_changelist",
    "admin:territory_school_changelist",
    "admin:territory_school_add",
    "admin:assessments_procedure_changelist",
    "admin:assessments_subject_changelist",
    "admin:assessments_result_changelist",
    "admin:assessments_schoolcontext_changelist",
    "admin:assessments_studentresult_changelist",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
    "admin:accounts_auditevent_changelist",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_the_admin_pages_open_for_region_staff_and_superusers(results, client_for, name):
    for user in (staff(results.region_user), results.admin):
        assert client_for(user).get(reverse(name)).status_code == 200, user


def test_region_staff_see_only_their_regions_results_in_the_admin(results, client_for):
    html = (
        client_for(staff(results.region_user))
        .get(reverse("admin:assessments_result_changelist"))
        .content.decode()
    )
    assert "Дальняя СОШ" not in html and "Северная СОШ" in html


def test_region_staff_can_add_a_school_only_to_their_region(world, client_for):
    from opora.territory.models import School

    client = client_for(staff(world.region_user))
    form = {"code": "0101077", "name": "МБОУ «Новая»", "settlement": "село", "students": 5}
    far = world.far_school.municipality_id
    response = client.post(reverse("admin:territory_school_add"), {**form, "municipality": far})
    assert response.status_code == 200  # the form again: that municipality is not a choice
    assert not School.objects.filter(code="0101077").exists()
    client.post(reverse("admin:territory_school_add"), {**form, "municipality": world.north.pk})
    assert School.objects.get(code="0101077").municipality == world.north
