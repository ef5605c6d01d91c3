"""Document → PDF pages with ReportLab: the classroom handout and the one-page brief.

Layout only: blocks become flowables in `flow.py`; here they are fitted to pages (the handout
to at most its page budget, the one-pager to exactly one page) with a numbered footer.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    PageTemplate,
    Spacer,
    Table,
)
from reportlab.platypus.doctemplate import LayoutError

from briefgen.blocks import Document, Section
from briefgen.errors import RenderError
from briefgen.render import Rendered
from briefgen.render.flow import (
    FONT,
    Flow,
    Style,
    flatten,
    register_fonts,
    stack_height,
    table_style,
)
from briefgen.templates import Labels, Templates


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


def render_handout(doc: Document, templates: Templates) -> Rendered:
    """The classroom handout: title band, content note first, every section, numbered sources.

    Text starts at the theme's body size and shrinks (down to handout.min_body) until the
    handout fits in handout.max_pages; past that it is longer, never clipped.
    """
    register_fonts()
    theme = templates.theme
    cfg = theme["handout"]
    size, floor = float(theme["sizes"]["body"]), float(cfg.get("min_body", theme["sizes"]["body"]))
    budget = int(cfg.get("max_pages", 4))

    def fits(pages: int) -> bool:  # within budget, or so far over that no small shrink helps
        return pages <= budget or pages > budget * 1.5

    first = _handout_at(doc, templates, Style(theme, size))  # most handouts fit at once
    if fits(first.pages) or size - 0.25 < floor - 1e-9:
        return first
    size = round(size - 0.25, 2)  # shrink with drafts (pictures left blank: faster)...
    while size - 0.25 >= floor - 1e-9 and not fits(
        _handout_at(doc, templates, Style(theme, size, draft=True)).pages
    ):
        size = round(size - 0.25, 2)
    return _handout_at(doc, templates, Style(theme, size))  # ...then draw once


def _handout_at(doc: Document, templates: Templates, style: Style) -> Rendered:
    theme = templates.theme
    margin = float(theme["handout"]["margin_mm"]) * mm
    width = _page_size(theme)[0] - 2 * margin
    r = Flow(doc, style, width)
    story: list[Flowable] = [r.title_band(), Spacer(1, style.body)]
    sections = list(doc.sections)
    i = 0
    while i < len(sections):
        pair = sections[i : i + 2]
        if [s.id for s in pair] == ["background", "map"] and len(pair[1].blocks) == 1:
            side = _side_by_side(doc, style, width, pair[0], pair[1])
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
    except LayoutError:
        where = _oversized(doc, style, width, _page_size(theme)[1] - 2 * margin)
        raise RenderError(
            f"handout: something in the section '{where}' is taller than a page "
            "(a very long word, table cell or picture); shorten it"
        ) from None
    return Rendered(data, pages)


def _side_by_side(
    doc: Document,
    style: Style,
    width: float,
    text: Section,
    picture: Section,
) -> Flowable | None:
    """Text on the left, a picture on the right, when the text is short enough to sit beside it."""
    gap = 6 * mm
    left_w = (width - gap) * 0.58
    right_w = width - gap - left_w
    left = flatten(Flow(doc, style, left_w).section(text))
    if stack_height(flatten(Flow(doc, style, left_w).section(text)), left_w) > 120 * mm:
        return None
    right = flatten(Flow(doc, style, right_w).section(picture))
    table = Table([[left, right]], colWidths=[left_w + gap, right_w], hAlign="LEFT")
    table.setStyle(
        table_style(
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


def render_one_pager(doc: Document, templates: Templates) -> Rendered:
    """The one-page brief: shrinks text to fit one page, and fails (naming what is long) if it cannot."""
    register_fonts()
    theme = templates.theme
    cfg = theme["one_pager"]
    start, floor = float(cfg["body"]), float(cfg["min_body"])
    margin = float(cfg["margin_mm"]) * mm
    page_w, page_h = _page_size(theme)
    width = page_w - 2 * margin
    size = start
    while size >= floor - 1e-9:  # the first size drawn at once; smaller ones fitted as drafts
        draft = size != start
        try:
            data, pages = _one_pager_at(doc, theme, Style(theme, size, draft), margin, width)
        except LayoutError:
            pages = 2
        if pages == 1:
            if draft:
                data, _ = _one_pager_at(doc, theme, Style(theme, size), margin, width)
            return Rendered(data, 1)
        size = round(size - 0.25, 2)
    raise RenderError(_too_long(doc, theme, Style(theme, floor), width, page_h - 2 * margin))


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
    sections: list[Section],
    band: bool = False,
) -> list[Flowable]:
    r = Flow(doc, style, width)
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
) -> tuple[bytes, int]:
    gap = 7 * mm
    left_w = (width - gap) * 0.54
    right_w = width - gap - left_w
    top_s, left_s, right_s = _regions(doc)
    # Measure with one set of flowables, lay out another: ReportLab flowables keep wrap state.
    top_h = stack_height(_flowables(doc, style, width, top_s, band=True), width) + 4
    top = _flowables(doc, style, width, top_s, band=True)
    left = _flowables(doc, style, left_w, left_s)
    right = _flowables(doc, style, right_w, right_s)

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


def _too_long(
    doc: Document,
    theme: dict[str, Any],
    style: Style,
    width: float,
    height: float,
) -> str:
    """Name the sections that take the most room at the smallest size."""
    r = Flow(doc, style, width * 0.5)
    sizes = []
    for section in doc.sections:
        h = stack_height(r.section(section), width * 0.5)
        sizes.append((h, section.heading))
    sizes.sort(reverse=True)
    total = sum(h for h, _ in sizes)
    parts = ", ".join(f"{name} ({h / height:.0%} of a column)" for h, name in sizes[:3])
    return (
        f"one-page brief does not fit on one page even at the smallest text size "
        f"({style.body:g} pt; about {total / (2 * height):.1f} pages of columns). "
        f"Longest parts: {parts}. Shorten them, or set outputs without one-pager."
    )


def _oversized(doc: Document, style: Style, width: float, height: float) -> str:
    """The heading of the first section holding a piece taller than a page."""
    for section in doc.sections:
        for piece in flatten(Flow(doc, style, width).section(section)):
            if stack_height([piece], width) > height:
                return section.heading
    return "?"
