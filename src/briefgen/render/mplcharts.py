"""ChartSpec → SVG or PNG bytes, drawn by matplotlib (the Figure API, never pyplot).

The same `ChartSpec` the PDFs (render/pdfcharts.py) and the deck draw, laid out the same way
(shapes and texts placed in points, ported from pdfcharts.py), so a chart looks the same in
every output.
Used by the web page (inline SVG) and the chart-images output (SVG, and PNG at 2× for pasting
into Docs or Slides).

- Same bytes on every run and machine: text is drawn as paths from briefgen's own DejaVu Sans
  (registered with matplotlib's font manager, and named by file so matplotlib's bundled copy is
  never chosen), `svg.hashsalt` is fixed, and neither file carries a date or a software name.
- Brief text stays literal: every text is drawn with `parse_math=False` (no `$mathtext$`).
- Readable in greyscale: segments after the first are hatched in the darkest colour, as in the PDF.

Importing this module imports matplotlib (about 0.2 s): only a renderer that draws imports it,
and only when its output must be made.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Literal

import matplotlib
import matplotlib.artist
from matplotlib.artist import Artist

# As each Artist class is made, matplotlib writes its `set()` a docstring listing every
# property (`artist.kwdoc`): a fifth of importing what is used here, and nothing reads them.
# They are left empty while the classes this module uses are made.
_kwdoc = matplotlib.artist.kwdoc
matplotlib.artist.kwdoc = lambda artist: ""
try:
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Rectangle
    from matplotlib.text import Text
    from matplotlib.textpath import TextToPath
    from matplotlib.transforms import Affine2D
finally:
    matplotlib.artist.kwdoc = _kwdoc

from briefgen.blocks import Chart, Document  # noqa: E402
from briefgen.charts import ChartSpec  # noqa: E402
from briefgen.render import font_path  # noqa: E402

INK = "#1A1A1A"
MUTED = "#555555"
AXIS = "#888888"
DEFAULT_PALETTE = ("#1F3A5F", "#7FA7D1", "#D55E00")
WIDTH = 480.0  # points: 640 CSS pixels, a chart that fits a slide or a document column
SIZE = 10.0  # body text of a chart, in points
PNG_DPI = 192  # twice the 96 CSS pixels per inch: sharp when pasted and scaled to fit
SALT = "briefgen"  # svg.hashsalt: element ids depend on the drawing only, never on chance
HATCH = "////"

Kind = Literal["svg", "png"]


@lru_cache(maxsize=1)
def _fonts() -> dict[str, FontProperties]:
    """briefgen's DejaVu faces, registered with the font manager and named by file."""
    out = {}
    for style in ("regular", "bold"):
        path = font_path(style)
        font_manager.fontManager.addfont(str(path))
        out[style] = FontProperties(fname=str(path))
    return out


@lru_cache(maxsize=1)
def _measurer() -> TextToPath:
    return TextToPath()


def _prop(size: float, bold: bool = False) -> FontProperties:
    prop = _fonts()["bold" if bold else "regular"].copy()
    prop.set_size(size)
    return prop


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance width of `text` in points, from the font's own metrics."""
    return _unit_width(text, bold) * size if text else 0.0


@lru_cache(maxsize=8192)
def _unit_width(text: str, bold: bool) -> float:
    """Width at 1 pt: matplotlib measures outlines at one fixed scale, so widths are linear in
    the size and one measurement serves every size."""
    w, _, _ = _measurer().get_text_width_height_descent(text, _prop(10.0, bold), ismath=False)
    return float(w) / 10.0


def _widest(texts: Sequence[str], size: float, bold: bool = False) -> float:
    return max((text_width(t, size, bold) for t in texts), default=0.0)


def wrap(text: str, size: float, width: float, most: int = 0, bold: bool = False) -> list[str]:
    """`text` wrapped to `width` at spaces, a word wider than that broken by characters; with
    `most`, at most that many lines, the last cut with an ellipsis (the data table has it whole)."""
    lines: list[str] = []
    line, used = "", 0.0
    space = text_width(" ", size, bold)
    for word in text.split():
        # A line's width is its words' and spaces' widths: each word is measured once (not
        # every longer trial line), which is most of the cost of laying out a timeline.
        w = text_width(word, size, bold)
        if line and used + space + w <= width:
            line, used = f"{line} {word}", used + space + w
            continue
        if not line and w <= width:
            line, used = word, w
            continue
        if line:
            lines.append(line)
        while text_width(word, size, bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], size, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line, used = word, text_width(word, size, bold)
    lines.append(line)
    if most and len(lines) > most:
        last = lines[most - 1]
        while last and text_width(last + "…", size, bold) > width:
            last = last[:-1]
        lines = [*lines[: most - 1], last.rstrip() + "…"]
    return lines


