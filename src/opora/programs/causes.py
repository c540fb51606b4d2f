"""Causes of low results: the catalogue, what the data already show, the yearly analysis of a
school (seed 004, roadmap item 1: «анализ внутренних и внешних причин низких образовательных
результатов», July every year) and the causes no roadmap activity addresses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from opora.accounts.audit import record
from opora.programs import access
from opora.programs.models import (
    Activity,
    CauseAnalysis,
    CauseRating,
    Level,
    Program,
    ProgramStatus,
)

if TYPE_CHECKING:
    from opora.accounts.models import User
    from opora.territory.models import School


@dataclass(frozen=True)
class Cause:
    code: str
    title: str
    group: str
    source: str


# The ten risk profiles of the federal «500+» approach and the causes the seed orders name.
CAUSES: tuple[Cause, ...] = (
    Cause(
        "equipment",
        "Низкий уровень оснащения школы, недостаточное материально-техническое оснащение учебного процесса",
        "Ресурсы",
        "«500+», программа Краснокутского района",
    ),
    Cause("internet", "Низкая скорость Интернета", "Ресурсы", "программа Краснокутского района"),
    Cause(
        "staff_shortage",
        "Дефицит педагогических кадров, неукомплектованность школы управленческими кадрами, учителями-предметниками, узкими специалистами",
        "Кадры",
        "«500+», программа Краснокутского района",
    ),
    Cause(
        "profile_mismatch",
        "Несоответствие профиля подготовки педагогов преподаваемому предмету",
        "Кадры",
        "программа Краснокутского района",
    ),
    Cause(
        "teacher_competence",
        "Недостаточная предметная и методическая компетентность педагогических работников",
        "Кадры",
        "«500+»",
    ),
    Cause(
        "no_training_system",
        "Несформированность внутришкольной системы повышения квалификации",
        "Кадры",
        "«500+»",
    ),
    Cause(
        "weak_methods",
        "Использование педагогами неэффективных педагогических технологий",
        "Обучение",
        "программа Краснокутского района",
    ),
    Cause(
        "little_extra_work",
        "Недостаточное проведение дополнительной работы со слабоуспевающими учащимися",
        "Обучение",
        "программа Краснокутского района",
    ),
    Cause("low_adaptivity", "Риски низкой адаптивности учебного процесса", "Обучение", "«500+»"),
    Cause(
        "high_risk_students",
        "Высокая доля обучающихся с рисками учебной неуспешности",
        "Контингент и среда",
        "«500+»",
    ),
    Cause("low_motivation", "Низкая учебная мотивация обучающихся", "Контингент и среда", "«500+»"),
    Cause(
        "language_barriers",
        "Трудности преодоления языковых и культурных барьеров (русский язык не родной)",
        "Контингент и среда",
        "«500+», программа Назаровского района",
    ),
    Cause(
        "social_context",
        "Неблагоприятные социальные условия (семьи в социально опасном положении, малоимущие, на учёте в КДН)",
        "Контингент и среда",
        "программа Назаровского района",
    ),
    Cause(
        "school_climate",
        "Пониженный уровень качества школьной образовательной и воспитательной среды",
        "Контингент и среда",
        "«500+»",
    ),
    Cause(
        "parents",
        "Низкий уровень вовлечённости родителей, отсутствие заинтересованности у родителей",
        "Контингент и среда",
        "«500+», программа Краснокутского района",
    ),
    Cause(
        "management",
        "Низкий уровень управленческой культуры: формальный анализ результатов без анализа причин и планирования",
        "Управление",
        "программа Назаровского района",
    ),
)
CAUSE_BY_CODE = {c.code: c for c in CAUSES}
RATINGS = [(0, "не проявляется"), (1, "слабо"), (2, "заметно"), (3, "сильно")]
SIGNIFICANT = 2
LOW_RESULTS_SHARE = 0.30  # seed 004: ≥ 30 % got «2» (ВПР) or did not pass the threshold (ОГЭ/ЕГЭ)
MIN_PARTICIPANTS = 5


def prefill(school: School, year: int) -> dict[str, list[str]]:
    """What the stored data already say about the causes, as Russian sentences per cause."""
    from opora.assessments.models import Result, SchoolContext

    found: dict[str, list[str]] = {}
    results = (
        Result.objects.filter(
            school=school, year__in=(year - 1, year), participants__gte=MIN_PARTICIPANTS
        )
        .select_related("procedure", "subject")
        .order_by("-year", "procedure__name", "subject__name", "grade")
    )
    for result in results:
        share = result.failure_share
        if share is not None and share >= LOW_RESULTS_SHARE:
            word = (
                "получили «2»" if result.mark_2 is not None else "не преодолели минимальный порог"
            )
            found.setdefault("high_risk_students", []).append(
                f"{result.procedure.name} {result.year}, {result.subject.name}, {result.grade} кл.: "
                f"{result.failures} из {result.participants} ({round(100 * share)} %) {word}."
            )
    context = SchoolContext.objects.filter(school=school, year__lte=year).order_by("-year").first()
    if context is not None:
        checks = [
            ("language_barriers", "non_native_russian", 20, "русский язык не родной"),
            ("social_context", "families_in_danger", 5, "из семей в социально опасном положении"),
            ("social_context", "juvenile_commission", 3, "на учёте в КДН"),
            ("social_context", "low_income", 30, "из малоимущих семей"),
            ("social_context", "both_parents_unemployed", 10, "оба родителя безработные"),
            ("high_risk_students", "special_needs", 15, "обучающиеся с ОВЗ и дети-инвалиды"),
        ]
        for code, field, threshold, words in checks:
            value = getattr(context, field)
            if value is not None and value >= threshold:
                found.setdefault(code, []).append(
                    f"Социальный контекст {context.year}: {words} — {value:g} % обучающихся (порог {threshold} %)."
                )
    for cause, sentences in identification_reasons(school, year).items():
        found.setdefault(cause, []).extend(sentences)
    return found


# Which cause a category of the identification speaks to (leaders and resilient schools say
# nothing about causes of low results).
CAUSE_OF_CATEGORY = {
    "low_results": "high_risk_students",
    "risk": "high_risk_students",
    "adverse_context": "social_context",
    "unreliable": "management",
}


def identification_reasons(school: School, year: int) -> dict[str, list[str]]:
    """The reasons of the school's verdict, per cause: from the region's current approved
    run, else from its latest run; a run whose years end after ``year`` does not apply."""
    from opora.identification.selectors import current_approved_run, latest_run

    region = school.municipality.region_id
    for run in (current_approved_run(region), latest_run(region)):
        if run is None or any(int(y) > year for y in run.window_years or []):
            continue
        verdict = run.verdicts.filter(school=school).first()
        if verdict is None:
            continue
        source = f"расчёт № {run.pk}, " + (run.order_label if run.is_approved else "не утверждён")
        found: dict[str, list[str]] = {}
        for reason in verdict.reasons:
            if not isinstance(reason, dict):
                continue
            cause = CAUSE_OF_CATEGORY.get(reason.get("category", ""))
            if cause is not None:
                label = f"{reason['label']} — " if reason.get("label") else ""
                found.setdefault(cause, []).append(
                    f"Выявление ({source}): {label}{reason.get('text', '')}"
                )
        return found
    return {}


def visible_analysis(user: User, school: School, year: int) -> CauseAnalysis | None:
    from opora.territory.selectors import visible_schools

    if not visible_schools(user).filter(pk=school.pk).exists():
        return None
    return (
        CauseAnalysis.objects.filter(school=school, year=year).prefetch_related("ratings").first()
    )


def can_analyse(user: User, school: School) -> bool:
    """The school itself and its municipality (seed 004: «МОУО, ОО»)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.role == "school":
        return user.school_id == school.pk
    return user.role == "municipality" and user.municipality_id == school.municipality_id


