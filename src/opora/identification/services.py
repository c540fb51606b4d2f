"""State changes of the identification: run a methodology, approve a run; and comparing runs.

    run = run_identification(user, "altai-2020")            # a preset name
    run = run_identification(user, toml_text, region=region)  # or the text of a methodology
    approve_run(user, run, "123-о", date(2025, 9, 1))
    comparison = compare_runs(older, newer)

Every change checks the user's right, runs in one transaction and writes an audit record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opora.accounts.audit import record
from opora.analytics.identify import identify
from opora.analytics.methodology import (
    DEFAULT_PRESET,
    Methodology,
    MethodologyError,
    list_presets,
    parse_methodology,
    preset_text,
)
from opora.analytics.verdicts import CATEGORY_LABELS, CATEGORY_ORDER
from opora.identification import evidence as evidence_of
from opora.identification.inputs import input_checksum, region_inputs
from opora.identification.models import IdentificationRun, RunStatus, Verdict
from opora.identification.selectors import can_run, is_region_staff_of
from opora.territory.models import Region, School

if TYPE_CHECKING:
    from opora.accounts.models import User

MAX_METHODOLOGY_CHARS = 100_000


@dataclass(frozen=True)
class ResolvedMethodology:
    """A methodology ready to run: the parsed rules, the text to store and where it came from."""

    method: Methodology
    text: str
    source: str


def resolve_methodology(methodology: str | None) -> ResolvedMethodology:
    """A preset name, the TOML text of a methodology, or ``None`` for the default preset.

    A methodology that cannot be used raises ``ValidationError`` with the Russian message of
    the parser (every problem at once)."""
    if methodology is None or not methodology.strip():
        methodology = DEFAULT_PRESET
    name = methodology.strip()
    if name in list_presets():
        text = preset_text(name)
        source = name
    else:
        text = methodology
        source = "текст методики"
    if len(text) > MAX_METHODOLOGY_CHARS:
        raise ValidationError(
            "Текст методики слишком длинный (больше 100 000 знаков). Проверьте, тот ли файл выбран."
        )
    try:
        method = parse_methodology(text, source=source)
    except MethodologyError as error:
        raise ValidationError(f"Методику нельзя применить. {error}") from error
    return ResolvedMethodology(method=method, text=text, source=source)


def run_identification(
    user: User,
    methodology: str | None = None,
    *,
    region: Region | None = None,
    progress: Callable[[str], None] | None = None,
) -> IdentificationRun:
    """Run a methodology over the stored data of a region and store the run with a verdict
    for every school.

    ``methodology`` is a preset name or the TOML text (default: the default preset); ``region``
    defaults to the user's region (a superuser must name it when there are several).
    """
    if not can_run(user):
        raise PermissionDenied("Запускать идентификацию может только сотрудник региона.")
    region = _region_for(user, region)
    resolved = resolve_methodology(methodology)
    inputs = region_inputs(region)
    if inputs.results.num_rows == 0:
        raise ValidationError(
            f"В регионе «{region.name}» нет результатов оценочных процедур. "
            "Сначала загрузите результаты (раздел «Загрузка данных»)."
        )
    checksum = input_checksum(inputs)
    outcome = identify(
        inputs.schools,
        inputs.results,
        inputs.context,
        inputs.students,
        method=resolved.method,
        keep_cells=True,
        progress=progress,
    )
    summary = {
        "counts": evidence_of.category_counts(outcome),
        "schools": outcome.schools.num_rows,
        "insufficient": sum(
            1 for s in outcome.schools.column("status").to_pylist() if s == "недостаточно данных"
        ),
        "fitted": outcome.fitted,
        "context_formula": outcome.context.formula if outcome.context is not None else "",
        "warnings": list(outcome.warnings),
        "confidence": resolved.method.low_results.confidence,
        "inputs": inputs.rows(),
    }
    reasons = evidence_of.school_reasons(outcome)
    evidence = evidence_of.school_evidence(outcome)
    schools = dict(School.objects.filter(municipality__region=region).values_list("code", "pk"))
    with transaction.atomic():
        run = IdentificationRun.objects.create(
            region=region,
            methodology_name=resolved.method.name,
            methodology_source=resolved.source,
            methodology_text=resolved.text,
            input_checksum=checksum,
            created_by=user,
            window_years=list(outcome.window_years),
            summary=summary,
        )
        Verdict.objects.bulk_create(
            _verdicts(run, outcome.schools.to_pylist(), schools, reasons, evidence),
            batch_size=500,
        )
        counts = ", ".join(
            f"{CATEGORY_LABELS[code]}: {summary['counts'][code]}" for code in CATEGORY_ORDER
        )
        record(
            user,
            "identification.run",
            f"Расчёт идентификации № {run.pk} по методике «{run.methodology_name}» ({counts})",
            obj=run,
            details={
                "region": region.name,
                "checksum": checksum,
                "methodology_source": resolved.source,
                "window_years": run.window_years,
                "counts": summary["counts"],
            },
        )
    return run


def approve_run(
    user: User, run: IdentificationRun, order_number: str, order_date: dt.date
) -> IdentificationRun:
    """Approve a draft run by the region's order; final. The newest approved run of a region
    supersedes the older ones as the current list (``selectors.current_approved_run``)."""
    if not is_region_staff_of(user, run):
        raise PermissionDenied("Утверждать расчёт может только сотрудник региона этого расчёта.")
    if run.is_approved:
        raise ValidationError(
            f"Расчёт № {run.pk} уже утверждён ({run.order_label}). Утверждение нельзя изменить: "
            "запустите новый расчёт и утвердите его."
        )
    number = (order_number or "").strip()
    if not number:
        raise ValidationError("Укажите номер приказа, которым утверждается список.")
    if order_date is None:
        raise ValidationError("Укажите дату приказа, которым утверждается список.")
    with transaction.atomic():
        locked = IdentificationRun.objects.select_for_update().get(pk=run.pk)
        if locked.is_approved:
            raise ValidationError(f"Расчёт № {run.pk} уже утверждён.")
        locked.status = RunStatus.APPROVED
        locked.approved_by = user
        locked.approved_at = timezone.now()
        locked.order_number = number
        locked.order_date = order_date
        locked.save(
            update_fields=["status", "approved_by", "approved_at", "order_number", "order_date"]
        )
        record(
            user,
            "identification.approve",
            f"Расчёт идентификации № {locked.pk} утверждён: {locked.order_label}",
            obj=locked,
            details={"order_number": number, "order_date": order_date.isoformat()},
        )
    return locked


@dataclass
class CategoryChange:
    """Who entered and who left one category's list between two runs."""

    code: str
    entered: list[Verdict] = field(default_factory=list)  # verdicts of the newer run
    left: list[Verdict] = field(default_factory=list)  # verdicts of the older run
    stayed: int = 0

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.code]


