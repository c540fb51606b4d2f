"""Identification methodology: a TOML file parsed into frozen dataclasses.

The contract is ``shared/spec/methodology.md``: every key has a default, unknown keys are an
error (in Russian, naming the key and its section), wrong types and ranges are errors too.
Presets ship in ``opora/analytics/presets/*.toml`` and are loaded by name.

>>> m = load_methodology("altai-2020")
>>> m.low_results.threshold, m.low_results.window_years
(0.3, 2)
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from opora import factors

DEFAULT_PRESET = "altai-2020"

# Context factors and their direction of influence on results (data-formats.md, seed 002).
ADVERSE_FACTORS: tuple[str, ...] = factors.ADVERSE
FAVOURABLE_FACTORS: tuple[str, ...] = factors.FAVOURABLE
UNDIRECTED_FACTORS: tuple[str, ...] = factors.UNDIRECTED
DIRECTED_FACTORS: tuple[str, ...] = ADVERSE_FACTORS + FAVOURABLE_FACTORS


class MethodologyError(ValueError):
    """A methodology file that cannot be used; the message is Russian and says how to fix it."""


@dataclass(frozen=True)
class LowResultsRule:
    """[low_results]: ШНОР, the risk group and the cell rules shared by every category."""

    threshold: float = 0.30
    min_participants: int = 5
    procedures: tuple[str, ...] = ("ВПР", "ОГЭ", "ЕГЭ")
    subjects: tuple[str, ...] = ()
    window_years: int = 2
    years_required: int = 2
    min_low_cells: int = 1
    min_low_share: float = 0.0
    significance: bool = False
    confidence: float = 0.95
    rule: str = "cells"


@dataclass(frozen=True)
class RiskIndicatorRule:
    """[risk_indicator]: parameters of ``rule = "rosobrnadzor"`` in [low_results]."""

    min_low_procedures: int = 2
    consecutive_years: int = 2
    combine: str = "and"


@dataclass(frozen=True)
class AdverseContextRule:
    """[adverse_context]: ШНСУ by the context index."""

    quantile: float = 0.20
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LeadersRule:
    """[leaders]: stably high results."""

    max_failure_share: float = 0.05


@dataclass(frozen=True)
class ExpectedRule:
    """[expected]: the share of failures a school's context predicts."""

    weights: str = "fixed"


@dataclass(frozen=True)
class ResilientRule:
    """[resilient]: adverse context and results well above the prediction."""

    min_contribution: float = 0.05


@dataclass(frozen=True)
class UnreliableRule:
    """[unreliable]: signs of inflated results."""

    vpr_max_failure: float = 0.02
    vpr_min_top: float = 0.5
    gia_min_failure: float = 0.2
    collapse_p: float = 0.001
    collapse_min_drop: float = 0.2
    mark_gap_ratio: float = 3.0


@dataclass(frozen=True)
class Methodology:
    """A whole methodology; ``source`` says where it came from (preset name or file path)."""

    name: str = "Республика Алтай, приказ № 1056 от 17.12.2020"
    low_results: LowResultsRule = field(default_factory=LowResultsRule)
    risk_indicator: RiskIndicatorRule = field(default_factory=RiskIndicatorRule)
    adverse_context: AdverseContextRule = field(default_factory=AdverseContextRule)
    leaders: LeadersRule = field(default_factory=LeadersRule)
    expected: ExpectedRule = field(default_factory=ExpectedRule)
    resilient: ResilientRule = field(default_factory=ResilientRule)
    unreliable: UnreliableRule = field(default_factory=UnreliableRule)
    source: str = field(default="", compare=False)


SECTIONS: dict[str, type] = {
    "low_results": LowResultsRule,
    "risk_indicator": RiskIndicatorRule,
    "adverse_context": AdverseContextRule,
    "leaders": LeadersRule,
    "expected": ExpectedRule,
    "resilient": ResilientRule,
    "unreliable": UnreliableRule,
}