@transaction.atomic
def save_analysis(
    user: User, school: School, year: int, ratings: dict[str, tuple[int, str]], summary: str = ""
) -> CauseAnalysis:
    access.require(can_analyse(user, school), "Анализ причин заполняют школа и её муниципалитет.")
    unknown = set(ratings) - set(CAUSE_BY_CODE)
    if unknown:
        raise ValidationError(
            f"Неизвестная причина: {sorted(unknown)[0]}. Выберите причину из перечня."
        )
    for code, (rating, evidence) in ratings.items():
        if rating >= SIGNIFICANT and not evidence.strip():
            raise ValidationError(
                f"Причина «{CAUSE_BY_CODE[code].title}» отмечена как существенная: укажите "
                "обоснование (данные, наблюдения, документы)."
            )
    analysis, _ = CauseAnalysis.objects.update_or_create(
        school=school, year=year, defaults={"summary": summary, "updated_by": user}
    )
    data = prefill(school, year)
    for code, (rating, evidence) in ratings.items():
        CauseRating.objects.update_or_create(
            analysis=analysis,
            cause=code,
            defaults={
                "rating": rating,
                "evidence": evidence,
                "prefilled": "\n".join(data.get(code, [])),
            },
        )
    record(
        user,
        "programs.causes.save",
        f"Анализ причин низких результатов {year}: {school.name}",
        obj=analysis,
        details={
            "school": school.code,
            "year": year,
            "significant": sorted(c for c, (r, _) in ratings.items() if r >= SIGNIFICANT),
        },
    )
    return analysis


def current_roadmap(school: School) -> Program | None:
    return (
        Program.objects.filter(level=Level.SCHOOL, school=school)
        .exclude(status=ProgramStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )


def unaddressed_causes(analysis: CauseAnalysis, roadmap: Program | None) -> list[Cause]:
    """Significant causes that no activity of the school's roadmap names."""
    addressed = set()
    if roadmap is not None:
        addressed = set(
            Activity.objects.filter(program=roadmap)
            .exclude(cause="")
            .values_list("cause", flat=True)
        )
    return [
        CAUSE_BY_CODE[r.cause]
        for r in analysis.ratings.all()
        if r.rating >= SIGNIFICANT and r.cause not in addressed and r.cause in CAUSE_BY_CODE
    ]
