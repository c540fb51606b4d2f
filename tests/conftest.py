"""One small world for every Django test: a region, two municipalities, schools and a user per
role, plus a user who must see nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections

pytest_plugins: list[str] = []


@dataclass
class World:
    region: object
    other_region: object
    north: object
    south: object
    north_school: object
    north_village_school: object
    south_school: object
    far_school: object
    region_user: object
    north_user: object
    south_user: object
    school_user: object
    curator: object
    nobody: object
    admin: object


PASSWORD = "opora-test-pass"


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright; the browser tests skip, saying why, without it."""
    if not CHROMIUM.exists():
        pytest.skip(
            "нет /usr/bin/chromium: установите пакет chromium, чтобы запустить браузерный тест"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="нет пакета playwright")
    # Playwright's sync API runs an event loop in this thread; Django's ORM in the test
    # thread then refuses to run unless told it is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # With Playwright's loop running, the ORM used connections of their own context,
            # which pytest-django does not close: PostgreSQL could not drop the test database.
            connections.close_all()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The production hasher costs ~0.3 s a user; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    from opora.accounts.models import User
    from opora.territory.models import Municipality, Region, School

    region = Region.objects.create(name="Северо-Озёрская область", code="99")
    other_region = Region.objects.create(name="Соседняя область", code="98")
    north = Municipality.objects.create(region=region, name="Северный район")
    south = Municipality.objects.create(region=region, name="город Южноозёрск")
    far = Municipality.objects.create(region=other_region, name="Дальний район")
    north_school = School.objects.create(
        code="0101001",
        name="МБОУ «Северная СОШ»",
        municipality=north,
        settlement="село",
        students=180,
        kind="СОШ",
        distance_km=12.5,
    )
    north_village_school = School.objects.create(
        code="0101002",
        name="МКОУ «Ключевская ООШ»",
        municipality=north,
        settlement="село",
        students=41,
        kind="ООШ",
        distance_km=38.0,
    )
    south_school = School.objects.create(
        code="0201001",
        name="МБОУ «Гимназия № 3»",
        municipality=south,
        settlement="город",
        students=1150,
        kind="гимназия",
    )
    far_school = School.objects.create(
        code="9801001",
        name="МБОУ «Дальняя СОШ»",
        municipality=far,
        settlement="село",
        students=300,
        kind="СОШ",
    )

    def user(username: str, **fields) -> User:
        return User.objects.create_user(username=username, password=PASSWORD, **fields)

    curator = user("curator", role="curator")
    curator.curated_schools.add(north_village_school)
    return World(
        region=region,
        other_region=other_region,
        north=north,
        south=south,
        north_school=north_school,
        north_village_school=north_village_school,
        south_school=south_school,
        far_school=far_school,
        region_user=user("region", role="region", region=region),
        north_user=user("north", role="municipality", municipality=north),
        south_user=user("south", role="municipality", municipality=south),
        school_user=user("school", role="school", school=north_school),
        curator=curator,
        nobody=user("nobody"),
        admin=User.objects.create_superuser("admin", "admin@example.org", PASSWORD),
    )