class Canvas:
    """Shapes and texts in points, y upward, collected first so the height can follow the data."""

    def __init__(self, palette: Sequence[str]) -> None:
        self.palette = tuple(palette) or DEFAULT_PALETTE
        self.ops: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def rect(self, x: float, y: float, w: float, h: float, **kw: Any) -> None:
        self.ops.append(("rect", (x, y, w, h), kw))

    def line(self, x0: float, y0: float, x1: float, y1: float, colour: str, lw: float) -> None:
        self.ops.append(("line", (x0, y0, x1, y1), {"color": colour, "lw": lw}))

    def circle(self, x: float, y: float, r: float, colour: str) -> None:
        self.ops.append(("circle", (x, y, r), {"color": colour}))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        ha: str = "left",
        bold: bool = False,
        colour: str = INK,
    ) -> None:
        """`y` is the baseline."""
        self.ops.append(("text", (x, y, text), {"size": size, "ha": ha, "bold": bold, "c": colour}))

    def segment(self, x: float, y: float, w: float, h: float, i: int) -> None:
        """One stacked segment: filled, outlined in the darkest colour, hatched unless first."""
        fill, edge = self.palette[i % len(self.palette)], self.palette[0]
        self.rect(x, y, w, h, fill=fill, edge=edge, hatch=HATCH if i else None)

    def figure(self, width: float, height: float) -> Figure:
        """The shapes and texts as artists of a bare figure (no axes: they cost more to make
        than the drawing), placed in points from the bottom left."""
        fig = Figure(figsize=(width / 72, height / 72), dpi=72, facecolor="white")
        points = Affine2D().scale(1 / 72) + fig.dpi_scale_trans
        artists: list[Artist] = []
        for op, args, kw in self.ops:
            if op == "rect":
                x, y, w, h = args
                edge = kw.get("edge")
                artists.append(
                    Rectangle(
                        (x, y),
                        w,
                        h,
                        facecolor=kw["fill"],
                        edgecolor=edge or "none",
                        linewidth=0.6 if edge else 0,
                        hatch=kw.get("hatch"),
                        zorder=1,
                    )
                )
            elif op == "line":
                x0, y0, x1, y1 = args
                artists.append(
                    Line2D([x0, x1], [y0, y1], color=kw["color"], linewidth=kw["lw"], zorder=2)
                )
            elif op == "circle":
                x, y, r = args
                artists.append(
                    Circle((x, y), r, facecolor="white", edgecolor=kw["color"], lw=1.6, zorder=2.5)
                )
            else:
                x, y, text = args
                artists.append(
                    Text(
                        x,
                        y,
                        text,
                        fontproperties=_prop(kw["size"], kw["bold"]),
                        color=kw["c"],
                        ha=kw["ha"],
                        va="baseline",
                        parse_math=False,
                        zorder=3,
                    )
                )
        for artist in artists:
            artist.set_transform(points)
            fig.add_artist(artist)
        return fig


# ---- the three kinds of chart, laid out as in render/pdfcharts.py ----


def _legend(c: Canvas, spec: ChartSpec, x: float, top: float, width: float, size: float) -> float:
    """Swatches and series names from `top` down, in one row when they fit; returns the height."""
    key, gap, row = size * 1.5, size * 1.4, size * 1.6
    items = [(s.name, key + size * 0.4 + text_width(s.name, size)) for s in spec.series]
    one_row = sum(w for _, w in items) + gap * (len(items) - 1) <= width - x
    if not one_row:
        x = max(0.0, min(x, width - max(w for _, w in items)))
    cx, cy = x, top - row
    for i, (name, w) in enumerate(items):
        shown = wrap(name, size, width - cx - key - size * 0.4, most=1)[0]
        c.segment(cx, cy + size * 0.1, key, size * 0.8, i)
        c.text(cx + key + size * 0.4, cy + size * 0.18, shown, size)
        if one_row:
            cx += w + gap
        else:
            cy -= row
    return (1 if one_row else len(items)) * row + size * 0.4


