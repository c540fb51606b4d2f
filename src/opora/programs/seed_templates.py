"""Roadmap and indicator templates shipped as data (templates_data/*.json), taken from the seed
orders, and starting a program from one of them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from opora.programs import services
from opora.programs.models import Indicator, IndicatorTarget, Program
from opora.programs.services import ActivityRow

if TYPE_CHECKING:
    from opora.accounts.models import User

DATA_DIR = Path(__file__).with_name("templates_data")


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    level: str
    document: str
    source: str
    columns: tuple[str, ...]
    passport: dict[str, Any]
    activities: tuple[dict[str, str], ...]
    indicator_presets: tuple[str, ...]
    participant_names: tuple[str, ...]

    def rows(self) -> list[ActivityRow]:
        return [
            ActivityRow(
                section=a.get("section", ""),
                section_number=a.get("section_number", ""),
                number=a.get("number", ""),
                title=a["title"],
                deadline=a["deadline"],
                responsible=a.get("responsible", ""),
                expected_result=a.get("expected_result", ""),
                quality_indicator=a.get("quality_indicator", ""),
            )
            for a in self.activities
        ]


@cache
def roadmap_templates() -> dict[str, Template]:
    """Every roadmap template, keyed by its key."""
    found = {}
    for path in sorted(DATA_DIR.glob("*.json")):
        if path.name.startswith("indicators_"):
            continue
        raw = json.loads(path.read_text(encoding="utf-8"))
        found[raw["key"]] = Template(
            key=raw["key"],
            title=raw["title"],
            level=raw["level"],
            document=raw["document"],
            source=raw["source"],
            columns=tuple(raw["columns"]),
            passport=raw["passport"],
            activities=tuple(raw["activities"]),
            indicator_presets=tuple(raw.get("indicator_presets", ())),
            participant_names=tuple(raw.get("participant_names", ())),
        )
    return found


@cache
def indicator_presets() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(DATA_DIR.glob("indicators_*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        found[raw["key"]] = raw
    return found


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def start_from_template(
    user: User, key: str, *, level: str | None = None, **overrides: Any
) -> Program:
    """A new draft program with the template's passport, every activity and its indicators.

    ``level`` lets a municipal template serve as the skeleton of a school roadmap.
    """
    template = roadmap_templates()[key]
    passport = dict(template.passport)
    passport.update({k: v for k, v in overrides.items() if v not in (None, "")})
    for field in ("order_date", "period_start", "period_end"):
        if isinstance(passport.get(field), str):
            passport[field] = _date(passport[field])
    program = services.create_program(
        user, level=level or template.level, template_key=key, **passport
    )
    services.add_rows(user, program, template.rows(), source=f"шаблон «{template.title}»")
    for preset in template.indicator_presets:
        apply_indicator_preset(user, program, preset)
    return program


def target_shift(start: int, end: int, years: set[int]) -> int:
    """How many years to move a preset's targets so that they fall in a program's period.

    A preset from another period (the Altai order's 2020–2023 for a 2026–2028 program) is moved
    so that its last target is the program's last year: the trajectory keeps its end point,
    earlier targets before the program's start are left out. A preset whose years meet the
    period keeps them as they are.

    >>> target_shift(2026, 2028, {2020, 2021, 2022, 2023})
    5
    >>> target_shift(2020, 2022, {2021, 2022, 2023})
    0
    """
    if not years or any(start <= year <= end for year in years):
        return 0
    return end - max(years)


def _target_label(note: str, years: list[int], shift: int) -> str:
    """The label of each target of a preset indicator: the preset's own note, and when the
    targets were moved, which preset year went to which program year (the same words on every
    target of the indicator, so the page can show them once for the row).

    >>> _target_label("2022 г. – 7%; 2023 г. – 10%", [2022, 2023], 5)
    'по образцу шаблона: 2022 → 2027, 2023 → 2028; в шаблоне: 2022 г. – 7%; 2023 г. – 10%'
    """
    if not shift:
        return note
    moves = ", ".join(f"{year} → {year + shift}" for year in sorted(years))
    origin = f"по образцу шаблона: {moves}"
    return (f"{origin}; в шаблоне: {note}" if note else origin)[:200]


@transaction.atomic
def apply_indicator_preset(user: User, program: Program, key: str) -> int:
    """Add the indicators of a preset (skipping codes the program already has)."""
    from opora.programs import access

    access.require(
        access.can_edit(user, program), "Показатели добавляет владелец программы в черновике."
    )
    preset = indicator_presets()[key]
    existing = set(program.indicators.values_list("code", flat=True))
    position = program.indicators.count()
    shift = target_shift(
        program.period_start.year,
        program.period_end.year,
        {int(year) for item in preset["indicators"] for year in item.get("targets", {})},
    )
    added = 0
    for item in preset["indicators"]:
        if item["code"] in existing:
            continue
        position += 1
        indicator = Indicator.objects.create(
            program=program,
            code=item["code"],
            group=item.get("group", ""),
            name=item["name"],
            unit=item["unit"],
            source=item["source"],
            computation=item.get("computation", ""),
            levels="\n".join(item.get("levels", [])),
            position=position,
        )
        kept = {
            int(year): value
            for year, value in item.get("targets", {}).items()
            if int(year) + shift >= program.period_start.year
        }
        label = _target_label(item.get("target_note", ""), list(kept), shift)
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, year=year + shift, value=value, label=label)
            for year, value in kept.items()
        )
        added += 1
    services._audit(
        user, "indicator.preset", f"Добавлены показатели: {added} («{preset['title']}»)", program
    )
    return added
