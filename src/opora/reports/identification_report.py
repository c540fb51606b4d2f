"""The analytic report «о результатах процедуры идентификации» of one run (DOCX, PDF) and its
detailed table (XLSX).

The report shows what the user may see: region staff get the whole region, other users the
verdicts of their schools (the same scope as the run page). Figures come from the stored run.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from opora.analytics.verdicts import CATEGORY_LABELS, CATEGORY_ORDER
from opora.analytics.wording import plural
from opora.reports.registry import Document, Exporter, register

TITLE = "Аналитическая справка о результатах процедуры идентификации"
SUPPORT_CODES = ("low_results", "risk", "adverse_context", "unreliable")
REASONS_PER_CATEGORY = 4
REASONS = ("основание", "основания", "оснований")
SCHOOLS = ("школа", "школы", "школ")


@dataclass
class ReportData:
    run: Any
    verdicts: list[Any]
    today: dt.date
    whole_region: bool
    method: list[str]
    municipalities: list[dict[str, Any]]
    counts: dict[str, int]
    recommendations: dict[int, list[str]] = field(default_factory=dict)
    targeted: dict[int, list[str]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{TITLE} школ с низкими образовательными результатами"

    @property
    def subtitle(self) -> str:
        run = self.run
        status = f"утверждён ({run.order_label})" if run.is_approved else "черновик, не утверждён"
        return (
            f"{run.region.name}. Расчёт № {run.pk} от {run.created_at:%d.%m.%Y}; методика: "
            f"{run.methodology_name}; годы окна: {run.window_label}; {status}. "
            f"Сформировано {self.today:%d.%m.%Y}."
        )

    @property
    def scope(self) -> str:
        if self.whole_region:
            return f"Школ в расчёте: {len(self.verdicts)}."
        return f"Справка содержит сведения только о доступных вам школах: {len(self.verdicts)}."

    @property
    def flagged(self) -> list[Any]:
        """Schools with at least one category, ШНОР first, then by municipality and code."""
        rows = [v for v in self.verdicts if v.codes]
        return sorted(
            rows,
            key=lambda v: (
                not v.has("low_results"),
                v.school.municipality.name,
                v.school.code,
            ),
        )

    @property
    def supported(self) -> list[Any]:
        """Schools that need support (a recommendation section each)."""
        return [v for v in self.flagged if any(v.has(code) for code in SUPPORT_CODES)]

    def general_recommendations(self) -> list[tuple[str, int, str]]:
        """(category label, schools needing support in it, the recommendation for all of them)."""
        from opora.identification.recommendations import GENERAL

        rows = []
        for code in CATEGORY_ORDER:
            n = sum(1 for v in self.flagged if v.has(code))
            if n:
                rows.append((CATEGORY_LABELS[code], n, GENERAL[code]))
        return rows

    def targeted_rows(self) -> list[tuple[Any, list[str]]]:
        """Schools needing support with their own recommendations (general ones by category)."""
        return [(v, self.targeted.get(v.pk, [])) for v in self.supported]

    def category_rows(self) -> list[tuple[str, int]]:
        return [(CATEGORY_LABELS[code], self.counts[code]) for code in CATEGORY_ORDER]

    def total_row(self) -> dict[str, Any]:
        return {
            "schools": sum(r["schools"] for r in self.municipalities),
            "counts": {
                code: sum(r["counts"][code] for r in self.municipalities) for code in CATEGORY_ORDER
            },
        }


def collect(run: Any, user: Any, today: dt.date | None = None) -> ReportData:
    """The report's figures from the stored run, scoped to the user."""
    from opora.identification import selectors
    from opora.identification.recommendations import recommend, targeted
    from opora.identification.support import method_words

    verdicts = list(selectors.visible_verdicts(user, run))
    return ReportData(
        run=run,
        verdicts=verdicts,
        today=today or dt.date.today(),
        whole_region=selectors.can_run(user),
        method=method_words(run),
        municipalities=selectors.municipality_counts(verdicts),
        counts=selectors.category_counts(verdicts),
        recommendations={v.pk: recommend(v.codes, v.evidence or {}, v.status) for v in verdicts},
        targeted={v.pk: targeted(v.codes, v.evidence or {}, v.status) for v in verdicts},
    )


def reasons_text(verdict: Any) -> str:
    """The reasons of a verdict's categories, one line each: «ШНОР: …»."""
    return "\n".join(
        f"{r['label']}: {r['text']}" for r in verdict.reasons or [] if r.get("category")
    )


def short_reasons(verdict: Any, per_category: int = REASONS_PER_CATEGORY) -> list[str]:
    """At most ``per_category`` reasons of each category (the XLSX has them all)."""
    lines: list[str] = []
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for reason in verdict.reasons or []:
        code = reason.get("category")
        if not code:
            continue
        if shown.get(code, 0) < per_category:
            shown[code] = shown.get(code, 0) + 1
            lines.append(f"{reason['label']}: {reason['text']}")
        else:
            hidden[code] = hidden.get(code, 0) + 1
    for code, n in hidden.items():
        lines.append(
            f"{CATEGORY_LABELS[code]}: ещё {plural(n, REASONS)} — см. подробную таблицу (XLSX)."
        )
    return lines


def flagged_by_municipality(data: ReportData) -> list[tuple[str, list[tuple[int, Any, list[str]]]]]:
    """The list of schools with categories, numbered through, grouped by municipality."""
    groups: dict[str, list[tuple[int, Any, list[str]]]] = {}
    rows = sorted(data.flagged, key=lambda v: (v.school.municipality.name, v.school.code))
    for number, verdict in enumerate(rows, start=1):
        groups.setdefault(verdict.school.municipality.name, []).append(
            (number, verdict, short_reasons(verdict))
        )
    return list(groups.items())


