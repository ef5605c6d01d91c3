"""Document → PPTX deck: a slide per section, native charts, speaker notes, alt text, measured text."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from PIL import ImageFont
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_MARK
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
    KeyFigures,
    Opinion,
    Paragraph,
    Picture,
    QuoteBlock,
    Section,
    Spans,
    Table,
    plain_spans,
)
from briefgen.render import Rendered, font_path
from briefgen.templates import Labels, Templates
from briefgen.text import Span

LEADING = 1.2  # line height as a multiple of the font size; set exactly on every paragraph
INCH = 72.0  # points
MARGIN, TITLE_TOP, TITLE_H, BODY_TOP, FOOT = 0.6 * INCH, 0.3 * INCH, 0.9 * INCH, 1.45 * INCH, 0.55 * INCH
CELL_X, CELL_Y = 0.08 * INCH, 0.03 * INCH  # table cell padding


def emu(points: float) -> Emu:
    """Points → EMU (python-pptx lengths)."""
    return Emu(round(points * 12700))


# ---- measuring: DejaVu Sans is wider than Arial, so a line that fits here fits on screen ----


@lru_cache(maxsize=256)
def _font(bold: bool, italic: bool, size: float) -> ImageFont.FreeTypeFont:
    style = ("bold" if bold else "") + ("italic" if italic else "") or "regular"
    return ImageFont.truetype(str(font_path(style)), size)


def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width of one line of text in points."""
    return float(_font(bold, italic, size).getlength(text))


def wrap(spans: Spans, size: float, width: float, bold: bool = False, italic: bool = False) -> list[Spans]:
    """Spans as lines that fit `width` points: breaks at spaces and newlines, long words by character.

    Each line keeps the separator that ended it, so joining the lines gives the spans back.
    """
    lines: list[list[Span]] = [[]]
    used, pending = 0.0, 0.0  # width on the line; width of a space waiting for the next word

    def w(s: Span) -> float:
        return text_width(s.text, size, s.strong or bold, s.emphasis or italic)

    def put(piece: Span, extra: float) -> None:
        nonlocal used, pending
        lines[-1].append(piece)
        used += extra
        pending = 0.0

    for kind, word in _tokens(spans):
        if kind == "\n":
            lines[-1].append(word)
            lines.append([])
            used = pending = 0.0
        elif kind == " ":
            lines[-1].append(word)
            pending += w(word)
        else:
            width_word = sum(w(p) for p in word)
            if used and used + pending + width_word > width:
                lines.append([])
                used = pending = 0.0
            if width_word <= width:
                for p in word:
                    put(p, w(p) + pending)
                continue
            for p in word:  # one word wider than the box: break it by character
                for ch in p.text:
                    c = replace(p, text=ch)
                    if used and used + w(c) > width:
                        lines.append([])
                        used = 0.0
                    put(c, w(c))
    return [_merge(line) for line in lines if line or len(lines) == 1]


def _tokens(spans: Spans) -> list[tuple[str, Any]]:
    """Spans → ('\\n', Span) | (' ', Span) | ('w', [Span, ...]) with a word's styled pieces together."""
    out: list[tuple[str, Any]] = []
    word: list[Span] = []
    for s in spans:
        for part in re.split(r"([ \n])", s.text):
            if part in (" ", "\n"):
                if word:
                    out.append(("w", word))
                    word = []
                out.append((part, replace(s, text=part)))
            elif part:
                word.append(replace(s, text=part))
    if word:
        out.append(("w", word))
    return out


def _merge(spans: list[Span]) -> Spans:
    out: list[Span] = []
    for s in spans:
        if out and (out[-1].strong, out[-1].emphasis, out[-1].href) == (s.strong, s.emphasis, s.href):
            out[-1] = replace(s, text=out[-1].text + s.text)
        else:
            out.append(s)
    return tuple(out)


