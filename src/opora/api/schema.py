"""What the OpenAPI description says about the API as a whole (on top of SPECTACULAR_SETTINGS)."""

from __future__ import annotations

DESCRIPTION = """\
REST API системы «Опора» (только чтение): школы, результаты оценочных процедур, социальный
контекст школ, справочники, программы поддержки с дорожными картами и целевые показатели.

**Доступ.** Нужен вход в систему (сессия браузера или HTTP Basic). Каждый ответ ограничен ролью
и территорией пользователя — так же, как страницы: регион видит школы своего региона,
муниципалитет — свои школы, школа — только себя, куратор — закреплённые за ним школы.
Запись вне доступа для API не существует: в списках её нет, по прямой ссылке — 404.

**Названия полей** совпадают с названиями столбцов файлов обмена: `school_id` — код ОО,
`procedure` и `subject` — наименования процедуры и предмета, `mark_2` … `mark_5`, `below_min`
и т. д. Параметры фильтров называются так же, как поля ответа.

**Постраничный вывод:** `limit` (по умолчанию 100, не больше 1000) и `offset`.

**Результаты отдельных обучающихся через API не выдаются**: даже обезличенные, это
персональные данные. Доступны только результаты, агрегированные по школе.
"""

TAGS = [
    {"name": "Муниципалитеты", "description": "Муниципальные районы и городские округа."},
    {"name": "Школы", "description": "Реестр школ (ОО) и результаты одной школы."},
    {
        "name": "Результаты",
        "description": "Результаты ВПР, ОГЭ, ЕГЭ и региональных процедур, агрегированные по "
        "школе, году, процедуре, предмету и классу.",
    },
    {"name": "Социальный контекст", "description": "Социальные условия школ по годам."},
    {"name": "Справочники", "description": "Оценочные процедуры и предметы."},
    {
        "name": "Программы",
        "description": "Региональные и муниципальные программы поддержки школ и дорожные "
        "карты школ: паспорт, мероприятия, контрольные точки и их выполнение.",
    },
    {
        "name": "Показатели",
        "description": "Целевые показатели программ: цели по годам, значения и светофор.",
    },
]

# Two «status» fields (a program's, a due point's) carry different choices; without names
# drf-spectacular warns about the collision. settings.SPECTACULAR_SETTINGS may repeat this for
# `manage.py spectacular`.
ENUM_NAME_OVERRIDES = {
    "ProgramStatusEnum": "opora.programs.models.ProgramStatus",
    "PointStatusEnum": "opora.api.programs_serializers.POINT_STATUSES",
}

SCHEMA_SETTINGS = {
    "DESCRIPTION": DESCRIPTION,
    "TAGS": TAGS,
    "ENUM_NAME_OVERRIDES": ENUM_NAME_OVERRIDES,
}
