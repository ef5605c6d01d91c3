"""ChartSpec → ReportLab vector drawing, for the PDFs.

Vector charts print sharp at any size, set their words in the embedded body font (so a reader
can search and copy them, and tests can read them back), weigh a few kilobytes, and cost about
a millisecond to draw. Text is drawn with `String`, which never parses markup: brief text stays
literal. Segments after the first carry a hatch, so they stay distinct printed in grey.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from briefgen.charts import ChartSpec
from briefgen.render import PDF_FONT

# Shapes check every attribute as it is set (when this is on as reportlab.graphics.shapes is
# first imported); ours are built from known-good values, and the checks cost more than drawing.
rl_config.shapeChecking = 0

from reportlab.graphics.renderPDF import GraphicsFlowable  # noqa: E402
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Path, Rect, String  # noqa: E402

FONT = PDF_FONT
BOLD = FONT + "-Bold"
INK = colors.HexColor("#1A1A1A")
AXIS = colors.HexColor("#888888")
DEFAULT_PALETTE = ("#1F3A5F", "#7FA7D1", "#D55E00")
HATCH_STEP = 3.2  # points between hatch lines


@lru_cache(maxsize=256)  # by the spec's hash, the width, the body size, font and colours
def drawing(
    spec: ChartSpec,
    width: float,
    body: float,
    font: str = PDF_FONT,
    ink: str = "#1A1A1A",
    axis: str = "#888888",
) -> Drawing:
    """The chart `width` points wide, its text sized from the body size; its height follows the data.

    Laid out once per process for each spec, width and size: the fitting passes of the handout
    and the one-pager, and every later build in the process, reuse it. Put it on a page through
    `flowable`: ReportLab marks a flowable it pushes to the next frame, so one drawing object
    must not be placed twice.
    """
    global FONT, BOLD, INK, AXIS  # what the drawing functions below draw with
    FONT, BOLD, INK, AXIS = font, font + "-Bold", colors.HexColor(ink), colors.HexColor(axis)
    size = min(8.5, 0.95 * body)
    draw = {"bars": _bars, "columns": _columns}.get(spec.kind, _timeline)
    return draw(spec, width, size)


def flowable(
    spec: ChartSpec,
    width: float,
    body: float,
    font: str = PDF_FONT,
    ink: str = "#1A1A1A",
    axis: str = "#888888",
) -> GraphicsFlowable:
    """A new flowable around the (shared) drawing of the chart, for one story."""
    return GraphicsFlowable(drawing(spec, width, body, font, ink, axis))


def _palette(spec: ChartSpec) -> list[colors.Color]:
    return [colors.HexColor(c) for c in (spec.palette or DEFAULT_PALETTE)]


def _width(texts: Sequence[str], font: str, size: float) -> float:
    return max((stringWidth(t, font, size) for t in texts), default=0.0)


def _lines(
    text: str, size: float, width: float, most: int = 0, font: str | None = None
) -> list[str]:
    """`text` wrapped to `width` at spaces, a word wider than that broken by characters; with
    `most`, at most that many lines, the last cut with an ellipsis (the table has it whole)."""
    font = font or FONT
    lines: list[str] = []
    for line in simpleSplit(text, font, size, width) or [""]:
        while stringWidth(line, font, size) > width and len(line) > 1:
            cut = max(1, int(len(line) * width / stringWidth(line, font, size)))
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    if most and len(lines) > most:
        last = lines[most - 1]
        while last and stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines = [*lines[: most - 1], last.rstrip() + "…"]
    return lines


_Line = tuple[str, float, bool, float]  # text, font size, bold, line height


def _stack(x: float, y: float, lines: list[_Line], upward: bool) -> list[String]:
    """Lines (given top to bottom) centred on `x`, stacked up from `y` or down from it; drawn
    top to bottom either way, so that the PDF's text reads in order."""
    total = sum(height for *_, height in lines)
    top = y + total if upward else y
    out = []
    for text, size, bold, height in lines:
        bottom = top - height
        out.append(_text(x, bottom + (height - size) / 2 + 0.22 * size, text, size, "middle", bold))
        top = bottom
    return out


def _text(
    x: float, y: float, text: str, size: float, anchor: str = "start", bold: bool = False
) -> String:
    return String(
        x, y, text, fontName=BOLD if bold else FONT, fontSize=size, fillColor=INK, textAnchor=anchor
    )