def _bars(c: Canvas, spec: ChartSpec, width: float, size: float) -> float:
    """Horizontal stacked bars, largest on top; returns the height used (from y = 0 up)."""
    values = spec.value_labels
    left = _widest(spec.categories, size) + size
    right = _widest(values, size) + size * 0.8
    categories = [[name] for name in spec.categories]
    if left + right > 0.62 * width:  # narrow: totals only, long names on two lines or more
        values = spec.short_labels
        right = _widest(values, size) + size * 0.8
        limit = max(0.3 * width, text_width("M" * 8, size))
        categories = [wrap(name, size, limit, most=3) for name in spec.categories]
        left = _widest([line for cat in categories for line in cat], size) + size
    line = size * 1.15
    pitch = [max(size * 2.2, len(cat) * line + size * 0.7) for cat in categories]
    plot_h = sum(pitch)
    top_value = max(spec.totals, default=0) or 1
    plot_w = max(width * 0.2, width - left - right)
    y = plot_h
    for i, (cat, p, label, total) in enumerate(
        zip(categories, pitch, values, spec.totals, strict=True)
    ):
        y -= p
        bar_h = size * 1.5
        bar_y = y + (p - bar_h) / 2
        x = left
        for s_i, series in enumerate(spec.series):
            w = plot_w * series.values[i] / top_value
            if w > 0:
                c.segment(x, bar_y, w, bar_h, s_i)
            x += w
        mid = bar_y + bar_h / 2
        first = mid + (len(cat) - 1) * line / 2 - size * 0.35
        for n, text in enumerate(cat):
            c.text(left - size * 0.6, first - n * line, text, size, "right")
        c.text(left + plot_w * total / top_value + size * 0.4, mid - size * 0.35, label, size)
    c.line(left, 0, left, plot_h, AXIS, 0.6)
    if len(spec.series) < 2:
        return plot_h
    legend_h = _legend_height(spec, left, width, size * 0.94)
    _legend(c, spec, left, plot_h + legend_h, width, size * 0.94)
    return plot_h + legend_h


def _legend_height(spec: ChartSpec, x: float, width: float, size: float) -> float:
    key, gap, row = size * 1.5, size * 1.4, size * 1.6
    items = [key + size * 0.4 + text_width(s.name, size) for s in spec.series]
    one_row = sum(items) + gap * (len(items) - 1) <= width - x
    return (1 if one_row else len(items)) * row + size * 0.4


def _fitting(words: Sequence[str], size: float, width: float) -> float:
    """The type size (at most `size`, at least 6 pt) at which the widest word fits `width`."""
    widest = _widest(words, size)
    return max(6.0, min(size, size * width / widest)) if widest else size


def _stack(
    c: Canvas, x: float, y: float, lines: list[tuple[str, float, bool, float]], up: bool
) -> None:
    """Lines (top to bottom) centred on `x`, stacked up from `y` or down from it."""
    total = sum(h for *_, h in lines)
    top = y + total if up else y
    for text, size, bold, height in lines:
        bottom = top - height
        c.text(x, bottom + (height - size) / 2 + 0.22 * size, text, size, "center", bold)
        top = bottom


def _columns(c: Canvas, spec: ChartSpec, width: float, size: float) -> float:
    """Vertical columns with their value on top and their category (wrapped) underneath."""
    values = spec.series[0].values
    n = max(1, len(values))
    slot = width / n
    column = min(slot * 0.6, size * 6)
    words = [w for cat in spec.categories for w in cat.split()]
    name_size = _fitting(words, size, slot * 0.9)
    names = [wrap(cat, name_size, slot * 0.9, most=3) for cat in spec.categories]
    labels = [wrap(v, size, slot * 0.95) for v in spec.value_labels]
    value_size = _fitting([w for label in labels for w in label], size, slot * 0.95)
    name_line = name_size * 1.15
    label_h = max((len(w) for w in names), default=1) * name_line + size * 0.4
    plot_h = 1.6 * 72
    top_h = max((len(v) for v in labels), default=1) * value_size * 1.15 + size * 0.5
    top_value = max(values, default=0) or 1
    for i, (v, label, name) in enumerate(zip(values, labels, names, strict=True)):
        cx = slot * (i + 0.5)
        h = plot_h * v / top_value
        c.rect(cx - column / 2, label_h, column, h, fill=c.palette[0])
        above = [(t, value_size, False, value_size * 1.15) for t in label]
        below = [(t, name_size, False, name_line) for t in name]
        _stack(c, cx, label_h + h + size * 0.2, above, up=True)
        _stack(c, cx, label_h - size * 0.3, below, up=False)
    c.line(0, label_h, width, label_h, AXIS, 0.6)
    return label_h + plot_h + top_h


