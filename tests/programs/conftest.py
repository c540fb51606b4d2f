import datetime as dt

import pytest

from opora.programs import services
from opora.programs.models import Level


@pytest.fixture
def roadmaps(world):
    """The north municipality's address program and the north school's draft roadmap."""
    municipal = services.create_program(
        world.north_user,
        level=Level.MUNICIPALITY,
        name="Адресная программа Северного района",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2023, 12, 31),
    )
    roadmap = services.create_program(
        world.school_user,
        level=Level.SCHOOL,
        name="Дорожная карта МБОУ «Северная СОШ»",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2023, 12, 31),
        parent=municipal,
    )
    section = services.add_section(world.school_user, roadmap, "Кадры", number="1")
    activity = services.add_activity(
        world.school_user,
        roadmap,
        section=section,
        number="1.1",
        title="Повышение квалификации учителей математики",
        deadline="ежегодно, июль",
        responsible="Заместитель директора",
        expected_result="Курсы пройдены",
    )
    return type(
        "Roadmaps",
        (),
        {"municipal": municipal, "roadmap": roadmap, "section": section, "activity": activity},
    )