# Ranges: (low, high, low_inclusive, high_inclusive); None means unbounded.
_RANGES: dict[tuple[str, str], tuple[float | None, float | None, bool, bool]] = {
    ("low_results", "threshold"): (0.0, 1.0, False, True),
    ("low_results", "min_participants"): (1, None, True, True),
    ("low_results", "window_years"): (1, None, True, True),
    ("low_results", "years_required"): (1, None, True, True),
    ("low_results", "min_low_cells"): (1, None, True, True),
    ("low_results", "min_low_share"): (0.0, 1.0, True, True),
    ("low_results", "confidence"): (0.0, 1.0, False, False),
    ("risk_indicator", "min_low_procedures"): (1, None, True, True),
    ("risk_indicator", "consecutive_years"): (1, None, True, True),
    ("adverse_context", "quantile"): (0.0, 1.0, True, True),
    ("leaders", "max_failure_share"): (0.0, 1.0, True, True),
    ("resilient", "min_contribution"): (0.0, 1.0, True, True),
    ("unreliable", "vpr_max_failure"): (0.0, 1.0, True, True),
    ("unreliable", "vpr_min_top"): (0.0, 1.0, True, True),
    ("unreliable", "gia_min_failure"): (0.0, 1.0, True, True),
    ("unreliable", "collapse_p"): (0.0, 1.0, False, False),
    ("unreliable", "collapse_min_drop"): (0.0, 1.0, True, True),
    ("unreliable", "mark_gap_ratio"): (1.0, None, True, True),
}
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("low_results", "rule"): ("cells", "rosobrnadzor"),
    ("risk_indicator", "combine"): ("and", "or"),
    ("expected", "weights"): ("fixed", "fitted"),
}


def list_presets() -> list[str]:
    """Names of the methodologies shipped with Опора, sorted.

    >>> "altai-2020" in list_presets()
    True
    """
    folder = resources.files("opora.analytics") / "presets"
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a preset, comments included, for a region to copy and edit.

    >>> preset_text("altai-2020").startswith("#")
    True
    """
    if name not in list_presets():
        raise MethodologyError(
            f"Встроенной методики «{name}» нет. Доступны: {', '.join(list_presets())}."
        )
    return (resources.files("opora.analytics") / "presets" / f"{name}.toml").read_text("utf-8")


def load_methodology(name_or_path: str | Path | None = None) -> Methodology:
    """Load a preset by name or a TOML file by path; ``None`` gives the default preset.

    >>> load_methodology().source
    'altai-2020'
    """
    if name_or_path is None:
        name_or_path = DEFAULT_PRESET
    if isinstance(name_or_path, str) and name_or_path in list_presets():
        return parse_methodology(preset_text(name_or_path), source=name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        raise MethodologyError(
            f"Методика «{name_or_path}» не найдена: это не имя встроенной методики "
            f"({', '.join(list_presets())}) и не путь к существующему файлу."
        )
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MethodologyError(
            f"Файл методики «{path}» не в кодировке UTF-8. Сохраните его в UTF-8."
        ) from exc
    return parse_methodology(text, source=str(path))


def parse_methodology(text: str, source: str = "") -> Methodology:
    """Parse and validate methodology TOML text; every problem is reported at once.

    >>> parse_methodology("[low_results]\\nthreshold = 0.25").low_results.threshold
    0.25
    >>> try:
    ...     parse_methodology("[low_results]\\ntreshold = 0.25")
    ... except MethodologyError as error:
    ...     print(error)
    Неизвестный параметр «treshold» в разделе [low_results]. Возможно, имелся в виду «threshold». Допустимые: threshold, min_participants, procedures, subjects, window_years, years_required, min_low_cells, min_low_share, significance, confidence, rule.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodologyError(
            f"Файл методики не читается как TOML: {exc}. Проверьте кавычки, скобки и знаки «=»."
        ) from exc
    errors: list[str] = []
    top: dict[str, Any] = {}
    sections: dict[str, Any] = {}
    allowed_top = ["name", *(f"[{s}]" for s in SECTIONS)]
    for key, value in data.items():
        if key == "name":
            if isinstance(value, str) and value.strip():
                top["name"] = value.strip()
            else:
                errors.append("Параметр «name» должен быть непустой строкой в кавычках.")
        elif key in SECTIONS:
            if not isinstance(value, dict):
                errors.append(f"«{key}» должен быть разделом [{key}], а не отдельным значением.")
                continue
            sections[key] = _build_section(key, value, errors)
        else:
            errors.append(_unknown(key, "в начале файла (вне разделов)", allowed_top))
    if errors:
        raise MethodologyError("\n".join(errors))
    method = Methodology(**top, **sections, source=source)
    _check_consistency(method, errors)
    if errors:
        raise MethodologyError("\n".join(errors))
    return method


