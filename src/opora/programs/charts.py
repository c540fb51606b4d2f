"""What the charts of the programs pages show, as plain JSON-ready dicts.

Each function takes figures a page has already computed (the achievement rows, the counts of
due points, the monitoring rows) and reshapes them; the template passes the result through
``json_script`` and ``programs/static/programs/charts.js`` draws it with ECharts. No figure is
computed here, so a chart and the table next to it can never disagree.
"""

from __future__ import annotations

from typing import Any

from opora.programs.models import IndicatorUnit
from opora.territory.models import Municipality

# Yes/no and level indicators read better as the coloured cells of the table.
CHARTED_UNITS = (IndicatorUnit.PERCENT, IndicatorUnit.COUNT)

# The six states of a due point, in the order of the stacked bars (matches programs.css).
POINT_STATES = (
    ("done_on_time", "выполнено в срок"),
    ("done_late", "выполнено с опозданием"),
    ("in_progress", "выполняется"),
    ("planned", "запланировано"),
    ("overdue", "просрочено"),
    ("cancelled", "отменено"),
)


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _unit(unit: str) -> str:
    return "%" if unit == IndicatorUnit.PERCENT else ""


def indicator_charts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One chart per numeric indicator that has a value in some year: the value (coloured by
    its traffic light) and the target, year by year. ``rows`` come from achievement_rows."""
    charts = []
    for row in rows:
        indicator = row["indicator"]
        cells = row["cells"]
        if indicator.unit not in CHARTED_UNITS or all(c["value"] is None for c in cells):
            continue
        charts.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": _unit(indicator.unit),
                "direction": indicator.direction,
                "years": [c["year"] for c in cells],
                "actual": [_number(c["value"]) for c in cells],
                "target": [_number(c["target"]) for c in cells],
                "lights": [c["light"] for c in cells],
            }
        )
    return charts


def municipality_chart(
    rows: list[dict[str, Any]], municipalities: list[Municipality], year: int
) -> dict[str, Any] | None:
    """The numeric indicators of one year by municipality (``rows`` from municipality_rows);
    the page shows one indicator at a time. None when no indicator has a value."""
    indicators = []
    for row in rows:
        indicator = row["indicator"]
        values = [c["value"] for c in row["cells"]]
        if indicator.unit not in CHARTED_UNITS or all(v is None for v in values):
            continue
        indicators.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": _unit(indicator.unit),
                "target": _number(row["target"]),
                "values": [_number(v) for v in values],
                "lights": [c["light"] for c in row["cells"]],
            }
        )
    if not indicators:
        return None
    return {
        "year": year,
        "municipalities": [m.name for m in municipalities],
        "indicators": indicators,
    }


def completion_chart(counts: dict[int, dict[str, int]]) -> dict[str, Any] | None:
    """Due points of a roadmap by year and state (``counts`` from point_counts_by_year), for a
    stacked bar chart; None when the roadmap has no points."""
    if not counts:
        return None
    years = sorted(counts)
    totals = {code: sum(counts[y][code] for y in years) for code, _ in POINT_STATES}
    return {
        "years": years,
        "series": [
            {"code": code, "name": name, "data": [counts[y][code] for y in years]}
            for code, name in POINT_STATES
        ],
        "totals": totals,
        "total": sum(totals.values()),
    }


def overdue_chart(by_municipality: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Overdue and done due points of school roadmaps by municipality, most overdue first;
    None when no municipality has a point that has fallen due."""
    rows = sorted(by_municipality, key=lambda m: (-m["overdue"], m["name"]))
    if not any(m["overdue"] or m["done"] for m in rows):
        return None
    return {
        "municipalities": [m["name"] for m in rows],
        "overdue": [m["overdue"] for m in rows],
        "done": [m["done"] for m in rows],
        "roadmaps": [m["roadmaps"] for m in rows],
    }
