"""Document blocks → ReportLab flowables: styles, fonts and one method per block type.

Brief text reaches ReportLab's paragraph markup only through `_markup`, which escapes every
character of content; styling comes from spans, never from the text. Fonts are DejaVu, embedded.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from briefgen.blocks import (
    Banner,
    Block,
    BulletList,
    Chart,
    Definitions,
    Document,
    Events,
    Fields,
    KeyFigures,
    Opinion,
    Picture,
    QuoteBlock,
    Section,
    Spans,
)
from briefgen.blocks import (
    Paragraph as PlanParagraph,
)
from briefgen.blocks import (
    Table as PlanTable,
)
from briefgen.errors import RenderError
from briefgen.render import PDF_FONT, font_path
from briefgen.render.pdfcharts import flowable as chart_flowable
from briefgen.render.pdftags import Marked, Node, Tree, spans_links
from briefgen.template_model import Theme

FONT = PDF_FONT  # the family drawing now: the shipped DejaVu, or a theme's own (`use_fonts`)

# Binary streams: ASCII85 would make every image a quarter larger and cost time to encode.
rl_config.useA85 = 0
# Charts are drawn in DejaVu too; else each drawing would select (and list) Helvetica first.
rl_config.defaultGraphicsFontName = FONT


def register_fonts(faces: dict[str, Path] | None = None) -> str:
    """Register a font family with ReportLab (once per process), and draw with it from now on:
    the shipped DejaVu Sans, or a theme's TrueType faces (named by their bytes' hash, so a
    changed file is a new font). Returns the family's name."""
    global FONT
    family = PDF_FONT
    files = {
        "regular": font_path("regular"),
        "bold": font_path("bold"),
        "italic": font_path("italic"),
        "bolditalic": font_path("bolditalic"),
    }
    if faces:
        import hashlib

        files = {
            "regular": faces["regular"],
            "bold": faces["bold"],
            "italic": faces["italic"],
            "bolditalic": faces["bold_italic"],
        }
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in files.values())).hexdigest()
        family = "F" + digest[:12]
    names = {
        "regular": family,
        "bold": family + "-Bold",
        "italic": family + "-Oblique",
        "bolditalic": family + "-BoldOblique",
    }
    if family not in pdfmetrics.getRegisteredFontNames():
        for style, name in names.items():
            try:
                pdfmetrics.registerFont(TTFont(name, str(files[style])))
            except Exception as e:  # not a TrueType font ReportLab can embed
                raise RenderError(f"font {files[style].name} cannot be embedded: {e}") from None
        pdfmetrics.registerFontFamily(
            family,
            normal=names["regular"],
            bold=names["bold"],
            italic=names["italic"],
            boldItalic=names["bolditalic"],
        )
    FONT = family
    rl_config.defaultGraphicsFontName = family
    return family