def _hatch(x: float, y: float, w: float, h: float, colour: colors.Color) -> Path:
    """Rising diagonal lines clipped to a rectangle, on a grid shared by every bar (they line
    up), as one path: one drawing operation however many lines."""
    path = Path(strokeColor=colour, strokeWidth=0.5, fillColor=None)
    step = HATCH_STEP * math.sqrt(2)
    first = math.floor((y - (x + w)) / step) + 1
    last = math.ceil((y + h - x) / step)
    for k in range(first, last):
        c = k * step  # the line y = t + c
        t0, t1 = max(x, y - c), min(x + w, y + h - c)
        if t1 - t0 > 0.01:
            path.moveTo(t0, t0 + c)
            path.lineTo(t1, t1 + c)
    return path


def _segment(
    x: float, y: float, w: float, h: float, i: int, palette: list[colors.Color]
) -> list[Rect | Path]:
    """One stacked segment: filled, outlined in the darkest colour, hatched unless it is the first."""
    fill, edge = palette[i % len(palette)], palette[0]
    rect = Rect(x, y, w, h, fillColor=fill, strokeColor=edge, strokeWidth=0.6)
    return [rect, _hatch(x, y, w, h, edge)] if i else [rect]


def _legend(
    spec: ChartSpec, x: float, top: float, width: float, size: float, palette: list[colors.Color]
) -> tuple[list[object], float]:
    """Swatches and series names from `top` down, in one row when they fit; returns the height."""
    key, gap, row = size * 1.5, size * 1.4, size * 1.6
    items = [(s.name, key + size * 0.4 + stringWidth(s.name, FONT, size)) for s in spec.series]
    one_row = sum(w for _, w in items) + gap * (len(items) - 1) <= width - x
    if not one_row:  # one under the other: start far enough left for the longest name
        x = max(0.0, min(x, width - max(w for _, w in items)))
    shapes: list[object] = []
    cx, cy = x, top - row
    for i, (name, w) in enumerate(items):
        shown = _lines(name, size, width - cx - key - size * 0.4, most=1)[0]
        shapes += _segment(cx, cy + size * 0.1, key, size * 0.8, i, palette)
        shapes.append(_text(cx + key + size * 0.4, cy + size * 0.18, shown, size))
        if one_row:
            cx += w + gap
        else:
            cy -= row
    rows = 1 if one_row else len(items)
    return shapes, rows * row + size * 0.4


def _bars(spec: ChartSpec, width: float, size: float) -> Drawing:
    """Horizontal stacked bars, largest on top; category on the left, value label at the end."""
    palette = _palette(spec)
    cat_size, value_size = size, size * 0.94
    categories = [[c] for c in spec.categories]
    values = spec.value_labels
    left = _width(spec.categories, FONT, cat_size) + size
    right = _width(values, FONT, value_size) + size * 0.8
    if left + right > 0.62 * width:  # narrow: totals only, long names on two lines or more
        values = spec.short_labels
        right = _width(values, FONT, value_size) + size * 0.8
        limit = max(0.3 * width, _width(["M" * 8], FONT, cat_size))
        categories = [_lines(c, cat_size, limit, most=3) for c in spec.categories]
        left = _width([line for c in categories for line in c], FONT, cat_size) + size
    line = cat_size * 1.15
    pitch = [max(size * 2.2, len(c) * line + size * 0.7) for c in categories]
    plot_h = sum(pitch)
    shapes: list[object] = []
    legend_h = 0.0
    if len(spec.series) > 1:
        legend_shapes, legend_h = _legend(spec, left, 0.0, width, value_size, palette)
        shapes += legend_shapes
    height = plot_h + legend_h + size * 0.4
    top_value = max(spec.totals, default=0) or 1
    plot_w = max(width * 0.2, width - left - right)
    # Lay out from the top: y is measured upward, so rows go down from `plot_h`.
    y = plot_h
    bars: list[object] = []
    for cat_lines, p, label, total, i in zip(
        categories, pitch, values, spec.totals, range(len(categories)), strict=True
    ):
        y -= p
        bar_h = size * 1.5
        bar_y = y + (p - bar_h) / 2
        x = left
        for s_i, series in enumerate(spec.series):
            w = plot_w * series.values[i] / top_value
            if w > 0:
                bars += _segment(x, bar_y, w, bar_h, s_i, palette)
            x += w
        mid = bar_y + bar_h / 2
        first = mid + (len(cat_lines) - 1) * line / 2 - cat_size * 0.35
        for n, text in enumerate(cat_lines):
            bars.append(_text(left - size * 0.6, first - n * line, text, cat_size, "end"))
        bars.append(
            _text(
                left + plot_w * total / top_value + size * 0.4,
                mid - value_size * 0.35,
                label,
                value_size,
            )
        )
    bars.append(Line(left, 0, left, plot_h, strokeColor=AXIS, strokeWidth=0.6))
    pad = size * 0.5  # room between the axis and the caption under it
    body = Group(*bars)
    body.translate(0, pad)
    legend = Group(*shapes)
    legend.translate(0, height + pad)
    d = Drawing(width, height + pad)
    d.add(body)
    d.add(legend)
    return d


