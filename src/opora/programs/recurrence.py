"""Deadlines as officials write them, expanded into dated due points.

The roadmaps of the seed documents give a deadline either as a date («Июль 2020», «2 квартал
2021 года», «Сентябрь 2020 (2 неделя)»), a span («2021-2023», «до 2024 года») or a recurrence
(«ежегодно, июль», «1 раз в четверть», «раз в полугодие», «ежемесячно», «не менее 1 раза в 3
года», «постоянно», «по графику»). :func:`parse_deadline` turns the wording into rules and
:func:`expand` turns the rules into dated points inside a program's period.

Conventions (one place, so that a figure on a page and in a report agree):

* a month means its last day; a week N of a month means day 7·N;
* a year or a span of years means 31 December of each year;
* «до 2024 года» means before 2024 begins: 31.12.2023;
* a school quarter (четверть) ends on 31.10, 31.12, 31.03 and 31.05;
* «к началу учебного года» is 1 September, «в течение учебного года» ends on 31 May;
* continuous work («постоянно», «в течение всего срока») and work «по графику» without dates
  are checked once a year, on 31 December.

Pure Python: no Django.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS: tuple[tuple[str, str], ...] = (
    (r"январ\w*", "январь"),
    (r"феврал\w*", "февраль"),
    (r"март\w*", "март"),
    (r"апрел\w*", "апрель"),
    (r"ма[йяе]", "май"),
    (r"июн\w*", "июнь"),
    (r"июл\w*", "июль"),
    (r"август\w*", "август"),
    (r"сентябр\w*", "сентябрь"),
    (r"октябр\w*", "октябрь"),
    (r"ноябр\w*", "ноябрь"),
    (r"декабр\w*", "декабрь"),
)
MONTH_RE = re.compile(r"\b(" + "|".join(p for p, _ in MONTHS) + r")(?![а-я])")
MONTH_NAMES = tuple(name for _, name in MONTHS)
YEAR_RANGE_RE = re.compile(r"\b(20\d\d)\s*-\s*(20\d\d)\b")
YEAR_RE = re.compile(r"\b(20\d\d)\b")
SCHOOL_QUARTER_ENDS: tuple[tuple[int, int, str], ...] = (
    (10, 31, "I четверть"),
    (12, 31, "II четверть"),
    (3, 31, "III четверть"),
    (5, 31, "IV четверть"),
)
ROMAN = ("I", "II", "III", "IV")


class DeadlineError(ValueError):
    """The wording could not be understood; the message is a Russian sentence for the user."""


@dataclass(frozen=True)
class Rule:
    """One recurring or single deadline.

    ``kind`` is one of: ``date`` (a single ``day``), ``yearly`` (``month``/``day`` every year
    from ``from_year`` to ``to_year``), ``monthly``, ``quarterly`` (calendar quarters),
    ``school_quarterly``, ``half_yearly``, ``every_years`` (every ``step`` years),
    ``continuous`` and ``by_schedule`` (checked yearly).
    """

    kind: str
    day: dt.date | None = None
    month: int = 12
    month_day: int | None = None
    from_year: int | None = None
    to_year: int | None = None
    step: int = 1
    label: str = ""


@dataclass(frozen=True)
class Due:
    """A dated due point with a Russian label of the period it closes."""

    date: dt.date
    label: str


@dataclass(frozen=True)
class Deadline:
    text: str
    rules: tuple[Rule, ...]

    @property
    def is_recurring(self) -> bool:
        return any(rule.kind != "date" for rule in self.rules)


# --------------------------------------------------------------------------- parsing


def normalize(text: str) -> str:
    """Lower-case, one kind of dash, no markup, single spaces.

    >>> normalize("Январь – март 2021 гг.,  <i>далее</i> ежегодно")
    'январь - март 2021 гг., далее ежегодно'
    """
    t = re.sub(r"<[^>]+>", " ", text).lower().replace("ё", "е")
    t = re.sub(r"[‐‑‒–—―−]", "-", t)
    return re.sub(r"\s+", " ", t).strip()


def parse_deadline(text: str) -> Deadline:
    """Parse the wording of a deadline column.

    >>> [r.kind for r in parse_deadline("Январь 2021 года, далее ежегодно в октябре").rules]
    ['date', 'yearly']
    >>> parse_deadline("1 раз в четверть").rules[0].kind
    'school_quarterly'
    """
    t = normalize(text)
    if not t:
        raise DeadlineError(
            "Срок не указан. Укажите дату («июль 2021»), период («2021-2023») или периодичность («ежегодно, июль»)."
        )
    rules: list[Rule] = []
    anchor: int | None = None
    for segment in re.split(r",?\s*далее\s*", t):
        if not segment.strip(" ,."):
            continue
        # «Январь - март 2021, далее ежегодно»: the recurrence keeps the month and starts
        # from the year of the dated part before it.
        previous_month = next((r.day.month for r in reversed(rules) if r.day), None)
        found, anchor = _parse_segment(segment, anchor, previous_month)
        rules.extend(found)
    if not rules:
        raise DeadlineError(
            f"Не удалось понять срок «{text.strip()}». Укажите дату («июль 2021»), период "
            "(«2021-2023», «до 2024 года») или периодичность («ежегодно, июль», «1 раз в "
            "четверть», «2 раза в год», «постоянно»)."
        )
    return Deadline(text=text, rules=tuple(dict.fromkeys(rules)))


def _frequency(part: str) -> tuple[str, int] | None:
    """The recurrence a part of the wording names, strongest first."""
    if "ежемесячн" in part:
        return "monthly", 1
    if "четверт" in part:
        return "school_quarterly", 1
    if "ежекварт" in part:
        return "quarterly", 1
    if "полугоди" in part or re.search(r"\b2 раза в год", part):
        return "half_yearly", 1
    every = re.search(r"раз[а]? в (\d+) год", part)
    if every:
        return "every_years", int(every.group(1))
    if (
        "ежегодн" in part
        or re.search(r"\b1 раз в год", part)
        or "каждого учебного года" in part
        or "каждый учебный год" in part
    ):
        return "yearly", 1
    return None


def _is_continuous(part: str) -> bool:
    return (
        "постоянно" in part
        or "в течение всего срока" in part
        or bool(re.search(r"в течение (?!учебного)года", part))
    )


def _is_schedule(part: str) -> bool:
    return any(
        key in part
        for key in (
            "по графику",
            "по расписанию",
            "в соответствии с план",
            "по мере",
            "согласно план",
        )
    )


def _months(part: str) -> list[int]:
    return [_month_number(m.group(1)) for m in MONTH_RE.finditer(part)]


def _month_number(word: str) -> int:
    for number, (pattern, _) in enumerate(MONTHS, start=1):
        if re.fullmatch(pattern, word):
            return number
    raise AssertionError(word)  # pragma: no cover - MONTH_RE only yields known months


def _years(part: str) -> tuple[list[int], tuple[int, int] | None]:
    span = YEAR_RANGE_RE.search(part)
    if span:
        lo, hi = int(span.group(1)), int(span.group(2))
        rest = part[: span.start()] + part[span.end() :]
        return [int(y) for y in YEAR_RE.findall(rest)], (min(lo, hi), max(lo, hi))
    return [int(y) for y in YEAR_RE.findall(part)], None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _parse_segment(
    segment: str, anchor: int | None, anchor_month: int | None = None
) -> tuple[list[Rule], int | None]:
    parts = [p.strip() for p in segment.split(",") if p.strip(" .")]
    frequency = None
    for part in parts:
        f = _frequency(part)
        if f and (frequency is None or _STRENGTH[f[0]] > _STRENGTH[frequency[0]]):
            frequency = f
    rules: list[Rule] = []
    if frequency is not None:
        return _recurring(parts, frequency, anchor, anchor_month)
    if any(_is_continuous(p) for p in parts):
        years, span = _years(segment)
        return [
            Rule(
                "continuous", from_year=span[0] if span else None, to_year=span[1] if span else None
            )
        ], anchor
    if any(_is_schedule(p) for p in parts) and not YEAR_RE.search(segment):
        return [Rule("by_schedule")], anchor
    # Dated parts: a month without a year borrows the nearest year written after it.
    parsed = [(_months(p), *_years(p), p) for p in parts]
    last_year = anchor
    for index, (months, years, span, part) in enumerate(parsed):
        until = re.search(r"\bдо (20\d\d)", part)
        since = re.search(r"^\s*с (20\d\d)", part)
        if until:
            year = int(until.group(1)) - 1
            rules.append(Rule("date", day=dt.date(year, 12, 31), label=f"до {until.group(1)} г."))
            last_year = year
            continue
        if since:
            rules.append(Rule("yearly", from_year=int(since.group(1))))
            last_year = int(since.group(1))
            continue
        quarter = re.search(r"\b([1-4]) квартал", part)
        week = re.search(r"\(?([1-5]) недел", part)
        if span and months:
            rules.append(Rule("yearly", month=months[-1], from_year=span[0], to_year=span[1]))
            last_year = span[1]
        elif span:
            rules.append(Rule("yearly", from_year=span[0], to_year=span[1]))
            last_year = span[1]
        elif years or months or quarter:
            year = years[-1] if years else _borrow_year(parsed, index, last_year)
            if year is None:
                if not months:
                    continue
                rules.append(Rule("yearly", month=months[-1]))
                continue
            if quarter:
                q = int(quarter.group(1))
                day = _month_end(year, 3 * q)
                label = f"{ROMAN[q - 1]} квартал {year}"
            elif months:
                month = months[-1]
                if week:
                    day = dt.date(year, month, min(7 * int(week.group(1)), 28))
                else:
                    day = _month_end(year, month)
                label = f"{MONTH_NAMES[month - 1]} {year}"
            else:
                day, label = dt.date(year, 12, 31), f"{year} г."
            for extra in years[:-1]:
                rules.append(Rule("date", day=dt.date(extra, 12, 31), label=f"{extra} г."))
            rules.append(Rule("date", day=day, label=label))
            last_year = year
    if not rules and any(_is_schedule(p) for p in parts):
        rules.append(Rule("by_schedule"))
    return rules, last_year


_STRENGTH = {
    "every_years": 0,
    "yearly": 1,
    "half_yearly": 2,
    "quarterly": 3,
    "school_quarterly": 4,
    "monthly": 5,
}


def _borrow_year(parsed: list, index: int, previous: int | None) -> int | None:
    for _months, years, span, _ in parsed[index + 1 :]:
        if years:
            return years[0]
        if span:
            return span[0]
    return previous


def _recurring(
    parts: list[str], frequency: tuple[str, int], anchor: int | None, anchor_month: int | None
) -> tuple[list[Rule], int | None]:
    kind, step = frequency
    rules: list[Rule] = []
    whole = " ".join(parts)
    _, span = _years(whole)
    since = re.search(r"\bс (20\d\d)", whole)
    from_year = span[0] if span else int(since.group(1)) if since else anchor
    to_year = span[1] if span else None
    if kind != "yearly":
        # A dated part next to a finer recurrence is a one-off («Август 2020, ежемесячно ...»).
        for part in parts:
            if _frequency(part) is None:
                years, part_span = _years(part)
                months = _months(part)
                if years and months and not part_span:
                    rules.append(
                        Rule(
                            "date",
                            day=_month_end(years[-1], months[-1]),
                            label=f"{MONTH_NAMES[months[-1] - 1]} {years[-1]}",
                        )
                    )
        rules.append(Rule(kind, from_year=from_year, to_year=to_year, step=step))
        return rules, anchor
    month, month_day = anchor_month or 12, None
    for part in parts:
        years, part_span = _years(part)
        months = _months(part)
        if _frequency(part) is None and years and months and not part_span:
            rules.append(
                Rule(
                    "date",
                    day=_month_end(years[-1], months[-1]),
                    label=f"{MONTH_NAMES[months[-1] - 1]} {years[-1]}",
                )
            )
            continue
        if months:
            month = months[-1]
        quarter = re.search(r"\b([1-4]) квартал", part)
        if quarter:
            month = 3 * int(quarter.group(1))
        if "к началу учебного года" in part or "на каждый учебный год" in part:
            month, month_day = 9, 1
        elif "учебного года" in part and "каждого" not in part and not quarter:
            month = 5
    rules.append(
        Rule("yearly", month=month, month_day=month_day, from_year=from_year, to_year=to_year)
    )
    return rules, anchor


# --------------------------------------------------------------------------- expansion


def expand(deadline: Deadline | str, start: dt.date, end: dt.date) -> list[Due]:
    """Dated due points of a deadline inside a program period [start, end], in date order.

    One-off dates outside the period are kept (a late roadmap still shows its first
    deadline); recurring points are clipped to the period.

    >>> [d.date.isoformat() for d in expand("ежегодно, июль", dt.date(2021, 1, 1), dt.date(2023, 12, 31))]
    ['2021-07-31', '2022-07-31', '2023-07-31']
    >>> [d.label for d in expand("2 раза в год", dt.date(2021, 1, 1), dt.date(2021, 12, 31))]
    ['I полугодие 2021', 'II полугодие 2021']
    """
    if isinstance(deadline, str):
        deadline = parse_deadline(deadline)
    points: dict[dt.date, Due] = {}
    for rule in deadline.rules:
        for due in _expand_rule(rule, start, end):
            points.setdefault(due.date, due)
    return [points[d] for d in sorted(points)]


def _years_between(rule: Rule, start: dt.date, end: dt.date) -> range:
    lo = max(start.year, rule.from_year or start.year)
    hi = min(end.year, rule.to_year or end.year)
    return range(lo, hi + 1)


def _inside(day: dt.date, start: dt.date, end: dt.date) -> bool:
    return start <= day <= end


def _expand_rule(rule: Rule, start: dt.date, end: dt.date) -> list[Due]:
    if rule.kind == "date":
        assert rule.day is not None
        return [Due(rule.day, rule.label)]
    out: list[Due] = []
    if rule.kind == "monthly":
        for year in _years_between(rule, start, end):
            for month in range(1, 13):
                day = _month_end(year, month)
                if _inside(day, start, end):
                    out.append(Due(day, f"{MONTH_NAMES[month - 1]} {year}"))
        return out
    if rule.kind == "quarterly":
        for year in _years_between(rule, start, end):
            for q in range(1, 5):
                day = _month_end(year, 3 * q)
                if _inside(day, start, end):
                    out.append(Due(day, f"{ROMAN[q - 1]} квартал {year}"))
        return out
    if rule.kind == "school_quarterly":
        for year in _years_between(rule, start, end):
            for month, mday, name in SCHOOL_QUARTER_ENDS:
                day = dt.date(year, month, mday)
                school_year = (
                    f"{year}/{str(year + 1)[2:]}" if month >= 9 else f"{year - 1}/{str(year)[2:]}"
                )
                if _inside(day, start, end):
                    out.append(Due(day, f"{name} {school_year}"))
        return sorted(out, key=lambda d: d.date)
    if rule.kind == "half_yearly":
        for year in _years_between(rule, start, end):
            for half, month in ((1, 6), (2, 12)):
                day = _month_end(year, month)
                if _inside(day, start, end):
                    out.append(Due(day, f"{'I' * half} полугодие {year}"))
        return out
    if rule.kind == "every_years":
        first = rule.from_year or start.year
        for year in range(first + rule.step - 1, end.year + 1, rule.step):
            day = dt.date(year, 12, 31)
            if _inside(day, start, end):
                out.append(Due(day, f"{year} г."))
        return out
    # yearly, continuous, by_schedule: one point a year
    for year in _years_between(rule, start, end):
        day = (
            dt.date(year, rule.month, rule.month_day)
            if rule.month_day
            else _month_end(year, rule.month)
        )
        if _inside(day, start, end):
            label = (
                f"{year} г."
                if rule.month == 12 and not rule.month_day
                else f"{MONTH_NAMES[rule.month - 1]} {year}"
            )
            out.append(Due(day, label))
    return out


def describe(deadline: Deadline | str) -> str:
    """A short Russian description of how often an activity falls due.

    >>> describe("1 раз в учебную четверть")
    'ежечетвертно'
    """
    if isinstance(deadline, str):
        deadline = parse_deadline(deadline)
    names = {
        "date": "однократно",
        "yearly": "ежегодно",
        "monthly": "ежемесячно",
        "quarterly": "ежеквартально",
        "school_quarterly": "ежечетвертно",
        "half_yearly": "раз в полугодие",
        "every_years": "раз в несколько лет",
        "continuous": "постоянно (проверка раз в год)",
        "by_schedule": "по графику (проверка раз в год)",
    }
    kinds = [rule.kind for rule in deadline.rules]
    strongest = max(kinds, key=lambda k: list(names).index(k))
    return names[strongest]
