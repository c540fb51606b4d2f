"""The social-context factors of the interchange format (data-formats.md; seed 002): codes in the
file's order, the direction of their influence on results, their Russian names.

One list for the formats (columns and headers), the analytics (signs of the context index and
the words of the reasons), the database (``assessments.SchoolContext``) and the demo generator.
Plain data without imports, so that any of them can use it.

>>> ADVERSE[:2], FAVOURABLE
(('large_families', 'non_native_russian'), ('parent_higher_education', 'both_parents_higher_education'))
>>> LABELS["low_income"]
'из малоимущих семей'
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Direction = Literal["adverse", "favourable", "undirected"]


class Factor(NamedTuple):
    code: str
    direction: Direction
    label: str  # the factor in a sentence: «… из многодетных семей 24 % (в среднем 12 %)»
    header: str  # the Russian column header of the context file
    meaning: str  # what the percentage counts


FACTORS: tuple[Factor, ...] = (
    Factor("large_families", "adverse", "из многодетных семей", "Из многодетных семей, %",
           "доля обучающихся из многодетных семей"),
    Factor("non_native_russian", "adverse", "русский язык не родной",
           "Русский язык не родной, %", "доля обучающихся, для которых русский язык не родной"),
    Factor("parent_higher_education", "favourable", "хотя бы один родитель с высшим образованием",
           "Хотя бы один родитель с высшим образованием, %",
           "доля обучающихся, у которых хотя бы один родитель имеет высшее образование"),
    Factor("both_parents_higher_education", "favourable", "оба родителя с высшим образованием",
           "Оба родителя с высшим образованием, %",
           "доля обучающихся, у которых оба родителя имеют высшее образование"),
    Factor("both_parents_unemployed", "adverse", "оба родителя безработные",
           "Оба родителя безработные, %", "доля обучающихся, у которых оба родителя безработные"),
    Factor("parent_disabled", "adverse", "хотя бы один родитель — инвалид",
           "Хотя бы один родитель — инвалид, %",
           "доля обучающихся, у которых хотя бы один родитель — инвалид"),
    Factor("foster_care", "adverse", "из приёмных семей, под опекой",
           "Из приёмных семей, под опекой, %", "доля обучающихся из приёмных семей и под опекой"),
    Factor("families_in_danger", "adverse", "из семей в социально опасном положении",
           "Из семей в социально опасном положении, %",
           "доля обучающихся из семей в социально опасном положении"),
    Factor("juvenile_commission", "adverse", "на учёте в КДН", "На учёте в КДН, %",
           "доля обучающихся, состоящих на учёте в КДН"),
    Factor("low_income", "adverse", "из малоимущих семей", "Из малоимущих семей, %",
           "доля обучающихся из малоимущих семей"),
    Factor("special_needs", "undirected", "обучающиеся с ОВЗ и дети-инвалиды",
           "Обучающиеся с ОВЗ и дети-инвалиды, %", "доля обучающихся с ОВЗ и детей-инвалидов"),
)  # fmt: skip

CODES: tuple[str, ...] = tuple(f.code for f in FACTORS)
ADVERSE: tuple[str, ...] = tuple(f.code for f in FACTORS if f.direction == "adverse")
FAVOURABLE: tuple[str, ...] = tuple(f.code for f in FACTORS if f.direction == "favourable")
UNDIRECTED: tuple[str, ...] = tuple(f.code for f in FACTORS if f.direction == "undirected")
LABELS: dict[str, str] = {f.code: f.label for f in FACTORS}
DIRECTION_WORDS: dict[str, str] = {
    "adverse": "неблагоприятный",
    "favourable": "благоприятный",
    "undirected": "учитывается без направления",
}
