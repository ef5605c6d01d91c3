"""Document → PPTX deck: a slide per section, native charts, speaker notes, alt text, measured text.

PowerPoint applies auto-fit only when someone edits a slide, so every text box is measured here
with DejaVu Sans (wider than Arial, the deck font), given an exact line spacing, and sized to fit.
A section that does not fit shrinks down to the theme's `min_body`, then continues on more slides.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from PIL import ImageFont
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_MARK
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from briefgen.blocks import (
    BulletList,
    Chart,
    Definitions,
    Document,
    Events,
    Figure,
    KeyFigures,
    Opinion,
    Paragraph,
    Picture,
    QuoteBlock,
    Section,
    Spans,
    Table,
    plain_spans,
    spans_text,
)
from briefgen.render import Rendered, font_path
from briefgen.templates import Labels, Templates
from briefgen.text import Span

__all__ = ["render"]

LEADING = 1.2  # line height / font size, set exactly on every paragraph so measuring is exact
INCH, EMU = 72.0, 12700  # points per inch, EMU per point
MARGIN, TITLE_TOP, TITLE_H, BODY_TOP, FOOT = 43.2, 21.6, 64.8, 104.4, 39.6  # points
CELL_X, CELL_Y, GAP = 5.76, 1.44, 18.0  # table cell padding; space between boxes side by side
DEFAULT_COLOURS = {  # used where a theme leaves a colour out
    **{"ink": "#1A1A1A", "muted": "#555555", "band": "#1F3A5F", "band_text": "#FFFFFF"},
    **{"accent": "#1F3A5F", "rule": "#B8C2CC", "shade": "#EEF1F4", "opinion": "#FFF6E0"},
    "white": "#FFFFFF",
}


def emu(points: float) -> Emu:
    return Emu(round(points * EMU))


# ---- measuring: a line that fits in DejaVu Sans fits in Arial ----


@lru_cache(maxsize=256)
def _font(bold: bool, italic: bool, size: float) -> ImageFont.FreeTypeFont:
    style = ("bold" if bold else "") + ("italic" if italic else "") or "regular"
    return ImageFont.truetype(str(font_path(style)), size)


@lru_cache(maxsize=65536)
def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    return float(_font(bold, italic, size).getlength(text))


@lru_cache(maxsize=8192)  # pagination measures the same text at a few sizes, many times
def wrap(
    spans: Spans, size: float, width: float, bold: bool = False, italic: bool = False
) -> tuple[Spans, ...]:
    """Lines that fit `width` points: breaks at spaces and newlines, a too-long word by character.

    Each line keeps the separator that ended it, so the lines joined give the spans back.
    """
    lines: list[list[Span]] = [[]]
    used = pending = 0.0  # width taken on this line; width of spaces waiting for the next word

    def w(s: Span) -> float:
        return text_width(s.text, size, s.strong or bold, s.emphasis or italic)

    for kind, word in _tokens(spans):
        if kind != "w":  # a separator stays at the end of its line
            lines[-1].append(word)
            pending += w(word) if kind == " " else 0.0
            if kind == "\n":
                lines.append([])
                used = pending = 0.0
            continue
        if used and used + pending + sum(map(w, word)) > width:
            lines.append([])
            used = pending = 0.0
        if sum(map(w, word)) > width:  # wider than the box: break it by character
            word = [replace(p, text=c) for p in word for c in p.text]
        for piece in word:
            if used and used + pending + w(piece) > width:  # only when breaking a word by character
                lines.append([])
                used = pending = 0.0
            lines[-1].append(piece)
            used, pending = used + pending + w(piece), 0.0
    return tuple(_merge(line) for line in lines if line) or ((),)


def _tokens(spans: Spans) -> list[tuple[str, Any]]:
    """(' ' or '\\n', Span) separators and ('w', [Span, ...]) words, a word's styled pieces together."""
    out: list[tuple[str, Any]] = []
    word: list[Span] = []
    for s in spans:
        for part in re.split(r"([ \n])", s.text):
            if part in (" ", "\n"):
                out += (
                    [("w", word), (part, replace(s, text=part))]
                    if word
                    else [(part, replace(s, text=part))]
                )
                word = []
            elif part:
                word.append(replace(s, text=part))
    return [*out, ("w", word)] if word else out


def _merge(spans: list[Span]) -> Spans:
    out: list[Span] = []
    for s in spans:
        same = out and (out[-1].strong, out[-1].emphasis, out[-1].href) == (
            s.strong,
            s.emphasis,
            s.href,
        )
        out[-1:] = [replace(s, text=out[-1].text + s.text)] if same else [*out[-1:], s]
    return tuple(out)


# ---- pieces: what a slide is stacked from, each measured and split the same way it is drawn ----


