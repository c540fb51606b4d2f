"""In a real browser: the run page's scatter and the school card's verdict chart are drawn.

Needs Debian's Chromium at /usr/bin/chromium; skipped otherwise. Screenshots go to
$OPORA_SCREENSHOTS (default /tmp).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="нет /usr/bin/chromium: установите пакет chromium, чтобы запустить браузерный тест",
    ),
]


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="нет пакета playwright")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.django_db(transaction=True)
def test_it_draws_the_identification_charts(live_server, run, region_data, browser):
    folder = Path(os.environ.get("OPORA_SCREENSHOTS", "/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    region_data.region_user.set_password("пароль-для-браузера")
    region_data.region_user.save()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "region")
    page.fill("input[name=password]", "пароль-для-браузера")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Обзор региона")

    page.goto(f"{live_server.url}/identification/runs/{run.pk}/")
    page.wait_for_selector("#identification-scatter[data-rendered=true] canvas", timeout=15_000)
    page.screenshot(path=str(folder / "opora-identification-run.png"), full_page=True)

    page.goto(f"{live_server.url}/schools/0101001/")
    page.wait_for_selector("#verdict-chart[data-rendered=true] canvas", timeout=15_000)
    box = page.locator("#verdict-chart canvas").first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    page.screenshot(path=str(folder / "opora-identification-card.png"), full_page=True)
