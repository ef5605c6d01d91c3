"""Document blocks → PDF with ReportLab: the classroom handout and the one-page brief.

Brief text reaches ReportLab's paragraph markup only through `_markup`, which escapes every
character of content; styling comes from spans, never from the text. Fonts are DejaVu, embedded.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    FrameBreak,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from briefgen import charts
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
from briefgen.render import Rendered, font_path
from briefgen.templates import Labels, Templates

FONT = "DejaVuSans"

# Binary streams: ASCII85 would make every image a quarter larger and cost time to encode.
rl_config.useA85 = 0


def _register_fonts() -> None:
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
            href = escape(s.href, {'"': "&quot;"})
            text = f'<a href="{href}" color="{link_colour}"><u>{text}</u></a>'
        out.append(text)
    return "".join(out)


def _plain(text: str) -> str:
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


class _Renderer:
    """Turns sections into flowables at one style size."""

    def __init__(
        self, doc: Document, style: Style, width: float, chart_cache: charts.ChartCache
    ) -> None:
        self.doc, self.s, self.width, self.charts = doc, style, width, chart_cache
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
                            f"<b>{_plain(section.heading)}:</b> " + _markup(_first_spans(section)),
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
        head = Paragraph(_plain(section.heading), self.s.para("heading"))
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
                _plain(c),
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
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        pad = self.s.body * 0.3
        table.setStyle(
            _style(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), self.s.colour("shade")),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, self.s.colour("accent")),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.35, self.s.colour("rule")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), pad),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ]
            )
        )
        return [table, Spacer(1, self.s.body * 0.6)]

    def _chart(self, b: Chart) -> list[Flowable]:
        spec = b.spec
        png, height_in = self.chart_png(spec, self.width / inch)
        image = self._image(io.BytesIO(png), self.width, height_in * inch)
        out: list[Flowable] = []
        if spec.kind != "timeline":
            out.append(Paragraph(_plain(spec.title), self.s.para("subheading")))
        out.append(image)
        out += [Paragraph(_plain(line), self.s.para("caption")) for line in spec.caption_lines]
        return [KeepTogether(out), Spacer(1, self.s.body * 0.4)]

    def chart_png(self, spec: charts.ChartSpec, width_in: float) -> tuple[bytes, float]:
        return self.charts.image(spec, width_in)

    def _image(self, source: Any, width: float, height: float) -> Flowable:
        if self.s.draft:
            return Spacer(width, height)
        return Image(source, width=width, height=height)

    def _picture(self, b: Picture) -> list[Flowable]:
        width = min(self.width, 110 * mm)
        height = width * b.height / b.width
        image = self._image(
            _print_resolution(b.path, width) if not self.s.draft else None, width, height
        )
        image.hAlign = "LEFT"
        caption = _markup(b.caption) + (f" <i>{_plain(b.credit)}</i>" if b.credit else "")
        return [KeepTogether([image, Paragraph(caption, self.s.para("caption"))])]

    def _keyfigures(self, b: KeyFigures) -> list[Flowable]:
        cell_w = self.width / len(b.items) - 12  # minus the cell padding
        widest = max(pdfmetrics.stringWidth(f.value, FONT + "-Bold", 1) for f in b.items)
        size = min(self.s.body * 1.75, cell_w / widest)
        big = self.s.para("figure", fontSize=size, leading=size * 1.15)
        cells = [
            [
                Paragraph(_plain(f.value), big),
                Paragraph(_markup(f.label), self.s.para("cell")),
                Paragraph(_plain(f.note), self.s.para("small")),
            ]
            for f in b.items
        ]
        n = len(cells)
        table = Table([cells], colWidths=[self.width / n] * n, hAlign="LEFT")
        table.setStyle(
            _style(
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
            text = f"“{text}”"
        return [
            KeepTogether(
                [
                    Paragraph(text, self.s.para("quote")),
                    Paragraph("— " + _plain(b.attribution), self.s.para("attribution")),
                ]
            )
        ]

    def _opinion(self, b: Opinion) -> list[Flowable]:
        tag = _plain(self.labels["opinion"].upper())
        para = Paragraph(
            f'<font size="{self.s.body * 0.72:.1f}" color="#555555">{tag}</font>  '
            f"<b>{_plain(b.label)}.</b> {_markup(b.text)}",
            self.s.para("note"),
        )
        return [self._boxed([para], "opinion"), Spacer(1, self.s.body * 0.35)]

    def _definitions(self, b: Definitions) -> list[Flowable]:
        """Two columns, read down the left then the right; rows split across pages."""
        style = self.s.para("note", spaceAfter=0)
        paras = [
            Paragraph(f"<b>{_plain(d.term)}</b> — {_markup(d.definition)}", style) for d in b.items
        ]
        half = (len(paras) + 1) // 2
        rows = [[paras[i], paras[half + i] if half + i < len(paras) else ""] for i in range(half)]
        table = Table(rows, colWidths=[self.width / 2] * 2, hAlign="LEFT")
        table.setStyle(
            _style(
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
        box.setStyle(_style(commands))
        return box

    def title_band(self, compact: bool = False) -> Flowable:
        d, s = self.doc, self.s
        white = s.theme["colours"]["band_text"]
        size = s.body * (2.0 if compact else 2.3)
        parts = [
            Paragraph(
                f'<font color="{white}">{_plain(d.kicker.upper())} · {_plain(d.date_line)}</font>',
                s.para("small", textColor=colors.HexColor(white), spaceAfter=3),
            ),
            Paragraph(
                f'<font color="{white}">{_plain(d.title)}</font>',
                s.para("heading", fontSize=size, leading=size * 1.15, spaceBefore=0, spaceAfter=2),
            ),
        ]
        if d.subtitle:
            parts.append(
                Paragraph(
                    f'<font color="{white}">{_plain(d.subtitle)}</font>',
                    s.para("body", fontSize=s.body * 1.1, spaceAfter=0),
                )
            )
        band = Table([[parts]], colWidths=[self.width], hAlign="LEFT")
        band.setStyle(
            _style(
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


@lru_cache(maxsize=32)
def _print_resolution_png(path: Path, max_px: int) -> bytes:
    from PIL import Image as PILImage

    with PILImage.open(path) as opened:
        opened.load()
        im: PILImage.Image = opened
        if im.width > max_px:
            size = (max_px, round(im.height * max_px / im.width))
            im = im.resize(size, PILImage.Resampling.BICUBIC, reducing_gap=2.0)
        if im.mode not in ("RGB", "RGBA", "L", "LA"):
            im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
        buf = io.BytesIO()
        im.save(buf, format="PNG", compress_level=1)
        return buf.getvalue()


def _print_resolution(path: Path, width_pt: float) -> io.BytesIO:
    """The picture at no more than 300 dpi at its printed size: smaller PDFs, faster builds."""
    return io.BytesIO(_print_resolution_png(path, math.ceil(width_pt / 72 * PRINT_DPI)))


def _style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A table style whose cells use the embedded font (ReportLab's default is Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _span(text: str) -> Any:
    from briefgen.text import Span

    return Span(text, strong=True)


def _first_spans(section: Section) -> Spans:
    block = section.blocks[0]
    return block.spans if isinstance(block, PlanParagraph) else ()


def _timestamp(seconds: int) -> Any:
    """ReportLab's document time, set to the brief's (or SOURCE_DATE_EPOCH), in UTC."""
    import time

    from reportlab.lib.utils import TimeStamp

    ts = TimeStamp(invariant=True)
    ts.t, ts.lt = seconds, time.gmtime(seconds)
    ts.YMDhms = tuple(ts.lt)[:6]
    ts.dhh = ts.dmm = 0
    ts.tzname = "UTC"
    return ts


def _numbered_canvas(
    title: str, page_label: Labels, style: Style, doc_time: int
) -> type[rl_canvas.Canvas]:
    """A canvas that knows the page count, for "Page 2 of 3" footers."""

    class NumberedCanvas(rl_canvas.Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._doc._timeStamp = _timestamp(doc_time)

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _ = self._pagesize
            margin = self._footer_margin
            self.setFont(FONT, 7.5)
            self.setFillColor(style.colour("muted"))
            self.setStrokeColor(style.colour("rule"))
            self.setLineWidth(0.4)
            self.line(margin, margin * 0.75, width - margin, margin * 0.75)
            self.drawString(margin, margin * 0.5, title[:110])
            label = page_label.fill("page", n=self._pageNumber, total=total)
            self.drawRightString(width - margin, margin * 0.5, label)

    return NumberedCanvas


def _page_size(theme: dict[str, Any]) -> tuple[float, float]:
    paper = str(theme.get("paper", "A4")).lower()
    if paper not in ("a4", "letter"):
        raise RenderError(f"theme paper must be A4 or Letter (got '{theme.get('paper')}')")
    size: tuple[float, float] = LETTER if paper == "letter" else A4
    return size


def _build(
    doc: Document,
    theme: dict[str, Any],
    story: list[Flowable],
    margin: float,
    frames: Callable[[float, float], list[Frame]],
    style: Style,
) -> tuple[bytes, int]:
    buf = io.BytesIO()
    size = _page_size(theme)
    template = BaseDocTemplate(
        buf,
        pagesize=size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=doc.title,
        author=", ".join(doc.authors) or "briefgen",
        subject=doc.subtitle,
        creator="briefgen",
        invariant=1,
        lang=doc.language,
        initialFontName=FONT,  # else an unembedded Helvetica is listed in every PDF
    )
    template.addPageTemplates([PageTemplate("page", frames(*size))])
    labels = Labels(doc.labels, "labels")
    canvas_cls = _numbered_canvas(doc.title, labels, style, doc.timestamp)
    canvas_cls._footer_margin = margin
    template.build(story, canvasmaker=canvas_cls)
    return buf.getvalue(), template.page


def render_handout(
    doc: Document, templates: Templates, chart_cache: charts.ChartCache | None = None
) -> Rendered:
    """The classroom handout: title band, content note first, every section, numbered sources.

    Text starts at the theme's body size and shrinks (down to handout.min_body) until the
    handout fits in handout.max_pages; past that it is longer, never clipped.
    """
    _register_fonts()
    theme = templates.theme
    cfg = theme["handout"]
    size, floor = float(theme["sizes"]["body"]), float(cfg.get("min_body", theme["sizes"]["body"]))
    cache = chart_cache if chart_cache is not None else charts.ChartCache()
    while size - 0.25 >= floor - 1e-9:  # fit with drafts (no image data), then draw once
        if _handout_at(doc, templates, Style(theme, size, draft=True), cache).pages <= int(
            cfg.get("max_pages", 4)
        ):
            break
        size = round(size - 0.25, 2)
    return _handout_at(doc, templates, Style(theme, size), cache)


def _handout_at(
    doc: Document, templates: Templates, style: Style, cache: charts.ChartCache
) -> Rendered:
    theme = templates.theme
    margin = float(theme["handout"]["margin_mm"]) * mm
    width = _page_size(theme)[0] - 2 * margin
    r = _Renderer(doc, style, width, cache)
    story: list[Flowable] = [r.title_band(), Spacer(1, style.body)]
    sections = list(doc.sections)
    i = 0
    while i < len(sections):
        pair = sections[i : i + 2]
        if [s.id for s in pair] == ["background", "map"] and len(pair[1].blocks) == 1:
            side = _side_by_side(doc, style, width, r.charts, pair[0], pair[1])
            if side is not None:
                story.append(side)
                i += 2
                continue
        story += r.section(sections[i])
        i += 1

    def frames(w: float, h: float) -> list[Frame]:
        return [
            Frame(
                margin,
                margin,
                w - 2 * margin,
                h - 2 * margin,
                id="body",
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )
        ]

    try:
        data, pages = _build(doc, theme, story, margin, frames, style)
    except LayoutError as e:
        raise RenderError(f"handout: a part is too large to fit on a page ({_short(e)})") from None
    return Rendered(data, pages)


def _side_by_side(
    doc: Document,
    style: Style,
    width: float,
    cache: charts.ChartCache,
    text: Section,
    picture: Section,
) -> Flowable | None:
    """Text on the left, a picture on the right, when the text is short enough to sit beside it."""
    gap = 6 * mm
    left_w = (width - gap) * 0.58
    right_w = width - gap - left_w
    left = _flatten(_Renderer(doc, style, left_w, cache).section(text))
    if _height(_flatten(_Renderer(doc, style, left_w, cache).section(text)), left_w) > 120 * mm:
        return None
    right = _flatten(_Renderer(doc, style, right_w, cache).section(picture))
    table = Table([[left, right]], colWidths=[left_w + gap, right_w], hAlign="LEFT")
    table.setStyle(
        _style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), gap),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def render_one_pager(
    doc: Document, templates: Templates, chart_cache: charts.ChartCache | None = None
) -> Rendered:
    """The one-page brief: shrinks text to fit one page, and fails (naming what is long) if it cannot."""
    _register_fonts()
    theme = templates.theme
    cfg = theme["one_pager"]
    start, floor = float(cfg["body"]), float(cfg["min_body"])
    margin = float(cfg["margin_mm"]) * mm
    page_w, page_h = _page_size(theme)
    width = page_w - 2 * margin
    cache = chart_cache if chart_cache is not None else charts.ChartCache()
    size = start
    while size >= floor - 1e-9:  # fit with drafts (no image data), then draw once
        try:
            _, pages = _one_pager_at(
                doc, theme, Style(theme, size, draft=True), margin, width, cache
            )
        except LayoutError:
            pages = 2
        if pages == 1:
            data, _ = _one_pager_at(doc, theme, Style(theme, size), margin, width, cache)
            return Rendered(data, 1)
        size = round(size - 0.25, 2)
    raise RenderError(_too_long(doc, theme, Style(theme, floor), width, page_h - 2 * margin, cache))


_LEFT = ("background",)  # the story runs in the left column; numbers and sources on the right


def _regions(doc: Document) -> tuple[list[Section], list[Section], list[Section]]:
    """Top (full width): bottom line and key figures; left: the story; right: the rest."""
    top = [s for s in doc.sections if s.id in ("summary", "key_figures")]
    left = [s for s in doc.sections if s.id in _LEFT]
    right = [s for s in doc.sections if s not in top and s not in left]
    return top, left, right


def _flowables(
    doc: Document,
    style: Style,
    width: float,
    cache: charts.ChartCache,
    sections: list[Section],
    band: bool = False,
) -> list[Flowable]:
    r = _Renderer(doc, style, width, cache)
    out: list[Flowable] = [r.title_band(compact=True), Spacer(1, style.body * 0.5)] if band else []
    for section in sections:
        out += r.section(section)
    return out


def _one_pager_at(
    doc: Document,
    theme: dict[str, Any],
    style: Style,
    margin: float,
    width: float,
    cache: charts.ChartCache,
) -> tuple[bytes, int]:
    gap = 7 * mm
    left_w = (width - gap) * 0.54
    right_w = width - gap - left_w
    top_s, left_s, right_s = _regions(doc)
    # Measure with one set of flowables, lay out another: ReportLab flowables keep wrap state.
    top_h = _height(_flowables(doc, style, width, cache, top_s, band=True), width) + 4
    top = _flowables(doc, style, width, cache, top_s, band=True)
    left = _flowables(doc, style, left_w, cache, left_s)
    right = _flowables(doc, style, right_w, cache, right_s)

    def frames(w: float, h: float) -> list[Frame]:
        body_h = h - 2 * margin
        col_h = body_h - top_h
        pad = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
        return [
            Frame(margin, h - margin - top_h, width, top_h, id="top", **pad),
            Frame(margin, margin, left_w, col_h, id="left", **pad),
            Frame(margin + left_w + gap, margin, right_w, col_h, id="right", **pad),
        ]

    story = [*top, FrameBreak(), *left, FrameBreak(), *right]
    return _build(doc, theme, story, margin, frames, style)


def _flatten(flowables: list[Flowable]) -> list[Flowable]:
    """KeepTogether unpacked: inside a table cell it would claim an enormous height."""
    out: list[Flowable] = []
    for f in flowables:
        out += _flatten(list(f._content)) if isinstance(f, KeepTogether) else [f]
    return out


def _height(flowables: list[Flowable], width: float) -> float:
    """Height the flowables take stacked in a column of this width."""
    scratch = rl_canvas.Canvas(io.BytesIO())
    total = 0.0
    for f in flowables:
        if isinstance(f, KeepTogether):  # its wrap() answers "huge" on purpose, to force a split
            total += _height(list(f._content), width)
        else:
            total += f.wrapOn(scratch, width, 100_000)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _too_long(
    doc: Document,
    theme: dict[str, Any],
    style: Style,
    width: float,
    height: float,
    cache: charts.ChartCache,
) -> str:
    """Name the sections that take the most room at the smallest size."""
    r = _Renderer(doc, style, width * 0.5, cache)
    sizes = []
    for section in doc.sections:
        h = _height(r.section(section), width * 0.5)
        sizes.append((h, section.heading))
    sizes.sort(reverse=True)
    total = sum(h for h, _ in sizes)
    parts = ", ".join(f"{name} ({h / height:.0%} of a column)" for h, name in sizes[:3])
    return (
        f"one-page brief does not fit on one page even at the smallest text size "
        f"({style.body:g} pt; about {total / (2 * height):.1f} pages of columns). "
        f"Longest parts: {parts}. Shorten them, or set outputs without one-pager."
    )


def _short(e: Exception) -> str:
    text = " ".join(str(e).split())
    return text if len(text) < 160 else text[:157] + "..."
