"""Identification pages: scope, filters, approval, comparison, the school card block."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from opora.identification.models import IdentificationRun, RunStatus


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def table_codes(html: str) -> list[str]:
    """School codes linked to verdict pages in the run's school table, in order."""
    marker = "/schools/"
    codes = []
    for part in html.split('<td class="code"><a href="')[1:]:
        url = part.split('"', 1)[0]
        codes.append(url.split(marker)[1].strip("/"))
    return codes


def test_the_navigation_shows_identification(world, client_for):
    html = page(client_for(world.school_user).get(reverse("school_list")))
    assert f'href="{reverse("identification:index")}"' in html
    assert ">Идентификация</a>" in html


def test_the_index_lists_runs_and_offers_the_form_to_the_region(run, region_data, client_for):
    html = page(client_for(region_data.region_user).get(reverse("identification:index")))
    assert f"№ {run.pk} от" in html
    assert "Запустить идентификацию" in html
    assert "threshold = 0.30" in html  # the preset text is shown


def test_the_index_hides_the_form_from_a_municipality(run, region_data, client_for):
    html = page(client_for(region_data.north_user).get(reverse("identification:index")))
    assert f"№ {run.pk} от" in html
    assert 'name="preset"' not in html


def test_the_index_shows_nothing_to_another_region(run, world, client_for):
    from opora.accounts.models import User

    stranger = User.objects.create_user("stranger", role="region", region=world.other_region)
    html = page(client_for(stranger).get(reverse("identification:index")))
    assert f"№ {run.pk} от" not in html


def test_a_region_user_starts_a_run_from_the_page(region_data, client_for):
    response = client_for(region_data.region_user).post(
        reverse("identification:index"), {"preset": "altai-2020"}
    )
    run = IdentificationRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("identification:run", args=[run.pk])
    assert run.verdicts.count() == 4


def test_a_pasted_methodology_with_an_error_is_explained(region_data, client_for):
    html = page(
        client_for(region_data.region_user).post(
            reverse("identification:index"),
            {"preset": "__text__", "text": "[low_results]\nthreshold = 3\n"},
        )
    )
    assert "Параметр «threshold» в разделе [low_results] должен быть" in html
    assert not IdentificationRun.objects.exists()


def test_an_uploaded_methodology_file_is_used(region_data, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "method.toml", 'name = "Из файла"\n[low_results]\nthreshold = 0.41\n'.encode()
    )
    client_for(region_data.region_user).post(
        reverse("identification:index"), {"preset": "__text__", "file": upload}
    )
    run = IdentificationRun.objects.get()
    assert run.methodology_name == "Из файла"


def test_a_municipality_user_cannot_start_a_run(region_data, client_for):
    response = client_for(region_data.north_user).post(
        reverse("identification:index"), {"preset": "altai-2020"}
    )
    assert response.status_code == 403
    assert not IdentificationRun.objects.exists()


def test_the_run_page_shows_counts_reasons_and_the_chart(run, region_data, client_for):
    html = page(
        client_for(region_data.region_user).get(reverse("identification:run", args=[run.pk]))
    )
    assert table_codes(html) == ["0101001", "0101002", "0201001", "0201002"]
    assert "ВПР 2024, Математика, 5 кл.: 8 из 20 (40 %) получили «2»" in html
    assert "<strong>4</strong>школ в расчёте" in html
    start = html.index('id="identification-scatter-data"')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    names = {s["name"]: [p["code"] for p in s["data"]] for s in data["series"]}
    assert names["ШНОР"] == ["0101001"]
    assert data["expected_is_line"] is True and len(data["expected"]) == 3
    assert "Утвердить" in html


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("category=low_results", ["0101001"]),
        ("category=risk", ["0101002"]),
        ("category=leader", ["0201001"]),
        ("category=any", ["0101001", "0101002", "0201001"]),
        ("category=resilient", []),
    ],
)
def test_the_run_page_filters_by_category(run, region_data, client_for, query, codes):
    url = reverse("identification:run", args=[run.pk]) + "?" + query
    assert table_codes(page(client_for(region_data.region_user).get(url))) == codes


def test_the_run_page_filters_by_municipality(run, region_data, client_for):
    url = reverse("identification:run", args=[run.pk]) + f"?municipality={region_data.south.pk}"
    assert table_codes(page(client_for(region_data.region_user).get(url))) == [
        "0201001",
        "0201002",
    ]


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("north_user", ["0101001", "0101002"]),
        ("south_user", ["0201001", "0201002"]),
        ("school_user", ["0101001"]),
        ("curator", ["0101002"]),
    ],
)
def test_the_run_page_shows_only_visible_schools(run, region_data, client_for, who, codes):
    html = page(
        client_for(getattr(region_data, who)).get(reverse("identification:run", args=[run.pk]))
    )
    assert table_codes(html) == codes
    assert "Утвердить" not in html


