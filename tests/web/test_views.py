"""Pages render the right content for the roles allowed to see them."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

NBSP = "\u00a0"


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def chart_data(html: str) -> dict:
    start = html.index('<script id="failure-chart-data" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


# -- login and navigation --------------------------------------------------------------------


def test_it_shows_a_russian_login_form(client):
    html = page(client.get(reverse("login")))
    assert "Вход в систему" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_it_logs_in_with_a_password_and_lands_on_home(world, client):
    world.region_user.set_password("верный-пароль-2024")
    world.region_user.save()
    response = client.post(
        reverse("login"), {"username": "region", "password": "верный-пароль-2024"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_it_rejects_a_wrong_password_in_russian(world, client):
    html = page(client.post(reverse("login"), {"username": "region", "password": "wrong"}))
    assert "правильные имя пользователя и пароль" in html


def test_it_shows_the_navigation_user_role_and_territory(world, client_for):
    html = page(client_for(world.region_user).get(reverse("school_list")))
    for label in ("Обзор", "Школы", "Загрузка данных", "Шаблоны"):
        assert f">{label}</a>" in html
    assert "регион (министерство, РЦОКО)" in html
    assert "Северо-Озёрская область" in html
    assert f'action="{reverse("logout")}"' in html


def test_it_hides_the_upload_link_from_a_curator(world, client_for):
    html = page(client_for(world.curator).get(reverse("school_list")))
    assert ">Загрузка данных</a>" not in html
    assert ">Шаблоны</a>" in html


def test_it_logs_out_with_post(world, client_for):
    client = client_for(world.region_user)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


# -- overview --------------------------------------------------------------------------------


def test_it_shows_the_region_overview_with_figures_by_hand(results, client_for):
    html = page(client_for(results.region_user).get(reverse("home")))
    assert "Итоги 2024 года" in html
    north = html[html.index("Северный район") :]
    north = north[: north.index("</tr>")]
    # 2 schools; 21 + 20 + 10 + 4 + 6 = 61 participations; ВПР (9 + 3 + 2) / 47 = 29.8 % → 30 %;
    # ОГЭ 2 / 4 = 50 %; ЕГЭ 1 / 10 = 10 %; both schools have a low cell.
    cells = [cell.split("<")[0] for cell in north.split('<td class="num">')[1:]]
    assert cells[:2] == ["2", "61"]
    assert f"30{NBSP}%" in north and f"50{NBSP}%" in north and f"10{NBSP}%" in north
    assert 'badge-warn">2</span>' in north
    south = html[html.index("город Южноозёрск") :]
    south = south[: south.index("</tr>")]
    assert f"10{NBSP}%" in south
    assert "Дальний район" not in html  # another region


def test_it_sums_the_region_in_the_total_row(results, client_for):
    html = page(client_for(results.region_user).get(reverse("home")))
    total = html[html.index("<tfoot>") : html.index("</tfoot>")]
    # 3 schools, 61 + 100 participations; ВПР (14 + 10) / 147 = 16.3 %
    assert ">3<" in total and ">161<" in total and f"16{NBSP}%" in total


def test_it_shows_an_empty_overview_before_any_results(world, client_for):
    html = page(client_for(world.region_user).get(reverse("home")))
    assert "ещё не загружены" in html
    assert "Северный район" in html


def test_it_sends_a_municipality_user_to_its_municipality(world, client_for):
    response = client_for(world.north_user).get(reverse("home"))
    assert response.url == reverse("municipality_detail", args=[world.north.pk])


def test_it_sends_a_school_user_to_its_card(world, client_for):
    response = client_for(world.school_user).get(reverse("home"))
    assert response.url == reverse("school_detail", args=["0101001"])


def test_it_shows_a_curator_its_schools(results, client_for):
    html = page(client_for(results.curator).get(reverse("home")))
    assert "Курируемые школы" in html
    assert "0101002" in html
    assert "0101001" not in html and "0201001" not in html


def test_it_tells_a_user_without_a_role_that_there_is_no_access(world, client_for):
    html = page(client_for(world.nobody).get(reverse("home")))
    assert "Нет доступа к данным" in html
    assert "0101001" not in html


# -- municipality page -----------------------------------------------------------------------


def test_it_lists_the_schools_of_a_municipality_with_summaries(results, client_for):
    html = page(
        client_for(results.north_user).get(reverse("municipality_detail", args=[results.north.pk]))
    )
    assert "0101001" in html and "0101002" in html
    assert "0201001" not in html
    row = html[html.index("МБОУ «Северная СОШ»") :]
    row = row[: row.index("</tr>")]
    # 0101001 in 2024: ВПР 12 / 41 = 29 %, one low cell
    assert f"29{NBSP}%" in row
    assert 'badge-warn">1</span>' in row


def test_it_leaves_archived_schools_out_of_the_municipality_page(results, client_for):
    results.north_village_school.is_archived = True
    results.north_village_school.save()
    html = page(
        client_for(results.region_user).get(reverse("municipality_detail", args=[results.north.pk]))
    )
    assert "0101002" not in html


# -- school register -------------------------------------------------------------------------


def test_it_lists_the_visible_schools(world, client_for):
    html = page(client_for(world.region_user).get(reverse("school_list")))
    assert "Найдено школ: <strong>3</strong>" in html
    assert "9801001" not in html
    assert f"1{NBSP}150" in html  # students of the gymnasium, Russian thousands


def test_it_searches_by_code_and_by_name_case_insensitively(world, client_for):
    client = client_for(world.region_user)
    html = page(client.get(reverse("school_list"), {"q": "0201"}))
    assert "0201001" in html and "0101001" not in html
    html = page(client.get(reverse("school_list"), {"q": "гимназия"}))
    assert "0201001" in html and "0101001" not in html
    html = page(client.get(reverse("school_list"), {"q": "ключевская"}))
    assert "0101002" in html and "0101001" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"settlement": "город"}, {"0201001"}),
        ({"settlement": "село"}, {"0101001", "0101002"}),
        ({"kind": "ООШ"}, {"0101002"}),
        ({"archived": "archived"}, set()),
    ],
)
def test_it_filters_the_register(world, client_for, params, expected):
    html = page(client_for(world.region_user).get(reverse("school_list"), params))
    shown = {code for code in ("0101001", "0101002", "0201001") if f'"code">{code}<' in html}
    assert shown == expected


def test_it_filters_by_municipality(world, client_for):
    html = page(
        client_for(world.region_user).get(reverse("school_list"), {"municipality": world.south.pk})
    )
    assert '"code">0201001<' in html and '"code">0101001<' not in html


def test_it_ignores_a_municipality_filter_outside_the_territory(world, client_for):
    far = world.far_school.municipality_id
    html = page(client_for(world.north_user).get(reverse("school_list"), {"municipality": far}))
    assert "9801001" not in html
    assert '"code">0101001<' in html


def test_it_shows_archived_schools_only_when_asked(world, client_for):
    world.south_school.is_archived = True
    world.south_school.save()
    client = client_for(world.region_user)
    assert '"code">0201001<' not in page(client.get(reverse("school_list")))
    html = page(client.get(reverse("school_list"), {"archived": "archived"}))
    assert '"code">0201001<' in html and "в архиве" in html
    assert '"code">0201001<' in page(client.get(reverse("school_list"), {"archived": "all"}))


def test_it_sorts_the_register(world, client_for):
    client = client_for(world.region_user)
    html = page(client.get(reverse("school_list"), {"sort": "-students"}))
    assert html.index("0201001") < html.index("0101001") < html.index("0101002")
    html = page(client.get(reverse("school_list"), {"sort": "students"}))
    assert (
        html.index('"code">0101002') < html.index('"code">0101001') < html.index('"code">0201001')
    )


def test_it_paginates_the_register(world, client_for):
    from opora.territory.models import School

    School.objects.bulk_create(
        School(
            code=f"01019{i:02d}",
            name=f"Школа {i}",
            municipality=world.north,
            settlement="село",
            students=10,
        )
        for i in range(60)
    )
    client = client_for(world.region_user)
    html = page(client.get(reverse("school_list")))
    assert "Страница 1 из 2" in html and "Найдено школ: <strong>63</strong>" in html
    html = page(client.get(reverse("school_list"), {"page": 2}))
    assert "Страница 2 из 2" in html


def test_it_exports_the_filtered_register_to_xlsx(world, client_for):
    response = client_for(world.region_user).get(reverse("school_export"), {"settlement": "село"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content[:2] == b"PK"
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "Код ОО"
    assert sorted(str(row[0]) for row in rows[1:]) == ["0101001", "0101002"]


# -- school card -----------------------------------------------------------------------------


def test_it_shows_the_school_card(results, client_for):
    html = page(client_for(results.school_user).get(reverse("school_detail", args=["0101001"])))
    assert "МБОУ «Северная СОШ»" in html
    assert "Северный район" in html and "12,5 км" in html
    assert "Математика (профильная)" in html
    assert f'<td class="num low">43{NBSP}%' in html  # 9 of 21
    assert "2,9" in html  # mean mark 2.86 with a decimal comma
    assert 'id="failure-chart"' in html
    assert "echarts.min.js" in html and "langRU.js" in html


def test_it_gives_the_chart_the_pooled_failure_share_by_year(results, client_for):
    html = page(client_for(results.region_user).get(reverse("school_detail", args=["0101001"])))
    data = chart_data(html)
    assert data["years"] == [2023, 2024]
    series = {line["name"]: line["data"] for line in data["series"]}
    assert list(series) == ["ВПР", "ОГЭ", "ЕГЭ"]
    assert series["ВПР"] == [
        {"value": 15.0, "failures": 6, "participants": 40},
        {"value": 29.3, "failures": 12, "participants": 41},
    ]
    assert series["ОГЭ"] == [None, {"value": 50.0, "failures": 2, "participants": 4}]
    assert series["ЕГЭ"] == [None, {"value": 10.0, "failures": 1, "participants": 10}]
    assert data["threshold"] == 30


def test_it_marks_small_cells_and_does_not_highlight_them(results, client_for):
    html = page(client_for(results.school_user).get(reverse("school_detail", args=["0101001"])))
    # ОГЭ 2 of 4 = 50 % has fewer than 5 participants: shown, starred, not highlighted
    assert (
        f'<td class="num" title="Менее 5 участников: ячейка не оценивается">50{NBSP}%<sup>*</sup>'
        in html
    )


def test_it_filters_the_results_table_and_answers_htmx_with_a_fragment(results, client_for):
    client = client_for(results.school_user)
    url = reverse("school_detail", args=["0101001"])
    fragment = page(client.get(url, {"year": "2023"}, HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment
    assert "<td>2023</td>" in fragment and "<td>2024</td>" not in fragment
    fragment = page(client.get(url, {"procedure": "ЕГЭ"}, HTTP_HX_REQUEST="true"))
    assert "Математика (профильная)" in fragment and "Русский язык" not in fragment


def test_it_shows_the_social_context_with_russian_factor_names(results, client_for):
    html = page(client_for(results.school_user).get(reverse("school_detail", args=["0101001"])))
    context = html[html.index("Социальный контекст</h2>") :]
    assert "Из малоимущих семей, %" in context and "12,5" in context and "14,0" in context
    assert "Индекс социального неблагополучия" in context
    assert "неблагоприятный" in context
    assert "Русский язык не родной" not in context  # no values: no row
    assert "77,7" not in context  # another school's context


def test_it_says_when_a_school_has_no_results(world, client_for):
    html = page(client_for(world.region_user).get(reverse("school_detail", args=["0201001"])))
    assert "Результатов оценочных процедур для этой школы пока нет" in html
    assert "failure-chart-data" not in html


def test_it_renders_a_verdicts_fragment_when_an_app_provides_it(
    results, client_for, settings, tmp_path
):
    (tmp_path / "identification").mkdir()
    (tmp_path / "identification" / "_school_verdicts.html").write_text(
        "<p>Вердикт для {{ school.code }}</p>", "utf-8"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    html = page(client_for(results.school_user).get(reverse("school_detail", args=["0101001"])))
    assert "<p>Вердикт для 0101001</p>" in html


# -- templates -------------------------------------------------------------------------------


def test_it_lists_the_templates_with_explanations(world, client_for):
    html = page(client_for(world.school_user).get(reverse("template_list")))
    for label in (
        "Реестр школ",
        "Результаты оценочных процедур",
        "Социальный контекст школ",
        "Результаты обучающихся",
    ):
        assert label in html
    assert "Код ОО" in html and "Отметка «2»" in html


@pytest.mark.parametrize("kind", ["schools", "results", "context", "students"])
def test_it_downloads_an_xlsx_template(world, client_for, kind):
    response = client_for(world.school_user).get(reverse("template_download", args=[kind]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content[:2] == b"PK"
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "Код ОО" if kind != "students" else rows[0][0] == "Код обучающегося"


def test_it_answers_404_for_an_unknown_template(world, client_for):
    assert client_for(world.school_user).get("/templates/teachers.xlsx").status_code == 404
