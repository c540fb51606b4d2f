"""The upload flow through the pages: check, preview, confirm; nothing changes before confirm."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opora.assessments.models import Result
from opora.territory.models import School

HEADER = "Код ОО;Год;Процедура;Предмет;Класс;Участников;Отметка «2»;Отметка «3»;Отметка «4»;Отметка «5»\n"
GOOD = (
    HEADER + "0101001;2025;ВПР;Математика;6;20;5;5;5;5\n0101002;2025;ВПР;Математика;6;10;1;3;3;3\n"
)
BAD = (
    HEADER
    + "0101001;2025;ВПР;Математика;6;20;5;5;5;4\n"  # marks sum to 19, not 20
    + "0999999;2025;ВПР;Математика;6;10;1;3;3;3\n"  # no such school
)


def upload(client, content: str, kind: str = "results", name: str = "results.csv", **extra):
    file = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("import_start"), {"kind": kind, "file": file, **extra})


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url.rstrip("/").split("/")[-1]


def test_it_shows_the_upload_form_with_the_kinds_of_the_role(world, client_for):
    html = client_for(world.region_user).get(reverse("import_start")).content.decode()
    assert 'value="schools"' in html and 'value="results"' in html
    html = client_for(world.north_user).get(reverse("import_start")).content.decode()
    assert 'value="schools"' not in html and 'value="context"' in html


def test_it_rejects_a_bad_file_with_every_error_and_changes_nothing(world, client_for):
    client = client_for(world.region_user)
    token = token_of(upload(client, BAD))
    html = client.get(reverse("import_preview", args=[token])).content.decode()
    assert "Файл не загружен" in html
    assert "Подтвердить загрузку" not in html
    errors = html[html.index('<table class="data errors">') :]
    assert '<td class="num">2</td>' in errors  # the first data row is row 2 of the file
    assert '<td class="num">3</td>' in errors
    assert "0999999" in errors
    assert Result.objects.count() == 0


def test_it_confirms_a_good_file_and_stores_the_rows(world, client_for, media_root):
    client = client_for(world.region_user)
    token = token_of(upload(client, GOOD))
    html = client.get(reverse("import_preview", args=[token])).content.decode()
    assert "Ошибок нет" in html and "Подтвердить загрузку" in html
    assert "Будет добавлено</dt><dd>2</dd>" in html
    assert Result.objects.count() == 0  # nothing before the confirmation
    response = client.post(reverse("import_confirm", args=[token]))
    assert response.status_code == 302 and response.url == reverse("import_start")
    stored = Result.objects.get(school=world.north_school, year=2025, grade=6)
    assert (stored.participants, stored.mark_2, stored.mark_5) == (20, 5, 5)
    assert Result.objects.count() == 2
    assert not (media_root / "uploads" / token).exists()
    html = client.get(reverse("import_start")).content.decode()
    assert "загружен" in html
    # The same upload cannot be applied twice.
    assert client.post(reverse("import_confirm", args=[token])).status_code == 404


def test_another_user_cannot_see_or_confirm_someone_elses_upload(world, client_for, media_root):
    token = token_of(upload(client_for(world.region_user), GOOD))
    other = client_for(world.north_user)
    assert other.get(reverse("import_preview", args=[token])).status_code == 404
    assert other.post(reverse("import_confirm", args=[token])).status_code == 404
    assert other.post(reverse("import_cancel", args=[token])).status_code == 404
    assert Result.objects.count() == 0
    assert (media_root / "uploads" / token).exists()


def test_it_cancels_an_upload(world, client_for, media_root):
    client = client_for(world.region_user)
    token = token_of(upload(client, GOOD))
    assert client.post(reverse("import_cancel", args=[token])).status_code == 302
    assert not (media_root / "uploads" / token).exists()
    assert Result.objects.count() == 0


def test_it_confirms_only_with_post(world, client_for):
    client = client_for(world.region_user)
    token = token_of(upload(client, GOOD))
    assert client.get(reverse("import_confirm", args=[token])).status_code == 405
    assert Result.objects.count() == 0


def test_a_municipality_cannot_load_another_municipalitys_results(world, client_for):
    client = client_for(world.south_user)
    token = token_of(upload(client, GOOD))
    html = client.get(reverse("import_preview", args=[token])).content.decode()
    assert "Файл не загружен" in html
    assert client.post(reverse("import_confirm", args=[token])).status_code == 302
    assert Result.objects.count() == 0


def test_a_municipality_cannot_choose_the_register(world, client_for):
    content = "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся\n0101009;Новая школа;Северный район;село;10\n"
    response = upload(client_for(world.north_user), content, kind="schools", name="schools.csv")
    assert response.status_code == 200  # the form again, with an error
    assert not School.objects.filter(code="0101009").exists()


def test_the_region_loads_the_register(world, client_for):
    content = "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся\n0101009;МБОУ «Новая СОШ»;Северный район;село;10\n"
    client = client_for(world.region_user)
    token = token_of(upload(client, content, kind="schools", name="schools.csv"))
    assert not School.objects.filter(code="0101009").exists()
    client.post(reverse("import_confirm", args=[token]))
    assert School.objects.get(code="0101009").municipality == world.north


def test_it_refuses_a_file_that_is_not_a_table(world, client_for):
    response = upload(client_for(world.region_user), "hello", name="notes.docx")
    assert response.status_code == 200
    assert "нужен файл с расширением .csv или .xlsx" in response.content.decode()


def test_it_paginates_a_long_error_list(world, client_for):
    rows = "".join(f"0999{i:03d};2025;ВПР;Математика;6;10;1;3;3;3\n" for i in range(150))
    client = client_for(world.region_user)
    token = token_of(upload(client, HEADER + rows))
    html = client.get(reverse("import_preview", args=[token])).content.decode()
    assert "ошибок — 150" in html and "Страница 1 из 2" in html
    html = client.get(reverse("import_preview", args=[token]), {"page": 2}).content.decode()
    assert "0999149" in html


def test_nobody_and_curators_cannot_upload(world, client_for):
    assert client_for(world.nobody).get(reverse("import_start")).status_code == 403
    assert client_for(world.curator).get(reverse("import_start")).status_code == 403
    assert upload(client_for(world.curator), GOOD).status_code == 403