@dataclass(frozen=True)
class Para:
    """One paragraph, sized relative to the section's body size."""

    spans: Spans
    scale: float = 1.0
    bold: bool = False
    italic: bool = False
    colour: str = "ink"
    number: int = 0  # > 0 numbered item, -1 bullet
    marker: bool = True  # False on the second half of a split item
    after: float = 0.55  # space after, in multiples of the font size
    keep: bool = False  # keep with the next paragraph

    def size(self, base: float) -> float:
        return round(base * self.scale * 2) / 2

    def indent(self, base: float) -> float:
        return 1.6 * self.size(base) if self.number else 0.0

    def lines(self, base: float, width: float) -> tuple[Spans, ...]:
        return wrap(self.spans, self.size(base), width - self.indent(base), self.bold, self.italic)

    def height(self, base: float, width: float) -> float:
        return (len(self.lines(base, width)) * LEADING + self.after) * self.size(base)


def line(text: str, **style: Any) -> Para:
    return Para(plain_spans(text), **style)


@dataclass(frozen=True)
class TextPiece:
    paras: tuple[Para, ...]
    fill: str = ""  # theme colour of a box behind the text
    bar: bool = False  # accent bar on the left (quotes)
    full = False  # a slide of its own

    @property
    def whole(self) -> bool:
        """A box moves to the next slide whole, unless no slide can hold it."""
        return bool(self.fill or self.bar)

    def pad(self, base: float) -> tuple[float, float]:
        if self.bar:
            return 0.3 * INCH, 0.3 * base
        return (0.8 * base, 0.6 * base) if self.fill else (0.0, 0.0)

    def height(self, base: float, width: float) -> float:
        px, py = self.pad(base)
        return 2 * py + sum(p.height(base, width - 2 * px) for p in self.paras)

    def split(self, base: float, width: float, avail: float) -> tuple[TextPiece, TextPiece] | None:
        px, py = self.pad(base)
        left, head, rest = avail - 2 * py, list(self.paras), list[Para]()
        while head and sum(p.height(base, width - 2 * px) for p in head) > left:
            rest.insert(0, head.pop())
        spare = left - sum(p.height(base, width - 2 * px) for p in head)
        lines, p = rest[0].lines(base, width - 2 * px), rest[0]
        k = int(spare // (LEADING * p.size(base)))
        if 0 < k < len(lines):  # split the paragraph between two lines
            head.append(replace(p, spans=_rstrip(sum(lines[:k], ())), after=0))
            rest[0] = replace(p, spans=sum(lines[k:], ()), marker=False)
        while head and head[-1].keep:
            rest.insert(0, head.pop())
        return (
            (replace(self, paras=tuple(head)), replace(self, paras=tuple(rest))) if head else None
        )


def _rstrip(spans: Spans) -> Spans:
    text = spans_text(spans).rstrip(" \n")
    out, n = [], 0
    for s in spans:
        if n < len(text):
            out.append(replace(s, text=s.text[: len(text) - n]))
        n += len(s.text)
    return tuple(out)


@dataclass(frozen=True)
class TablePiece:
    columns: tuple[str, ...]
    rows: tuple[tuple[Spans, ...], ...]
    widths: tuple[float, ...]
    numeric: tuple[bool, ...] = ()
    header: bool = True
    key: bool = False  # first column is the key (dates, terms): bold, accent, rules between rows
    full = False
    whole = False

    def head(self) -> tuple[Spans, ...]:
        return tuple(plain_spans(c) for c in self.columns)

    def row_height(self, cells: tuple[Spans, ...], base: float, width: float, head: bool) -> float:
        widths = _col_widths(self, width, base)
        lines = max(
            len(wrap(c, base, cw - 2 * CELL_X, head or (self.key and i == 0)))
            for i, (c, cw) in enumerate(zip(cells, widths, strict=True))
        )
        return lines * LEADING * base + 2 * CELL_Y

    def heights(self, base: float, width: float) -> list[float]:
        rows = [self.head()] * self.header + list(self.rows)
        return [self.row_height(r, base, width, self.header and i == 0) for i, r in enumerate(rows)]

    def height(self, base: float, width: float) -> float:
        return sum(self.heights(base, width))

    def split(
        self, base: float, width: float, avail: float
    ) -> tuple[TablePiece, TablePiece] | None:
        heights, n = self.heights(base, width), len(self.rows)
        k = next(i for i in range(len(heights) + 1) if sum(heights[: i + 1]) > avail) - self.header
        if n - k < 3:  # no orphans: leave a few rows for the next slide
            k = min(k, max(n - 3, (n + 1) // 2))
        fixed = tuple(_col_widths(self, width, base))  # both halves keep the same columns
        halves = (
            replace(self, rows=self.rows[:k], widths=fixed),
            replace(self, rows=self.rows[k:], widths=fixed),
        )
        return halves if k > 0 else None


@lru_cache(maxsize=64)
def _col_widths(table: TablePiece, width: float, base: float) -> list[float]:
    """Relative widths, widened so words never break, then so numbers and short cells stay whole."""
    widths = [width * w / (sum(table.widths) or 1.0) for w in table.widths]
    columns = list(zip(table.head(), *table.rows, strict=True))
    numeric = [i < len(table.numeric) and table.numeric[i] for i in range(len(widths))]
    for whole in (False, True):
        units = [
            [
                u
                for c in col
                for x in spans_text(c).split("\n")
                for u in ([x] if whole and (num or len(x) <= 14) else x.split())
            ]
            for col, num in zip(columns, numeric, strict=True)
        ]
        need = [
            max((text_width(u, base, True) for u in col), default=0) + 2 * CELL_X + 1
            for col in units
        ]
        short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
        spare = sum(max(0.0, w - n) for n, w in zip(need, widths, strict=True))
        if take := min(short, spare):  # take from columns with room, as much as they have
            widths = [
                w + (n - w) * take / short if n > w else w - (w - n) * take / spare
                for n, w in zip(need, widths, strict=True)
            ]
    return widths


@dataclass(frozen=True)
class GridPiece:
    """Boxes side by side in rows of equal height: key-figure tiles, opinions."""

    cells: tuple[TextPiece, ...]
    cols: int
    kind: str = ""
    full = False
    whole = False

    def cell(self, width: float) -> float:
        return (width - (self.cols - 1) * GAP) / self.cols

    def rows(self) -> list[tuple[TextPiece, ...]]:
        return [self.cells[i : i + self.cols] for i in range(0, len(self.cells), self.cols)]

    def heights(self, base: float, width: float) -> list[float]:
        return [max(c.height(base, self.cell(width)) for c in row) for row in self.rows()]

    def height(self, base: float, width: float) -> float:
        return sum(self.heights(base, width)) + GAP * (len(self.rows()) - 1)

    def split(self, base: float, width: float, avail: float) -> tuple[GridPiece, GridPiece] | None:
        heights = self.heights(base, width)
        k = next(i for i in range(len(heights) + 1) if sum(heights[: i + 1]) + GAP * i > avail)
        cut = k * self.cols
        return (
            (replace(self, cells=self.cells[:cut]), replace(self, cells=self.cells[cut:]))
            if k
            else None
        )


@dataclass(frozen=True)
class MediaPiece:
    """A picture or a chart: a slide of its own, scaled to the free area."""

    block: Picture | Chart
    full = True
    whole = True

    def height(self, base: float, width: float) -> float:
        return 0.0

    def split(self, base: float, width: float, avail: float) -> None:
        return None


Piece = TextPiece | TablePiece | GridPiece | MediaPiece


def tiles(items: tuple[Figure, ...], width: float, body: float) -> list[GridPiece]:
    """Key figures as tiles: the value as large as the narrowest tile allows, label and note under it."""
    rows = -(-len(items) // max(1, int((width + GAP) / (2.2 * INCH + GAP))))  # tiles ≥ 2.2 in wide
    per_row = -(-len(items) // rows)  # rows as even as they can be
    inner = (width - (per_row - 1) * GAP) / per_row - 1.6 * body
    value = 2.2 * body

    def fits(f: Figure) -> bool:  # every word of the value on one line, the value on two at most
        widest = max(text_width(w, value, True) for w in f.value.split() or [""])
        return widest <= inner and len(wrap(plain_spans(f.value), value, inner, True)) <= 2

    while value > body and not all(fits(f) for f in items):
        value -= 2
    cells = tuple(
        TextPiece(
            (
                line(f.value, scale=value / body, bold=True, colour="accent", after=0.15),
                Para(f.label, after=0.4 if f.note else 0),
                *((line(f.note, scale=0.7, colour="muted", after=0),) if f.note else ()),
            ),
            fill="shade",
        )
        for f in items
    )
    return [GridPiece(cells[i : i + per_row], per_row) for i in range(0, len(cells), per_row)]


def pieces(section: Section, labels: Labels, width: float, body: float) -> list[Piece]:
    """A section's blocks as pieces; neighbouring plain text shares one text box."""
    out: list[Piece] = []
    for b in section.blocks:
        piece: Piece
        if isinstance(b, Paragraph) and section.style == "note":  # a content note: large, shaded
            piece = TextPiece((Para(b.spans, 1.3, after=0),), fill="shade")
        elif isinstance(b, Paragraph):
            scale = {"lead": 1.15, "small": 0.7, "caption": 0.7}.get(b.style, 1.0)
            colour = {"note": "muted", "subheading": "accent"}.get(b.style, "ink")
            head = b.style == "subheading"
            piece = TextPiece((Para(b.spans, scale, head, b.style == "note", colour, keep=head),))
        elif isinstance(b, BulletList):
            piece = TextPiece(
                tuple(
                    Para(i, number=n if b.numbered else -1, after=0.35)
                    for n, i in enumerate(b.items, 1)
                )
            )
        elif isinstance(b, Table):
            piece = TablePiece(b.columns, b.rows, b.widths, b.numeric)
        elif isinstance(b, Events | Definitions):
            pairs = b.items if isinstance(b, Events) else [(d.term, d.definition) for d in b.items]
            rows = tuple((plain_spans(k), v) for k, v in pairs)
            share = min(
                0.25, (max(text_width(k, body, True) for k, _ in pairs) + 2 * CELL_X + 2) / width
            )
            piece = TablePiece(("", ""), rows, (share, 1 - share), header=False, key=True)
        elif isinstance(b, KeyFigures):
            out += tiles(b.items, width, body)
            continue
        elif isinstance(b, QuoteBlock):  # a paraphrase gets no quotation marks
            text = b.text if b.paraphrase else (Span("“"), *b.text, Span("”"))
            said = Para(text, 1.3, italic=True, after=0.3)
            piece = TextPiece(
                (said, line("— " + b.attribution, scale=0.8, colour="muted", after=0)), bar=True
            )
        elif isinstance(b, Opinion):  # side by side, each marked as opinion
            marker = line(
                labels["opinion"].upper(),
                scale=0.75,
                bold=True,
                colour="accent",
                after=0.2,
                keep=True,
            )
            box = TextPiece(
                (marker, line(b.label, bold=True, after=0.2, keep=True), Para(b.text, after=0)),
                fill="opinion",
            )
            last = out[-1] if out else None
            if isinstance(last, GridPiece) and last.kind == "opinion":
                out[-1] = replace(last, cells=(*last.cells, box), cols=2)
            else:
                out.append(GridPiece((box,), 1, "opinion"))
            continue
        else:
            piece = MediaPiece(b)
        last = out[-1] if out else None
        if (
            isinstance(piece, TextPiece)
            and isinstance(last, TextPiece)
            and not (piece.whole or last.whole)
        ):
            out[-1] = replace(last, paras=last.paras + piece.paras)
        else:
            out.append(piece)
    return out


def paginate(
    items: list[Piece], base: float, width: float, avail: float
) -> tuple[list[list[Piece]], bool]:
    """Stack pieces onto slides, splitting text and tables; True if something cannot fit at all."""
    pages: list[list[Piece]] = [[]]
    used, overflow, queue = 0.0, False, list(items)
    while queue:
        p = queue.pop(0)
        gap = 0.6 * base if pages[-1] else 0.0
        if not p.full and used + gap + p.height(base, width) <= avail:
            pages[-1].append(p)
            used += gap + p.height(base, width)
            continue
        parts = None if p.whole and pages[-1] else p.split(base, width, avail - used - gap)
        if parts is not None:
            pages[-1].append(parts[0])
            queue.insert(0, parts[1])
        elif pages[-1]:
            queue.insert(0, p)
        else:
            pages[-1].append(p)
            overflow = overflow or not p.full
        pages.append([])
        used = 0.0
    return [page for page in pages if page], overflow


def _fine_print(items: list[Piece]) -> list[TextPiece]:
    """Plain text after a section's last table: notes on its rows."""
    last = max((i for i, p in enumerate(items) if isinstance(p, TablePiece)), default=len(items))
    tail = items[last + 1 :]
    return (
        [p for p in tail if isinstance(p, TextPiece) and not p.whole]
        if all(isinstance(p, TextPiece) and not p.whole for p in tail)
        else []
    )


@dataclass(frozen=True)
class SlidePlan:
    title: str
    notes: str
    base: float  # body text size in points
    items: list[Piece]
    centre: bool = False  # centre the content vertically (a content note)


# ---- drawing ----


class Deck:
    """One presentation being built: theme, geometry and the slides so far."""

    def __init__(self, doc: Document, templates: Templates) -> None:
        theme = templates.theme
        deck = theme.get("deck") or {}
        self.doc, self.labels, self.warnings = doc, Labels(doc.labels, "labels"), list[str]()
        self.body, self.min_body = float(deck.get("body", 20)), float(deck.get("min_body", 14))
        self.font = str(theme.get("deck_font") or "Arial")
        self.colours = DEFAULT_COLOURS | {
            str(k): str(v) for k, v in (theme.get("colours") or {}).items()
        }
        self.palette = [str(c) for c in theme.get("chart_palette") or ()] or [
            self.colours["band"],
            "#7FA7D1",
        ]
        if templates.exists("deck/master.pptx"):  # its layouts and branding, not its slides
            self.prs = Presentation(str(templates.path("deck/master.pptx")))
            for sld in list(self.prs.slides._sldIdLst):
                self.prs.part.drop_rel(sld.rId)
                self.prs.slides._sldIdLst.remove(sld)
        else:
            self.prs = Presentation()
            self.prs.slide_width = emu(float(deck.get("width_in", 13.333)) * INCH)
            self.prs.slide_height = emu(float(deck.get("height_in", 7.5)) * INCH)
        self.width, self.height = (
            (self.prs.slide_width or 0) / EMU,
            (self.prs.slide_height or 0) / EMU,
        )
        self.inner, self.avail = self.width - 2 * MARGIN, self.height - FOOT - BODY_TOP

    def rgb(self, name: str) -> RGBColor:
        code = (
            name if name.startswith("#") else self.colours.get(name, self.colours["ink"])
        ).lstrip("#")
        return RGBColor(*(int(code[i : i + 2], 16) for i in (0, 2, 4)))  # type: ignore[no-untyped-call]

    # -- text --

    def paragraph(self, p: Any, para: Para, base: float, align: Any = PP_ALIGN.LEFT) -> None:
        size = para.size(base)
        p.alignment, p.line_spacing = align, Pt(LEADING * size)
        p.space_before, p.space_after = Pt(0), Pt(para.after * size)
        if para.number:  # a real bullet or number with a hanging indent
            ppr, indent = p._p.get_or_add_pPr(), round(para.indent(base) * EMU)
            ppr.set("marL", str(indent))
            ppr.set("indent", str(-indent if para.marker else 0))
            if not para.marker:
                _sub(ppr, "a:buNone")
            else:
                _sub(_sub(ppr, "a:buClr"), "a:srgbClr", val=str(self.rgb("accent")))
                _sub(ppr, "a:buFont", typeface=self.font)
                if para.number > 0:
                    _sub(ppr, "a:buAutoNum", type="arabicPeriod", startAt=str(para.number))
                else:
                    _sub(ppr, "a:buChar", char="•")
        for s in para.spans:
            for j, part in enumerate(s.text.split("\n")):
                if j:
                    p.add_line_break()
                if part:
                    r = p.add_run()
                    r.text = part  # python-pptx escapes it: content is never markup
                    f = r.font
                    f.size, f.name, f.color.rgb = Pt(size), self.font, self.rgb(para.colour)
                    f.bold, f.italic = para.bold or s.strong, para.italic or s.emphasis
                    f._rPr.set("lang", self.doc.language)
                    if s.href:
                        r.hyperlink.address = s.href

    def frame(
        self,
        shape: Any,
        paras: tuple[Para, ...],
        base: float,
        pad: tuple[float, float] = (0, 0),
        align: Any = PP_ALIGN.LEFT,
        anchor: Any = MSO_ANCHOR.TOP,
    ) -> Any:
        tf = shape.text_frame
        tf.word_wrap, tf.auto_size, tf.vertical_anchor = True, MSO_AUTO_SIZE.NONE, anchor
        tf.margin_left = tf.margin_right = emu(pad[0])
        tf.margin_top = tf.margin_bottom = emu(pad[1])
        for i, para in enumerate(paras):
            self.paragraph(tf.paragraphs[0] if i == 0 else tf.add_paragraph(), para, base, align)
        return shape

    def box(self, slide: Any, x: float, y: float, w: float, h: float, fill: str = "") -> Any:
        if not fill:
            return slide.shapes.add_textbox(emu(x), emu(y), emu(w), emu(h))
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, emu(x), emu(y), emu(w), emu(h))
        shape.fill.solid()
        shape.fill.fore_color.rgb = self.rgb(fill)
        shape.line.fill.background()
        shape._element.remove(shape._element.find(qn("p:style")))  # no theme shadow or outline
        return shape

    def heading(
        self,
        shape: Any,
        text: str,
        box: tuple[float, float, float, float],
        size: float,
        colour: str,
        bold: bool = True,
        anchor: Any = MSO_ANCHOR.TOP,
    ) -> None:
        """A title-like text placed in a box, at the largest size (from `size` down) that fits."""
        x, y, w, h = box
        shape.left, shape.top, shape.width, shape.height = emu(x), emu(y), emu(w), emu(h)
        while size > 8 and len(wrap(plain_spans(text), size, w, bold)) * LEADING * size > h:
            size -= 2
        self.frame(shape, (line(text, bold=bold, colour=colour, after=0),), size, anchor=anchor)

    # -- slides --

    def slide(self, title: str, notes: str, layout: str = "Title Only", index: int = 5) -> Any:
        layouts = self.prs.slide_layouts
        found = next((lay for lay in layouts if lay.name == layout), None)
        slide = self.prs.slides.add_slide(found or layouts[min(index, len(layouts) - 1)])
        if notes and slide.notes_slide.notes_text_frame is not None:
            slide.notes_slide.notes_text_frame.text = notes
        if layout == "Title Only":  # the title placeholder, read by screen readers; a rule; footer
            shape = slide.shapes.title or self.box(slide, 0, 0, 1, 1)
            self.heading(
                shape,
                title,
                (MARGIN, TITLE_TOP, self.inner, TITLE_H),
                30,
                "accent",
                anchor=MSO_ANCHOR.BOTTOM,
            )
            self.box(slide, MARGIN, TITLE_TOP + TITLE_H + 6, 1.2 * INCH, 4, "accent")
            foot = self.height - FOOT + 0.12 * INCH
            for text, x, w, align in (
                (self.doc.title, MARGIN, self.inner - INCH, PP_ALIGN.LEFT),
                (str(len(self.prs.slides)), self.width - MARGIN - INCH, INCH, PP_ALIGN.RIGHT),
            ):
                if text_width(text, 12) <= w:
                    self.frame(
                        self.box(slide, x, foot, w, 0.3 * INCH),
                        (line(text, colour="muted", after=0),),
                        12,
                        align=align,
                    )
        return slide

    def title_slide(self) -> None:
        doc, w, band = self.doc, self.inner, 0.64 * self.height
        slide = self.slide(
            doc.title,
            "\n".join(t for t in (doc.title, doc.subtitle, doc.date_line) if t),
            "Title Slide",
            0,
        )
        tree, back = slide.shapes._spTree, self.box(slide, 0, 0, self.width, band, "band")._element
        tree.remove(back)
        tree.insert(2, back)  # behind the title
        title = slide.shapes.title or self.box(slide, 0, 0, 1, 1)
        sub = next(
            (p for p in slide.placeholders if p.placeholder_format.idx == 1), None
        ) or self.box(slide, 0, 0, 1, 1)
        self.heading(
            self.box(slide, 0, 0, 1, 1),
            doc.kicker.upper(),
            (MARGIN, 0.75 * INCH, w, 0.5 * INCH),
            18,
            "band_text",
        )
        self.heading(
            title,
            doc.title,
            (MARGIN, 1.3 * INCH, w, 2 * INCH),
            48,
            "band_text",
            anchor=MSO_ANCHOR.BOTTOM,
        )
        self.heading(
            sub, doc.subtitle, (MARGIN, 3.45 * INCH, w, 1.1 * INCH), 24, "band_text", False
        )
        self.heading(
            self.box(slide, 0, 0, 1, 1),
            doc.date_line,
            (MARGIN, band + 0.5 * INCH, w, 0.6 * INCH),
            22,
            "ink",
            False,
        )

    def plan(self, sections: tuple[Section, ...]) -> list[SlidePlan]:
        """Every content slide: its title, notes, text size and pieces."""
        plans: list[SlidePlan] = []
        joinable = False
        for section in sections:
            items = pieces(section, self.labels, self.inner, self.body)
            notes = section.notes or section.heading
            if joinable and all(isinstance(b, KeyFigures) for b in section.blocks):
                # key figures join the slide before (the summary) when they fit there unshrunk
                last = plans[-1]
                merged = [
                    *last.items,
                    TextPiece(
                        (line(section.heading, bold=True, colour="accent", after=0.1, keep=True),)
                    ),
                    *items,
                ]
                pages, over = paginate(merged, last.base, self.inner, self.avail)
                if len(pages) == 1 and not over:
                    plans[-1] = replace(last, items=merged, notes=f"{last.notes}\n\n{notes}")
                    joinable = False
                    continue
            base, pages = self.choose(items, section.heading)
            fine = _fine_print(items)
            if (
                fine
            ):  # notes on a table's rows never get a slide of their own: the speaker notes get them
                base2, pages2 = self.choose(items[: -len(fine)], section.heading)
                if len(pages2) < len(pages):
                    base, pages = base2, pages2
                    extra = [spans_text(p.spans) for piece in fine for p in piece.paras]
                    notes = "\n".join([notes, *(t for t in extra if t and t not in notes)])
            for n, page in enumerate(pages):
                title = (
                    self.labels.fill("continued", title=section.heading) if n else section.heading
                )
                plans.append(SlidePlan(title, notes, base, page, section.style == "note"))
            joinable = len(pages) == 1 and not any(p.full for p in pages[0])
        return plans

    def choose(self, items: list[Piece], heading: str) -> tuple[float, list[list[Piece]]]:
        """Shrink first (down to min_body), then split across slides; never smaller than needed."""
        sizes = [*range(int(self.body), int(self.min_body), -2), self.min_body]
        tried = {float(s): paginate(items, s, self.inner, self.avail) for s in sizes}
        size = self.min_body
        while tried[size][1] and size > 8:  # something cannot fit even alone: last resort, warn
            size -= 1
            tried[size] = paginate(items, size, self.inner, self.avail)
        if size < self.min_body:
            self.warnings.append(f"deck: '{heading}' needed {size:g} pt text to fit a slide")
        fewest = len(tried[size][0])
        best = max(
            (s for s, (pages, over) in tried.items() if not over and len(pages) <= fewest),
            default=size,
        )
        return best, tried[best][0]

    def draw_slide(self, plan: SlidePlan) -> None:
        slide, gap, y = self.slide(plan.title, plan.notes), 0.6 * plan.base, BODY_TOP
        if plan.centre:
            used = sum(p.height(plan.base, self.inner) + gap for p in plan.items) - gap
            y += max(0.0, (self.avail - used) / 2)
        for piece in plan.items:
            y += self.draw(slide, piece, y, plan.base) + gap

    def draw(self, slide: Any, piece: Piece, y: float, base: float) -> float:
        x, w = MARGIN, self.inner
        if isinstance(piece, TextPiece):
            return self.text(slide, piece, x, y, w, piece.height(base, w), base)
        if isinstance(piece, TablePiece):
            return self.table(slide, piece, x, y, w, base)
        if isinstance(piece, GridPiece):
            top = y
            for row, h in zip(piece.rows(), piece.heights(base, w), strict=True):
                for i, cell in enumerate(row):
                    self.text(
                        slide, cell, x + i * (piece.cell(w) + GAP), top, piece.cell(w), h, base
                    )
                top += h + GAP
            return top - GAP - y
        if isinstance(piece.block, Chart):
            self.chart(slide, piece.block, self.body)
        else:
            self.picture(slide, piece.block, self.body)
        return self.avail

    def text(
        self, slide: Any, piece: TextPiece, x: float, y: float, w: float, h: float, base: float
    ) -> float:
        if piece.bar:
            self.box(slide, x, y, 0.08 * INCH, h, "accent")
        self.frame(self.box(slide, x, y, w, h, piece.fill), piece.paras, base, piece.pad(base))
        return h

    def table(
        self, slide: Any, piece: TablePiece, x: float, y: float, w: float, base: float
    ) -> float:
        rows, heights = [piece.head()] * piece.header + list(piece.rows), piece.heights(base, w)
        table = slide.shapes.add_table(
            len(rows), len(piece.widths), emu(x), emu(y), emu(w), emu(sum(heights))
        ).table
        table.first_row, table.horz_banding = (
            piece.header,
            False,
        )  # the header row is marked as such
        for col, cw in zip(table.columns, _col_widths(piece, w, base), strict=True):
            col.width = emu(cw)
        for r, (row, h) in enumerate(zip(rows, heights, strict=True)):
            table.rows[r].height = emu(h)
            head, zebra = piece.header and r == 0, (r - piece.header) % 2 and not piece.key
            for c, spans in enumerate(row):
                cell, key = table.cell(r, c), piece.key and c == 0
                cell.margin_left = cell.margin_right = emu(CELL_X)
                cell.margin_top = cell.margin_bottom = emu(CELL_Y)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE if piece.key else MSO_ANCHOR.TOP
                cell.fill.solid()
                cell.fill.fore_color.rgb = self.rgb(
                    "band" if head else "shade" if zebra else "white"
                )
                for at, edge in enumerate(("a:lnT", "a:lnB") if piece.key else ()):
                    rule = _sub(cell._tc.get_or_add_tcPr(), edge, at, w="9525")  # rules, no bands
                    _sub(_sub(rule, "a:solidFill"), "a:srgbClr", val=str(self.rgb("rule")))
                colour = "band_text" if head else "accent" if key else "ink"
                right = c < len(piece.numeric) and piece.numeric[c]
                para = Para(spans, bold=head or key, colour=colour, after=0)
                self.paragraph(
                    cell.text_frame.paragraphs[0],
                    para,
                    base,
                    PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT,
                )
        return sum(heights)

    def caption(
        self, slide: Any, paras: tuple[Para, ...], base: float, align: Any
    ) -> tuple[float, Callable[[float], None]]:
        """Room left for a picture or chart above its caption, and a function placing the caption."""
        h = sum(p.height(base, self.inner) for p in paras)
        gap = 0.4 * base if paras else 0.0

        def under(media: float) -> None:
            if paras:
                self.frame(
                    self.box(slide, MARGIN, BODY_TOP + media + gap, self.inner, h),
                    paras,
                    base,
                    align=align,
                )

        return self.avail - h - gap, under

    def picture(self, slide: Any, pic: Picture, base: float) -> None:
        lines = ((pic.caption, 0.75, "ink"), (plain_spans(pic.credit), 0.65, "muted"))
        paras = tuple(
            Para(spans, scale, colour=colour, after=0.2) for spans, scale, colour in lines if spans
        )
        room, under = self.caption(slide, paras, base, PP_ALIGN.CENTER)
        scale = min(self.inner / pic.width, room / pic.height)  # keep the aspect ratio
        w, h = pic.width * scale, pic.height * scale
        try:
            shape = slide.shapes.add_picture(
                str(pic.path), emu(MARGIN + (self.inner - w) / 2), emu(BODY_TOP), emu(w), emu(h)
            )
        except OSError as e:
            self.warnings.append(f"deck: cannot read picture {pic.path.name}: {e}")
            return
        under(h)
        _alt_text(shape, pic.alt)

    def chart(self, slide: Any, block: Chart, base: float) -> None:
        """A native, editable chart; its data sheet is embedded, its caption lines under it."""
        spec = block.spec
        paras = tuple(
            line(text, scale=0.7, colour="muted", after=0.15) for text in spec.caption_lines
        )
        room, under = self.caption(slide, paras, base, PP_ALIGN.LEFT)
        bars = spec.kind == "bars"
        if bars:  # bars keep a comfortable thickness however few they are
            room = min(
                room, (1.0 + 0.45 * len(spec.categories) + 0.4 * (len(spec.series) > 1)) * INCH
            )
        under(room)
        data: Any = CategoryChartData(number_format="#,##0")  # type: ignore[no-untyped-call]
        data.categories = spec.categories
        for s in spec.series:
            data.add_series(s.name, s.values)
        kind = XL_CHART_TYPE.BAR_STACKED if bars else XL_CHART_TYPE.COLUMN_CLUSTERED
        frame = slide.shapes.add_chart(
            kind, emu(MARGIN), emu(BODY_TOP), emu(self.inner), emu(room), data
        )
        chart = frame.chart
        chart.font.size, chart.font.name, chart.font.color.rgb = (
            Pt(round(0.8 * base)),
            self.font,
            self.rgb("ink"),
        )
        chart.has_title, chart.has_legend = False, len(spec.series) > 1
        if chart.has_legend:
            chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        chart.plots[0].gap_width = 60
        for i, series in enumerate(chart.plots[0].series):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = self.rgb(self.palette[i % len(self.palette)])
            series.invert_if_negative = False
        values, cats = chart.value_axis, chart.category_axis
        values.has_major_gridlines, values.has_minor_gridlines = True, False
        values.major_gridlines.format.line.color.rgb = self.rgb("shade")
        values.tick_labels.number_format = "#,##0"  # thousands separators
        values.tick_labels.number_format_is_linked = False
        values.format.line.fill.background()
        values.major_tick_mark = cats.major_tick_mark = XL_TICK_MARK.NONE
        cats.format.line.color.rgb = self.rgb("rule")
        if bars:  # largest on top, values along the bottom
            cats.reverse_order = True
            values._element.xpath("c:crosses")[0].set("val", "max")
        _alt_text(frame, spec.alt)
        workbook = chart.part.chart_workbook  # its docProps carry the clock: fix them
        workbook.update_from_xlsx_blob(_rezip(workbook.xlsx_part.blob, _when(self.doc)))

    def save(self) -> bytes:
        doc, props = self.doc, self.prs.core_properties
        props.title, props.subject, props.language, props.revision = (
            doc.title,
            doc.subtitle,
            doc.language,
            1,
        )
        props.author = props.last_modified_by = ", ".join(doc.authors)
        props.comments = props.keywords = props.category = ""
        when = _when(doc)
        props.created = props.modified = props.last_printed = when
        buf = io.BytesIO()
        self.prs.save(buf)
        return _rezip(buf.getvalue(), when)


def _when(doc: Document) -> dt.datetime:
    """The document's time (the brief date, or SOURCE_DATE_EPOCH), never the clock."""
    return dt.datetime.fromtimestamp(doc.timestamp, dt.UTC).replace(tzinfo=None)


def _sub(parent: Any, tag: str, at: int = -1, **attrs: str) -> Any:
    """Add an XML child (what python-pptx has no API for: bullets, cell rules)."""
    child = parent.makeelement(qn(tag), attrs)
    parent.insert(at if at >= 0 else len(parent), child)
    return child


def _alt_text(shape: Any, text: str) -> None:
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _rezip(data: bytes, when: dt.datetime) -> bytes:
    """The same zip, entries in the same order, with fixed timestamps and attributes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # created/modified: the document's date
                blob = _STAMP.sub(when.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), blob)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            entry.create_system = 0
            dst.writestr(entry, blob)
    return out.getvalue()


def render(doc: Document, templates: Templates) -> Rendered:
    """The deck for a planned Document: a title slide, then each section on one or more slides."""
    deck = Deck(doc, templates)
    deck.title_slide()
    for plan in deck.plan(doc.sections):
        deck.draw_slide(plan)
    return Rendered(deck.save(), len(deck.prs.slides), deck.warnings)