def _timeline(c: Canvas, spec: ChartSpec, width: float, size: float) -> float:
    """Events evenly spaced along a line, labels alternating above and below it."""
    n = len(spec.events)
    colour = c.palette[0]
    date_size, body_size = size * 0.87, size * 0.85
    label_slots = 1.7 if n > 1 else 3.0
    slot = width / (n - 1 + label_slots + 0.1)
    label_w = label_slots * slot * 0.94
    labels = [
        [(t, date_size, True, date_size * 1.25) for t in wrap(date, date_size, label_w, bold=True)]
        + [(t, body_size, False, body_size * 1.18) for t in wrap(text, body_size, label_w)]
        for date, text in spec.events
    ]
    stem = size * 0.95

    def tallest(group: list[list[tuple[str, float, bool, float]]]) -> float:
        return max((sum(h for *_, h in label) for label in group), default=0.0)

    up_h = stem + 3 + tallest(labels[0::2]) + 2
    down_h = stem + 3 + tallest(labels[1::2]) + 2 if n > 1 else 4.0
    axis = down_h
    c.line(0, axis, width, axis, colour, 1.6)
    start = slot * (label_slots / 2 + 0.05)
    for i, label in enumerate(labels):
        x = start + i * slot
        sign = 1 if i % 2 == 0 else -1
        c.line(x, axis, x, axis + sign * stem, colour, 0.8)
        c.circle(x, axis, 3.2, colour)
        _stack(c, x, axis + sign * (stem + 3), label, up=sign > 0)
    return up_h + down_h


# ---- the picture ----


def layout(
    spec: ChartSpec, palette: Sequence[str], width: float, size: float, captions: bool
) -> tuple[Canvas, float]:
    """The chart on a canvas `width` points wide; with `captions`, its title above it and its
    as-of, notes and source lines under it. Returns the canvas and its height."""
    c = Canvas(palette or spec.palette)
    pad = size * 0.6
    draw = {"bars": _bars, "columns": _columns}.get(spec.kind, _timeline)
    inner = width - 2 * pad
    body_h = draw(c, spec, inner, size)
    # Everything so far sits on y = 0; move it right of the margin and up above the captions.
    lines: list[tuple[str, float, bool, str]] = []
    if captions:
        for text in spec.caption_lines:
            lines += [(t, size * 0.85, False, MUTED) for t in wrap(text, size * 0.85, inner)]
    caption_h = sum(s * 1.3 for _, s, _, _ in lines)
    gap = size * 0.8 if lines else 0.0
    _translate(c, pad, pad + caption_h + gap)
    y = pad + caption_h
    for text, s, bold, colour in lines:
        y -= s * 1.3
        c.text(pad, y + s * 0.3, text, s, "left", bold, colour)
    height = pad + caption_h + gap + body_h + pad
    if captions:
        big = size * 1.2
        title = wrap(spec.title, big, inner, bold=True)
        top = height + len(title) * big * 1.3 + pad
        for n, t in enumerate(title):
            c.text(pad, top - pad - (n + 1) * big * 1.3 + big * 0.3, t, big, "left", True)
        height = top
    return c, height


def _translate(c: Canvas, dx: float, dy: float) -> None:
    moved = []
    for op, args, kw in c.ops:
        if op == "line":
            x0, y0, x1, y1 = args
            args = (x0 + dx, y0 + dy, x1 + dx, y1 + dy)
        else:
            args = (args[0] + dx, args[1] + dy, *args[2:])
        moved.append((op, args, kw))
    c.ops = moved


@contextmanager
def _settings() -> Iterator[None]:
    """Settings that make the bytes depend on the chart alone."""
    with matplotlib.rc_context(
        {
            "svg.hashsalt": SALT,
            "svg.fonttype": "path",  # glyphs as shapes: the same on every machine and viewer
            "svg.image_inline": True,
            "hatch.linewidth": 0.6,
            "path.simplify": False,  # every point drawn as laid out
        }
    ):
        yield


