"""Every deadline wording of the seed roadmaps, expanded by hand over a 2020–2023 program."""

import datetime as dt

import pytest

from opora.programs.models.roadmaps import is_overdue
from opora.programs.recurrence import DeadlineError, describe, expand, parse_deadline

START, END = dt.date(2020, 1, 1), dt.date(2023, 12, 31)
YEAR_ENDS = ["2020-12-31", "2021-12-31", "2022-12-31", "2023-12-31"]


def dates(text: str, start: dt.date = START, end: dt.date = END) -> list[str]:
    return [d.date.isoformat() for d in expand(text, start, end)]


# wording (as in the seed file) -> expected due dates, computed by hand
SEED_WORDINGS = {
    # 000 Krasnokutsky
    "2021": ["2021-12-31"],
    "Август - сентябрь": ["2020-09-30", "2021-09-30", "2022-09-30", "2023-09-30"],
    "Январь 2021": ["2021-01-31"],
    "2021-2023": ["2021-12-31", "2022-12-31", "2023-12-31"],
    "ежегодно": YEAR_ENDS,
    # 001 Rakityansky
    "Раз в полугодие": [f"{y}-{md}" for y in range(2020, 2024) for md in ("06-30", "12-31")],
    "постоянно": YEAR_ENDS,
    "Март – август 2021": ["2021-08-31"],
    "2 квартал 2021 года": ["2021-06-30"],
    "3 квартал 2021 года": ["2021-09-30"],
    "По графику": YEAR_ENDS,
    "Ежегодно с 2021 года": YEAR_ENDS[1:],
    "С 2021 года": YEAR_ENDS[1:],
    "2021-2024 годы": YEAR_ENDS[1:],
    "До 2024 года": ["2023-12-31"],
    "4 квартал каждого учебного года": YEAR_ENDS,
    "ежеквартально": [
        f"{y}-{md}" for y in range(2020, 2024) for md in ("03-31", "06-30", "09-30", "12-31")
    ],
    # 002 Nazarovsky
    "Июль - август 2020": ["2020-08-31"],
    "Июль 2020": ["2020-07-31"],
    "Август 2020": ["2020-08-31"],
    "1 раз в четверть ежегодно": [
        f"{y}-{md}" for y in range(2020, 2024) for md in ("03-31", "05-31", "10-31", "12-31")
    ],
    "2020-2023": YEAR_ENDS,
    "Сентябрь 2020 (2 неделя)": ["2020-09-14"],
    "Сентябрь 2020 (4 неделя)": ["2020-09-28"],
    "Октябрь 2020 (2 неделя)": ["2020-10-14"],
    "Январь, апрель 2021": ["2021-01-31", "2021-04-30"],
    "2020 - 2023": YEAR_ENDS,
    "Август 2020, ежемесячно 2020-2023 годы": [
        dt.date(y, m, 1).replace(day=1).isoformat()[:8]
        for y in range(2020, 2024)
        for m in range(1, 13)
    ],
    "в течение всего срока реализации программы": YEAR_ENDS,
    "Ноябрь 2020, май 2021": ["2020-11-30", "2021-05-31"],
    "2020-2021": ["2020-12-31", "2021-12-31"],
    # 003 Boksitogorsk
    "январь 2020 года": ["2020-01-31"],
    "март-апрель 2020 года": ["2020-04-30"],
    "на каждый учебный год": ["2020-09-01", "2021-09-01", "2022-09-01", "2023-09-01"],
    "2020, 2021, 2022 годы": YEAR_ENDS[:3],
    "2020 – 2022 годы": YEAR_ENDS[:3],
    "2020 год": ["2020-12-31"],
    "по графику": YEAR_ENDS,
    "По графику <i>Комитета образования</i>": YEAR_ENDS,
    "январь-февраль 2020 года": ["2020-02-29"],
    "по графику <i>ОО</i>": YEAR_ENDS,
    "в соответствии с планом работы ШМО/ШМС": YEAR_ENDS,
    "в соответствии с планами работы РМО": YEAR_ENDS,
    "в течение года по графику НИТУ «МИСиС»": YEAR_ENDS,
    "в течение года по графику Рособрнадзора": YEAR_ENDS,
    "по расписанию Рособрнадзора": YEAR_ENDS,
    "по мере формирования отчета": YEAR_ENDS,
    "апрель 2020-2022 годы": ["2020-04-30", "2021-04-30", "2022-04-30"],
    "2022 год": ["2022-12-31"],
    "2020 год 2020 год": ["2020-12-31"],
    "в соответствии с планом работы методической службы": YEAR_ENDS,
    "не менее 1 раза в 3 года": ["2022-12-31"],
    "1 раз в году": YEAR_ENDS,
    "Ежемесячно": None,  # 48 month ends, checked below
    "май – июнь 2020-2022 годы": ["2020-06-30", "2021-06-30", "2022-06-30"],
    # 004 Altai Republic
    "Июль месяц ежегодно": ["2020-07-31", "2021-07-31", "2022-07-31", "2023-07-31"],
    "Июль, ежегодно": ["2020-07-31", "2021-07-31", "2022-07-31", "2023-07-31"],
    "Октябрь ежегодно": ["2020-10-31", "2021-10-31", "2022-10-31", "2023-10-31"],
    "Декабрь 2020 года, далее ежегодно": YEAR_ENDS,
    "Январь 2021 года, далее ежегодно в октябре": [
        "2021-01-31",
        "2021-10-31",
        "2022-10-31",
        "2023-10-31",
    ],
    "Ежегодно к началу учебного года": ["2020-09-01", "2021-09-01", "2022-09-01", "2023-09-01"],
    # «далее ежегодно» keeps the month of the dated part before it
    "Январь 2021 года, далее ежегодно": ["2021-01-31", "2022-01-31", "2023-01-31"],
    "Январь - март 2021 гг., далее ежегодно": ["2021-03-31", "2022-03-31", "2023-03-31"],
    "В течение учебного года, ежегодно": ["2020-05-31", "2021-05-31", "2022-05-31", "2023-05-31"],
    "1 раз в полугодие": [f"{y}-{md}" for y in range(2020, 2024) for md in ("06-30", "12-31")],
    "1 раз в учебную четверть": [
        f"{y}-{md}" for y in range(2020, 2024) for md in ("03-31", "05-31", "10-31", "12-31")
    ],
    "Ежегодно согласно плану работы РУМО": YEAR_ENDS,
    "Ежегодно, в течение года": YEAR_ENDS,
    # the issue's own examples
    "ежегодно, июль": ["2020-07-31", "2021-07-31", "2022-07-31", "2023-07-31"],
    "1 раз в четверть": [
        f"{y}-{md}" for y in range(2020, 2024) for md in ("03-31", "05-31", "10-31", "12-31")
    ],
    "2 раза в год": [f"{y}-{md}" for y in range(2020, 2024) for md in ("06-30", "12-31")],
    "до 2024 года": ["2023-12-31"],
}


