"""Chart geometry for the SVG templates (reports/_bar_chart.html, reports/_heatmap.html): numbers, no drawing library.

The templates draw what these functions measure; every chart comes with its data table. The bars are the
one part written here (format_html, every label escaped): a year has 366 bars per chart, and the template
language spent some 40 ms a page on them (bench/ANALYSIS.md, "Report pages").
"""

from django.utils.html import format_html, format_html_join

WIDTH = 720
HEIGHT = 240
LEFT = 48
BOTTOM = 28
TOP = 12
HEAT_LEVELS = 5


def _nice_max(value: float) -> int:
    """A round top for the axis (1, 2, 5 × 10^n) at or above the largest value."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(points: list[tuple[str, float]], *, label_every: int | None = None) -> dict:
    """Bars for (label, value) points, with the axis' top value and the labels to print under the bars."""
    count = max(len(points), 1)
    top = _nice_max(max((value for _, value in points), default=0))
    plot_width = WIDTH - LEFT - 8
    plot_height = HEIGHT - BOTTOM - TOP
    slot = plot_width / count
    gap = min(slot * 0.2, 4)
    every = label_every or max(1, round(count / 12))
    bars = []
    for index, (label, value) in enumerate(points):
        height = plot_height * value / top
        bars.append(
            {
                "x": round(LEFT + index * slot + gap / 2, 2),
                "y": round(TOP + plot_height - height, 2),
                "width": round(max(slot - gap, 1), 2),
                "height": round(height, 2),
                "label": label,
                "value": value,
                "show_label": index % every == 0,
                "label_x": round(LEFT + index * slot + slot / 2, 2),
            }
        )
    label_y = HEIGHT - 8
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "axis_y": TOP + plot_height,
        "label_y": label_y,
        "top": top,
        "top_y": TOP,
        "mid": top / 2 if top % 2 == 0 else None,
        "mid_y": TOP + plot_height / 2,
        "right": WIDTH - 8,
        "bars": bars,
        "bars_svg": _bars_svg(bars, label_y),
    }


def _bars_svg(bars: list[dict], label_y: int):
    """The bars' SVG markup (each with its title, and the labels under them), escaped."""
    return format_html_join(
        "\n  ",
        "{}",
        (
            (
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>{}',
                    str(bar["x"]),
                    str(bar["y"]),
                    str(bar["width"]),
                    str(bar["height"]),
                    bar["label"],
                    str(bar["value"]),
                    format_html(
                        '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                        str(bar["label_x"]),
                        str(label_y),
                        bar["label"],
                    )
                    if bar["show_label"]
                    else "",
                ),
            )
            for bar in bars
        ),
    )


def heatmap(grid: list[list[int]], weekday_names: list[str]) -> dict:
    """A 7 × 24 grid of cells, each with a level 0..5 (a CSS class gives its colour)."""
    cell_w, cell_h, left, top_margin = 26, 24, 48, 18
    peak = max((value for row in grid for value in row), default=0)
    rows = []
    for day_index, row in enumerate(grid):
        cells = []
        for hour, value in enumerate(row):
            level = 0 if not value or not peak else max(1, round(HEAT_LEVELS * value / peak))
            cells.append(
                {
                    "x": left + hour * cell_w,
                    "y": top_margin + day_index * cell_h,
                    "value": value,
                    "level": level,
                    "hour": hour,
                }
            )
        rows.append(
            {"name": weekday_names[day_index], "y": top_margin + day_index * cell_h + cell_h * 0.65, "cells": cells}
        )
    hours = [{"hour": hour, "x": left + hour * cell_w + cell_w / 2} for hour in range(0, 24, 3)]
    return {
        "width": left + 24 * cell_w + 4,
        "height": top_margin + 7 * cell_h + 4,
        "cell_w": cell_w - 2,
        "cell_h": cell_h - 2,
        "rows": rows,
        "hours": hours,
        "hours_y": 12,
        "peak": peak,
    }
