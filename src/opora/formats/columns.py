"""The four interchange formats as data: which columns each kind has, their Russian headers,
types and allowed values (the contract of ``shared/spec/data-formats.md``).

Everything else in ``formats`` (reading, validation, writing, templates) is driven by these
tables, so a column is described in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

from opora.factors import DIRECTION_WORDS, FACTORS

KINDS: tuple[str, ...] = ("schools", "results", "context", "students")

ColumnType = Literal["string", "int", "float"]
Scoring = Literal["graded", "threshold"]

KIND_TITLES: dict[str, str] = {
    "schools": "реестр школ",
    "results": "результаты оценочных процедур",
    "context": "социальный контекст школ",
    "students": "результаты обучающихся",
}


@dataclass(frozen=True)
class Column:
    """One column of an interchange format.

    ``noun`` is the Russian phrase used in error messages («число участников»);
    ``required_for`` marks a column that is required only on rows of a graded or a threshold
    procedure (marks for ВПР, ``below_min`` for ЕГЭ).

    >>> columns("results")[5].russian
    'Участников'
    """

    name: str
    russian: str
    required: bool
    type: ColumnType
    meaning: str
    noun: str
    minimum: float | None = None
    maximum: float | None = None
    required_for: Scoring | None = None
    choices: tuple[str, ...] = ()
    example: str = ""
    direction: str = ""

    @property
    def arrow_type(self) -> pa.DataType:
        return {"string": pa.string(), "int": pa.int64(), "float": pa.float64()}[self.type]

    @property
    def is_number(self) -> bool:
        return self.type != "string"


def _school_id() -> Column:
    return Column(
        "school_id",
        "Код ОО",
        True,
        "string",
        "устойчивый уникальный код образовательной организации (текст)",
        "код ОО",
        example="0101001",
    )


def _year() -> Column:
    return Column(
        "year",
        "Год",
        True,
        "int",
        "календарный год проведения процедуры (ВПР-2024 → 2024)",
        "год",
        example="2024",
    )


def _procedure() -> Column:
    return Column(
        "procedure",
        "Процедура",
        True,
        "string",
        "оценочная процедура: ВПР, ОГЭ, ЕГЭ или региональная (например, КДР)",
        "процедура",
        example="ВПР",
    )


def _subject() -> Column:
    return Column(
        "subject",
        "Предмет",
        True,
        "string",
        "учебный предмет, например «Русский язык», «Математика (профильная)»",
        "предмет",
        example="Математика",
    )


def _grade() -> Column:
    return Column("grade", "Класс", True, "int", "класс (параллель)", "класс", 1, 11, example="5")


def _count(
    name: str,
    russian: str,
    meaning: str,
    noun: str,
    example: str,
    required_for: Scoring | None = None,
) -> Column:
    return Column(
        name, russian, False, "int", meaning, noun, 0, None, required_for, example=example
    )


def _mark_count(mark: int, example: str) -> Column:
    return _count(
        f"mark_{mark}",
        f"Отметка «{mark}»",
        f"сколько участников получили отметку «{mark}»",
        f"количество отметок «{mark}»",
        example,
        required_for="graded",
    )


def _percent(name: str, russian: str, meaning: str, direction: str) -> Column:
    return Column(
        name, russian, False, "float", meaning, "доля", 0, 100, example="12.5", direction=direction
    )


_SCHOOLS: tuple[Column, ...] = (
    _school_id(),
    Column("name", "Наименование", True, "string", "полное наименование", "наименование",
           example="МБОУ «Северная СОШ»"),
    Column("municipality", "Муниципалитет", True, "string",
           "муниципальный район, округ или городской округ", "муниципалитет",
           example="Северный район"),
    Column("settlement", "Тип поселения", True, "string", "городская или сельская школа",
           "тип поселения", choices=("город", "село"), example="село"),
    Column("students", "Обучающихся", True, "int", "число обучающихся, целое ≥ 0",
           "число обучающихся", 0, example="180"),
    Column("kind", "Вид ОО", False, "string",
           "вид организации: СОШ, ООШ, НОШ, гимназия, лицей, школа-интернат, вечерняя",
           "вид ОО", example="СОШ"),
    Column("distance_km", "Расстояние до центра, км", False, "float",
           "расстояние до муниципального центра, км", "расстояние", 0, example="12.5"),
    Column("latitude", "Широта", False, "float", "широта, десятичные градусы", "широта",
           -90, 90, example="51.9581"),
    Column("longitude", "Долгота", False, "float", "долгота, десятичные градусы", "долгота",
           -180, 180, example="85.9603"),
)  # fmt: skip

_RESULTS: tuple[Column, ...] = (
    _school_id(),
    _year(),
    _procedure(),
    _subject(),
    _grade(),
    Column("participants", "Участников", True, "int", "число участников, целое ≥ 0",
           "число участников", 0, example="25"),
    _mark_count(2, "3"),
    _mark_count(3, "10"),
    _mark_count(4, "8"),
    _mark_count(5, "4"),
    _count("below_min", "Ниже минимального порога",
           "участников ниже минимального порога (для ЕГЭ), не больше числа участников",
           "число участников ниже минимального порога", "2", required_for="threshold"),
    Column("mean_score", "Средний балл", False, "float",
           "средний тестовый балл (ЕГЭ, 0–100) или средняя отметка (2–5)", "средний балл", 0,
           example="3.52"),
)  # fmt: skip

_CONTEXT: tuple[Column, ...] = (
    _school_id(),
    _year(),
    *(
        _percent(f.code, f.header, f.meaning, DIRECTION_WORDS[f.direction])
        for f in FACTORS
    ),
    Column("social_index", "Индекс социального неблагополучия", False, "float",
           "готовый индекс, рассчитанный вне Опоры (больше — неблагополучнее); если задан, используется вместо факторов",
           "индекс социального неблагополучия", example="0.73"),
)  # fmt: skip

_STUDENTS: tuple[Column, ...] = (
    Column("student_id", "Код обучающегося", True, "string",
           "обезличенный код обучающегося, постоянный между годами; не ФИО", "код обучающегося",
           example="S-000123"),
    _school_id(),
    _year(),
    _procedure(),
    _subject(),
    _grade(),
    Column("mark", "Отметка", False, "int", "отметка за работу (для процедур с отметками)",
           "отметка", 2, 5, required_for="graded", example="4"),
    Column("score", "Балл", False, "float", "тестовый балл (для ЕГЭ)", "балл", 0,
           required_for="threshold", example="67"),
    Column("journal_mark", "Отметка в журнале", False, "int",
           "четвертная или годовая отметка обучающегося по предмету в журнале",
           "отметка в журнале", 2, 5, example="4"),
)  # fmt: skip

_COLUMNS: dict[str, tuple[Column, ...]] = {
    "schools": _SCHOOLS,
    "results": _RESULTS,
    "context": _CONTEXT,
    "students": _STUDENTS,
}

KEYS: dict[str, tuple[str, ...]] = {
    "schools": ("school_id",),
    "results": ("school_id", "year", "procedure", "subject", "grade"),
    "context": ("school_id", "year"),
    "students": ("student_id", "year", "procedure", "subject", "grade"),
}


def check_kind(kind: str) -> None:
    """Raise ``ValueError`` (in Russian) for a kind that is not one of ``KINDS``.

    >>> check_kind("results")
    """
    if kind not in _COLUMNS:
        known = ", ".join(KINDS)
        raise ValueError(f"Неизвестный вид файла «{kind}». Допустимые виды: {known}.")


def columns(kind: str) -> list[Column]:
    """The columns of a format in spec order.

    >>> [c.name for c in columns("context")][:3]
    ['school_id', 'year', 'large_families']
    """
    check_kind(kind)
    return list(_COLUMNS[kind])


def schema(kind: str) -> pa.Schema:
    """The Arrow schema of a parsed table: spec columns in spec order, then ``row_number``.

    >>> schema("schools").field("students").type
    DataType(int64)
    """
    fields = [pa.field(c.name, c.arrow_type, nullable=True) for c in columns(kind)]
    return pa.schema([*fields, pa.field("row_number", pa.int64())])
