"""In a real browser: log in, open a school card, see the ECharts chart drawn with its series.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``); skipped otherwise.
Screenshots of the overview and the card go to $OPORA_SCREENSHOTS (default /tmp).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser  # the browser fixture (tests/conftest.py) skips without Chromium


def screenshots() -> Path:
    folder = Path(os.environ.get("OPORA_SCREENSHOTS", "/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.django_db(transaction=True)
def test_it_draws_the_failure_chart_on_the_school_card(live_server, results, browser):
    results.region_user.set_password("пароль-для-браузера")
    results.region_user.save()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "region")
    page.fill("input[name=password]", "пароль-для-браузера")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Обзор региона")
    assert page.locator("table.data tbody tr").count() == 2
    page.screenshot(path=str(screenshots() / "opora-overview.png"), full_page=True)

    page.goto(f"{live_server.url}/schools/0101001/")
    page.wait_for_selector("#failure-chart[data-rendered=true] canvas", timeout=15_000)
    names = page.evaluate("window.oporaFailureChart.getOption().series.map(s => s.name)")
    assert names == ["ВПР", "ОГЭ", "ЕГЭ"]
    values = page.evaluate(
        "window.oporaFailureChart.getOption().series[0].data.map(p => p && p.value)"
    )
    assert values == [15.0, 29.3]
    box = page.locator("#failure-chart canvas").first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    page.screenshot(path=str(screenshots() / "opora-school-card.png"), full_page=True)

    # The htmx filter swaps the results table in place.
    page.select_option("#results-year", "2023")
    page.wait_for_function("!document.querySelector('#results-table').textContent.includes('2024')")
    assert "2023" in page.locator("#results-table").inner_text()