def _fitting(words: Sequence[str], size: float, width: float) -> float:
    """The type size (at most `size`, at least 4.5 pt) at which the widest word fits `width`."""
    widest = _width(words, FONT, size)
    return max(4.5, min(size, size * width / widest)) if widest else size


def _columns(spec: ChartSpec, width: float, size: float) -> Drawing:
    """Vertical columns with their value on top and their category (wrapped) underneath."""
    palette = _palette(spec)
    values = spec.series[0].values
    n = max(1, len(values))
    slot = width / n
    column = min(slot * 0.6, size * 6)  # two figures must not become two slabs
    # Names and figures wrap at spaces ("about" over "3,500"); when a word is still wider than
    # its column, all of them get smaller together. A figure is never broken; a name is broken
    # only below 4.5 pt (and cut after three lines).
    words = [w for c in spec.categories for w in c.split()]
    name_size = _fitting(words, size, slot * 0.9)
    names = [_lines(c, name_size, slot * 0.9, most=3) for c in spec.categories]
    labels = [simpleSplit(v, FONT, size, slot * 0.95) or [v] for v in spec.value_labels]
    value_size = _fitting([w for label in labels for w in label], size, slot * 0.95)
    pad = size * 0.5  # under the lowest label
    name_line = name_size * 1.15
    label_h = max((len(w) for w in names), default=1) * name_line + size * 0.4 + pad
    plot_h = 1.3 * 72
    top_h = max((len(v) for v in labels), default=1) * value_size * 1.15 + size * 0.5
    top_value = max(values, default=0) or 1
    d = Drawing(width, label_h + plot_h + top_h)
    for i, (v, label, name) in enumerate(zip(values, labels, names, strict=True)):
        cx = slot * (i + 0.5)
        h = plot_h * v / top_value
        d.add(Rect(cx - column / 2, label_h, column, h, fillColor=palette[0], strokeColor=None))
        above = [(text, value_size, False, value_size * 1.15) for text in label]
        below = [(text, name_size, False, name_line) for text in name]
        for shape in _stack(cx, label_h + h + size * 0.2, above, upward=True):
            d.add(shape)
        for shape in _stack(cx, label_h - size * 0.3, below, upward=False):
            d.add(shape)
    d.add(Line(0, label_h, width, label_h, strokeColor=AXIS, strokeWidth=0.6))
    return d


def _timeline(spec: ChartSpec, width: float, size: float) -> Drawing:
    """Events evenly spaced along a line, labels alternating above and below it."""
    n = len(spec.events)
    colour = _palette(spec)[0]
    date_size, body_size = size * 0.87, size * 0.85
    # Labels alternate, so each may be 1.7 slots wide; the ends get half a label of margin.
    label_slots = 1.7 if n > 1 else 3.0
    slot = width / (n - 1 + label_slots + 0.1)
    label_w = label_slots * slot * 0.94
    labels: list[list[_Line]] = [
        [
            (t, date_size, True, date_size * 1.25)
            for t in _lines(date, date_size, label_w, font=BOLD)
        ]
        + [(t, body_size, False, body_size * 1.18) for t in _lines(text, body_size, label_w)]
        for date, text in spec.events
    ]
    stem = size * 0.95

    def tallest(group: list[list[_Line]]) -> float:
        return max((sum(h for *_, h in label) for label in group), default=0.0)

    up_h = stem + 3 + tallest(labels[0::2]) + 2
    down_h = stem + 3 + tallest(labels[1::2]) + 2 if n > 1 else 4.0
    pad = size * 0.6  # room under the lowest label
    d = Drawing(width, up_h + down_h + pad)
    axis = down_h + pad
    d.add(Line(0, axis, width, axis, strokeColor=colour, strokeWidth=1.6))
    start = slot * (label_slots / 2 + 0.05)
    for i, label in enumerate(labels):
        x = start + i * slot
        sign = 1 if i % 2 == 0 else -1  # above the line, then below it
        d.add(Line(x, axis, x, axis + sign * stem, strokeColor=colour, strokeWidth=0.8))
        d.add(Circle(x, axis, 3.2, fillColor=colors.white, strokeColor=colour, strokeWidth=1.6))
        for shape in _stack(x, axis + sign * (stem + 3), label, upward=sign > 0):
            d.add(shape)
    return d
