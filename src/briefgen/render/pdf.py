"""Document → PDF pages with ReportLab: every output whose description names the `pdf` renderer.

Layout only: blocks become flowables in `flow.py`; here they are fitted to pages as the output's
description says: `layout: flow` (one column) within a page budget, or `layout: columns` (a
full-width top, a main and a side column) on one page; an `exact` output fails rather than run
over. A numbered footer on every page.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
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

from briefgen.blocks import Banner, Document, Picture, Section
from briefgen.errors import RenderError
from briefgen.render import Rendered
from briefgen.render import flow as flow_module
from briefgen.render.flow import (
    Flow,
    Later,
    Style,
    flatten,
    register_fonts,
    stack_height,
    table_style,
)
from briefgen.render.pdftags import TaggedCanvas


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


def _numbered_canvas(doc: Document, style: Style, margin: float) -> type[rl_canvas.Canvas]:
    """A canvas that knows the page count, for "Page 2 of 3" footers, and tags the PDF with the
    structure `style.tags` collected (see pdftags.py)."""

    class NumberedCanvas(TaggedCanvas):
        tags = style.tags
        language, title, subject, authors = doc.language, doc.title, doc.subtitle, doc.authors

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._doc._timeStamp = _timestamp(doc.timestamp)

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            if style.last_page is not None and len(self._pages) > style.last_page:
                raise _PastLastPage
            self._startPage()

        def save(self) -> None:
            if style.draft:  # a trial for the page count: nothing drawn, nothing to write
                return
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            self.finish_tags()
            super().save()

        def _footer(self, total: int) -> None:
            width, _ = self._pagesize
            self._code.append("/Artifact <</Type /Pagination /Subtype /Footer>> BDC")
            self.setFont(flow_module.FONT, 7.5)
            self.setFillColor(style.colour("muted"))
            self.setStrokeColor(style.colour("rule"))
            self.setLineWidth(0.4)
            self.line(margin, margin * 0.75, width - margin, margin * 0.75)
            self.drawString(margin, margin * 0.5, doc.footer[:110])
            label = doc.words.fill("page", n=self._pageNumber, total=total)
            self.drawRightString(width - margin, margin * 0.5, label)
            self._code.append("EMC")
            if doc.header and self._pageNumber > 1:  # a running header, under the title's page
                _, height = self._pagesize
                self._code.append("/Artifact <</Type /Pagination /Subtype /Header>> BDC")
                self.setFont(flow_module.FONT, 7.5)
                self.setFillColor(style.colour("muted"))
                self.drawString(margin, height - margin * 0.6, doc.header[:140])
                self._code.append("EMC")

    return NumberedCanvas


def _page_size(doc: Document) -> tuple[float, float]:
    size: tuple[float, float] = LETTER if doc.theme.paper == "Letter" else A4
    return size


def _build(
    doc: Document,
    story: list[Flowable],
    margin: float,
    frames: Callable[[float, float], list[Frame]],
    style: Style,
) -> tuple[bytes, int]:
    buf = io.BytesIO()
    size = _page_size(doc)
    template = _DocTemplate(
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
        initialFontName=flow_module.FONT,  # else an unembedded Helvetica is listed in every PDF
    )
    laid_out = frames(*size)
    if style.draft:
        for frame in laid_out:
            frame.__class__ = _LayoutFrame
    template.addPageTemplates([PageTemplate("page", laid_out)])
    template.style = style
    try:
        template.build(story, canvasmaker=_numbered_canvas(doc, style, margin))
    except _PastLastPage:
        assert style.last_page is not None
        return b"", style.last_page + 1
    return buf.getvalue(), template.page


class _DocTemplate(BaseDocTemplate):  # type: ignore[misc]  # ReportLab is untyped
    """What is made later (`flow.Later`) is made when the layout reaches it; the room left at
    the foot of each page is kept in the style (`Style.free`)."""

    style: Style

    def filterFlowables(self, flowables: list[Flowable]) -> None:
        if flowables and isinstance(flowables[0], Later):
            flowables[0] = flowables[0].made()

    def handle_pageEnd(self) -> None:
        frame = self.frame  # the flow layout's one frame a page
        self.style.free.append(max(0.0, frame._y - frame._y1p))
        self.style.room = frame._aH
        super().handle_pageEnd()


class _PastLastPage(Exception):
    """A trial build ran past `Style.last_page`: how much further does not matter."""


def _no_drawing(*args: Any, **kwargs: Any) -> None:
    return None


class _LayoutFrame(Frame):  # type: ignore[misc]  # ReportLab is untyped
    """A frame for a trial build (a draft): flowables are measured, split and placed exactly as
    in the real build, so the page count is the same, but none is drawn: a trial costs its
    layout only. (What a flowable draws never moves what follows it.)"""

    def _add(self, flowable: Flowable, canv: Any, trySplit: int = 0) -> int:
        flowable.drawOn = _no_drawing
        return int(super()._add(flowable, canv, trySplit))

    add = _add


def render(doc: Document) -> Rendered:
    """The PDF for a planned Document, laid out as its output's description says."""
    register_fonts(doc.fonts or None)
    if doc.spec.layout == "columns":
        return _render_columns(doc)
    return _render_flow(doc)