def draw(
    spec: ChartSpec,
    kind: Kind,
    palette: Sequence[str],
    *,
    width: float = WIDTH,
    size: float = SIZE,
    captions: bool = True,
) -> bytes:
    """The chart as an SVG document or a PNG (at 2×), `width` points wide, height from the data.

    With `captions` (for a picture on its own), the title is drawn above the chart and the
    as-of, notes and source lines under it; a web page passes False and prints them as text.
    Drawn once per process for the same arguments (`watch` rebuilds reuse it).
    """
    return _drawn(spec, kind, tuple(palette), width, size, captions)


@lru_cache(maxsize=64)
def _drawn(
    spec: ChartSpec, kind: Kind, palette: tuple[str, ...], width: float, size: float, captions: bool
) -> bytes:
    with _settings(), warnings.catch_warnings():
        # A character DejaVu Sans lacks is drawn as its empty box, as in the PDF; `check`
        # already warns about it, located in the brief, so matplotlib's notice is noise.
        warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from", UserWarning)
        canvas, height = layout(spec, palette, width, size, captions)
        fig = canvas.figure(width, height)
        buf = io.BytesIO()
        if kind == "svg":
            # No Date (matplotlib would write the clock, or SOURCE_DATE_EPOCH) and no Creator
            # (it names matplotlib's version): the file depends on the chart alone.
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
            return _svg_accessible(buf.getvalue().decode("utf-8"), spec).encode("utf-8")
        fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        return buf.getvalue()


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # no XML 1.0 file may hold these


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text).translate(_XML_ESCAPES)


def _svg_accessible(svg: str, spec: ChartSpec) -> str:
    """Matplotlib's SVG without its metadata block and comments, with a <title> and a <desc>
    (the alt text) as its first children, named by role="img" and aria attributes."""
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    # Matplotlib notes each text drawn as outlines in a comment: the words are in <desc>.
    svg = re.sub(r"\s*<!--.*?-->", "", svg, flags=re.S)
    title, desc = _xml_text(spec.title), _xml_text(spec.alt)
    svg = re.sub(
        r"<svg ([^>]*)>",
        lambda m: (
            f'<svg {m.group(1)} role="img" aria-labelledby="chart-title chart-desc">'
            f'\n <title id="chart-title">{title}</title>\n <desc id="chart-desc">{desc}</desc>'
        ),
        svg,
        count=1,
    )
    return svg


def inline_svg(svg: bytes, prefix: str) -> str:
    """An SVG document as an element for a web page: no XML prologue, no fixed size (CSS scales
    it), every id prefixed so that several charts on one page never share one."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    for name in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{name}"
        text = text.replace(f'id="{name}"', f'id="{new}"')
        text = text.replace(f"#{name})", f"#{new})").replace(f'"#{name}"', f'"#{new}"')
    text = re.sub(r'aria-labelledby="chart-title chart-desc"', "", text)
    text = text.replace(
        "<svg ", f'<svg aria-labelledby="{prefix}-chart-title {prefix}-chart-desc" ', 1
    )
    text = re.sub(r'(<svg [^>]*?)\s+width="[^"]*"\s+height="[^"]*"', r"\1", text, count=1)
    return text


def chart_name(spec: ChartSpec, taken: set[str]) -> str:
    """A file name for a chart from its title: 'troop-pledges-by-country', unique among `taken`."""
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", spec.title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or spec.kind
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def charts(doc: Document) -> list[ChartSpec]:
    """The Document's charts, in reading order, each once."""
    seen: list[ChartSpec] = []
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Chart) and block.spec not in seen:
                seen.append(block.spec)
    return seen


def render_chart_images(doc: Document, theme: dict[str, Any]) -> dict[str, bytes]:
    """'<chart>.svg' and '<chart>.png' → bytes, for every chart of the Document."""
    palette = [str(c) for c in theme.get("chart_palette") or ()]
    taken: set[str] = set()
    out: dict[str, bytes] = {}
    for spec in charts(doc):
        name = chart_name(spec, taken)
        out[f"{name}.svg"] = draw(spec, "svg", palette)
        out[f"{name}.png"] = draw(spec, "png", palette)
    return out


def render(doc: Document) -> Any:
    """The `images` renderer: every chart of the Document as SVG and PNG files in a folder
    named after the output's file name (`<slug>-charts/`)."""
    from briefgen.render import Rendered

    files = render_chart_images(doc, doc.theme.model_dump())
    folder = doc.file_name
    return Rendered(b"", len(files) // 2, files={f"{folder}/{n}": d for n, d in files.items()})
