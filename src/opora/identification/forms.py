"""Forms of the identification pages: start a run, approve it, filter verdicts, select schools."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from opora.analytics.methodology import list_presets, load_methodology
from opora.analytics.verdicts import CATEGORY_LABELS
from opora.territory.models import Municipality, Region

OWN_TEXT = "__text__"
MAX_UPLOAD_BYTES = 200_000


def preset_choices() -> list[tuple[str, str]]:
    """Shipped presets with their names, then «свой текст»."""
    choices = [(name, f"{load_methodology(name).name} ({name})") for name in list_presets()]
    return [*choices, (OWN_TEXT, "своя методика: текст или файл TOML")]


class RunForm(forms.Form):
    preset = forms.ChoiceField(label="Методика", choices=())
    text = forms.CharField(
        label="Текст методики (TOML)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
    )
    file = forms.FileField(label="или файл методики (.toml)", required=False)
    region = forms.ModelChoiceField(label="Регион", queryset=Region.objects.none(), required=False)

    def __init__(self, *args, regions: QuerySet[Region], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = preset_choices()
        self.fields["region"].queryset = regions
        if regions.count() <= 1:
            del self.fields["region"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("preset") != OWN_TEXT:
            data["methodology"] = data.get("preset")
            return data
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    "Файл методики слишком большой (больше 200 КБ). Проверьте, тот ли файл выбран."
                )
            try:
                data["methodology"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    "Файл методики не в кодировке UTF-8. Сохраните его в UTF-8 и загрузите снова."
                ) from None
        elif (data.get("text") or "").strip():
            data["methodology"] = data["text"]
        else:
            raise forms.ValidationError(
                "Вставьте текст своей методики или выберите файл .toml — либо выберите "
                "встроенную методику."
            )
        return data


class ApproveForm(forms.Form):
    order_number = forms.CharField(label="Номер приказа", max_length=100)
    order_date = forms.DateField(
        label="Дата приказа", widget=forms.DateInput(attrs={"type": "date"})
    )


class VerdictFilterForm(forms.Form):
    category = forms.ChoiceField(label="Категория", required=False)
    municipality = forms.ModelChoiceField(
        label="Муниципалитет",
        queryset=Municipality.objects.none(),
        required=False,
        empty_label="все",
    )

    def __init__(self, data, *, municipalities: QuerySet[Municipality]) -> None:
        super().__init__(data)
        self.fields["category"].choices = [
            ("", "все школы"),
            ("any", "хотя бы одна категория"),
            *CATEGORY_LABELS.items(),
        ]
        self.fields["municipality"].queryset = municipalities


class SelectionForm(forms.Form):
    """How many schools to choose from the ШНОР list, and the bounds per municipality."""

    n = forms.IntegerField(label="Сколько школ отобрать", min_value=1)
    minimum = forms.IntegerField(
        label="Не меньше из каждого муниципалитета", min_value=0, required=False
    )
    maximum = forms.IntegerField(
        label="Не больше из каждого муниципалитета", min_value=0, required=False
    )

    def __init__(self, data, *, municipalities: list[Municipality]) -> None:
        super().__init__(data)
        self.municipalities = municipalities
        for m in municipalities:
            self.fields[f"min_{m.pk}"] = forms.IntegerField(
                label=f"{m.name}: не меньше", min_value=0, required=False
            )
            self.fields[f"max_{m.pk}"] = forms.IntegerField(
                label=f"{m.name}: не больше", min_value=0, required=False
            )

    def bounds(self) -> tuple[int | dict[str, int], int | dict[str, int] | None]:
        """The minimum and maximum for ``select_schools``: per municipality when any row is
        filled in, otherwise the common bounds."""
        data = self.cleaned_data
        common_min = data.get("minimum") or 0
        common_max = data.get("maximum")
        own_min = {m.name: data.get(f"min_{m.pk}") for m in self.municipalities}
        own_max = {m.name: data.get(f"max_{m.pk}") for m in self.municipalities}
        if all(v is None for v in own_min.values()) and all(v is None for v in own_max.values()):
            return common_min, common_max
        minimum = {name: common_min if v is None else v for name, v in own_min.items()}
        maximum = {
            name: common_max if v is None else v
            for name, v in own_max.items()
            if v is not None or common_max is not None
        }
        return minimum, (maximum or None)

    def rows(self) -> list[tuple[Municipality, forms.BoundField, forms.BoundField]]:
        return [(m, self[f"min_{m.pk}"], self[f"max_{m.pk}"]) for m in self.municipalities]