@pytest.mark.parametrize("who", ["nobody", None])
def test_the_run_page_is_hidden_from_outsiders(run, region_data, client_for, who):
    response = client_for(getattr(region_data, who) if who else None).get(
        reverse("identification:run", args=[run.pk])
    )
    assert response.status_code in (302, 404)
    if who:
        assert response.status_code == 404


def test_the_region_approves_from_the_page(run, region_data, client_for):
    client = client_for(region_data.region_user)
    response = client.post(
        reverse("identification:approve", args=[run.pk]),
        {"order_number": "77-о", "order_date": "2025-04-01"},
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert run.order_number == "77-о" and run.order_date == dt.date(2025, 4, 1)
    html = page(client.get(reverse("identification:run", args=[run.pk])))
    assert "приказ № 77-о от 01.04.2025" in html and "действующий список" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("north_user", 403), ("school_user", 403), ("curator", 403), ("nobody", 404)],
)
def test_others_cannot_approve(run, region_data, client_for, who, status):
    response = client_for(getattr(region_data, who)).post(
        reverse("identification:approve", args=[run.pk]),
        {"order_number": "1", "order_date": "2025-04-01"},
    )
    assert response.status_code == status
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_the_compare_page_lists_entered_and_left(run, region_data, client_for):
    from opora.assessments.models import Result
    from opora.identification.services import run_identification

    Result.objects.filter(school=region_data.north_village_school, year=2023).update(mark_2=4)
    newer = run_identification(region_data.region_user, "altai-2020")
    client = client_for(region_data.region_user)
    response = client.get(
        reverse("identification:compare_choose", args=[run.pk]) + f"?other={newer.pk}"
    )
    assert response.url == reverse("identification:compare", args=[run.pk, newer.pk])
    html = page(client.get(response.url))
    assert "ШНОР: вошли 1, вышли 0, остались 1" in html
    assert "группа риска: вошли 0, вышли 1, остались 0" in html
    # The south municipality sees no change among its schools.
    html = page(client_for(region_data.south_user).get(response.url))
    assert "ШНОР: вошли 0, вышли 0, остались 0" in html


def test_the_verdict_page_is_scoped(run, region_data, client_for):
    own = reverse("identification:verdict", args=[run.pk, "0101001"])
    other = reverse("identification:verdict", args=[run.pk, "0201001"])
    html = page(client_for(region_data.school_user).get(own))
    assert "8 из 20 (40 %)" in html
    assert "Рекомендации" in html
    assert client_for(region_data.school_user).get(other).status_code == 404
    far = reverse("identification:verdict", args=[run.pk, "9801001"])
    assert client_for(region_data.region_user).get(far).status_code == 404


def test_the_school_card_shows_the_verdict(run, region_data, client_for):
    html = page(client_for(region_data.school_user).get(reverse("school_detail", args=["0101001"])))
    assert 'id="identification"' in html
    assert "последний расчёт (не утверждён)" in html
    assert "8 из 20 (40 %)" in html
    start = html.index('id="verdict-chart-data"')
    chart = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert chart["labels"] == ["2023", "2024", "за окно"]
    assert chart["actual"][0][0] == pytest.approx(42.9)  # 9 / 21
    assert chart["expected"][2] is not None and chart["expected"][0] is None


def test_the_school_card_prefers_the_approved_run(run, region_data, client_for):
    from opora.identification.services import approve_run, run_identification

    approve_run(region_data.region_user, run, "9", dt.date(2025, 1, 9))
    run_identification(
        region_data.region_user, 'name = "Черновик"\n[low_results]\nthreshold = 0.9\n'
    )
    html = page(client_for(region_data.north_user).get(reverse("school_detail", args=["0101001"])))
    assert "утверждённый список (приказ № 9 от 09.01.2025)" in html
    assert "ШНОР" in html


def test_the_school_card_has_no_block_without_runs(region_data, client_for):
    html = page(client_for(region_data.school_user).get(reverse("school_detail", args=["0101001"])))
    assert 'id="identification"' not in html


def test_the_selection_page_chooses_from_the_low_results_list(run, region_data, client_for):
    from opora.assessments.models import Result
    from opora.identification.services import run_identification

    Result.objects.filter(school=region_data.north_village_school, year=2023).update(mark_2=4)
    newer = run_identification(region_data.region_user, "altai-2020")
    url = reverse("identification:selection", args=[newer.pk])
    client = client_for(region_data.region_user)
    html = page(client.get(url + "?n=1"))
    assert "Результат: отобрано 1" in html
    assert "Выбрана: 1-е место по тяжести" in html
    html = page(client.get(url + "?n=3"))
    assert "Нужно отобрать 3 школы, а в списке ШНОР их 2" in html


def test_the_partner_page_proposes_a_leader(run, region_data, client_for):
    html = page(
        client_for(region_data.region_user).get(reverse("identification:partners", args=[run.pk]))
    )
    assert "Школа-партнёр: МБОУ «Гимназия № 3» (код 0201001, стабильно высокие результаты)" in html
