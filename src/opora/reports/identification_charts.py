"""Charts of the identification report (matplotlib, Agg): PNG bytes for Word and PDF."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from opora.reports.charts import figure_png  # noqa: E402

LOW = "#b42318"
OTHER = "#9aa5b1"
LINE = "#1d2733"


def share_distribution(shares: Sequence[float], low: Sequence[bool]) -> bytes:
    """Histogram of the schools' failure shares (percent), ШНОР stacked over the others."""
    values = np.array([s * 100 for s in shares], dtype=float)
    flags = np.array(list(low), dtype=bool)
    top = max(10.0, float(np.ceil(values.max() / 5.0) * 5.0)) if values.size else 10.0
    bins = np.arange(0.0, top + 5.0, 5.0)
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    ax.hist(
        [values[~flags], values[flags]],
        bins=bins,
        stacked=True,
        color=[OTHER, LOW],
        label=["остальные школы", "ШНОР"],
        edgecolor="white",
    )
    ax.set_xlabel("доля неуспешных результатов за окно лет, %")
    ax.set_ylabel("школ")
    ax.set_title("Распределение школ по доле неуспешных результатов")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return figure_png(fig)


def context_scatter(
    points: Sequence[tuple[float, float, bool]],
    expected: Sequence[tuple[float, float]],
    expected_is_line: bool,
) -> bytes:
    """Context index against failure share (percent); the expected share as a line or dots."""
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    others = [(x, y) for x, y, low in points if not low]
    lows = [(x, y) for x, y, low in points if low]
    if others:
        ax.scatter(*zip(*others, strict=True), s=14, color=OTHER, label="остальные школы")
    if lows:
        ax.scatter(*zip(*lows, strict=True), s=18, color=LOW, label="ШНОР")
    if expected:
        xs, ys = zip(*sorted(expected), strict=True)
        if expected_is_line:
            ax.plot(xs, ys, color=LINE, linewidth=2, label="ожидаемая доля")
        else:
            ax.scatter(xs, ys, s=6, color=LINE, label="ожидаемая доля")
    ax.set_xlabel("индекс социального неблагополучия (больше — условия хуже)")
    ax.set_ylabel("доля неуспешных, %")
    ax.set_ylim(bottom=0)
    ax.set_title("Социальный контекст и результаты")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return figure_png(fig)