def _render_flow(doc: Document) -> Rendered:
    """The flow layout within its budget. Text starts at the output's body size and shrinks
    (down to `text.min`) until the output fits its page budget; when it would still run over,
    optional sections are left out, last first (and a warning names them); past that it is
    longer, never clipped (an `exact` output fails instead, naming what is long).

    Most outputs fit at once, drawn in one build. Otherwise the trials are drafts (laid out,
    not drawn), and the size and sections found are drawn once, at the end. Where the text
    cannot shrink, what the first build ran over decides without drafts which choices of
    sections are too long, and the first that may fit is drawn at once (`_Overflow`)."""
    spec = doc.spec
    body, budget, last = spec.text.body, spec.pages, _last_page(doc)
    first_style = Style(doc.theme, body, last_page=last)
    first = _flow_at(doc, first_style)
    if budget is None or first.pages <= budget:
        return _checked(doc, first)
    size, pages = _fitting_size(doc, first.pages)
    dropped: list[Section] = []
    optional = [s for s in doc.sections if s.optional]
    if optional and _beyond_help(doc, pages, last):
        optional = []  # leaving them out would lose them and still not fit: all are kept
    # Text that cannot shrink: what the first layout left over tells which drops are too few.
    stopped = last is None or first.pages > last
    over = _Overflow(doc, first_style, budget, stopped) if spec.text.min >= body else None
    trial: Rendered | None = None  # a layout drawn on a guess that it fits, which it did
    while pages > budget and optional:
        dropped.append(optional.pop())
        doc = replace(doc, sections=tuple(s for s in doc.sections if s not in dropped))
        if over is not None and over.usable(dropped):
            if over.surely_long(dropped):
                continue  # no draft: still too long, whatever the page breaks do
            # Drawn: the output if it fits, or if nothing is left to leave out.
            final = not optional
            trial = _flow_at(doc, Style(doc.theme, body, last_page=None if final else budget))
            pages = trial.pages
            trial = trial if pages <= budget or final else None
            continue
        size, pages = _fitting_size(doc, None)
    whole = size == body and not dropped and last is not None and first.pages <= last
    rendered = first if whole else trial or _flow_at(doc, Style(doc.theme, size))
    if dropped:
        names = ", ".join(s.heading or s.id for s in reversed(dropped))
        rendered.warnings.append(f"left out to keep within {budget} pages: {names}")
    if rendered.pages > budget and not spec.exact:
        rendered.warnings.append(
            f"{rendered.pages} pages, over its budget of {budget}; shorten its longest parts"
        )
    return _checked(doc, rendered)


