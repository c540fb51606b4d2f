"""Forms of the pages: the school register filters and the upload."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.db.models import Q, QuerySet

from opora.territory.models import Municipality, School, Settlement

KIND_LABELS: dict[str, str] = {
    "schools": "Реестр школ",
    "results": "Результаты оценочных процедур",
    "context": "Социальный контекст школ",
    "students": "Результаты обучающихся",
}
UPLOAD_SUFFIXES = (".csv", ".xlsx", ".xls")

ARCHIVED_CHOICES = [("", "действующие"), ("archived", "в архиве"), ("all", "все")]

# The register's sortable columns: request value -> ORM ordering.
SCHOOL_SORTS: dict[str, str] = {
    "code": "code",
    "name": "name",
    "municipality": "municipality__name",
    "settlement": "settlement",
    "students": "students",
    "kind": "kind",
}


class SchoolFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
    municipality = forms.ModelChoiceField(
        label="Муниципалитет",
        queryset=Municipality.objects.none(),
        required=False,
        empty_label="все",
    )
    settlement = forms.ChoiceField(
        label="Тип поселения", required=False, choices=[("", "все"), *Settlement.choices]
    )
    kind = forms.ChoiceField(label="Вид ОО", required=False)
    archived = forms.ChoiceField(label="Статус", required=False, choices=ARCHIVED_CHOICES)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, data, *, municipalities: QuerySet[Municipality], schools: QuerySet[School]
    ) -> None:
        super().__init__(data)
        self.fields["municipality"].queryset = municipalities
        kinds = sorted(
            kind for kind in schools.values_list("kind", flat=True).distinct().order_by() if kind
        )
        self.fields["kind"].choices = [("", "все"), *((kind, kind) for kind in kinds)]
        self.fields["q"].widget.attrs["placeholder"] = "код или часть наименования"

    def filter(self, schools: QuerySet[School]) -> QuerySet[School]:
        """Apply the valid filters to an already scoped queryset of schools."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()  # invalid fields are left out of cleaned_data; the valid ones apply
            data = self.cleaned_data
        archived = data.get("archived", "")
        if archived == "archived":
            schools = schools.filter(is_archived=True)
        elif archived != "all":
            schools = schools.filter(is_archived=False)
        if query := (data.get("q") or "").strip():
            schools = search_schools(schools, query)
        if municipality := data.get("municipality"):
            schools = schools.filter(municipality=municipality)
        if settlement := data.get("settlement"):
            schools = schools.filter(settlement=settlement)
        if kind := data.get("kind"):
            schools = schools.filter(kind=kind)
        return schools.order_by(self.ordering(), "code")

    def ordering(self) -> str:
        sort = (self.data.get("sort") or "code") if self.data else "code"
        descending = sort.startswith("-")
        field = SCHOOL_SORTS.get(sort.lstrip("-"), "code")
        return f"-{field}" if descending else field


def search_schools(schools: QuerySet[School], query: str) -> QuerySet[School]:
    """Schools whose code or name contains the query, case-insensitively also in Cyrillic
    (on SQLite through ``territory.sqlite_text``)."""
    return schools.filter(Q(code__icontains=query) | Q(name__icontains=query))


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Что загружаем", widget=forms.RadioSelect)
    file = forms.FileField(
        label="Файл CSV или XLSX",
        help_text="Первая строка — заголовки столбцов, как в шаблоне. CSV в UTF-8 или Windows-1251.",
    )
    archive_missing = forms.BooleanField(
        label="Перевести в архив школы региона, которых нет в файле (только для реестра школ)",
        required=False,
    )

    def __init__(self, *args, kinds: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, KIND_LABELS[kind]) for kind in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        if "schools" not in kinds:
            del self.fields["archive_missing"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                f"Файл «{upload.name}» не похож на таблицу: нужен файл с расширением "
                ".csv или .xlsx. Сохраните таблицу в одном из этих форматов и загрузите снова."
            )
        if upload.size == 0:
            raise forms.ValidationError(f"Файл «{upload.name}» пуст. Выберите файл с данными.")
        return upload
