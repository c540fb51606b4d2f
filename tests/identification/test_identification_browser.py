"""In a real browser: the run page's scatter and the school card's verdict chart are drawn.

Needs Debian's Chromium at /usr/bin/chromium; skipped otherwise. Screenshots go to
$OPORA_SCREENSHOTS (default /tmp).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser  # the browser fixture (tests/conftest.py) skips without Chromium


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