@pytest.mark.parametrize("wording", [w for w, d in SEED_WORDINGS.items() if d is not None])
def test_it_expands_every_seed_wording(wording):
    expected = SEED_WORDINGS[wording]
    if wording.startswith("Август 2020, ежемесячно"):
        got = dates(wording)
        assert len(got) == 48 and [g[:8] for g in got] == expected
        assert "2020-08-31" in got and "2020-02-29" in got
        return
    assert dates(wording) == sorted(expected)


def test_it_expands_monthly_to_month_ends():
    got = dates("Ежемесячно", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert got[:3] == ["2024-01-31", "2024-02-29", "2024-03-31"] and len(got) == 12


def test_it_clips_recurrences_to_the_program_period():
    assert dates("ежегодно, июль", dt.date(2021, 9, 1), dt.date(2023, 6, 30)) == ["2022-07-31"]
    # a one-off date outside the period is kept so that a late roadmap still shows it
    assert dates("Июль 2020", dt.date(2021, 1, 1), dt.date(2021, 12, 31)) == ["2020-07-31"]


def test_it_labels_school_quarters_with_the_school_year():
    labels = [
        d.label for d in expand("1 раз в четверть", dt.date(2021, 9, 1), dt.date(2022, 6, 30))
    ]
    assert labels == [
        "I четверть 2021/22",
        "II четверть 2021/22",
        "III четверть 2021/22",
        "IV четверть 2021/22",
    ]


@pytest.mark.parametrize("wording", ["", "   ", "когда-нибудь", "по возможности"])
def test_it_rejects_wording_it_cannot_read_with_a_russian_sentence(wording):
    with pytest.raises(DeadlineError) as err:
        parse_deadline(wording)
    assert "срок" in str(err.value).lower()


def test_it_describes_frequency():
    assert describe("ежеквартально") == "ежеквартально"
    assert describe("Январь 2021 года, далее ежегодно в октябре") == "ежегодно"
    assert describe("Июль 2020") == "однократно"


@pytest.mark.parametrize(
    ("status", "due", "today", "expected"),
    [
        ("planned", dt.date(2021, 7, 31), dt.date(2021, 8, 1), True),
        ("in_progress", dt.date(2021, 7, 31), dt.date(2021, 8, 1), True),
        ("planned", dt.date(2021, 7, 31), dt.date(2021, 7, 31), False),  # due today: not yet late
        ("done", dt.date(2021, 7, 31), dt.date(2022, 1, 1), False),
        ("cancelled", dt.date(2021, 7, 31), dt.date(2022, 1, 1), False),
    ],
)
def test_it_computes_overdue_from_dates(status, due, today, expected):
    assert is_overdue(status, due, today) is expected