def escape(text: str) -> str:
    """`&`, `<` and `>` as entities: what xml.sax.saxutils.escape does, without importing
    urllib and http.client behind it (15 ms)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(spans: Spans, link_colour: str) -> str:
    """Spans → ReportLab paragraph markup; every character of content is escaped."""
    out = []
    for s in spans:
        text = escape(s.text).replace("\n", "<br/>")
        if s.strong:
            text = f"<b>{text}</b>"
        if s.emphasis:
            text = f"<i>{text}</i>"
        if s.href:
            href = escape(s.href).replace('"', "&quot;")
            text = f'<a href="{href}" color="{link_colour}"><u>{text}</u></a>'
        out.append(text)
    return "".join(out)


def plain_markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


@dataclass
class Style:
    """Paragraph styles at one body size (the one-pager shrinks them to fit)."""

    theme: Theme
    body: float
    draft: bool = False  # a trial for the page count: pictures blank, nothing drawn or written
    last_page: int | None = None  # a trial past this page stops there: it is too long anyway
    # The structure tree of the PDF laid out at this size (see pdftags.py): flowables made at
    # this size add their elements to it, in reading order; those never drawn are left out.
    tags: Tree = field(default_factory=Tree)
    # The room left at the foot of each page laid out at this size (points; see pdf.py).
    free: list[float] = field(default_factory=list)
    room: float = 0.0  # the height of a page's frame

    def colour(self, name: str) -> colors.Color:
        return colors.HexColor(self.hex(name))

    def hex(self, name: str) -> str:
        return str(getattr(self.theme.colours, name))

    def para(self, name: str, **kw: Any) -> ParagraphStyle:
        """A named paragraph style at this size (made once: a long table asks thousands of times)."""
        key = (name, tuple(sorted(kw.items())))
        cache = self.__dict__.setdefault("_paras", {})
        if key not in cache:
            cache[key] = self._para(name, **kw)
        return cache[key]

    def _para(self, name: str, **kw: Any) -> ParagraphStyle:
        b, sizes = self.body, self.theme.sizes
        base: dict[str, Any] = {
            "fontName": FONT,
            "fontSize": b,
            "leading": b * 1.32,
            "textColor": self.colour("ink"),
            "splitLongWords": 1,
            "bulletFontName": FONT,
        }
        presets: dict[str, dict[str, Any]] = {
            "body": {"spaceAfter": b * 0.55},
            "lead": {"fontSize": b * 1.12, "leading": b * 1.5, "spaceAfter": b * 0.6},
            "note": {"fontSize": b * 0.92, "leading": b * 1.22},
            "small": {
                "fontSize": b * sizes.small,
                "leading": b * sizes.small * 1.28,
                "textColor": self.colour("muted"),
            },
            "caption": {
                "fontSize": b * sizes.small,
                "leading": b * 1.02,
                "textColor": self.colour("muted"),
                "spaceAfter": b * 0.3,
            },
            "cell": {"fontSize": b * 0.86, "leading": b * 1.08},
            "cellhead": {"fontSize": b * 0.86, "leading": b * 1.08, "fontName": FONT + "-Bold"},
            "heading": {
                "fontName": FONT + "-Bold",
                "fontSize": b * sizes.heading,
                "leading": b * sizes.heading * 1.23,
                "textColor": self.colour("accent"),
                "spaceBefore": b * 0.9,
                "spaceAfter": b * 0.35,
            },
            "subheading": {
                "fontName": FONT + "-Bold",
                "fontSize": b,
                "leading": b * 1.3,
                "spaceBefore": b * 0.4,
                "spaceAfter": b * 0.2,
            },
            "bullet": {"leftIndent": b * 1.4, "bulletIndent": b * 0.3, "spaceAfter": b * 0.25},
            "quote": {
                "fontName": FONT + "-Oblique",
                "fontSize": b * 1.05,
                "leading": b * 1.42,
                "leftIndent": b * 1.2,
            },
            "attribution": {
                "fontSize": b * 0.84,
                "leading": b * 1.1,
                "leftIndent": b * 1.2,
                "textColor": self.colour("muted"),
                "spaceAfter": b * 0.6,
            },
            "figure": {
                "fontName": FONT + "-Bold",
                "fontSize": b * 1.75,
                "leading": b * 2.0,
                "textColor": self.colour("accent"),
            },
        }
        return ParagraphStyle(name, parent=None, **{**base, **presets.get(name, {}), **kw})


class Flow:
    """Turns sections into flowables at one style size."""

    def __init__(self, doc: Document, style: Style, width: float) -> None:
        self.doc, self.s, self.width = doc, style, width
        self.labels = doc.words
        self.parent: Node = style.tags.root  # where the next block's elements go

    def tag(
        self, flowable: Flowable, role: str, parent: Node | None = None, spans: Spans = ()
    ) -> Flowable:
        """`flowable` as the content of a new `role` element (under the current parent)."""
        node = (parent or self.parent).add(role)
        node.links = spans_links(spans)
        return Marked(flowable, node)

    def section(self, section: Section, heading: bool = True) -> list[Flowable]:
        outer = self.parent
        self.parent = outer.add("Sect")
        try:
            return self._section(section, heading)
        finally:
            self.parent = outer

    def _section(self, section: Section, heading: bool) -> list[Flowable]:
        if section.style == "note":
            spans = _first_spans(section)
            return [
                self._boxed(
                    [
                        self.tag(
                            Paragraph(
                                f"<b>{plain_markup(section.heading)}:</b> " + self.markup(spans),
                                self.s.para("note"),
                            ),
                            "P",
                            spans=spans,
                        )
                    ],
                    "shade",
                    rule=True,
                ),
                Spacer(1, self.s.body * 0.6),
            ]
        head_node = self.parent.add("H2") if heading and section.heading else None
        body: list[Flowable] = []
        for block in section.blocks:
            body.extend(self.block(block))
        if head_node is None:
            return body
        head = Marked(Paragraph(plain_markup(section.heading), self.s.para("heading")), head_node)
        first = body[0]
        if isinstance(first, KeepTogether):  # a chart or picture: keep the heading with all of it
            return [KeepTogether([head, *first._content]), *body[1:]]
        if isinstance(first, Table):
            # Keep the heading with the first rows, not the whole table (which may be long).
            return [CondPageBreak(self.s.body * 9), head, *body]
        return [KeepTogether([head, first]), *body[1:]]

    def block(self, block: Block) -> list[Flowable]:
        handler: Callable[[Any], list[Flowable]] = getattr(self, "_" + type(block).__name__.lower())
        return handler(block)

    def _paragraph(self, b: PlanParagraph) -> list[Flowable]:
        para = Paragraph(
            self.markup(b.spans),
            self.s.para(b.style if b.style != "subheading" else "subheading"),
        )
        return [self.tag(para, "P", spans=b.spans)]

    def _bulletlist(self, b: BulletList) -> list[Flowable]:
        out: list[Flowable] = []
        the_list = self.parent.add("L")
        the_list.numbering = "Decimal" if b.numbered else "Disc"
        for i, item in enumerate(b.items, 1):
            bullet = f"{i}." if b.numbered else "•"
            entry = the_list.add("LI")
            label, body = entry.add("Lbl"), entry.add("LBody")
            body.links = spans_links(item)
            para = Marked(
                Paragraph(self.markup(item), self.s.para("bullet"), bulletText=bullet), body, label
            )
            if b.answer_lines:  # a question and its lines stay on one page
                lines = _Lines(b.answer_lines, self.s.body * 2.2, self.s.colour("rule"))
                out.append(KeepTogether([para, lines, Spacer(1, self.s.body * 0.9)]))
            else:
                out.append(para)
        return out

    def markup(self, spans: Spans) -> str:
        """Spans as paragraph markup, links in the theme's accent colour."""
        return _markup(spans, self.s.hex("accent"))

    def _fields(self, b: Fields) -> list[Flowable]:
        """Name / Class / Date: labels with a line to write on, side by side."""
        n = len(b.labels)
        cells = [
            self.tag(Paragraph(f"<b>{plain_markup(label)}</b>", self.s.para("body")), "P")
            for label in b.labels
        ]
        widths = [self.width * (0.5 if i == 0 and n > 1 else 0.5 / max(1, n - 1)) for i in range(n)]
        table = Table([cells], colWidths=widths, rowHeights=[self.s.body * 2.4], hAlign="LEFT")
        table.setStyle(
            table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.6, self.s.colour("ink")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), self.s.body),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return [table, Spacer(1, self.s.body * 0.8)]

    def _banner(self, b: Banner) -> list[Flowable]:
        """A handling line across the page, framed, in the theme's banner colour."""
        colour = self.s.hex("banner")
        para = self.tag(
            Paragraph(
                f'<font color="{colour}"><b>{plain_markup(b.text.upper())}</b></font>',
                self.s.para("body", alignment=1, spaceAfter=0),
            ),
            "P",
        )
        box = Table([[para]], colWidths=[self.width], hAlign="LEFT")
        box.setStyle(
            table_style(
                [
                    ("BOX", (0, 0), (-1, -1), 0.9, self.s.colour("banner")),
                    ("TOPPADDING", (0, 0), (-1, -1), self.s.body * 0.25),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), self.s.body * 0.35),
                ]
            )
        )
        return [box, Spacer(1, self.s.body * 0.4)]

    def _table(self, b: PlanTable, row_headers: bool = False) -> list[Flowable]:
        """A data table: one `Table` element however many pages and blocks it takes, its
        header cells `TH` (scope: column), or with `row_headers` each row's first cell (scope:
        row) when the columns have no names (the timeline as text)."""
        element = self.parent.add("Table")
        head_row = element.add("TR")
        head: list[Flowable] = []
        for i, c in enumerate(b.columns):
            align = TA_RIGHT if i < len(b.numeric) and b.numeric[i] else TA_LEFT
            para = Paragraph(plain_markup(c), self.s.para("cellhead", alignment=align))
            if any(b.columns):  # a header row without names is only a coloured band: artifact
                para = self.tag(para, "TH", head_row)
                para.node.scope = "Column"
            head.append(para)
        total = sum(b.widths)
        widths = [self.width * w / total for w in b.widths]

        def cells(row: tuple[Spans, ...]) -> list[Flowable]:
            out, tr = [], element.add("TR")
            for i, cell in enumerate(row):
                align = TA_RIGHT if i < len(b.numeric) and b.numeric[i] else TA_LEFT
                para = Paragraph(self.markup(cell), self.s.para("cell", alignment=align))
                th = row_headers and i == 0
                out.append(self.tag(para, "TH" if th else "TD", tr, cell))
                if th:
                    out[-1].node.scope = "Row"
            return out

        def block(n: int, start: int) -> Table:
            rows = [head] * (n == 0) + [cells(r) for r in b.rows[start : start + TABLE_BLOCK]]
            table = Table(
                rows, colWidths=widths, repeatRows=1 if n == 0 else 0, hAlign="LEFT", splitInRow=1
            )
            table.setStyle(table_style(self._table_commands(header=n == 0)))
            return table

        # ReportLab re-measures a whole table at every page break, so a long table is set as
        # consecutive blocks of rows (seamless on the page): hundreds of rows stay fast. Each
        # block after the first is made when the layout reaches it (its rows' elements follow
        # the rows before): a trial that stops early never makes the rest.
        out: list[Flowable] = [block(0, 0)]
        for n, start in enumerate(range(TABLE_BLOCK, len(b.rows), TABLE_BLOCK), 1):
            out.append(Later(functools.partial(block, n, start)))
        return [*out, Spacer(1, self.s.body * 0.6)]

    def _table_commands(self, header: bool) -> list[tuple[Any, ...]]:
        pad = self.s.body * 0.26
        commands: list[tuple[Any, ...]] = [
            ("LINEBELOW", (0, 0), (-1, -1), 0.35, self.s.colour("rule")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ]
        if header:
            commands += [
                ("BACKGROUND", (0, 0), (-1, 0), self.s.colour("shade")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, self.s.colour("accent")),
            ]
        return commands

    def _chart(self, b: Chart) -> list[Flowable]:
        spec = b.spec
        out: list[Flowable] = []
        # A Figure (its alt text says what the chart shows) after its Caption (the title and
        # notes), the two in a Div, as Typst's PDF/UA-1 output has them.
        group = self.parent.add("Div")
        caption = group.add("Caption")
        figure = group.add("Figure", alt=spec.alt)
        if spec.kind != "timeline":
            title = Paragraph(plain_markup(spec.title), self.s.para("subheading"))
            out.append(Marked(title, caption))
        chart = chart_flowable(
            spec, self.width, self.s.body, FONT, self.s.hex("ink"), self.s.hex("axis")
        )
        out.append(Marked(chart, figure))
        out += [
            Marked(Paragraph(plain_markup(line), self.s.para("caption")), caption)
            for line in spec.caption_lines
        ]
        return [KeepTogether(out), Spacer(1, self.s.body * 0.4)]

    def _image(self, source: Any, width: float, height: float) -> Flowable:
        if self.s.draft:
            return Spacer(width, height)
        return _Pixels(source, width, height)

    def _picture(self, b: Picture) -> list[Flowable]:
        width = min(self.width, b.max_width_mm * mm)
        height = width * b.height / b.width
        if b.decorative:  # a logo: at most 14 mm tall, on the right
            height = min(height, 14 * mm)
            width = height * b.width / b.height
        image = self._image(
            _print_resolution(b.path, width) if not self.s.draft else None, width, height
        )
        image.hAlign = "RIGHT" if b.decorative else "LEFT"
        if b.decorative:  # left untagged: an artifact
            return [image, Spacer(1, self.s.body * 0.3)]
        group = self.parent.add("Div")  # the Figure and its Caption
        figure = group.add("Figure", alt=b.alt)
        caption = self.markup(b.caption) + (f" <i>{plain_markup(b.credit)}</i>" if b.credit else "")
        return [
            KeepTogether(
                [
                    Marked(image, figure),
                    self.tag(
                        Paragraph(caption, self.s.para("caption")),
                        "Caption",
                        group,
                        spans=b.caption,
                    ),
                ]
            )
        ]

    def _keyfigures(self, b: KeyFigures) -> list[Flowable]:
        cell_w = self.width / len(b.items) - 12  # minus the cell padding
        widest = max(pdfmetrics.stringWidth(f.value, FONT + "-Bold", 1) for f in b.items)
        size = min(self.s.body * 1.75, cell_w / widest)
        big = self.s.para("figure", fontSize=size, leading=size * 1.15)
        cells = []
        for f in b.items:  # a layout table: each figure is a group of paragraphs, not cells
            group = self.parent.add("Div")
            cells.append(
                [
                    self.tag(Paragraph(plain_markup(f.value), big), "P", group),
                    self.tag(
                        Paragraph(self.markup(f.label), self.s.para("cell")), "P", group, f.label
                    ),
                    self.tag(Paragraph(plain_markup(f.note), self.s.para("small")), "P", group),
                ]
            )
        n = len(cells)
        table = Table([cells], colWidths=[self.width / n] * n, hAlign="LEFT")
        table.setStyle(
            table_style(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), self.s.colour("shade")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEAFTER", (0, 0), (-2, -1), 0.6, colors.white),
                    ("TOPPADDING", (0, 0), (-1, -1), self.s.body * 0.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), self.s.body * 0.6),
                ]
            )
        )
        return [table, Spacer(1, self.s.body * 0.5)]

    def _quoteblock(self, b: QuoteBlock) -> list[Flowable]:
        text = self.markup(b.text)
        if not b.paraphrase:
            text = f"{self.labels.table.get('quote_open', '“')}{text}{self.labels.table.get('quote_close', '”')}"
        quote = self.parent.add("BlockQuote")
        attribution = "— " + plain_markup(b.attribution)
        return [
            KeepTogether(
                [
                    self.tag(Paragraph(text, self.s.para("quote")), "P", quote, b.text),
                    self.tag(Paragraph(attribution, self.s.para("attribution")), "P", quote),
                ]
            )
        ]

    def _opinion(self, b: Opinion) -> list[Flowable]:
        tag = plain_markup(self.labels["opinion"].upper())
        para = Paragraph(
            f'<font size="{self.s.body * 0.72:.1f}" color="{self.s.hex("muted")}">{tag}</font>  '
            f"<b>{plain_markup(b.label)}.</b> {self.markup(b.text)}",
            self.s.para("note"),
        )
        para = self.tag(para, "P", spans=b.text)
        return [self._boxed([para], "opinion"), Spacer(1, self.s.body * 0.35)]

    def _definitions(self, b: Definitions) -> list[Flowable]:
        """Two columns, read down the left then the right; rows split across pages."""
        style = self.s.para("note", spaceAfter=0)
        # Made in the glossary's order, so the structure reads term by term, down the left
        # column and then the right, though the page is drawn row by row.
        group = self.parent.add("Div")
        paras = [
            self.tag(
                Paragraph(f"<b>{plain_markup(d.term)}</b> — {self.markup(d.definition)}", style),
                "P",
                group,
                d.definition,
            )
            for d in b.items
        ]
        half = (len(paras) + 1) // 2
        rows = [[paras[i], paras[half + i] if half + i < len(paras) else ""] for i in range(half)]
        table = Table(rows, colWidths=[self.width / 2] * 2, hAlign="LEFT", splitInRow=1)
        table.setStyle(
            table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), self.s.body),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), self.s.body * 0.35),
                ]
            )
        )
        return [table]

    def _events(self, b: Events) -> list[Flowable]:
        rows = tuple((((_span(d)),), text) for d, text in b.items)
        table = PlanTable(("", ""), tuple((r[0], r[1]) for r in rows), (0.25, 0.75))
        return self._table(table, row_headers=True)

    def _boxed(self, flowables: list[Flowable], fill: str, rule: bool = False) -> Flowable:
        box = Table([[flowables]], colWidths=[self.width], hAlign="LEFT")
        commands: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (-1, -1), self.s.colour(fill)),
            ("TOPPADDING", (0, 0), (-1, -1), self.s.body * 0.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), self.s.body * 0.55),
            ("LEFTPADDING", (0, 0), (-1, -1), self.s.body * 0.8),
        ]
        if rule:
            commands.append(("LINEBEFORE", (0, 0), (0, -1), 2.5, self.s.colour("accent")))
        box.setStyle(table_style(commands))
        return box

    def title_band(self, compact: bool = False, logo: Picture | None = None) -> Flowable:
        """Kicker, title and subtitle on the band colour; a logo, if any, on white at its right."""
        d, s = self.doc, self.s
        white = s.hex("band_text")
        size = s.body * s.theme.sizes.title * (0.87 if compact else 1.0)
        # A layout table: the title is the H1, the kicker line and subtitle paragraphs.
        parts = [
            self.tag(
                Paragraph(
                    f'<font color="{white}">{plain_markup(d.kicker.upper())} · {plain_markup(d.date_line)}</font>',
                    s.para("small", textColor=colors.HexColor(white), spaceAfter=3),
                ),
                "P",
            ),
            self.tag(
                Paragraph(
                    f'<font color="{white}">{plain_markup(d.title)}</font>',
                    s.para(
                        "heading", fontSize=size, leading=size * 1.15, spaceBefore=0, spaceAfter=2
                    ),
                ),
                "H1",
            ),
        ]
        if d.subtitle:
            parts.append(
                self.tag(
                    Paragraph(
                        f'<font color="{white}">{plain_markup(d.subtitle)}</font>',
                        s.para("body", fontSize=s.body * 1.1, spaceAfter=0),
                    ),
                    "P",
                )
            )
        commands: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (-1, -1), s.colour("band")),
            ("TOPPADDING", (0, 0), (-1, -1), s.body * 0.8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), s.body * 0.9),
            ("LEFTPADDING", (0, 0), (-1, -1), s.body * 1.0),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        if logo is None:
            band = Table([[parts]], colWidths=[self.width], hAlign="LEFT")
        else:
            height = 12 * mm if compact else 15 * mm
            width = min(height * logo.width / logo.height, 0.3 * self.width)
            height = width * logo.height / logo.width
            image = self._image(
                _print_resolution(logo.path, width) if not s.draft else None, width, height
            )
            pad = s.body * 0.5
            box = Table([[image]], colWidths=[width + 2 * pad], rowHeights=[height + 2 * pad])
            box.setStyle(
                table_style(
                    [("BACKGROUND", (0, 0), (-1, -1), colors.white)]
                    + [(edge, (0, 0), (-1, -1), pad) for edge in _PADDINGS]
                )
            )
            side = width + 2 * pad + s.body
            band = Table([[parts, box]], colWidths=[self.width - side, side], hAlign="LEFT")
            commands.append(("RIGHTPADDING", (1, 0), (1, 0), s.body))
        band.setStyle(table_style(commands))
        return band


