"""The column contract of shared/spec/data-formats.md, typed out by hand, and the docstring
examples of the package."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import opora.formats
from opora.formats import DEFAULT_PROCEDURES, KINDS, columns

SPEC = {
    "schools": [
        ("school_id", "Код ОО", True), ("name", "Наименование", True),
        ("municipality", "Муниципалитет", True), ("settlement", "Тип поселения", True),
        ("students", "Обучающихся", True), ("kind", "Вид ОО", False),
        ("distance_km", "Расстояние до центра, км", False), ("latitude", "Широта", False),
        ("longitude", "Долгота", False),
    ],
    "results": [
        ("school_id", "Код ОО", True), ("year", "Год", True), ("procedure", "Процедура", True),
        ("subject", "Предмет", True), ("grade", "Класс", True),
        ("participants", "Участников", True), ("mark_2", "Отметка «2»", False),
        ("mark_3", "Отметка «3»", False), ("mark_4", "Отметка «4»", False),
        ("mark_5", "Отметка «5»", False), ("below_min", "Ниже минимального порога", False),
        ("mean_score", "Средний балл", False),
    ],
    "context": [
        ("school_id", "Код ОО", True), ("year", "Год", True),
        ("large_families", "Из многодетных семей, %", False),
        ("non_native_russian", "Русский язык не родной, %", False),
        ("parent_higher_education", "Хотя бы один родитель с высшим образованием, %", False),
        ("both_parents_higher_education", "Оба родителя с высшим образованием, %", False),
        ("both_parents_unemployed", "Оба родителя безработные, %", False),
        ("parent_disabled", "Хотя бы один родитель — инвалид, %", False),
        ("foster_care", "Из приёмных семей, под опекой, %", False),
        ("families_in_danger", "Из семей в социально опасном положении, %", False),
        ("juvenile_commission", "На учёте в КДН, %", False),
        ("low_income", "Из малоимущих семей, %", False),
        ("special_needs", "Обучающиеся с ОВЗ и дети-инвалиды, %", False),
        ("social_index", "Индекс социального неблагополучия", False),
    ],
    "students": [
        ("student_id", "Код обучающегося", True), ("school_id", "Код ОО", True),
        ("year", "Год", True), ("procedure", "Процедура", True), ("subject", "Предмет", True),
        ("grade", "Класс", True), ("mark", "Отметка", False), ("score", "Балл", False),
        ("journal_mark", "Отметка в журнале", False),
    ],
}  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_the_columns_follow_the_spec(kind: str):
    assert [(c.name, c.russian, c.required) for c in columns(kind)] == SPEC[kind]


def test_the_default_procedures_are_scored_as_the_spec_says():
    scoring = {name: p.scoring for name, p in DEFAULT_PROCEDURES.items()}
    assert scoring == {"ВПР": "graded", "ОГЭ": "graded", "ЕГЭ": "threshold", "КДР": "graded"}


def test_an_unknown_kind_is_refused_in_russian():
    with pytest.raises(ValueError, match="Неизвестный вид файла «teachers»"):
        columns("teachers")


MODULES = sorted(m.name for m in pkgutil.iter_modules(opora.formats.__path__))


@pytest.mark.parametrize("name", ["__init__", *MODULES])
def test_the_docstring_examples_hold(name: str):
    module_name = "opora.formats" if name == "__init__" else f"opora.formats.{name}"
    module = importlib.import_module(module_name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
