"""The shipped templates hold every activity of the seed roadmap tables.

The seed tables are counted here with their own reading, independent of the loader: a table row
is a tab-separated line between the header and the end of the table; a row whose № cell is empty
and whose text is empty or starts in lower case continues the row before it (a page break);
a row with a single filled cell, or a bold title without a deadline, heads a section.
"""

import datetime as dt
import re
from pathlib import Path

import pytest

from opora.programs.recurrence import parse_deadline
from opora.programs.seed_templates import indicator_presets, roadmap_templates

SEEDS = Path("/work/shared/seeds")
if not SEEDS.exists():  # the seeds live next to the repository in the shared workspace
    SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

TABLES = {
    # template key: (seed file, header regex, end regex, hand count)
    "krasnokutsky_2021": (
        "000_3b871a7d2c56382e.txt",
        r"^№ п/п\tМероприятия\tСроки",
        r"^## Раздел VI",
        19,
    ),
    "rakityansky_2021": ("001_f36d067189a35207.txt", r"^№ п/п\tМероприятия\tСроки", None, 30),
    "nazarovsky_2020": ("002_d0b3cf5e72812614.txt", r"^№ п/п\tМероприятие\tСрок", None, 28),
    "boksitogorsk_2020": (
        "003_2a5cb0d543469bc5.txt",
        r"^№ п/п\tНаименование мероприятия",
        r"^ГИА – ",
        88,
    ),
    "altai_2020": (
        "004_6d550c970a31ede6.txt",
        r"^№ п/п\tНаименование мероприятия\tОтветственные",
        r"^УТВЕРЖДЕН",
        20,
    ),
}


def seed_activity_titles(name: str, start: str, end: str | None) -> list[str]:
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if re.match(start, line)) + 1
    titles: list[str] = []
    for line in lines[first:]:
        if end and re.match(end, line):
            break
        if "\t" not in line and not line.startswith("<"):
            continue
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in line.split("\t")]
        if len(cells) == 4:  # an HTML row of seed 001 that lost its empty № cell
            cells = [""] + cells
        number, title = cells[0], cells[1] if len(cells) > 1 else ""
        filled = [c for c in cells if c]
        if len(filled) <= 1 and not (number and title):
            continue  # section heading
        if len(cells) > 1 and "<b>" in line.split("\t")[1] and not any(cells[2:]):
            continue  # bold subheading such as «3.3 Трансляция ...:»
        if not number and (not title or title[0].islower() or title[0] in "-–"):
            continue  # continuation of the row before a page break
        titles.append(title)
    return titles


def squash(text: str) -> str:
    return re.sub(r"[^а-яёa-z0-9]", "", text.lower())


@pytest.mark.skipif(not SEEDS.exists(), reason="seed documents not found next to the repository")
@pytest.mark.parametrize("key", list(TABLES))
def test_every_seed_activity_is_in_the_template(key):
    name, start, end, hand_count = TABLES[key]
    seed_titles = seed_activity_titles(name, start, end)
    assert len(seed_titles) == hand_count
    template = roadmap_templates()[key]
    assert len(template.activities) == hand_count
    template_titles = [squash(a["title"]) for a in template.activities]
    for seed_title, template_title in zip(seed_titles, template_titles, strict=True):
        # the seed row holds the beginning of the title (the rest may follow a page break)
        assert template_title.startswith(squash(seed_title)[:60]), seed_title


@pytest.mark.parametrize("key", list(TABLES))
def test_every_template_deadline_is_understood(key):
    template = roadmap_templates()[key]
    for activity in template.activities:
        assert parse_deadline(activity["deadline"]).rules, activity["deadline"]


def test_the_seed_004_indicator_preset_has_its_yearly_targets():
    preset = {i["code"]: i for i in indicator_presets()["altai_2020"]["indicators"]}
    assert preset["8.2"]["targets"] == {"2021": 5, "2022": 7, "2023": 10}  # ОГЭ математика
    assert preset["8.1"]["targets"] == {"2021": 20, "2022": 25, "2023": 30}  # ОГЭ русский язык
    assert preset["8.3"]["targets"] == {"2021": 35, "2022": 40, "2023": 55}  # ЕГЭ русский язык
    assert preset["8.4"]["targets"] == {"2021": 10, "2022": 15, "2023": 20}  # ЕГЭ математика
    assert preset["4.3"]["targets"] == {"2021": 5, "2022": 10, "2023": 20}
    assert preset["5.3"]["targets"] == {"2020": 10, "2021": 55, "2022": 70, "2023": 100}
    assert preset["8.2"]["computation"] == "positive_dynamics:ОГЭ:Математика"
    units = {i["unit"] for i in preset.values()}
    assert units == {"boolean", "percent", "count", "level"}


def test_starting_from_a_template_copies_every_activity_and_indicator(world):
    from opora.programs.seed_templates import start_from_template

    program = start_from_template(world.region_user, "altai_2020")
    assert program.activities.count() == 20
    assert program.indicators.filter(source="computed").count() == 4 + 3
    assert program.order_number == "1056" and program.period_start == dt.date(2020, 9, 1)
    # «Июль месяц ежегодно» over 2020-09-01..2023-12-31: July 2021, 2022, 2023
    first = program.activities.get(number="1.")
    assert [p.isoformat() for p in first.due_points.values_list("due_date", flat=True)] == [
        "2021-07-31",
        "2022-07-31",
        "2023-07-31",
    ]
    municipal = start_from_template(
        world.north_user, "boksitogorsk_2020", period_end=dt.date(2022, 12, 31)
    )
    assert municipal.activities.count() == 88
    assert municipal.sections.filter(number="2.1.").exists()


def test_a_template_from_another_period_moves_its_targets_into_the_program(world):
    from opora.programs.models import IndicatorTarget
    from opora.programs.seed_templates import start_from_template

    program = start_from_template(
        world.region_user,
        "altai_2020",
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2028, 12, 31),
    )

    def targets(code):
        rows = IndicatorTarget.objects.filter(indicator__program=program, indicator__code=code)
        return {t.year: (t.value, t.label) for t in rows.order_by("year")}

    # The order's 2021–2023 end at the program's 2028: 2020 → 2025 falls before the start.
    label = (
        "по образцу шаблона: 2021 → 2026, 2022 → 2027, 2023 → 2028; "
        "в шаблоне: 2021 г. – 5%; 2022 г. – 7%; 2023 г. – 10%"
    )
    assert targets("8.2") == {2026: (5, label), 2027: (7, label), 2028: (10, label)}
    assert {year: value for year, (value, _) in targets("5.3").items()} == {
        2026: 55,
        2027: 70,
        2028: 100,
    }
    assert not IndicatorTarget.objects.filter(indicator__program=program, year__lt=2026).exists()

    # The template's own period keeps the order's years.
    own = start_from_template(world.region_user, "altai_2020")
    same = IndicatorTarget.objects.filter(indicator__program=own, indicator__code="5.3")
    assert sorted(same.values_list("year", "value")) == [
        (2020, 10),
        (2021, 55),
        (2022, 70),
        (2023, 100),
    ]