def _rstrip(spans: Spans) -> Spans:
    out = list(spans)
    while out and not out[-1].text.strip(" \n"):
        out.pop()
    if out:
        out[-1] = replace(out[-1], text=out[-1].text.rstrip(" \n"))
    return tuple(out)


# ---- the pieces a slide is stacked from ----


@dataclass(frozen=True)
class Para:
    """One paragraph of a text box, sized relative to the section's body size."""

    spans: Spans
    scale: float = 1.0
    bold: bool = False
    italic: bool = False
    colour: str = "ink"
    number: int = 0  # > 0: numbered item; -1: bullet; 0: none
    marker: bool = True  # False on the continuation of a split item
    after: float = 0.55  # space after, in multiples of the font size
    keep: bool = False  # keep with the next paragraph (subheadings)

    def size(self, base: float) -> float:
        return round(base * self.scale * 2) / 2

    def indent(self, base: float) -> float:
        return 1.6 * self.size(base) if self.number else 0.0

    def lines(self, base: float, width: float) -> list[Spans]:
        s = self.size(base)
        return wrap(self.spans, s, width - self.indent(base), self.bold, self.italic)

    def height(self, base: float, width: float) -> float:
        s = self.size(base)
        return len(self.lines(base, width)) * LEADING * s + self.after * s


