"""One small world for every Django test: a region, two municipalities, schools and a user per
role, plus a user who must see nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

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
