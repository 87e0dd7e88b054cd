"""Light bar charts drawn on the server as inline SVG (no JavaScript library).

The geometry is computed here and drawn by templates/desk/_hbar_chart.html and _column_chart.html.
Right-to-left pages get mirrored geometry: labels on the right, bars growing to the left, the
oldest day on the right. The SVG itself is laid out with direction="ltr" so that text anchors
are physical (Arabic labels still shape correctly inside each <text>).
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 480
ROW = 24
LABEL_W = 170
VALUE_W = 44
BAR_AREA = WIDTH - LABEL_W - VALUE_W - 10


@dataclass(frozen=True)
class HBar:
    label: str
    value: int
    y: float
    text_y: float
    bar_x: float
    bar_w: float
    label_x: float
    label_anchor: str
    value_x: float
    value_anchor: str


def horizontal(rows: list[tuple[str, int]], *, rtl: bool = False) -> dict:
    """One bar per (label, value) row, longest = full width."""
    top = max((value for _label, value in rows), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(rows):
        width = BAR_AREA * value / top
        y = index * ROW + 4
        label = str(label)
        short = label if len(label) <= 26 else label[:25] + "…"
        if rtl:  # label column on the right, bar growing leftwards from it, value beyond the bar
            bar_x = WIDTH - LABEL_W - width
            bars.append(HBar(short, value, y, y + 12, bar_x, width, WIDTH - LABEL_W + 6, "start", bar_x - 4, "end"))
        else:
            bars.append(HBar(short, value, y, y + 12, LABEL_W, width, LABEL_W - 6, "end",
                             LABEL_W + width + 4, "start"))
    return {"bars": bars, "width": WIDTH, "height": max(len(rows), 1) * ROW + 8}


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: float
    width: float
    y: float
    height: float
    center: float
    show_label: bool
    value_y: float


COL_WIDTH = 640
COL_HEIGHT = 160
COL_TOP = 16
COL_BOTTOM = 22


def columns(rows: list[tuple[str, int]], *, rtl: bool = False) -> dict:
    """Vertical bars for a time series (first row = oldest), every nth label shown when crowded."""
    count = max(len(rows), 1)
    top = max((value for _label, value in rows), default=0) or 1
    slot = COL_WIDTH / count
    step = 1 if count <= 10 else (count + 9) // 10
    bars = []
    for index, (label, value) in enumerate(rows):
        position = count - 1 - index if rtl else index
        height = COL_HEIGHT * value / top
        x = position * slot + slot * 0.15
        bars.append(Column(str(label), value, x, slot * 0.7, COL_TOP + COL_HEIGHT - height, height,
                           position * slot + slot / 2, index % step == 0 or index == count - 1,
                           COL_TOP + COL_HEIGHT - height - 3))
    return {
        "bars": bars,
        "width": COL_WIDTH,
        "height": COL_TOP + COL_HEIGHT + COL_BOTTOM,
        "baseline": COL_TOP + COL_HEIGHT,
        "label_y": COL_TOP + COL_HEIGHT + 16,
        "show_values": count <= 15,
    }
