"""Document blocks → ReportLab flowables: styles, fonts and one method per block type.

Brief text reaches ReportLab's paragraph markup only through `_markup`, which escapes every
character of content; styling comes from spans, never from the text. Fonts are DejaVu, embedded.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
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
    Block,
    BulletList,
    Chart,
    Definitions,
    Document,
    Events,
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
from briefgen.templates import Labels

FONT = PDF_FONT

# Binary streams: ASCII85 would make every image a quarter larger and cost time to encode.
rl_config.useA85 = 0
# Charts are drawn in DejaVu too; else each drawing would select (and list) Helvetica first.
rl_config.defaultGraphicsFontName = FONT


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    names = {
        "regular": FONT,
        "bold": FONT + "-Bold",
        "italic": FONT + "-Oblique",
        "bolditalic": FONT + "-BoldOblique",
    }
    for style, name in names.items():
        pdfmetrics.registerFont(TTFont(name, str(font_path(style))))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=names["regular"],
        bold=names["bold"],
        italic=names["italic"],
        boldItalic=names["bolditalic"],
    )


def escape(text: str) -> str:
    """`&`, `<` and `>` as entities: what xml.sax.saxutils.escape does, without importing
    urllib and http.client behind it (15 ms)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(spans: Spans, link_colour: str = "#1F3A5F") -> str:
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

    theme: dict[str, Any]
    body: float
    draft: bool = False  # pictures become blank space of their size: for fitting, ~3x faster

    def colour(self, name: str) -> colors.Color:
        return colors.HexColor(str(self.theme["colours"][name]))

    def para(self, name: str, **kw: Any) -> ParagraphStyle:
        """A named paragraph style at this size (made once: a long table asks thousands of times)."""
        key = (name, tuple(sorted(kw.items())))
        cache = self.__dict__.setdefault("_paras", {})
        if key not in cache:
            cache[key] = self._para(name, **kw)
        return cache[key]

    def _para(self, name: str, **kw: Any) -> ParagraphStyle:
        b = self.body
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
            "small": {"fontSize": b * 0.8, "leading": b * 1.02, "textColor": self.colour("muted")},
            "caption": {
                "fontSize": b * 0.8,
                "leading": b * 1.02,
                "textColor": self.colour("muted"),
                "spaceAfter": b * 0.3,
            },
            "cell": {"fontSize": b * 0.86, "leading": b * 1.08},
            "cellhead": {"fontSize": b * 0.86, "leading": b * 1.08, "fontName": FONT + "-Bold"},
            "heading": {
                "fontName": FONT + "-Bold",
                "fontSize": b * 1.3,
                "leading": b * 1.6,
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
        self.labels = Labels(doc.labels, "labels")

    def section(self, section: Section, heading: bool = True) -> list[Flowable]:
        body: list[Flowable] = []
        for block in section.blocks:
            body.extend(self.block(block))
        if section.style == "note":
            return [
                self._boxed(
                    [
                        Paragraph(
                            f"<b>{plain_markup(section.heading)}:</b> "
                            + _markup(_first_spans(section)),
                            self.s.para("note"),
                        )
                    ],
                    "shade",
                    rule=True,
                ),
                Spacer(1, self.s.body * 0.6),
            ]
        if not heading:
            return body
        head = Paragraph(plain_markup(section.heading), self.s.para("heading"))
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
        return [
            Paragraph(
                _markup(b.spans), self.s.para(b.style if b.style != "subheading" else "subheading")
            )
        ]

    def _bulletlist(self, b: BulletList) -> list[Flowable]:
        out: list[Flowable] = []
        for i, item in enumerate(b.items, 1):
            bullet = f"{i}." if b.numbered else "•"
            out.append(Paragraph(_markup(item), self.s.para("bullet"), bulletText=bullet))
        return out

    def _table(self, b: PlanTable) -> list[Flowable]:
        head = [
            Paragraph(
                plain_markup(c),
                self.s.para(
                    "cellhead",
                    alignment=TA_RIGHT if i < len(b.numeric) and b.numeric[i] else TA_LEFT,
                ),
            )
            for i, c in enumerate(b.columns)
        ]
        rows = [head]
        for row in b.rows:
            cells = []
            for i, cell in enumerate(row):
                align = TA_RIGHT if i < len(b.numeric) and b.numeric[i] else TA_LEFT
                cells.append(Paragraph(_markup(cell), self.s.para("cell", alignment=align)))
            rows.append(cells)
        total = sum(b.widths)
        widths = [self.width * w / total for w in b.widths]
        # ReportLab re-measures a whole table at every page break, so a long table is set as
        # consecutive blocks of rows (seamless on the page): hundreds of rows stay fast.
        blocks = [rows[: TABLE_BLOCK + 1]] + [
            rows[i : i + TABLE_BLOCK] for i in range(TABLE_BLOCK + 1, len(rows), TABLE_BLOCK)
        ]
        out: list[Flowable] = []
        for n, block in enumerate(blocks):
            table = Table(
                block, colWidths=widths, repeatRows=1 if n == 0 else 0, hAlign="LEFT", splitInRow=1
            )
            table.setStyle(table_style(self._table_commands(header=n == 0)))
            out.append(table)
        return [*out, Spacer(1, self.s.body * 0.6)]

    def _table_commands(self, header: bool) -> list[tuple[Any, ...]]:
        pad = self.s.body * 0.3
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
        if spec.kind != "timeline":
            out.append(Paragraph(plain_markup(spec.title), self.s.para("subheading")))
        out.append(chart_flowable(spec, self.width, self.s.body))
        out += [
            Paragraph(plain_markup(line), self.s.para("caption")) for line in spec.caption_lines
        ]
        return [KeepTogether(out), Spacer(1, self.s.body * 0.4)]

    def _image(self, source: Any, width: float, height: float) -> Flowable:
        if self.s.draft:
            return Spacer(width, height)
        return _Pixels(source, width, height)

    def _picture(self, b: Picture) -> list[Flowable]:
        width = min(self.width, 110 * mm)
        height = width * b.height / b.width
        image = self._image(
            _print_resolution(b.path, width) if not self.s.draft else None, width, height
        )
        image.hAlign = "LEFT"
        caption = _markup(b.caption) + (f" <i>{plain_markup(b.credit)}</i>" if b.credit else "")
        return [KeepTogether([image, Paragraph(caption, self.s.para("caption"))])]

    def _keyfigures(self, b: KeyFigures) -> list[Flowable]:
        cell_w = self.width / len(b.items) - 12  # minus the cell padding
        widest = max(pdfmetrics.stringWidth(f.value, FONT + "-Bold", 1) for f in b.items)
        size = min(self.s.body * 1.75, cell_w / widest)
        big = self.s.para("figure", fontSize=size, leading=size * 1.15)
        cells = [
            [
                Paragraph(plain_markup(f.value), big),
                Paragraph(_markup(f.label), self.s.para("cell")),
                Paragraph(plain_markup(f.note), self.s.para("small")),
            ]
            for f in b.items
        ]
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
        text = _markup(b.text)
        if not b.paraphrase:
            text = f"{self.labels.table.get('quote_open', '“')}{text}{self.labels.table.get('quote_close', '”')}"
        return [
            KeepTogether(
                [
                    Paragraph(text, self.s.para("quote")),
                    Paragraph("— " + plain_markup(b.attribution), self.s.para("attribution")),
                ]
            )
        ]

    def _opinion(self, b: Opinion) -> list[Flowable]:
        tag = plain_markup(self.labels["opinion"].upper())
        para = Paragraph(
            f'<font size="{self.s.body * 0.72:.1f}" color="#555555">{tag}</font>  '
            f"<b>{plain_markup(b.label)}.</b> {_markup(b.text)}",
            self.s.para("note"),
        )
        return [self._boxed([para], "opinion"), Spacer(1, self.s.body * 0.35)]

    def _definitions(self, b: Definitions) -> list[Flowable]:
        """Two columns, read down the left then the right; rows split across pages."""
        style = self.s.para("note", spaceAfter=0)
        paras = [
            Paragraph(f"<b>{plain_markup(d.term)}</b> — {_markup(d.definition)}", style)
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
        return self._table(PlanTable(("", ""), tuple((r[0], r[1]) for r in rows), (0.25, 0.75)))

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

    def title_band(self, compact: bool = False) -> Flowable:
        d, s = self.doc, self.s
        white = s.theme["colours"]["band_text"]
        size = s.body * (2.0 if compact else 2.3)
        parts = [
            Paragraph(
                f'<font color="{white}">{plain_markup(d.kicker.upper())} · {plain_markup(d.date_line)}</font>',
                s.para("small", textColor=colors.HexColor(white), spaceAfter=3),
            ),
            Paragraph(
                f'<font color="{white}">{plain_markup(d.title)}</font>',
                s.para("heading", fontSize=size, leading=size * 1.15, spaceBefore=0, spaceAfter=2),
            ),
        ]
        if d.subtitle:
            parts.append(
                Paragraph(
                    f'<font color="{white}">{plain_markup(d.subtitle)}</font>',
                    s.para("body", fontSize=s.body * 1.1, spaceAfter=0),
                )
            )
        band = Table([[parts]], colWidths=[self.width], hAlign="LEFT")
        band.setStyle(
            table_style(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), s.colour("band")),
                    ("TOPPADDING", (0, 0), (-1, -1), s.body * 0.8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), s.body * 0.9),
                    ("LEFTPADDING", (0, 0), (-1, -1), s.body * 1.0),
                ]
            )
        )
        return band


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


def flatten(flowables: list[Flowable]) -> list[Flowable]:
    """KeepTogether unpacked: inside a table cell it would claim an enormous height."""
    out: list[Flowable] = []
    for f in flowables:
        out += flatten(list(f._content)) if isinstance(f, KeepTogether) else [f]
    return out


def stack_height(flowables: list[Flowable], width: float) -> float:
    """Height the flowables take stacked in a column of this width."""
    scratch = rl_canvas.Canvas(io.BytesIO())
    total = 0.0
    for f in flowables:
        if isinstance(f, KeepTogether):  # its wrap() answers "huge" on purpose, to force a split
            total += stack_height(list(f._content), width)
        else:
            total += f.wrapOn(scratch, width, 100_000)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return total
