"""Participants of a program taken from the region's approved identification run.

The region approves a run of the identification by an order; its ШНОР (and, on request, ШНСУ)
within the program's territory become the program's participating schools, and the program
remembers the run (``Program.source_run_id``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from opora.analytics.verdicts import CATEGORY_LABELS
from opora.identification.models import IdentificationRun, Verdict
from opora.identification.selectors import current_approved_run
from opora.programs import access, services
from opora.programs.models import Level, Program
from opora.territory.models import School
from opora.territory.selectors import visible_schools

if TYPE_CHECKING:
    from opora.accounts.models import User

LOW_RESULTS = "low_results"
ADVERSE_CONTEXT = "adverse_context"


@dataclass
class ApprovedList:
    """The current approved run and the categories of the schools of a program's territory."""

    run: IdentificationRun | None
    categories: dict[int, list[str]] = field(default_factory=dict)  # school pk → codes

    def schools_with(self, *codes: str) -> set[int]:
        return {pk for pk, found in self.categories.items() if set(codes) & set(found)}

    def labels(self) -> dict[int, str]:
        """School pk → «ШНОР; ШНСУ» for the schools of the list."""
        return {
            pk: "; ".join(CATEGORY_LABELS[c] for c in found if c in (LOW_RESULTS, ADVERSE_CONTEXT))
            for pk, found in self.categories.items()
            if {LOW_RESULTS, ADVERSE_CONTEXT} & set(found)
        }


def territory_schools(user: User, program: Program) -> QuerySet[School]:
    """Open schools of the program's territory that the user may see."""
    schools = visible_schools(user).filter(is_archived=False)
    if program.level == Level.SCHOOL:
        return schools.filter(pk=program.school_id)
    if program.level == Level.MUNICIPALITY:
        return schools.filter(municipality_id=program.municipality_id)
    return schools.filter(municipality__region_id=program.region_id)


def approved_list(user: User, program: Program) -> ApprovedList:
    """The region's current approved run and the categories it gives the schools of the
    program's territory (an empty list when the region has no approved run)."""
    run = current_approved_run(program.region_id)
    if run is None:
        return ApprovedList(run=None)
    verdicts = Verdict.objects.filter(
        run=run, school__in=territory_schools(user, program)
    ).values_list("school_id", "categories")
    return ApprovedList(
        run=run,
        categories={pk: [c for c in codes.split(";") if c] for pk, codes in verdicts},
    )


@transaction.atomic
def fill_from_approved_run(
    user: User, program: Program, *, include_adverse_context: bool = False
) -> list[School]:
    """Replace the participants with the ШНОР (and the ШНСУ when asked) of the region's
    current approved run within the program's territory; remember the run."""
    access.require(
        access.can_edit(user, program), "Состав участников меняет владелец программы в черновике."
    )
    found = approved_list(user, program)
    if found.run is None:
        raise ValidationError(
            "В регионе нет утверждённого расчёта выявления ШНОР/ШНСУ. Утвердите расчёт в "
            "разделе «Идентификация» или отметьте школы вручную."
        )
    codes = (LOW_RESULTS, ADVERSE_CONTEXT) if include_adverse_context else (LOW_RESULTS,)
    chosen = list(
        School.objects.filter(pk__in=found.schools_with(*codes))
        .select_related("municipality")
        .order_by("code")
    )
    words = "ШНОР и ШНСУ" if include_adverse_context else "ШНОР"
    if not chosen:
        raise ValidationError(
            f"В утверждённом расчёте № {found.run.pk} нет {words} на территории программы. "
            "Отметьте школы вручную."
        )
    order = f" ({found.run.order_label})" if found.run.order_label else ""
    return services.set_participants(
        user,
        program,
        chosen,
        source_run_id=found.run.pk,
        note=f"{words} из утверждённого расчёта № {found.run.pk}{order}",
        categories=list(codes),
    )