class _Overflow:
    """What a layout at the body size ran past its page budget, to leave out optional
    sections without a draft for each: when the heights of those left out, plus all the room
    left at the foot of the pages within the budget (page breaks may win it back), plus a
    margin, are still less than what ran over, the output cannot fit. Otherwise a fit is
    likely, and the next layout is drawn at once (a draft only if it does not fit)."""

    MARGIN = 0.1  # of a page: spacing at page tops, table headers repeated on a new page

    def __init__(self, doc: Document, style: Style, budget: int, stopped: bool) -> None:
        self.budget, self.style, self.stopped = budget, style, stopped
        free, room = style.free, style.room
        self.over = sum(room - f for f in free[budget:])
        self.slack = sum(free[:budget]) + self.MARGIN * room
        self.width = _page_size(doc)[0] - 2 * doc.spec.margin_mm * mm
        self.whole = doc
        self.heights: dict[int, float] = {}

    def usable(self, dropped: list[Section]) -> bool:
        """Whether the rule holds for these sections: the first layout ran to its end (it was
        not stopped past its last page), and no section left out sat beside another."""
        if self.stopped:
            return False
        sections = list(self.whole.sections)
        for s in dropped:
            i = sections.index(s)
            if s.beside or (i + 1 < len(sections) and sections[i + 1].beside):
                return False
        return True

    def surely_long(self, dropped: list[Section]) -> bool:
        return sum(self._height(s) for s in dropped) + self.slack < self.over

    def _height(self, section: Section) -> float:
        if id(section) not in self.heights:
            scratch = Style(self.style.theme, self.style.body, draft=True)
            made = flatten(Flow(self.whole, scratch, self.width).section(section))
            self.heights[id(section)] = stack_height(made, self.width)
        return self.heights[id(section)]


def _beyond_help(doc: Document, pages: int, last: int | None) -> bool:
    """Past half again its budget at the body size, and still so without any optional
    section: no shrink or leaving out would bring it within its budget (a brief with
    thousands of rows). Exact outputs shrink to the smallest size and fail instead."""
    if doc.spec.exact or last is None or pages <= last:
        return False
    bare = replace(doc, sections=tuple(s for s in doc.sections if not s.optional))
    return _draft_pages(bare, doc.spec.text.body) > last


def _fitting_size(doc: Document, at_body: int | None) -> tuple[float, int]:
    """The largest text size (a quarter point at a time, down to `text.min`) at which the
    output fits its budget, found with drafts, and its page count; when none does, the
    smallest size. Past half again the budget no small shrink helps, so the body size stays
    (unless the output is `exact`). `at_body`: the page count at the body size, if known."""
    spec = doc.spec
    size, floor, budget = spec.text.body, spec.text.min, spec.pages or 0

    def fits(pages: int) -> bool:
        return pages <= budget or (not spec.exact and pages > budget * 1.5)

    pages = at_body if at_body is not None else _draft_pages(doc, size)
    while not fits(pages) and size - 0.25 >= floor - 1e-9:
        size = round(size - 0.25, 2)
        pages = _draft_pages(doc, size)
    return size, pages


def _draft_pages(doc: Document, size: float) -> int:
    return _flow_at(doc, Style(doc.theme, size, draft=True, last_page=_last_page(doc))).pages


def _last_page(doc: Document) -> int | None:
    """Where a trial can stop counting: past the budget (exact outputs), or past half again
    the budget (then no small shrink helps, and the body size stays)."""
    budget = doc.spec.pages
    if budget is None:
        return None
    return budget if doc.spec.exact else int(budget * 1.5)


def _checked(doc: Document, rendered: Rendered) -> Rendered:
    """An exact output over its page budget is an error that names the longest parts."""
    spec = doc.spec
    if spec.exact and spec.pages is not None and rendered.pages > spec.pages:
        page_w, page_h = _page_size(doc)
        margin = spec.margin_mm * mm
        style = Style(doc.theme, spec.text.min)
        raise RenderError(_too_long(doc, style, page_w - 2 * margin, page_h - 2 * margin, False))
    return rendered


def _is_banner(section: Section) -> bool:
    return all(isinstance(b, Banner) for b in section.blocks)


def _logo(sections: list[Section]) -> Picture | None:
    """A logo placed first (after any banner) goes into the title band: taken off the list."""
    if sections and len(sections[0].blocks) == 1:
        block = sections[0].blocks[0]
        if isinstance(block, Picture) and block.decorative:
            sections.pop(0)
            return block
    return None


