"""In a real browser, the review loop: a school drafts an activity and submits its roadmap;
the municipality returns it with a comment; the school fixes it and resubmits; the
municipality approves; the indicator page of the municipal program updates.

Needs Debian's Chromium at /usr/bin/chromium; skipped with the reason otherwise.
"""

from __future__ import annotations

import datetime as dt

import pytest

PASSWORD = "opora-test-pass"  # tests/conftest.py

pytestmark = pytest.mark.browser  # the browser fixture (tests/conftest.py) skips without Chromium


def signed_in(browser, live_server, username):
    page = browser.new_context(locale="ru-RU").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def approved_share(page, live_server, program_pk) -> str:
    page.goto(f"{live_server.url}/programs/{program_pk}/indicators/")
    page.wait_for_selector("#indicator-charts [data-rendered=true]")  # ECharts drew M1
    year = dt.date.today().year
    cells = page.locator("#indicator-M1 td.num")
    headers = page.locator("#indicators thead th").all_inner_texts()
    index = headers.index(str(year)) - 3  # № | Показатель | Источник | years…
    return cells.nth(index).inner_text().split("\n")[0].strip()


@pytest.mark.django_db(transaction=True)
def test_the_review_loop_in_a_browser(live_server, world, browser):
    from opora.programs import services
    from opora.programs.models import Program
    from opora.programs.seed_templates import apply_indicator_preset

    year = dt.date.today().year
    municipal = services.create_program(
        world.north_user,
        level="municipality",
        name="Адресная программа Северного района",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year + 1, 12, 31),
    )
    services.set_participants(world.north_user, municipal, [world.north_school])
    apply_indicator_preset(world.north_user, municipal, "opora_monitoring")
    roadmap = services.create_program(
        world.school_user,
        level="school",
        name="Дорожная карта МБОУ «Северная СОШ»",
        parent=municipal,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year + 1, 12, 31),
    )
    url = f"{live_server.url}/programs/{roadmap.pk}/"

    school = signed_in(browser, live_server, "school")
    school.goto(url)
    school.click("#add-activity")
    school.fill("textarea[name=title]", "Дополнительные занятия по математике со слабоуспевающими")
    school.fill("input[name=deadline]", "1 раз в четверть")
    school.click("button[type=submit].primary")
    school.wait_for_selector("text=Мероприятие добавлено")
    assert "Дополнительные занятия по математике" in school.locator("#roadmap").inner_text()
    school.click("#submit-program")
    school.wait_for_selector("text=направлена на рассмотрение")

    mouo = signed_in(browser, live_server, "north")
    assert approved_share(mouo, live_server, municipal.pk) == "0 %"
    mouo.goto(url)
    mouo.fill("#review-text", "Укажите ответственного за занятия")
    mouo.click("#return-program")
    mouo.wait_for_selector("text=возвращена на доработку с замечаниями")
    assert Program.objects.get(pk=roadmap.pk).status == "returned"

    school.goto(url)
    assert "Укажите ответственного за занятия" in school.locator("#comments").inner_text()
    school.click("#roadmap >> text=изменить")
    school.fill("input[name=responsible]", "Учитель математики Петрова А. С.")
    school.click("button[type=submit].primary")
    school.wait_for_selector("text=Мероприятие сохранено")
    school.click("#submit-program")
    school.wait_for_selector("text=направлена на рассмотрение")

    mouo.goto(url)
    mouo.click("#approve-program")
    mouo.wait_for_selector("text=Программа утверждена")
    assert mouo.locator("#program-status").inner_text() == "утверждена"
    assert mouo.locator("#completion-chart").get_attribute("data-rendered") == "true"
    assert "Укажите ответственного за занятия" in mouo.locator("#comments").inner_text()
    assert approved_share(mouo, live_server, municipal.pk) == "100 %"