_PADDINGS = ("TOPPADDING", "BOTTOMPADDING", "LEFTPADDING", "RIGHTPADDING")
PRINT_DPI = 300
TABLE_BLOCK = 40  # rows per ReportLab table in a long table


def _print_resolution(path: Path, width_pt: float) -> Any:
    """The picture at about 300 dpi (240 at least) at its printed size: smaller PDFs, faster builds."""
    from briefgen.images import decoded

    try:
        key, pixels = decoded(path)
        return _prepared(key, pixels, math.ceil(width_pt / 72 * PRINT_DPI))
    except Exception as e:  # damaged after `check` looked at it, or Pillow refuses it
        raise RenderError(f"picture '{path.name}' cannot be drawn: {e}") from None


_PREPARED: dict[tuple[str, int], Any] = {}  # (content hash, width in pixels) → pixels


def _prepared(key: str, im: Any, max_px: int) -> Any:
    """The picture flattened on white (the page), and reduced by a whole factor when that keeps
    at least 80% of `max_px`: box averaging, which is fast and sharp. Kept for the next pass
    and the next build (the last eight); its pixels come from `images.decoded`, so a picture
    `check` decoded in this process is not decoded again."""
    from PIL import Image as PILImage

    from briefgen.images import remember

    if (key, max_px) in _PREPARED:
        return _PREPARED[key, max_px]
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        alpha = rgba.getchannel("A")
        if alpha.getextrema() == (255, 255):  # an alpha channel, but nothing transparent
            im = rgba.convert("RGB")
        else:
            im = PILImage.new("RGB", rgba.size, "white")
            im.paste(rgba, mask=alpha)
    elif im.mode not in ("RGB", "L"):
        im = im.convert("RGB")
    factor = round(im.width / max_px)
    if factor >= 2 and im.width / factor >= 0.8 * max_px:
        im = im.reduce(factor)
    return remember(_PREPARED, (key, max_px), im, most=8)


