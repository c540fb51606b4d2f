"""Read-only representations named after the interchange formats (docs: spec/data-formats.md).

Field names are the column names of the files (`school_id` is the school code, `procedure` and
`subject` are names), so API consumers and file users share one vocabulary.
"""

from __future__ import annotations

from rest_framework import serializers

from opora.assessments.models import Procedure, Result, SchoolContext, Scoring, Subject
from opora.territory.models import Municipality, School, Settlement


class MunicipalitySerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        read_only=True, help_text="Идентификатор муниципалитета в Опоре (для фильтров)."
    )
    name = serializers.CharField(read_only=True, help_text="Наименование муниципалитета.")
    region = serializers.CharField(
        source="region.name", read_only=True, help_text="Наименование региона."
    )

    class Meta:
        model = Municipality
        fields = ["id", "name", "region"]


class SchoolSerializer(serializers.ModelSerializer):
    school_id = serializers.CharField(
        source="code", read_only=True, help_text="Код ОО: устойчивый уникальный код школы."
    )
    name = serializers.CharField(read_only=True, help_text="Полное наименование.")
    municipality = serializers.CharField(
        source="municipality.name", read_only=True, help_text="Наименование муниципалитета."
    )
    municipality_id = serializers.IntegerField(
        read_only=True, help_text="Идентификатор муниципалитета (см. `/api/v1/municipalities/`)."
    )
    settlement = serializers.ChoiceField(
        choices=Settlement.choices, read_only=True, help_text="Тип поселения: город или село."
    )
    students = serializers.IntegerField(read_only=True, help_text="Число обучающихся.")
    kind = serializers.CharField(
        read_only=True, help_text="Вид ОО (СОШ, ООШ, гимназия …); пустая строка, если не указан."
    )
    distance_km = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Расстояние до муниципального центра, км."
    )
    latitude = serializers.FloatField(read_only=True, allow_null=True, help_text="Широта, градусы.")
    longitude = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Долгота, градусы."
    )
    archived = serializers.BooleanField(
        source="is_archived",
        read_only=True,
        help_text="Школа в архиве (закрыта или реорганизована); её история сохраняется.",
    )

    class Meta:
        model = School
        fields = [
            "school_id",
            "name",
            "municipality",
            "municipality_id",
            "settlement",
            "students",
            "kind",
            "distance_km",
            "latitude",
            "longitude",
            "archived",
        ]


def _count(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, allow_null=True, help_text=help_text)


class ResultSerializer(serializers.ModelSerializer):
    school_id = serializers.CharField(source="school.code", read_only=True, help_text="Код ОО.")
    year = serializers.IntegerField(read_only=True, help_text="Год проведения процедуры.")
    procedure = serializers.CharField(
        source="procedure.name", read_only=True, help_text="Процедура: ВПР, ОГЭ, ЕГЭ, КДР …"
    )
    subject = serializers.CharField(source="subject.name", read_only=True, help_text="Предмет.")
    grade = serializers.IntegerField(read_only=True, help_text="Класс, от 1 до 11.")
    participants = serializers.IntegerField(read_only=True, help_text="Число участников.")
    mark_2 = _count("Получили отметку «2» (для процедур с отметками).")
    mark_3 = _count("Получили отметку «3».")
    mark_4 = _count("Получили отметку «4».")
    mark_5 = _count("Получили отметку «5».")
    below_min = _count("Набрали баллов ниже минимального порога (для ЕГЭ).")
    mean_score = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Средний тестовый балл (ЕГЭ, 0–100) или средняя отметка (2–5).",
    )
    failures = _count(
        "Неуспешные результаты: отметка «2» для процедур с отметками, "
        "ниже минимального порога для ЕГЭ."
    )
    failure_share = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Доля неуспешных результатов: failures / participants, от 0 до 1; "
        "пусто, если участников нет или число неуспешных неизвестно.",
    )

    class Meta:
        model = Result
        fields = [
            "school_id",
            "year",
            "procedure",
            "subject",
            "grade",
            "participants",
            "mark_2",
            "mark_3",
            "mark_4",
            "mark_5",
            "below_min",
            "mean_score",
            "failures",
            "failure_share",
        ]


def _percentage(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(
        read_only=True, allow_null=True, help_text=f"{help_text}, % обучающихся школы (0–100)."
    )


class SchoolContextSerializer(serializers.ModelSerializer):
    school_id = serializers.CharField(source="school.code", read_only=True, help_text="Код ОО.")
    year = serializers.IntegerField(read_only=True, help_text="Год.")
    large_families = _percentage("Из многодетных семей")
    non_native_russian = _percentage("Русский язык не родной")
    parent_higher_education = _percentage("Хотя бы один родитель с высшим образованием")
    both_parents_higher_education = _percentage("Оба родителя с высшим образованием")
    both_parents_unemployed = _percentage("Оба родителя безработные")
    parent_disabled = _percentage("Хотя бы один родитель — инвалид")
    foster_care = _percentage("Из приёмных семей, под опекой")
    families_in_danger = _percentage("Из семей в социально опасном положении")
    juvenile_commission = _percentage("На учёте в КДН")
    low_income = _percentage("Из малоимущих семей")
    special_needs = _percentage("Обучающиеся с ОВЗ и дети-инвалиды")
    social_index = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Готовый индекс социального неблагополучия (чем выше, тем неблагоприятнее).",
    )

    class Meta:
        model = SchoolContext
        fields = [
            "school_id",
            "year",
            "large_families",
            "non_native_russian",
            "parent_higher_education",
            "both_parents_higher_education",
            "both_parents_unemployed",
            "parent_disabled",
            "foster_care",
            "families_in_danger",
            "juvenile_commission",
            "low_income",
            "special_needs",
            "social_index",
        ]


class ProcedureSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        read_only=True, help_text="Краткое наименование, как в файлах: ВПР, ОГЭ, ЕГЭ, КДР …"
    )
    full_name = serializers.CharField(read_only=True, help_text="Полное наименование.")
    scoring = serializers.ChoiceField(
        choices=Scoring.choices,
        read_only=True,
        help_text="Оценивание: `graded` — отметки «2»–«5» (неуспех = «2»), "
        "`threshold` — баллы с минимальным порогом (неуспех = ниже порога).",
    )

    class Meta:
        model = Procedure
        fields = ["name", "full_name", "scoring"]


class SubjectSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Наименование предмета, как в файлах.")

    class Meta:
        model = Subject
        fields = ["name"]
