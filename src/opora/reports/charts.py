"""Charts for Word and PDF documents (matplotlib, no display needed)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {
    "done": "#3c9a4f",
    "in_progress": "#e8b923",
    "planned": "#9aa5b1",
    "overdue": "#d9534f",
    "cancelled": "#cccccc",
}


def completion_chart(counts: dict[str, int], labels: dict[str, str]) -> bytes:
    """A horizontal bar per status of the period's due points."""
    keys = [k for k in ("done", "in_progress", "planned", "overdue", "cancelled") if counts.get(k)]
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(keys), 1)), dpi=120)
    if keys:
        ax.barh(
            [labels[k] for k in keys], [counts[k] for k in keys], color=[COLORS[k] for k in keys]
        )
        for i, k in enumerate(keys):
            ax.text(counts[k], i, f" {counts[k]}", va="center")
    ax.invert_yaxis()
    ax.set_xlabel("контрольных точек")
    ax.set_title("Выполнение мероприятий за период")
    ax.spines[["top", "right"]].set_visible(False)
    return figure_png(fig)


def achievement_chart(items: list[tuple[str, float | None, float | None]]) -> bytes:
    """Value against target for percentage indicators (code, value, target)."""
    items = [i for i in items if i[1] is not None or i[2] is not None][:20]
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.4 * max(len(items), 1)), dpi=120)
    for row, (_code, value, target) in enumerate(items):
        color = (
            "#3c9a4f" if value is not None and target is not None and value >= target else "#d9534f"
        )
        if value is not None:
            ax.barh(row, value, color=color, height=0.6)
        if target is not None:
            ax.plot([target, target], [row - 0.4, row + 0.4], color="black", linewidth=2)
    ax.set_yticks(range(len(items)), [i[0] for i in items])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("%, черта — целевое значение")
    ax.set_title("Достижение показателей")
    ax.spines[["top", "right"]].set_visible(False)
    return figure_png(fig)


def figure_png(fig) -> bytes:
    """A finished matplotlib figure as PNG bytes (the figure is closed)."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
