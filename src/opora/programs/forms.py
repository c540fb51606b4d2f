"""Forms of the programs pages (Russian labels come from the models' verbose names)."""

from __future__ import annotations

from django import forms

from opora.programs.causes import CAUSES, RATINGS
from opora.programs.fields import ACTIVITY_FIELDS, PASSPORT_FIELDS
from opora.programs.models import Activity, DuePoint, IndicatorValue, PointStatus, Program

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _url(label: str) -> forms.URLField:
    return forms.URLField(label=label, required=False, assume_scheme="https", max_length=500)


class PassportForm(forms.ModelForm):
    order_url = _url("Ссылка на приказ")

    class Meta:
        model = Program
        fields = list(PASSPORT_FIELDS)
        widgets = {
            "order_date": DATE,
            "period_start": DATE,
            "period_end": DATE,
            "goal": forms.Textarea(attrs={"rows": 3}),
            "tasks": forms.Textarea(attrs={"rows": 4}),
            "expected_results": forms.Textarea(attrs={"rows": 4}),
            "working_group": forms.Textarea(attrs={"rows": 2}),
            "funding": forms.Textarea(attrs={"rows": 2}),
        }


class NewProgramForm(PassportForm):
    template = forms.ChoiceField(label="Начать с шаблона", required=False)
    parent = forms.ModelChoiceField(
        label="Вышестоящая программа", queryset=Program.objects.none(), required=False
    )

    class Meta(PassportForm.Meta):
        fields = [
            "name",
            "period_start",
            "period_end",
            "order_number",
            "order_date",
            "order_url",
            "goal",
        ]

    def __init__(self, *args, templates=(), parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "— пустая программа —")] + list(templates)
        if parents is not None:
            self.fields["parent"].queryset = parents
        self.fields["name"].required = False
        self.fields["period_start"].required = False
        self.fields["period_end"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("template"):
            for name in ("name", "period_start", "period_end"):
                if not data.get(name):
                    self.add_error(name, "Заполните поле или выберите шаблон.")
        return data


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["section", *ACTIVITY_FIELDS]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "responsible": forms.TextInput(),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "quality_indicator": forms.TextInput(),
        }
        help_texts = {
            "deadline": "Дата («июль 2021»), период («2021-2023», «до 2024 года») или "
            "периодичность («ежегодно, июль», «1 раз в четверть», «2 раза в год», «постоянно»).",
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = program.sections.all()
        self.fields["section"].required = False
        self.fields["cause"] = forms.ChoiceField(
            label="Причина низких результатов, на которую направлено",
            choices=[("", "—")] + [(c.code, c.title) for c in CAUSES],
            required=False,
        )


class DuePointForm(forms.ModelForm):
    status = forms.ChoiceField(label="Статус", choices=PointStatus.choices)
    evidence_url = _url("Ссылка на подтверждение")

    class Meta:
        model = DuePoint
        fields = ["status", "completed_on", "result_note", "evidence_url", "evidence_file"]
        widgets = {"completed_on": DATE, "result_note": forms.Textarea(attrs={"rows": 3})}


class IndicatorValueForm(forms.ModelForm):
    evidence_url = _url("Ссылка на подтверждение")

    class Meta:
        model = IndicatorValue
        fields = ["year", "municipality", "value", "evidence_url", "evidence_file", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class CauseForm(forms.Form):
    """One rating and evidence field per cause of the catalogue."""

    summary = forms.CharField(
        label="Выводы", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for cause in CAUSES:
            self.fields[f"rating_{cause.code}"] = forms.TypedChoiceField(
                label=cause.title, choices=RATINGS, coerce=int, initial=0
            )
            self.fields[f"evidence_{cause.code}"] = forms.CharField(
                label="Обоснование", required=False, widget=forms.Textarea(attrs={"rows": 1})
            )