@dataclass(frozen=True)
class TextPiece:
    paras: tuple[Para, ...]
    fill: str = ""  # theme colour of a box behind the text
    bar: bool = False  # accent bar on the left (quotes)
    full = False

    def pad(self, base: float) -> tuple[float, float]:
        return (0.8 * base + (0.35 * INCH if self.bar else 0), 0.6 * base) if self.fill or self.bar else (0.0, 0.0)

    def height(self, base: float, width: float) -> float:
        px, py = self.pad(base)
        return 2 * py + sum(p.height(base, width - 2 * px) for p in self.paras)

    def split(self, base: float, width: float, avail: float) -> tuple[TextPiece, TextPiece] | None:
        px, py = self.pad(base)
        inner, left = width - 2 * px, avail - 2 * py
        head: list[Para] = []
        for i, p in enumerate(self.paras):
            h = p.height(base, inner)
            if h <= left:
                head.append(p)
                left -= h
                continue
            lines = p.lines(base, inner)
            k = int(left // (LEADING * p.size(base)))
            rest = list(self.paras[i + 1 :])
            if k >= 1:
                head.append(replace(p, spans=_rstrip(sum(lines[:k], ())), after=0))
                rest.insert(0, replace(p, spans=sum(lines[k:], ()), marker=False))
            else:
                rest.insert(0, p)
            while head and head[-1].keep:
                rest.insert(0, head.pop())
            if not head:
                return None
            return replace(self, paras=tuple(head)), replace(self, paras=tuple(rest))
        return None


@dataclass(frozen=True)
class TablePiece:
    columns: tuple[str, ...]
    rows: tuple[tuple[Spans, ...], ...]
    widths: tuple[float, ...]
    numeric: tuple[bool, ...] = ()
    header: bool = True
    key: bool = False  # first column is the key (dates, terms): bold, accent colour
    full = False

    def col_widths(self, width: float) -> list[float]:
        total = sum(self.widths) or 1.0
        return [width * w / total for w in self.widths]

    def row_height(self, cells: tuple[Spans, ...], base: float, width: float, bold: bool) -> float:
        lines = max(
            len(wrap(c, base, cw - 2 * CELL_X, bold or (self.key and i == 0)))
            for i, (c, cw) in enumerate(zip(cells, self.col_widths(width), strict=True))
        )
        return lines * LEADING * base + 2 * CELL_Y

    def head(self) -> tuple[Spans, ...]:
        return tuple(plain_spans(c) for c in self.columns)

    def height(self, base: float, width: float) -> float:
        top = self.row_height(self.head(), base, width, True) if self.header else 0.0
        return top + sum(self.row_height(r, base, width, False) for r in self.rows)

    def split(self, base: float, width: float, avail: float) -> tuple[TablePiece, TablePiece] | None:
        used = self.row_height(self.head(), base, width, True) if self.header else 0.0
        for k, row in enumerate(self.rows):
            used += self.row_height(row, base, width, False)
            if used > avail:
                if k == 0:
                    return None
                return replace(self, rows=self.rows[:k]), replace(self, rows=self.rows[k:])
        return None


TILE_GAP, TILE_PAD = 0.3 * INCH, 0.2 * INCH


@dataclass(frozen=True)
class TilesPiece:
    items: tuple[Any, ...]  # Figure: big number, label under it, small source note
    full = False

    @staticmethod
    def paras(f: Any, value: float, base: float) -> tuple[Para, ...]:
        note = (Para(plain_spans(f.note), 0.7, colour="muted", after=0),) if f.note else ()
        return (
            Para(plain_spans(f.value), value / base, bold=True, colour="accent", after=0.15),
            Para(f.label, after=0.4 if note else 0),
            *note,
        )

    def layout(self, base: float, width: float) -> tuple[float, float, float]:
        """(tile width, value size, tile height): values as large as the narrowest tile allows."""
        n = len(self.items)
        tile = (width - (n - 1) * TILE_GAP) / n
        inner = tile - 2 * TILE_PAD
        value = 2.2 * base
        while value > base and any(text_width(f.value, value, True) > inner for f in self.items):
            value -= 2
        h = max(sum(p.height(base, inner) for p in self.paras(f, value, base)) for f in self.items)
        return tile, value, h + 2 * TILE_PAD

    def height(self, base: float, width: float) -> float:
        return self.layout(base, width)[2]

    def split(self, base: float, width: float, avail: float) -> None:
        return None


@dataclass(frozen=True)
class MediaPiece:
    """A picture or a chart: always a slide of its own, scaled to the free area."""

    block: Picture | Chart
    full = True

    def height(self, base: float, width: float) -> float:
        return 0.0

    def split(self, base: float, width: float, avail: float) -> None:
        return None


Piece = TextPiece | TablePiece | TilesPiece | MediaPiece


def pieces(section: Section, labels: Labels) -> list[Piece]:
    """A section's blocks as stackable pieces; neighbouring plain text shares one text box."""
    out: list[Piece] = []
    for b in section.blocks:
        piece: Piece
        if isinstance(b, Paragraph):
            style = "lead" if section.style == "note" else b.style
            scale = {"lead": 1.15, "small": 0.7, "caption": 0.7}.get(style, 1.0)
            piece = TextPiece(
                (Para(b.spans, scale, bold=style == "subheading", italic=style == "note",
                      colour={"note": "muted", "subheading": "accent"}.get(style, "ink"),
                      keep=style == "subheading"),),
                fill="shade" if section.style == "note" else "",
            )
        elif isinstance(b, BulletList):
            piece = TextPiece(tuple(Para(i, number=n if b.numbered else -1, after=0.35)
                                    for n, i in enumerate(b.items, 1)))
        elif isinstance(b, Table):
            piece = TablePiece(b.columns, b.rows, b.widths, b.numeric)
        elif isinstance(b, Events | Definitions):
            rows = (tuple((plain_spans(d), t) for d, t in b.items) if isinstance(b, Events)
                    else tuple((plain_spans(d.term), d.definition) for d in b.items))
            piece = TablePiece(("", ""), rows, (0.24, 0.76) if isinstance(b, Events) else (0.28, 0.72),
                               header=False, key=True)
        elif isinstance(b, KeyFigures):
            per_row = 5 if len(b.items) <= 5 else 4
            out += [TilesPiece(b.items[i : i + per_row]) for i in range(0, len(b.items), per_row)]
            continue
        elif isinstance(b, QuoteBlock):
            text = b.text if b.paraphrase else (Span("“"), *b.text, Span("”"))
            piece = TextPiece((Para(text, 1.2, italic=True, after=0.3),
                               Para(plain_spans("— " + b.attribution), 0.75, colour="muted", after=0)),
                              bar=True)
        elif isinstance(b, Opinion):
            piece = TextPiece((Para(plain_spans(labels["opinion"].upper()), 0.65, bold=True,
                                    colour="muted", after=0.2),
                               Para(plain_spans(b.label), bold=True, after=0.2),
                               Para(b.text, after=0)), fill="opinion")
        else:
            piece = MediaPiece(b)
        last = out[-1] if out else None
        if isinstance(piece, TextPiece) and isinstance(last, TextPiece) and not (
            piece.fill or piece.bar or last.fill or last.bar
        ):
            out[-1] = replace(last, paras=last.paras + piece.paras)
        else:
            out.append(piece)
    return out


def paginate(items: list[Piece], base: float, width: float, avail: float) -> tuple[list[list[Piece]], bool]:
    """Stack pieces onto slides, splitting text and tables; True if something still does not fit."""
    pages: list[list[Piece]] = [[]]
    used, overflow, queue = 0.0, False, list(items)
    while queue:
        p = queue.pop(0)
        if p.full:
            if pages[-1]:
                pages.append([])
            pages[-1].append(p)
            pages.append([])
            used = 0.0
            continue
        gap = 0.6 * base if pages[-1] else 0.0
        h = p.height(base, width)
        if used + gap + h <= avail:
            pages[-1].append(p)
            used += gap + h
            continue
        parts = p.split(base, width, avail - used - gap)
        if parts is not None:
            pages[-1].append(parts[0])
            queue.insert(0, parts[1])
        elif pages[-1]:
            queue.insert(0, p)
        else:
            pages[-1].append(p)
            overflow = True
        pages.append([])
        used = 0.0
    return [pg for pg in pages if pg], overflow


# ---- drawing ----

DEFAULT_COLOURS = {
    "ink": "#1A1A1A", "muted": "#555555", "band": "#1F3A5F", "band_text": "#FFFFFF",
    "accent": "#1F3A5F", "rule": "#B8C2CC", "shade": "#EEF1F4", "opinion": "#FFF6E0", "white": "#FFFFFF",
}


class Deck:
    """One presentation being built: theme, geometry and the slides so far."""

    def __init__(self, doc: Document, templates: Templates) -> None:
        theme = templates.theme
        deck = theme.get("deck") or {}
        self.doc = doc
        self.body = float(deck.get("body", 20))
        self.min_body = float(deck.get("min_body", 14))
        self.font = str(theme.get("deck_font") or "Arial")
        self.colours = {**DEFAULT_COLOURS, **{str(k): str(v) for k, v in (theme.get("colours") or {}).items()}}
        self.palette = [str(c) for c in theme.get("chart_palette") or ()] or [self.colours["band"], "#7FA7D1"]
        self.labels = Labels(doc.labels, "labels")
        self.warnings: list[str] = []
        if templates.exists("deck/master.pptx"):
            self.prs = Presentation(str(templates.path("deck/master.pptx")))
            ids = self.prs.slides._sldIdLst
            for sld in list(ids):  # keep the master's layouts and branding, not its slides
                self.prs.part.drop_rel(sld.rId)
                ids.remove(sld)
        else:
            self.prs = Presentation()
            self.prs.slide_width = emu(float(deck.get("width_in", 13.333)) * INCH)
            self.prs.slide_height = emu(float(deck.get("height_in", 7.5)) * INCH)
        self.width = self.prs.slide_width / 12700
        self.height = self.prs.slide_height / 12700
        self.inner = self.width - 2 * MARGIN
        self.avail = self.height - FOOT - BODY_TOP

    def rgb(self, name: str) -> RGBColor:
        return RGBColor.from_string(self.colours.get(name, name).lstrip("#")[:6])

    def layout(self, name: str, index: int) -> Any:
        layouts = self.prs.slide_layouts
        found = next((lay for lay in layouts if lay.name == name), None)
        return found or layouts[min(index, len(layouts) - 1)]

    # -- text --

    def runs(self, p: Any, spans: Spans, size: float, bold: bool, italic: bool, colour: str) -> None:
        for s in spans:
            for j, part in enumerate(s.text.split("\n")):
                if j:
                    p.add_line_break()
                if not part:
                    continue
                r = p.add_run()
                r.text = part  # python-pptx escapes it: content is never markup
                f = r.font
                f.size, f.name = Pt(size), self.font
                f.bold, f.italic = bold or s.strong, italic or s.emphasis
                f.color.rgb = self.rgb(colour)
                f._rPr.set("lang", self.doc.language)
                if s.href:
                    r.hyperlink.address = s.href

    def paragraph(self, p: Any, para: Para, base: float, align: Any = PP_ALIGN.LEFT) -> None:
        size = para.size(base)
        p.alignment = align
        p.line_spacing, p.space_before, p.space_after = Pt(LEADING * size), Pt(0), Pt(para.after * size)
        if para.number:
            ppr = p._p.get_or_add_pPr()
            indent = round(para.indent(base) * 12700)
            ppr.set("marL", str(indent))
            ppr.set("indent", str(-indent if para.marker else 0))
            if not para.marker:
                ppr.append(ppr.makeelement(qn("a:buNone"), {}))
            else:
                colour = ppr.makeelement(qn("a:buClr"), {})
                colour.append(colour.makeelement(qn("a:srgbClr"), {"val": str(self.rgb("accent"))}))
                ppr.append(colour)
                ppr.append(ppr.makeelement(qn("a:buFont"), {"typeface": self.font}))
                bullet = (("a:buAutoNum", {"type": "arabicPeriod", "startAt": str(para.number)})
                          if para.number > 0 else ("a:buChar", {"char": "•"}))
                ppr.append(ppr.makeelement(qn(bullet[0]), bullet[1]))
        self.runs(p, para.spans, size, para.bold, para.italic, para.colour)

    def frame(self, shape: Any, paras: tuple[Para, ...], base: float, pad: tuple[float, float],
              align: Any = PP_ALIGN.LEFT, anchor: Any = MSO_ANCHOR.TOP) -> None:
        tf = shape.text_frame
        tf.word_wrap, tf.auto_size, tf.vertical_anchor = True, MSO_AUTO_SIZE.NONE, anchor
        tf.margin_left = tf.margin_right = emu(pad[0])
        tf.margin_top = tf.margin_bottom = emu(pad[1])
        for i, para in enumerate(paras):
            self.paragraph(tf.paragraphs[0] if i == 0 else tf.add_paragraph(), para, base, align)

    def box(self, slide: Any, x: float, y: float, w: float, h: float, fill: str = "") -> Any:
        if not fill:
            return slide.shapes.add_textbox(emu(x), emu(y), emu(w), emu(h))
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, emu(x), emu(y), emu(w), emu(h))
        shape.fill.solid()
        shape.fill.fore_color.rgb = self.rgb(fill)
        shape.line.fill.background()
        shape.shadow.inherit = False
        return shape

    # -- slides --

    def slide(self, title: str, notes: str, layout: str = "Title Only", index: int = 5) -> Any:
        slide = self.prs.slides.add_slide(self.layout(layout, index))
        if notes and slide.notes_slide.notes_text_frame is not None:
            slide.notes_slide.notes_text_frame.text = notes
        if layout != "Title Only":
            return slide
        shape = slide.shapes.title
        if shape is None:  # a master layout without a title: give it one in a text box
            shape = self.box(slide, 0, 0, 1, 1)
        shape.left, shape.top, shape.width, shape.height = (
            emu(MARGIN), emu(TITLE_TOP), emu(self.inner), emu(TITLE_H))
        size = self.fit(title, 30, 20, self.inner, TITLE_H, True)
        self.frame(shape, (Para(plain_spans(title), bold=True, colour="accent", after=0),), size, (0, 0),
                   anchor=MSO_ANCHOR.BOTTOM)
        self.box(slide, MARGIN, TITLE_TOP + TITLE_H + 6, 1.2 * INCH, 4, "accent")
        number = str(len(self.prs.slides))
        foot = self.height - FOOT + 0.12 * INCH
        for text, x, w, align in (
            (self.doc.title, MARGIN, self.inner - INCH, PP_ALIGN.LEFT),
            (number, self.width - MARGIN - INCH, INCH, PP_ALIGN.RIGHT),
        ):
            if text_width(text, 12) <= w:
                self.frame(self.box(slide, x, foot, w, 0.3 * INCH),
                           (Para(plain_spans(text), colour="muted", after=0),), 12, (0, 0), align)
        return slide

    def fit(self, text: str, start: float, stop: float, width: float, height: float, bold: bool) -> float:
        """The largest size (from start down to stop) at which the text fits the box."""
        size = start
        while size > stop and len(wrap(plain_spans(text), size, width, bold)) * LEADING * size > height:
            size -= 2
        return size

    def title_slide(self) -> None:
        doc, w = self.doc, self.inner
        notes = "\n".join(t for t in (doc.title, doc.subtitle, doc.date_line) if t)
        slide = self.slide(doc.title, notes, "Title Slide", 0)
        band = self.box(slide, 0, 0, self.width, 0.64 * self.height, "band")
        tree = slide.shapes._spTree
        tree.remove(band._element)
        tree.insert(2, band._element)  # behind the title
        kicker = self.box(slide, MARGIN, 0.75 * INCH, w, 0.5 * INCH)
        self.frame(kicker, (Para(plain_spans(doc.kicker.upper()), bold=True, colour="band_text", after=0),),
                   self.fit(doc.kicker.upper(), 18, 10, w, 0.5 * INCH, True), (0, 0))
        title = slide.shapes.title or self.box(slide, 0, 0, 1, 1)
        title.left, title.top, title.width, title.height = emu(MARGIN), emu(1.3 * INCH), emu(w), emu(2.0 * INCH)
        size = self.fit(doc.title, 48, 24, w, 2.0 * INCH, True)
        self.frame(title, (Para(plain_spans(doc.title), bold=True, colour="band_text", after=0),), size, (0, 0),
                   anchor=MSO_ANCHOR.BOTTOM)
        sub = next((p for p in slide.placeholders if p.placeholder_format.idx == 1), None)
        if sub is None:
            sub = self.box(slide, 0, 0, 1, 1)
        sub.left, sub.top, sub.width, sub.height = emu(MARGIN), emu(3.45 * INCH), emu(w), emu(1.1 * INCH)
        self.frame(sub, (Para(plain_spans(doc.subtitle), colour="band_text", after=0),),
                   self.fit(doc.subtitle, 24, 14, w, 1.1 * INCH, False), (0, 0))
        when = self.box(slide, MARGIN, 0.64 * self.height + 0.5 * INCH, w, 0.6 * INCH)
        self.frame(when, (Para(plain_spans(doc.date_line), colour="ink", after=0),),
                   self.fit(doc.date_line, 22, 12, w, 0.6 * INCH, False), (0, 0))

    def section(self, section: Section) -> None:
        items = pieces(section, self.labels)
        base, pages = self.choose(items, section.heading)
        notes = section.notes or section.heading
        for n, page in enumerate(pages):
            title = section.heading if n == 0 else self.labels.fill("continued", title=section.heading)
            slide = self.slide(title, notes)
            y = BODY_TOP
            for piece in page:
                y += self.draw(slide, piece, y, base) + 0.6 * base

    def choose(self, items: list[Piece], heading: str) -> tuple[float, list[list[Piece]]]:
        """Shrink first (down to min_body), then split across slides; never smaller than needed."""
        sizes, size = [], self.body
        while size > self.min_body:
            sizes.append(size)
            size -= 2
        sizes.append(self.min_body)
        tried = {s: paginate(items, s, self.inner, self.avail) for s in sizes}
        fewest = len(tried[self.min_body][0])
        size = self.min_body
        while tried[size][1] and size > 8:  # something cannot fit even alone: last resort, warn
            size -= 1
            tried[size] = paginate(items, size, self.inner, self.avail)
            self.warnings.append(f"deck: '{heading}' needed {size:g} pt text to fit a slide")
        best = max((s for s, (pages, over) in tried.items() if not over and len(pages) <= fewest), default=size)
        return best, tried[best][0]

    def draw(self, slide: Any, piece: Piece, y: float, base: float) -> float:
        x, w = MARGIN, self.inner
        if isinstance(piece, TextPiece):
            h = piece.height(base, w)
            if piece.bar:
                self.box(slide, x, y, 0.08 * INCH, h, "accent")
            shape = self.box(slide, x, y, w, h, piece.fill)
            self.frame(shape, piece.paras, base, piece.pad(base))
            return h
        if isinstance(piece, TablePiece):
            return self.table(slide, piece, x, y, w, base)
        if isinstance(piece, TilesPiece):
            tile, value, h = piece.layout(base, w)
            for i, f in enumerate(piece.items):
                shape = self.box(slide, x + i * (tile + TILE_GAP), y, tile, h, "shade")
                self.frame(shape, piece.paras(f, value, base), base, (TILE_PAD, TILE_PAD))
            return h
        if isinstance(piece.block, Chart):
            self.chart(slide, piece.block, base)
        else:
            self.picture(slide, piece.block, base)
        return self.avail

    def table(self, slide: Any, piece: TablePiece, x: float, y: float, w: float, base: float) -> float:
        rows = ([piece.head()] if piece.header else []) + list(piece.rows)
        heights = [piece.row_height(r, base, w, piece.header and i == 0) for i, r in enumerate(rows)]
        frame = slide.shapes.add_table(len(rows), len(piece.widths), emu(x), emu(y), emu(w), emu(sum(heights)))
        table = frame.table
        table.first_row, table.horz_banding = piece.header, False
        for col, cw in zip(table.columns, piece.col_widths(w), strict=True):
            col.width = emu(cw)
        for r, (row, h) in enumerate(zip(rows, heights, strict=True)):
            table.rows[r].height = emu(h)
            head = piece.header and r == 0
            for c, spans in enumerate(row):
                cell = table.cell(r, c)
                cell.margin_left = cell.margin_right = emu(CELL_X)
                cell.margin_top = cell.margin_bottom = emu(CELL_Y)
                cell.vertical_anchor = MSO_ANCHOR.TOP
                cell.fill.solid()
                cell.fill.fore_color.rgb = self.rgb("band" if head else "shade" if (r - piece.header) % 2 else "white")
                key = piece.key and c == 0
                colour = "band_text" if head else "accent" if key else "ink"
                right = c < len(piece.numeric) and piece.numeric[c]
                self.paragraph(cell.text_frame.paragraphs[0], Para(spans, bold=head or key, colour=colour, after=0),
                               base, PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT)
        return sum(heights)

    def captioned(self, slide: Any, paras: tuple[Para, ...], base: float, align: Any) -> float:
        """Caption lines at the bottom of the body area; returns the height left above them."""
        h = sum(p.height(base, self.inner) for p in paras)
        if paras:
            shape = self.box(slide, MARGIN, BODY_TOP + self.avail - h, self.inner, h)
            self.frame(shape, paras, base, (0, 0), align)
        return self.avail - h - (0.3 * base if paras else 0)

    def picture(self, slide: Any, pic: Picture, base: float) -> None:
        paras = tuple(
            Para(spans, scale, colour=colour, after=0.2)
            for spans, scale, colour in ((pic.caption, 0.75, "ink"), (plain_spans(pic.credit), 0.65, "muted"))
            if spans
        )
        room = self.captioned(slide, paras, base, PP_ALIGN.CENTER)
        scale = min(self.inner / pic.width, room / pic.height)
        w, h = pic.width * scale, pic.height * scale
        try:
            shape = slide.shapes.add_picture(str(pic.path), emu(MARGIN + (self.inner - w) / 2), emu(BODY_TOP),
                                             emu(w), emu(h))
        except OSError as e:
            self.warnings.append(f"deck: cannot read picture {pic.path.name}: {e}")
            return
        alt_text(shape, pic.alt)

    def chart(self, slide: Any, block: Chart, base: float) -> None:
        spec = block.spec
        paras = tuple(Para(plain_spans(line), 0.7, colour="muted", after=0.15) for line in spec.caption_lines)
        room = self.captioned(slide, paras, base, PP_ALIGN.LEFT)
        data = CategoryChartData(number_format="#,##0")
        data.categories = spec.categories
        for s in spec.series:
            data.add_series(s.name, s.values)
        bars = spec.kind == "bars"
        kind = XL_CHART_TYPE.BAR_STACKED if bars else XL_CHART_TYPE.COLUMN_CLUSTERED
        frame = slide.shapes.add_chart(kind, emu(MARGIN), emu(BODY_TOP), emu(self.inner), emu(room), data)
        chart = frame.chart
        chart.font.size, chart.font.name = Pt(round(0.8 * base)), self.font
        chart.font.color.rgb = self.rgb("ink")
        chart.has_title = False
        chart.has_legend = len(spec.series) > 1
        if chart.has_legend:
            chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        plot = chart.plots[0]
        plot.gap_width = 60
        for i, series in enumerate(plot.series):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = self.rgb(self.palette[i % len(self.palette)])
            series.invert_if_negative = False
        values, cats = chart.value_axis, chart.category_axis
        values.has_major_gridlines, values.has_minor_gridlines = True, False
        values.major_gridlines.format.line.color.rgb = self.rgb("shade")
        values.tick_labels.number_format, values.tick_labels.number_format_is_linked = "#,##0", False
        values.format.line.fill.background()
        values.major_tick_mark = cats.major_tick_mark = XL_TICK_MARK.NONE
        cats.format.line.color.rgb = self.rgb("rule")
        if bars:  # largest on top, values along the bottom
            cats.reverse_order = True
            cats.crosses = XL_AXIS_CROSSES.MAXIMUM
        alt_text(frame, spec.alt)
        workbook = chart.part.chart_workbook
        workbook.update_from_xlsx_blob(rezip(workbook.xlsx_part.blob, self.doc.date_iso))

    def save(self) -> bytes:
        doc, props = self.doc, self.prs.core_properties
        props.title, props.subject = doc.title, doc.subtitle
        props.author = props.last_modified_by = ", ".join(doc.authors)
        props.comments = props.keywords = props.category = ""
        props.language, props.revision = doc.language, 1
        try:
            when = dt.datetime.combine(dt.date.fromisoformat(doc.date_iso), dt.time())
        except ValueError:
            when = dt.datetime(1980, 1, 1)
        props.created = props.modified = props.last_printed = when
        buf = io.BytesIO()
        self.prs.save(buf)
        return rezip(buf.getvalue(), when.date().isoformat())


def alt_text(shape: Any, text: str) -> None:
    """Alt text for a picture or chart (python-pptx has no API for it)."""
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def rezip(data: bytes, date_iso: str) -> bytes:
    """The same zip with fixed timestamps and attributes (and fixed dates in its core.xml)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml" and b"dcterms" in blob:
                blob = _STAMP.sub(f"{date_iso}T00:00:00Z".encode(), blob)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr, entry.create_system = zipfile.ZIP_DEFLATED, 0o644 << 16, 0
            dst.writestr(entry, blob)
    return out.getvalue()


def render(doc: Document, templates: Templates) -> Rendered:
    """The deck for a planned Document: title slide, then each section on one or more slides."""
    deck = Deck(doc, templates)
    deck.title_slide()
    for section in doc.sections:
        deck.section(section)
    data = deck.save()
    return Rendered(data, len(deck.prs.slides), deck.warnings)