def charts(data: ReportData) -> tuple[bytes | None, bytes | None]:
    """The distribution of failure shares and the context scatter (None without data)."""
    from opora.reports.identification_charts import context_scatter, share_distribution

    judged = [v for v in data.verdicts if v.actual_share is not None]
    distribution = (
        share_distribution([v.actual_share for v in judged], [v.has("low_results") for v in judged])
        if judged
        else None
    )
    points = [
        (v.context_index, v.actual_share * 100, v.has("low_results"))
        for v in judged
        if v.context_index is not None
    ]
    expected = [
        (v.context_index, v.expected_share * 100)
        for v in judged
        if v.context_index is not None and v.expected_share is not None
    ]
    fitted = (data.run.summary or {}).get("fitted") or {}
    scatter = context_scatter(points, expected, fitted.get("method") == "fixed") if points else None
    return distribution, scatter


@register
class IdentificationReport(Exporter):
    key = "identification"
    title = TITLE
    formats = ("docx", "pdf", "xlsx")

    def render(self, fmt: str, **params: Any) -> Document:
        data = collect(params["run"], params["user"], params.get("today"))
        name = f"Идентификация {data.run.region.name} расчёт {data.run.pk}"
        if fmt == "docx":
            return Document(_docx(data), fmt, f"{name}.docx")
        if fmt == "pdf":
            return Document(_pdf(data), fmt, f"{name}.pdf")
        if fmt == "xlsx":
            from opora.reports.identification_table import workbook

            return Document(workbook(data), fmt, f"{name} подробно.xlsx")
        raise ValueError(f"Формат «{fmt}» не поддерживается: выберите DOCX, PDF или XLSX.")


MUNICIPALITY_HEADERS = ("Муниципалитет", "Школ", *CATEGORY_LABELS.values())
LIST_HEADERS = ("№", "Код ОО", "Школа", "Категории", "Основания")
TARGETED_HEADERS = ("№", "Код ОО", "Школа", "Категории", "Рекомендации по данным школы")
GENERAL_ONLY = "Общие рекомендации для категорий школы (п. 4.1)."


def _docx(data: ReportData) -> bytes:
    from docx.shared import Cm, Pt

    from opora.reports.word import landscape_document

    distribution, scatter = charts(data)
    doc = landscape_document()
    doc.add_heading(data.title, level=1)
    doc.add_paragraph(data.subtitle)
    doc.add_paragraph(data.scope)

    doc.add_heading("1. Методика", level=2)
    for paragraph in data.method:
        doc.add_paragraph(paragraph)
    summary = data.run.summary or {}
    for line in (summary.get("context_formula"), (summary.get("fitted") or {}).get("formula")):
        if line:
            doc.add_paragraph(line)
    doc.add_paragraph("Полный текст методики приведён в приложении.")

    doc.add_heading("2. Итоги по категориям и муниципалитетам", level=2)
    doc.add_paragraph("; ".join(f"{label}: {n}" for label, n in data.category_rows()) + ".")
    table = _table(doc, MUNICIPALITY_HEADERS)
    for row in data.municipalities:
        _row(table, [row["municipality"].name, row["schools"], *row["counts"].values()])
    total = data.total_row()
    _row(table, ["Всего", total["schools"], *total["counts"].values()])
    for image in (distribution, scatter):
        if image:
            doc.add_picture(io.BytesIO(image), width=Cm(16))

    doc.add_heading("3. Список школ и основания", level=2)
    for municipality, rows in flagged_by_municipality(data):
        doc.add_heading(municipality, level=3)
        table = _table(doc, LIST_HEADERS)
        for number, verdict, reasons in rows:
            values = [number, verdict.school.code, verdict.school.name, verdict.category_labels]
            _row(table, [*values, "\n".join(reasons)])
    if not data.flagged:
        doc.add_paragraph("Ни одна школа не вошла ни в одну категорию.")

    doc.add_heading("4. Рекомендации", level=2)
    doc.add_heading("4.1. Общие рекомендации по категориям", level=3)
    for label, n, text in data.general_recommendations():
        doc.add_paragraph(f"{label} ({plural(n, SCHOOLS)}): {text}", style="List Bullet")
    doc.add_heading("4.2. Адресные рекомендации школам", level=3)
    if data.supported:
        table = _table(doc, TARGETED_HEADERS)
        for number, (verdict, texts) in enumerate(data.targeted_rows(), start=1):
            values = [number, verdict.school.code, verdict.school.name, verdict.category_labels]
            _row(table, [*values, "\n".join(texts) or GENERAL_ONLY])
    else:
        doc.add_paragraph("Школ, которым требуется поддержка, нет.")

    doc.add_heading("Приложение. Текст методики", level=2)
    for line in data.run.methodology_text.splitlines():
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(line)
        run.font.name = "Courier New"
        run.font.size = Pt(9)
        paragraph.paragraph_format.space_after = Pt(0)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _table(doc: Any, headers: tuple[str, ...]) -> Any:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    return table


def _row(table: Any, values: list[Any]) -> None:
    for cell, value in zip(table.add_row().cells, values, strict=True):
        cell.text = str(value)


def _pdf(data: ReportData) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    distribution, scatter = charts(data)
    html = render_to_string(
        "identification/report.html",
        {
            "data": data,
            "headers": MUNICIPALITY_HEADERS,
            "total": data.total_row(),
            "flagged": flagged_by_municipality(data),
            "targeted": data.targeted_rows(),
            "general_only": GENERAL_ONLY,
            "distribution": base64.b64encode(distribution).decode() if distribution else "",
            "scatter": base64.b64encode(scatter).decode() if scatter else "",
        },
    )
    return HTML(string=html).write_pdf()