@dataclass
class RunComparison:
    base: IdentificationRun
    other: IdentificationRun
    changes: list[CategoryChange]
    only_in_base: list[School] = field(default_factory=list)
    only_in_other: list[School] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.entered or c.left for c in self.changes)


def compare_runs(
    base: IdentificationRun,
    other: IdentificationRun,
    schools: Iterable[int] | None = None,
) -> RunComparison:
    """For every category: schools in ``other``'s list but not in ``base``'s (entered) and the
    reverse (left). ``schools`` (school ids) limits the comparison to the schools a user sees."""
    if base.region_id != other.region_id:
        raise ValidationError("Сравнивать можно только расчёты одного региона.")
    verdicts = {}
    for run in (base, other):
        query = run.verdicts.select_related("school", "school__municipality")
        if schools is not None:
            query = query.filter(school_id__in=list(schools))
        verdicts[run.pk] = {v.school_id: v for v in query.order_by("school__code")}
    before, after = verdicts[base.pk], verdicts[other.pk]
    changes = []
    for code in CATEGORY_ORDER:
        had = {pk for pk, v in before.items() if v.has(code)}
        has = {pk for pk, v in after.items() if v.has(code)}
        changes.append(
            CategoryChange(
                code=code,
                entered=[after[pk] for pk in after if pk in has - had],
                left=[before[pk] for pk in before if pk in had - has],
                stayed=len(had & has),
            )
        )
    return RunComparison(
        base=base,
        other=other,
        changes=changes,
        only_in_base=[v.school for pk, v in before.items() if pk not in after],
        only_in_other=[v.school for pk, v in after.items() if pk not in before],
    )


# --- internals -------------------------------------------------------------------------------


def _region_for(user: User, region: Region | None) -> Region:
    if region is not None:
        if not user.is_superuser and region.pk != user.region_id:
            raise PermissionDenied("Запускать идентификацию можно только для своего региона.")
        return region
    if user.region_id:
        return user.region
    regions = list(Region.objects.all()[:2])
    if len(regions) == 1:
        return regions[0]
    raise ValidationError("Выберите регион, для которого запускается идентификация.")


def _verdicts(
    run: IdentificationRun,
    rows: list[dict],
    schools: dict[str, int],
    reasons: dict[str, list[dict[str, str]]],
    evidence: dict[str, dict],
) -> list[Verdict]:
    """One verdict per school of the outcome; codes without a school of the region (which the
    region's own tables cannot produce) are skipped."""
    verdicts = []
    for row in rows:
        school_pk = schools.get(row["school_id"])
        if school_pk is None:
            continue
        verdicts.append(
            Verdict(
                run=run,
                school_id=school_pk,
                categories=row["categories"] or "",
                status=row["status"] or "",
                context_index=row["context_index"],
                expected_share=row["expected_share"],
                actual_share=row["actual_share"],
                contribution=row["contribution"],
                contribution_lo=row["contribution_lo"],
                contribution_hi=row["contribution_hi"],
                shrunk_share=row["shrunk_share"],
                reasons=reasons.get(row["school_id"], []),
                evidence=evidence.get(row["school_id"], {}),
            )
        )
    return verdicts
