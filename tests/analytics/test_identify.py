"""The orchestrator: the school table, codes in order, reasons, and engine agreement."""

from __future__ import annotations

import dataclasses
import math

import pyarrow as pa
import pytest
from analytics_builders import by_school, results

from opora.analytics.identify import SCHOOLS_SCHEMA, identify
from opora.analytics.methodology import ExpectedRule, load_methodology


def _schools(*ids):
    return pa.table(
        {
            "school_id": list(ids),
            "name": [f"Школа {i}" for i in ids],
            "municipality": ["Район"] * len(ids),
            "settlement": ["село"] * len(ids),
            "students": [100] * len(ids),
        }
    )


def _case():
    rows = []
    for year in (2023, 2024):
        rows += [
            ("low", year, "ВПР", "Математика", 5, 20, 8),  # 0.40 both years: ШНОР
            ("low", year, "ВПР", "Русский язык", 5, 20, 2),
            ("risk", year, "ВПР", "Математика", 5, 20, 7 if year == 2024 else 1),
            ("lead", year, "ВПР", "Математика", 5, 20, 1),  # 0.05: leader
            ("lead", year, "ОГЭ", "Математика", 9, 25, 0),
            ("mid", year, "ВПР", "Математика", 5, 20, 3),
            ("tiny", year, "ВПР", "Математика", 5, 3, 3),  # never judged
        ]
    context = pa.table(
        {
            "school_id": ["low", "risk", "lead", "mid", "tiny", "empty"],
            "year": [2024] * 6,
            "low_income": [50.0, 30.0, 5.0, 20.0, 60.0, 10.0],
        }
    )
    return results(*rows), context


def test_it_joins_codes_in_category_order_and_reasons_per_category(engine):
    table, context = _case()
    run = identify(
        _schools("low", "risk", "lead", "mid", "tiny", "empty"), table, context, engine=engine
    )
    assert run.window_years == (2023, 2024)
    assert run.schools.schema == SCHOOLS_SCHEMA
    schools = by_school(run.schools)
    assert list(schools) == ["empty", "lead", "low", "mid", "risk", "tiny"]
    # low_income 50, 30, 5, 20, 60, 10: mean 29.1667; quantile 0.2 of 6 -> k = 2 -> tiny, low
    assert schools["low"]["categories"] == "low_results;adverse_context"
    assert schools["tiny"]["categories"] == "adverse_context"
    assert schools["risk"]["categories"] == "risk"
    assert schools["lead"]["categories"] == "leader"
    assert schools["mid"]["categories"] == ""
    assert schools["tiny"]["status"] == "недостаточно данных"
    assert schools["empty"]["status"] == "недостаточно данных"
    low = schools["low"]
    assert (low["judged_cells"], low["low_cells"], low["low_years"]) == (4, 2, 2)
    assert low["actual_share"] == pytest.approx(20 / 80)
    assert low["reasons"].startswith(
        "ШНОР: Низкие результаты в 2 из 2 лет окна (2023: низких ячеек 1 из 2; "
        "2024: низких ячеек 1 из 2); ВПР 2024, Математика, 5 кл.: 8 из 20 (40 %) получили «2»"
    )
    assert " | ШНСУ: Индекс социального неблагополучия " in low["reasons"]
    assert schools["tiny"]["reasons"].endswith(
        "Недостаточно данных: за 2023–2024 гг. нет ни одной ячейки с 5 и более участниками "
        "(с меньшим числом участников: 2 ячейки)"
    )
    # low_income z-score of "low": (50 − 29.1667) / sd, sd = sqrt(2420.833 / 6) = 20.08662
    assert low["context_index"] == pytest.approx((50 - 175 / 6) / 20.08662, abs=1e-5)
    assert run.flagged("leader") == ["lead"]
    cells = run.cells.to_pylist()
    assert len(cells) == 14
    assert {c["status"] for c in cells} == {"оценена", "недостаточно данных"}


def test_it_fits_the_expected_shares_when_the_context_is_given(engine):
    table, context = _case()
    run = identify(None, table, context, engine=engine)
    assert run.fitted is not None and run.fitted["method"] == "fixed"
    assert 0.0 <= run.fitted["r_squared"] <= 1.0
    schools = by_school(run.schools)
    for school in ("low", "risk", "lead", "mid"):
        row = schools[school]
        assert row["contribution"] == pytest.approx(row["expected_share"] - row["actual_share"])
        assert row["contribution_lo"] <= row["contribution"] <= row["contribution_hi"]
    assert schools["tiny"]["expected_share"] is None  # no judged cell: not modelled
    assert "resilient" in run.categories and "unreliable" in run.categories


def test_it_fits_the_factor_weights_when_the_methodology_asks(engine):
    table, context = _case()
    context = context.append_column("foster_care", pa.array([5.0, 1.0, 0.0, 2.0, 9.0, 1.0]))
    method = load_methodology("altai-2020")
    method = dataclasses.replace(method, expected=ExpectedRule(weights="fitted"))
    run = identify(None, table, context, method=method, engine=engine)
    assert run.fitted["method"] == "fitted"
    assert {"intercept", "low_income", "foster_care"} <= set(run.fitted["coefficients"])


