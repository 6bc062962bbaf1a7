"""A small bar chart as inline SVG, drawn on the server (no script needed to see it)."""
from __future__ import annotations

from typing import Any

SERIES = (("open", "未销号", "#c0392b"), ("overdue", "逾期", "#e67e22"),
          ("closed", "当月销号", "#27ae60"))
WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 720, 240, 20, 40, 36


def grouped_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of grouped bars, one group per row (month), one bar per series."""
    peak = max([1] + [row[key] for row in rows for key, _, _ in SERIES])
    group = (WIDTH - LEFT) / max(1, len(rows))
    bar = group / (len(SERIES) + 1)
    scale = (HEIGHT - TOP - BOTTOM) / peak
    bars, labels = [], []
    for index, row in enumerate(rows):
        x0 = LEFT + index * group
        for number, (key, name, color) in enumerate(SERIES):
            height = row[key] * scale
            bars.append({"x": round(x0 + number * bar + bar / 2, 1),
                         "y": round(HEIGHT - BOTTOM - height, 1), "w": round(bar, 1),
                         "h": round(height, 1), "color": color,
                         "title": f"{row['month']} {name} {row[key]}"})
        labels.append({"x": round(x0 + group / 2, 1), "text": row["month"][2:]})
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "labels": labels,
            "baseline": HEIGHT - BOTTOM, "peak": peak, "left": LEFT, "top": TOP,
            "legend": [{"name": name, "color": color} for _, name, color in SERIES]}