def _flow_at(doc: Document, style: Style) -> Rendered:
    margin = doc.spec.margin_mm * mm
    width = _page_size(doc)[0] - 2 * margin
    r = Flow(doc, style, width)
    sections = list(doc.sections)
    story: list[Flowable] = []
    while sections and _is_banner(sections[0]):  # handling lines go above the title
        story += r.section(sections.pop(0))
    story += [r.title_band(logo=_logo(sections)), Spacer(1, style.body)]
    i = 0
    while i < len(sections):
        pair = sections[i : i + 2]
        if len(pair) == 2 and pair[1].beside and len(pair[1].blocks) == 1:
            side = _side_by_side(doc, style, width, pair[0], pair[1])
            if side is not None:
                story.append(side)
                i += 2
                continue
        story += r.section(sections[i])
        i += 1

    def frames(w: float, h: float) -> list[Frame]:
        pad = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
        return [Frame(margin, margin, w - 2 * margin, h - 2 * margin, id="body", **pad)]

    try:
        data, pages = _build(doc, story, margin, frames, style)
    except LayoutError:
        where = _oversized(doc, style, width, _page_size(doc)[1] - 2 * margin)
        raise RenderError(
            f"{doc.output}: something in the section '{where}' is taller than a page "
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
    page_h = _page_size(doc)[1] - 2 * doc.spec.margin_mm * mm
    if stack_height(flatten(Flow(doc, style, left_w).section(text)), left_w) > 0.62 * page_h:
        return None  # a longer text would leave a tall empty column under the picture
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


def _render_columns(doc: Document) -> Rendered:
    """One page in columns: text shrinks to fit, and the build fails (naming what is long) if
    it cannot."""
    spec = doc.spec
    start, floor = spec.text.body, spec.text.min
    margin = spec.margin_mm * mm
    page_w, page_h = _page_size(doc)
    width = page_w - 2 * margin
    size = start
    while size >= floor - 1e-9:  # the first size drawn at once; smaller ones fitted as drafts
        draft = size != start
        try:
            data, pages = _columns_at(doc, Style(doc.theme, size, draft), margin, width)
        except LayoutError:
            pages = 2
        if pages == 1:
            if draft:
                data, _ = _columns_at(doc, Style(doc.theme, size), margin, width)
            return Rendered(data, 1)
        size = round(size - 0.25, 2)
    raise RenderError(_too_long(doc, Style(doc.theme, floor), width, page_h - 2 * margin))


def _regions(doc: Document) -> tuple[list[Section], list[Section], list[Section]]:
    """Top (full width), main column (the story), side column: as the description places them."""
    top = [s for s in doc.sections if s.region == "top"]
    main = [s for s in doc.sections if s.region == "main"]
    side = [s for s in doc.sections if s.region == "side"]
    return top, main, side


def _flowables(
    doc: Document,
    style: Style,
    width: float,
    sections: list[Section],
    band: bool = False,
) -> list[Flowable]:
    r = Flow(doc, style, width)
    out: list[Flowable] = []
    sections = list(sections)
    if band:
        while sections and _is_banner(sections[0]):  # handling lines go above the title
            out += r.section(sections.pop(0))
        out += [r.title_band(compact=True, logo=_logo(sections)), Spacer(1, style.body * 0.5)]
    for section in sections:
        out += r.section(section)
    return out


def _columns_at(doc: Document, style: Style, margin: float, width: float) -> tuple[bytes, int]:
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
    return _build(doc, story, margin, frames, style)


def _too_long(
    doc: Document, style: Style, width: float, height: float, columns: bool = True
) -> str:
    """Name the sections that take the most room at the smallest size."""
    column = width * 0.5 if columns else width
    r = Flow(doc, style, column)
    sizes = []
    for section in doc.sections:
        h = stack_height(r.section(section), column)
        sizes.append((h, section.heading or section.id))
    sizes.sort(reverse=True)
    total = sum(h for h, _ in sizes)
    unit = "a column" if columns else "a page"
    parts = ", ".join(f"{name} ({h / height:.0%} of {unit})" for h, name in sizes[:3])
    budget = doc.spec.pages or 1
    pages = total / ((2 if columns else 1) * height)
    return (
        f"{doc.output} does not fit on {budget} page{'s' * (budget != 1)} even at the smallest "
        f"text size ({style.body:g} pt; about {pages:.1f} pages{' of columns' * columns}). "
        f"Longest parts: {parts}. Shorten them, or build this brief without {doc.output}."
    )


def _oversized(doc: Document, style: Style, width: float, height: float) -> str:
    """The heading of the first section holding a piece taller than a page."""
    for section in doc.sections:
        for piece in flatten(Flow(doc, style, width).section(section)):
            if stack_height([piece], width) > height:
                return section.heading
    return "?"