def test_it_warns_when_the_results_hold_fewer_years_than_the_window(engine):
    table = results(("a", 2024, "ВПР", "Математика", 5, 10, 5))
    run = identify(None, table, engine=engine, keep_cells=False)
    assert run.window_years == (2024,)
    assert run.cells is None
    assert run.warnings == [
        "В результатах 1 год (2024 г.), а методика рассматривает 2: окно короче, чем требует "
        "методика."
    ]
    assert by_school(run.schools)["a"]["categories"] == "risk"


def test_it_runs_the_rosobrnadzor_preset_through_the_orchestrator(engine):
    table = results(
        ("r", 2023, "ОГЭ", "Математика", 9, 10, 4),
        ("r", 2024, "ОГЭ", "Математика", 9, 10, 4),
        ("r", 2024, "ЕГЭ", "Химия", 11, 10, None, 5),
    )
    run = identify(None, table, method=load_methodology("rosobrnadzor-risk"), engine=engine)
    assert by_school(run.schools)["r"]["categories"] == "low_results"


@pytest.mark.spark
def test_both_engines_give_the_same_tables_on_a_demo_region(spark_session):
    from opora.demo.generator import RegionSpec, generate_region

    region = generate_region(RegionSpec(schools=40, municipalities=2, seed=7))
    runs = {
        engine: identify(region.schools, region.results, region.context, engine=engine)
        for engine in ("duckdb", "pyspark")
    }
    duck, spark = runs["duckdb"], runs["pyspark"]
    assert duck.window_years == spark.window_years
    assert {c: sorted(r.flagged) for c, r in duck.categories.items()} == {
        c: sorted(r.flagged) for c, r in spark.categories.items()
    }
    _assert_same(duck.schools, spark.schools)
    _assert_same(duck.cells, spark.cells)


def _assert_same(left: pa.Table, right: pa.Table) -> None:
    assert left.schema == right.schema
    assert left.num_rows == right.num_rows
    for name in left.column_names:
        a, b = left.column(name).to_pylist(), right.column(name).to_pylist()
        if pa.types.is_floating(left.schema.field(name).type):
            for x, y in zip(a, b, strict=True):
                assert (x is None) == (y is None), name
                if x is not None and not (math.isnan(x) and math.isnan(y)):
                    assert x == pytest.approx(y, rel=1e-9, abs=1e-12), name
        else:
            assert a == b, name


def test_results_with_dictionary_texts_as_the_reader_gives_them_identify_alike(engine):
    table, context = _case()
    texts = ("school_id", "procedure", "subject")
    encoded = table
    for name in texts:
        i = encoded.column_names.index(name)
        encoded = encoded.set_column(i, name, encoded.column(name).dictionary_encode())
    assert pa.types.is_dictionary(encoded.schema.field("school_id").type)
    plain = identify(_schools("low", "risk", "lead"), table, context, engine=engine)
    coded = identify(_schools("low", "risk", "lead"), encoded, context, engine=engine)
    _assert_same(plain.schools, coded.schools)
    _assert_same(plain.cells, coded.cells)
    assert {c: r.flagged for c, r in plain.categories.items()} == {
        c: r.flagged for c, r in coded.categories.items()
    }
    # The register, the context and the results together: empty, lead, low, mid, risk, tiny.
    assert coded.schools.column("categories").to_pylist() == [
        "",
        "leader",
        "low_results;adverse_context",
        "",
        "risk",
        "adverse_context",
    ]


def test_a_model_that_cannot_be_fitted_becomes_a_warning_after_the_window_one(engine):
    # Two schools with results and context, but fitted weights for two factors need more than
    # three: no expected shares, no resilient schools, ШНСУ still judged, both warnings kept.
    table = results(
        ("a", 2024, "ВПР", "Математика", 5, 20, 8),
        ("b", 2024, "ВПР", "Математика", 5, 20, 1),
    )
    context = pa.table(
        {
            "school_id": ["a", "b"],
            "year": [2024, 2024],
            "low_income": [40.0, 10.0],
            "foster_care": [3.0, 1.0],
        }
    )
    method = dataclasses.replace(
        load_methodology("altai-2020"), expected=ExpectedRule(weights="fitted")
    )
    run = identify(None, table, context, method=method, engine=engine)
    assert run.fitted is None
    assert "resilient" not in run.categories and "adverse_context" in run.categories
    assert run.warnings[0].startswith("В результатах 1 год (2024 г.)")
    assert run.warnings[1] == (
        "Ожидаемые результаты не рассчитаны: Для расчёта ожидаемых результатов нужно больше "
        "школ с данными о результатах и контексте, чем параметров модели (3); сейчас — 2. "
        'Расширьте окно лет или используйте weights = "fixed".'
    )
    assert all(r["expected_share"] is None for r in run.schools.to_pylist())
