"""Participants from the region's approved identification run; reasons in the causes analysis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from opora.programs import causes, services
from opora.programs.models import Level
from opora.programs.participants import approved_list, fill_from_approved_run

MATHS = "ВПР 2024, Математика, 5 кл.: 9 из 21 (43 %) получили «2»"
CONTEXT = "индекс социального неблагополучия 1,8 выше порога 1,0"


def reason(code: str, text: str) -> dict[str, str]:
    return {
        "category": code,
        "label": {"low_results": "ШНОР", "adverse_context": "ШНСУ"}[code],
        "text": text,
    }


def make_run(region, verdicts, *, approved: bool, order_number: str = "", years=(2022, 2023, 2024)):
    from opora.identification.models import IdentificationRun, Verdict

    run = IdentificationRun.objects.create(
        region=region,
        methodology_name="Тестовая методика",
        methodology_text="",
        input_checksum="0" * 64,
        window_years=list(years),
        status="approved" if approved else "draft",
        approved_at=timezone.now() if approved else None,
        order_number=order_number,
        order_date=dt.date(2024, 9, 1) if approved else None,
    )
    for school, codes, reasons in verdicts:
        Verdict.objects.create(run=run, school=school, categories=codes, reasons=reasons)
    return run


@pytest.fixture
def runs(world):
    """An approved run of the region: the north school ШНОР, the village school ШНСУ, the
    gymnasium both; a newer draft run that calls the village school ШНОР (must not count);
    an approved run of the other region that calls the far school ШНОР."""
    approved = make_run(
        world.region,
        [
            (world.north_school, "low_results", [reason("low_results", MATHS)]),
            (world.north_village_school, "adverse_context", [reason("adverse_context", CONTEXT)]),
            (world.south_school, "low_results;adverse_context", [reason("low_results", MATHS)]),
        ],
        approved=True,
        order_number="12",
    )
    draft = make_run(
        world.region,
        [(world.north_village_school, "low_results", [reason("low_results", "черновик")])],
        approved=False,
    )
    make_run(world.other_region, [(world.far_school, "low_results", [])], approved=True)
    return type("Runs", (), {"approved": approved, "draft": draft})


def program(user, level, name="Программа"):
    return services.create_program(
        user,
        level=level,
        name=name,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2027, 12, 31),
    )


def codes(schools) -> list[str]:
    return [s.code for s in schools]


def test_a_municipality_takes_its_low_results_schools(world, runs):
    from opora.accounts.models import AuditEvent

    municipal = program(world.north_user, Level.MUNICIPALITY)
    assert codes(fill_from_approved_run(world.north_user, municipal)) == ["0101001"]
    municipal.refresh_from_db()
    assert municipal.source_run_id == runs.approved.pk
    assert codes(municipal.participants.order_by("code")) == ["0101001"]
    event = AuditEvent.objects.filter(action="programs.program.participants").latest("id")
    assert event.summary == (
        f"Школ-участников: 1: ШНОР из утверждённого расчёта № {runs.approved.pk} "
        "(приказ № 12 от 01.09.2024)"
    )
    assert event.details["source_run_id"] == runs.approved.pk
    assert event.details["schools"] == ["0101001"] and event.details["categories"] == [
        "low_results"
    ]
    assert event.user == world.north_user

    chosen = fill_from_approved_run(world.north_user, municipal, include_adverse_context=True)
    assert codes(chosen) == ["0101001", "0101002"]


def test_a_regional_program_takes_the_whole_region_only(world, runs):
    regional = program(world.region_user, Level.REGION)
    assert codes(fill_from_approved_run(world.region_user, regional)) == ["0101001", "0201001"]
    assert codes(
        fill_from_approved_run(world.region_user, regional, include_adverse_context=True)
    ) == ["0101001", "0101002", "0201001"]  # never the far school of the other region


def test_it_explains_when_there_is_nothing_to_take(world):
    municipal = program(world.north_user, Level.MUNICIPALITY)
    with pytest.raises(ValidationError, match="нет утверждённого расчёта"):
        fill_from_approved_run(world.north_user, municipal)
    assert approved_list(world.north_user, municipal).run is None
    make_run(
        world.region,
        [(world.south_school, "low_results", []), (world.north_school, "adverse_context", [])],
        approved=True,
    )
    with pytest.raises(ValidationError, match="нет ШНОР на территории программы"):
        fill_from_approved_run(world.north_user, municipal)
    assert codes(
        fill_from_approved_run(world.north_user, municipal, include_adverse_context=True)
    ) == ["0101001"]


def test_only_the_owner_of_a_draft_fills_it(world, runs, roadmaps):
    municipal = roadmaps.municipal
    with pytest.raises(PermissionDenied):
        fill_from_approved_run(world.south_user, municipal)
    with pytest.raises(PermissionDenied):
        fill_from_approved_run(world.region_user, municipal)
    services.add_activity(world.north_user, municipal, title="Семинар", deadline="2022")
    services.submit(world.north_user, municipal)
    with pytest.raises(PermissionDenied):
        fill_from_approved_run(world.north_user, municipal)
    assert municipal.participants.count() == 0


def test_the_participants_page_fills_from_the_approved_list(client, world, runs):
    municipal = program(world.north_user, Level.MUNICIPALITY)
    client.force_login(world.north_user)
    url = reverse("programs:participants", args=[municipal.pk])
    html = client.get(url).content.decode()
    assert f"Расчёт выявления № {runs.approved.pk}" in html and "приказ № 12" in html
    assert '<strong id="run-low-results">1</strong>' in html
    assert '<strong id="run-adverse-context">1</strong>' in html
    response = client.post(
        reverse("programs:participants_from_run", args=[municipal.pk]),
        {"adverse_context": "1"},
        follow=True,
    )
    assert "взяты из утверждённого расчёта" in response.content.decode()
    assert codes(municipal.participants.order_by("code")) == ["0101001", "0101002"]
    # saving the hand-made choice keeps the link to the run
    client.post(url, {"schools": [world.north_school.pk]})
    municipal.refresh_from_db()
    assert codes(municipal.participants.all()) == ["0101001"]
    assert municipal.source_run_id == runs.approved.pk
    detail = client.get(reverse("programs:detail", args=[municipal.pk])).content.decode()
    assert f"расчёта выявления № {runs.approved.pk}" in detail


def test_another_municipality_cannot_fill_over_http(client, world, runs):
    municipal = program(world.north_user, Level.MUNICIPALITY)
    client.force_login(world.south_user)
    response = client.post(reverse("programs:participants_from_run", args=[municipal.pk]))
    assert response.status_code == 404
    assert municipal.participants.count() == 0


def test_the_causes_analysis_quotes_the_approved_verdict(world, runs):
    data = causes.prefill(world.south_school, 2024)
    approved = f"Выявление (расчёт № {runs.approved.pk}, приказ № 12 от 01.09.2024)"
    assert data["high_risk_students"] == [f"{approved}: ШНОР — {MATHS}"]
    village = causes.prefill(world.north_village_school, 2024)
    assert village["social_context"] == [f"{approved}: ШНСУ — {CONTEXT}"]
    assert "high_risk_students" not in village  # the newer draft does not override
    # an analysis of 2023 cannot use a run over 2022–2024
    assert causes.identification_reasons(world.south_school, 2023) == {}


def test_without_an_approved_run_the_latest_run_is_quoted(world):
    draft = make_run(
        world.region,
        [(world.north_school, "low_results", [reason("low_results", MATHS)])],
        approved=False,
    )
    assert causes.identification_reasons(world.north_school, 2024) == {
        "high_risk_students": [f"Выявление (расчёт № {draft.pk}, не утверждён): ШНОР — {MATHS}"]
    }
    assert causes.identification_reasons(world.south_school, 2024) == {}
