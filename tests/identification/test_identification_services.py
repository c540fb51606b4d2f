"""Runs, approval and comparison through the services (figures from the conftest table)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opora.identification import selectors, services
from opora.identification.models import IdentificationRun, RunStatus, Verdict


def verdicts(run) -> dict[str, str]:
    return dict(run.verdicts.values_list("school__code", "categories"))


def test_it_stores_a_verdict_for_every_school_of_the_region(run):
    assert verdicts(run) == {
        "0101001": "low_results;adverse_context",
        "0101002": "risk",
        "0201001": "leader",
        "0201002": "",
    }
    assert run.window_years == [2023, 2024]
    assert run.status == RunStatus.DRAFT
    assert run.created_by.username == "region"
    assert run.methodology_source == "altai-2020"
    assert run.methodology_name == "Республика Алтай, приказ № 1056 от 17.12.2020"
    assert "threshold = 0.30" in run.methodology_text


def test_it_stores_counts_and_figures(run):
    counts = run.summary["counts"]
    assert counts == {
        "low_results": 1,
        "adverse_context": 1,
        "risk": 1,
        "leader": 1,
        "resilient": 0,
        "unreliable": 0,
    }
    assert run.summary["insufficient"] == 1
    assert run.summary["inputs"] == {"schools": 4, "results": 7, "context": 4, "students": 0}
    north = run.verdicts.get(school__code="0101001")
    assert north.actual_share == pytest.approx(17 / 41)
    assert north.status == "оценена"
    pooled = north.evidence["pooled"]
    assert (pooled["failures"], pooled["participants"], pooled["low_years"]) == (17, 41, 2)
    years = {
        y["year"]: (y["failures"], y["participants"], y["low_cells"])
        for y in north.evidence["years"]
    }
    assert years == {2023: (9, 21, 1), 2024: (8, 20, 1)}
    # low_income is the only factor, so the index is its z-score over the four schools.
    mean = (40 + 30 + 5 + 20) / 4
    sd = (sum((v - mean) ** 2 for v in (40, 30, 5, 20)) / 4) ** 0.5
    assert north.context_index == pytest.approx((40 - mean) / sd)
    assert north.expected_share is not None and north.evidence["model"]["expected"] is not None


def test_it_stores_the_reasons_in_words(run):
    north = run.verdicts.get(school__code="0101001")
    low = [r["text"] for r in north.reasons if r["category"] == "low_results"]
    assert any("ВПР 2024, Математика, 5 кл.: 8 из 20 (40 %) получили «2»" in t for t in low)
    assert any("ВПР 2023, Математика, 5 кл.: 9 из 21 (43 %) получили «2»" in t for t in low)
    assert {r["label"] for r in north.reasons} == {"ШНОР", "ШНСУ"}
    tiny = run.verdicts.get(school__code="0201002")
    assert tiny.status == "недостаточно данных"
    assert tiny.reasons and tiny.reasons[0]["category"] == ""


def test_it_keeps_other_regions_out(run, region_data):
    assert not run.verdicts.filter(school=region_data.far_school).exists()
    assert run.region == region_data.region


def test_the_checksum_is_stable_and_follows_the_data(run, region_data):
    from opora.assessments.models import Result

    again = services.run_identification(region_data.region_user, "altai-2020")
    assert len(run.input_checksum) == 64
    assert again.input_checksum == run.input_checksum
    cell = Result.objects.get(school=region_data.north_village_school, year=2023)
    cell.mark_2 = 2
    cell.save()
    changed = services.run_identification(region_data.region_user, "altai-2020")
    assert changed.input_checksum != run.input_checksum


def test_data_of_another_region_do_not_change_the_checksum(run, region_data):
    from opora.assessments.models import Result

    Result.objects.filter(school=region_data.far_school).update(mark_2=3)
    again = services.run_identification(region_data.region_user, "altai-2020")
    assert again.input_checksum == run.input_checksum


def test_it_runs_a_pasted_methodology(region_data):
    text = "[low_results]\nthreshold = 0.41\nname_is_not_here = 1\n"
    with pytest.raises(ValidationError) as error:
        services.run_identification(region_data.region_user, text)
    assert "Неизвестный параметр «name_is_not_here»" in error.value.messages[0]
    run = services.run_identification(
        region_data.region_user, 'name = "Порог 41 %"\n[low_results]\nthreshold = 0.41\n'
    )
    # 43 % and 40 %: only 2023 stays low at 41 %, so 0101001 falls to the risk group.
    assert verdicts(run)["0101001"] == "adverse_context;risk"
    assert run.methodology_name == "Порог 41 %"
    assert run.methodology_source == "текст методики"


@pytest.mark.parametrize("who", ["north_user", "school_user", "curator", "nobody"])
def test_only_region_users_run(region_data, who):
    with pytest.raises(PermissionDenied):
        services.run_identification(getattr(region_data, who), "altai-2020")
    assert not IdentificationRun.objects.exists()


def test_a_region_user_cannot_run_for_another_region(region_data):
    with pytest.raises(PermissionDenied):
        services.run_identification(
            region_data.region_user, "altai-2020", region=region_data.other_region
        )


def test_a_run_without_results_is_refused_in_russian(world):
    with pytest.raises(ValidationError) as error:
        services.run_identification(world.region_user, None)
    assert "нет результатов оценочных процедур" in error.value.messages[0]


def test_it_writes_an_audit_record_for_run_and_approval(run, region_data):
    from opora.accounts.models import AuditEvent

    services.approve_run(region_data.region_user, run, "15-о", dt.date(2025, 3, 1))
    actions = list(
        AuditEvent.objects.filter(object_id=str(run.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["identification.approve", "identification.run"]


def test_the_region_approves_a_run_once(run, region_data):
    approved = services.approve_run(region_data.region_user, run, " 15-о ", dt.date(2025, 3, 1))
    assert approved.status == RunStatus.APPROVED
    assert approved.order_number == "15-о"
    assert approved.order_date == dt.date(2025, 3, 1)
    assert approved.approved_by == region_data.region_user
    assert approved.approved_at is not None
    assert approved.order_label == "приказ № 15-о от 01.03.2025"
    with pytest.raises(ValidationError) as error:
        services.approve_run(region_data.region_user, approved, "16-о", dt.date(2025, 3, 2))
    assert "уже утверждён" in error.value.messages[0]
    approved.refresh_from_db()
    assert approved.order_number == "15-о"


@pytest.mark.parametrize("who", ["north_user", "school_user", "curator", "nobody"])
def test_only_region_users_approve(run, region_data, who):
    with pytest.raises(PermissionDenied):
        services.approve_run(getattr(region_data, who), run, "1", dt.date(2025, 1, 1))
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_an_order_number_is_required(run, region_data):
    with pytest.raises(ValidationError):
        services.approve_run(region_data.region_user, run, "  ", dt.date(2025, 1, 1))


def test_the_newest_approved_run_is_current(run, region_data):
    assert selectors.current_approved_run(region_data.region) is None
    second = services.run_identification(region_data.region_user, "altai-2020")
    services.approve_run(region_data.region_user, second, "2", dt.date(2025, 2, 1))
    services.approve_run(region_data.region_user, run, "3", dt.date(2025, 3, 1))
    assert selectors.current_approved_run(region_data.region).pk == run.pk
    assert selectors.current_approved_run(region_data.other_region) is None


def test_the_approved_list_is_what_programs_take(run, region_data):
    empty_run, empty = selectors.approved_list(region_data.region)
    assert empty_run is None and not empty.exists()
    services.approve_run(region_data.region_user, run, "4", dt.date(2025, 1, 4))
    approved, schools = selectors.approved_list(region_data.region)
    assert approved.pk == run.pk
    assert [s.code for s in schools] == ["0101001"]
    _, risk = selectors.approved_list(region_data.region, "risk")
    assert [s.code for s in risk] == ["0101002"]


def test_compare_lists_who_entered_and_who_left(run, region_data):
    from opora.assessments.models import Result

    # 0101002 in 2023: 4 из 10 (40 %) — now two low years: it enters ШНОР and leaves the risk group.
    Result.objects.filter(school=region_data.north_village_school, year=2023).update(mark_2=4)
    newer = services.run_identification(region_data.region_user, "altai-2020")
    comparison = services.compare_runs(run, newer)
    changes = {c.code: c for c in comparison.changes}
    assert [v.school.code for v in changes["low_results"].entered] == ["0101002"]
    assert changes["low_results"].left == []
    assert changes["low_results"].stayed == 1
    assert [v.school.code for v in changes["risk"].left] == ["0101002"]
    assert changes["risk"].entered == []
    assert changes["leader"].stayed == 1 and not changes["leader"].entered
    assert comparison.changed
    back = services.compare_runs(newer, run)
    assert [v.school.code for v in {c.code: c for c in back.changes}["low_results"].left] == [
        "0101002"
    ]
    same = services.compare_runs(run, run)
    assert not same.changed


def test_compare_can_be_limited_to_visible_schools(run, region_data):
    from opora.assessments.models import Result

    Result.objects.filter(school=region_data.north_village_school, year=2023).update(mark_2=4)
    newer = services.run_identification(region_data.region_user, "altai-2020")
    comparison = services.compare_runs(run, newer, schools=[region_data.south_school.pk])
    assert not comparison.changed


def test_school_reasons_feed_the_analysis_of_causes(run, region_data):
    assert selectors.school_reasons(region_data.north_school, 2024) == []  # not approved yet
    services.approve_run(region_data.region_user, run, "5", dt.date(2025, 1, 10))
    reasons = selectors.school_reasons(region_data.north_school, 2024)
    assert reasons and reasons[0].startswith("ШНОР: ")
    assert selectors.school_reasons(region_data.north_school, 2023) == []  # window ends later


def test_verdict_codes_helpers(run):
    north = Verdict.objects.get(run=run, school__code="0101001")
    assert north.codes == ["low_results", "adverse_context"]
    assert north.category_labels == "ШНОР; ШНСУ"
    assert north.has("low_results") and not north.has("risk")
    filtered = selectors.with_category(run.verdicts.all(), "adverse_context")
    assert [v.school.code for v in filtered] == ["0101001"]
