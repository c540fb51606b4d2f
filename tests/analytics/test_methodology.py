"""Methodology TOML: defaults, presets, and Russian errors for unknown keys, types and ranges.

Parsing involves no engine, so these tests run once; the presets are run on both engines in
test_rosobrnadzor.py and test_identify.py.
"""

from __future__ import annotations

import pytest

from opora.analytics.methodology import (
    DEFAULT,
    Methodology,
    MethodologyError,
    list_presets,
    load_methodology,
    methodology_to_toml,
    parse_methodology,
    preset_text,
)


def _error(text: str) -> str:
    with pytest.raises(MethodologyError) as caught:
        parse_methodology(text)
    return str(caught.value)


def test_it_gives_every_key_the_spec_default_when_the_file_is_empty():
    method = parse_methodology("")
    low = method.low_results
    assert (low.threshold, low.min_participants, low.window_years) == (0.30, 5, 2)
    assert (low.years_required, low.min_low_cells, low.min_low_share) == (2, 1, 0.0)
    assert (low.procedures, low.subjects) == (("ВПР", "ОГЭ", "ЕГЭ"), ())
    assert (low.significance, low.confidence, low.rule) == (False, 0.95, "cells")
    assert method.adverse_context.quantile == 0.20
    assert dict(method.adverse_context.weights) == {}
    assert method.leaders.max_failure_share == 0.05
    assert method.expected.weights == "fixed"
    assert method.resilient.min_contribution == 0.05
    unreliable = method.unreliable
    assert (unreliable.vpr_max_failure, unreliable.vpr_min_top) == (0.02, 0.5)
    assert (unreliable.gia_min_failure, unreliable.collapse_p) == (0.2, 0.001)
    assert (unreliable.collapse_min_drop, unreliable.mark_gap_ratio) == (0.2, 3.0)


def test_it_names_an_unknown_key_its_section_and_the_allowed_keys():
    assert _error("[low_results]\ntreshold = 0.3\n") == (
        "Неизвестный параметр «treshold» в разделе [low_results]. Возможно, имелся в виду "
        "«threshold». Допустимые: threshold, min_participants, procedures, subjects, "
        "window_years, years_required, min_low_cells, min_low_share, significance, "
        "confidence, rule."
    )
    assert _error("[leader]\nmax_failure_share = 0.1\n").startswith(
        "Неизвестный параметр «leader» в начале файла (вне разделов). Возможно, имелся в виду "
        "«leaders»."
    )
    assert "Неизвестный параметр «colour» в весах раздела [adverse_context]" in _error(
        "[adverse_context]\nweights = { colour = 1.0 }\n"
    )


def test_it_reports_every_wrong_type_and_range_at_once_in_russian():
    message = _error(
        "[low_results]\n"
        'threshold = "0.3"\n'
        "min_participants = 5.5\n"
        'significance = "да"\n'
        "min_low_share = 1.5\n"
        'rule = "школы"\n'
        "[adverse_context]\n"
        "quantile = -0.1\n"
        "weights = { special_needs = 1.0 }\n"
    )
    lines = message.splitlines()
    assert lines == [
        "Параметр «threshold» в разделе [low_results] должен быть числом (например 0.3), "
        "а не '0.3'.",
        "Параметр «min_participants» в разделе [low_results] должен быть целым числом, а не 5.5.",
        "Параметр «significance» в разделе [low_results] должен быть true или false, а не 'да'.",
        "Параметр «min_low_share» в разделе [low_results] должен быть не меньше 0 и не больше "
        "1; указано 1.5.",
        "Параметр «rule» в разделе [low_results] должен быть одним из значений: «cells», "
        "«rosobrnadzor»; указано 'школы'.",
        "Параметр «quantile» в разделе [adverse_context] должен быть не меньше 0 и не больше "
        "1; указано -0.1.",
        "Параметр «weights» в разделе [adverse_context]: фактор «special_needs» записывается "
        "без направления влияния и в индекс не входит. Уберите его из весов.",
    ]


def test_it_rejects_years_required_beyond_the_window_and_broken_toml():
    assert _error("[low_results]\nwindow_years = 2\nyears_required = 3\n").startswith(
        "В разделе [low_results] years_required = 3 больше window_years = 2"
    )
    assert _error("[low_results\nthreshold = 0.3").startswith("Файл методики не читается как TOML:")
    assert "должен быть разделом [low_results]" in _error("low_results = 1\n")
    assert "не меньше 1" in _error("[low_results]\nmin_participants = 0\n")


def test_it_ships_the_altai_and_rosobrnadzor_presets_with_altai_as_default():
    assert list_presets() == ["altai-2020", "rosobrnadzor-risk"]
    assert DEFAULT == load_methodology("altai-2020") == load_methodology()
    assert DEFAULT.name == "Республика Алтай, приказ № 1056 от 17.12.2020"
    assert DEFAULT.low_results.threshold == 0.30
    assert DEFAULT.low_results.procedures == ("ВПР", "ОГЭ", "ЕГЭ")
    assert DEFAULT.low_results.window_years == 2
    rosobrnadzor = load_methodology("rosobrnadzor-risk")
    assert rosobrnadzor.low_results.rule == "rosobrnadzor"
    indicator = rosobrnadzor.risk_indicator
    assert (indicator.min_low_procedures, indicator.consecutive_years, indicator.combine) == (
        2,
        2,
        "and",
    )
    text = preset_text("altai-2020")
    assert "приказ" in text and "significance" in text  # commented for a region to copy


def test_a_region_copies_a_preset_to_a_file_and_loads_it(tmp_path):
    path = tmp_path / "region.toml"
    path.write_text(preset_text("altai-2020").replace("threshold = 0.30", "threshold = 0.25"))
    method = load_methodology(path)
    assert method.low_results.threshold == 0.25
    assert method.source == str(path)
    with pytest.raises(MethodologyError, match="не найдена"):
        load_methodology(tmp_path / "missing.toml")
    with pytest.raises(MethodologyError, match="Встроенной методики «nope» нет"):
        preset_text("nope")


def test_it_writes_back_every_key_so_a_run_records_what_it_used():
    method = parse_methodology(
        'name = "Тест"\n[low_results]\nsubjects = ["Математика"]\n'
        "[adverse_context]\nweights = { low_income = 2.0 }\n"
    )
    again = parse_methodology(methodology_to_toml(method))
    assert again == method
    assert isinstance(again, Methodology)
    assert "weights = { low_income = 2.0 }" in methodology_to_toml(method)