class _Lines(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """Blank ruled lines to write an answer on."""

    def __init__(self, count: int, pitch: float, colour: colors.Color) -> None:
        super().__init__()
        self.count, self.pitch, self.colour = count, pitch, colour

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.count * self.pitch

    def draw(self) -> None:
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(0.5)
        for i in range(self.count):
            y = i * self.pitch
            self.canv.line(0, y, self.width, y)


class _Pixels(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """A decoded picture drawn at a given size: handed to ReportLab as pixels, not a file."""

    def __init__(self, image: Any, width: float, height: float) -> None:
        super().__init__()
        self.image, self.width, self.height = image, width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        from reportlab.lib.utils import ImageReader

        self.canv.drawImage(ImageReader(self.image), 0, 0, self.width, self.height)


def table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A table style whose cells use the embedded font (ReportLab's default is Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _span(text: str) -> Any:
    from briefgen.text import Span

    return Span(text, strong=True)


def _first_spans(section: Section) -> Spans:
    block = section.blocks[0]
    return block.spans if isinstance(block, PlanParagraph) else ()


class Later(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """A flowable made when it is first needed: the document template puts the one made in
    its place when the layout reaches it (`filterFlowables`); measured on its own, it is made
    then."""

    def __init__(self, make: Callable[[], Flowable]) -> None:
        super().__init__()
        self._make: Callable[[], Flowable] | None = make
        self._made: Flowable | None = None

    def made(self) -> Flowable:
        if self._made is None:
            assert self._make is not None
            self._made, self._make = self._make(), None
        return self._made

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        size: tuple[float, float] = self.made().wrap(avail_width, avail_height)
        return size

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return list(self.made().split(avail_width, avail_height))

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        self.made().drawOn(canvas, x, y, _sW)


def flatten(flowables: list[Flowable]) -> list[Flowable]:
    """KeepTogether unpacked (inside a table cell it would claim an enormous height), and
    what is made later made now."""
    out: list[Flowable] = []
    for f in flowables:
        if isinstance(f, Later):
            f = f.made()
        out += flatten(list(f._content)) if isinstance(f, KeepTogether) else [f]
    return out


def stack_height(flowables: list[Flowable], width: float) -> float:
    """Height the flowables take stacked in a column of this width."""
    scratch = rl_canvas.Canvas(io.BytesIO())
    total = 0.0
    for f in flowables:  # (a `Later` measures what it makes)
        if isinstance(f, KeepTogether):  # its wrap() answers "huge" on purpose, to force a split
            total += stack_height(list(f._content), width)
        else:
            total += f.wrapOn(scratch, width, 100_000)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return total