def methodology_to_toml(method: Methodology) -> str:
    """Every key of a methodology as TOML, so a run records exactly what it used.

    >>> parse_methodology(methodology_to_toml(DEFAULT)) == DEFAULT
    True
    """
    lines = [f"name = {_toml_value(method.name)}"]
    for section in SECTIONS:
        lines.append("")
        lines.append(f"[{section}]")
        for f in dataclasses.fields(getattr(method, section)):
            lines.append(f"{f.name} = {_toml_value(getattr(getattr(method, section), f.name))}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"cannot write {value!r} to TOML")


def _unknown(key: str, where: str, allowed: list[str]) -> str:
    guess = difflib.get_close_matches(key, [a.strip("[]") for a in allowed], n=1)
    hint = f" Возможно, имелся в виду «{guess[0]}»." if guess else ""
    return f"Неизвестный параметр «{key}» {where}.{hint} Допустимые: {', '.join(allowed)}."


def _build_section(section: str, raw: dict[str, Any], errors: list[str]) -> Any:
    cls = SECTIONS[section]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            errors.append(_unknown(key, f"в разделе [{section}]", list(fields)))
            continue
        default = _default(fields[key])
        checked = _check_value(section, key, value, default, errors)
        if checked is not None:
            values[key] = checked
    return cls(**values)


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory()  # type: ignore[misc]


def _check_value(section: str, key: str, value: Any, default: Any, errors: list[str]) -> Any:
    where = f"Параметр «{key}» в разделе [{section}]"
    if section == "adverse_context" and key == "weights":
        return _check_weights(value, errors)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            errors.append(f"{where} должен быть true или false, а не {value!r}.")
            return None
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.append(f'{where} должен быть списком строк, например ["ВПР", "ОГЭ"].')
            return None
        return tuple(v.strip() for v in value)
    if isinstance(default, str):
        choices = _CHOICES.get((section, key))
        if not isinstance(value, str) or (choices and value not in choices):
            allowed = ", ".join(f"«{c}»" for c in choices or ())
            errors.append(f"{where} должен быть одним из значений: {allowed}; указано {value!r}.")
            return None
        return value
    if isinstance(default, int) and not isinstance(default, bool):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{where} должен быть целым числом, а не {value!r}.")
            return None
    elif isinstance(default, float):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            errors.append(f"{where} должен быть числом (например 0.3), а не {value!r}.")
            return None
        value = float(value)
    bounds = _RANGES.get((section, key))
    if bounds and not _in_range(value, bounds):
        errors.append(f"{where} должен быть {_describe_range(bounds)}; указано {value!r}.")
        return None
    return value


def _in_range(value: float, bounds: tuple[float | None, float | None, bool, bool]) -> bool:
    low, high, low_inc, high_inc = bounds
    if low is not None and (value < low or (value == low and not low_inc)):
        return False
    return not (high is not None and (value > high or (value == high and not high_inc)))


def _describe_range(bounds: tuple[float | None, float | None, bool, bool]) -> str:
    low, high, low_inc, high_inc = bounds
    parts = []
    if low is not None:
        parts.append(f"{'не меньше' if low_inc else 'больше'} {low:g}")
    if high is not None:
        parts.append(f"{'не больше' if high_inc else 'меньше'} {high:g}")
    return " и ".join(parts)


def _check_weights(value: Any, errors: list[str]) -> dict[str, float] | None:
    where = "Параметр «weights» в разделе [adverse_context]"
    if not isinstance(value, dict):
        errors.append(
            f"{where} должен быть таблицей вида {{ low_income = 2.0, foster_care = 1.0 }}."
        )
        return None
    weights: dict[str, float] = {}
    for factor, weight in value.items():
        if factor in UNDIRECTED_FACTORS:
            errors.append(
                f"{where}: фактор «{factor}» записывается без направления влияния и в индекс "
                "не входит. Уберите его из весов."
            )
        elif factor not in DIRECTED_FACTORS:
            errors.append(
                _unknown(factor, "в весах раздела [adverse_context]", list(DIRECTED_FACTORS))
            )
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            errors.append(f"{where}: вес фактора «{factor}» должен быть числом не меньше 0.")
        else:
            weights[factor] = float(weight)
    return weights


def _check_consistency(method: Methodology, errors: list[str]) -> None:
    low = method.low_results
    if low.years_required > low.window_years:
        errors.append(
            f"В разделе [low_results] years_required = {low.years_required} больше "
            f"window_years = {low.window_years}: школа не сможет набрать столько низких лет. "
            "Уменьшите years_required или увеличьте window_years."
        )
    risk = method.risk_indicator
    if low.rule == "rosobrnadzor" and risk.consecutive_years > low.window_years:
        errors.append(
            f"В разделе [risk_indicator] consecutive_years = {risk.consecutive_years} больше "
            f"window_years = {low.window_years} раздела [low_results]."
        )
    if method.adverse_context.weights and not any(method.adverse_context.weights.values()):
        errors.append("В разделе [adverse_context] все веса равны 0: индексу не из чего считаться.")


DEFAULT: Methodology = load_methodology(DEFAULT_PRESET)
