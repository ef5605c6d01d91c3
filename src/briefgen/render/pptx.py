"""Document → PPTX deck: native charts, speaker notes, alt text; text laid out by `measure`."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_MARK
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Pt

from briefgen.blocks import Chart, Document, Picture, plain_spans
from briefgen.format import Formatter
from briefgen.images import deck_picture
from briefgen.master import open_master
from briefgen.render import Rendered
from briefgen.render.deck_locale import number_format, retag
from briefgen.render.measure import (
    CELL_X,
    CELL_Y,
    GAP,
    INCH,
    LEADING,
    GridPiece,
    Limits,
    Para,
    Piece,
    Planner,
    SlidePlan,
    TablePiece,
    TextPiece,
    line,
    text_width,
    use_metrics,
    wrap,
)

__all__ = ["render"]

EMU = 12700  # EMU per point
MARGIN, TITLE_TOP, TITLE_H, BODY_TOP, FOOT = 43.2, 21.6, 64.8, 104.4, 39.6  # points
# Text is written as DrawingML directly, exactly as python-pptx's setters would write it, but
# without their lookups: each run, paragraph spacing and cell style is built once, then copied.
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_INSETS = {"lIns": 91440, "rIns": 91440, "tIns": 45720, "bIns": 45720}  # python-pptx's defaults
_CONTROL = re.compile(r"([\x00-\x08\x0B-\x1F])")  # escaped as python-pptx does: _x001B_


def _a(tag: str) -> str:
    """A DrawingML tag in Clark notation, for lxml's find()."""
    return _A + tag


def emu(points: float) -> Emu:
    """Points as EMU, rounded."""
    return Emu(round(points * EMU))


class Deck:
    """One presentation being built: theme, geometry and the slides so far."""

    def __init__(self, doc: Document) -> None:
        theme, spec = doc.theme, doc.spec
        self.doc, self.labels, self.warnings = doc, doc.words, list[str]()
        self.body, self.min_body = spec.text.body, spec.text.min
        self.font = theme.fonts.deck
        self.colours = {**theme.colours.model_dump(), "white": "#FFFFFF"}
        self.palette = list(theme.chart_palette)
        use_metrics(doc.metrics)  # the deck font's own metrics, when the theme gives its files
        if doc.master is not None:  # its layouts and branding, not its slides
            self.prs = open_master(doc.master)  # validated: master.py
        else:
            self.prs = Presentation()
            self.prs.slide_width = emu(spec.slide_width_in * INCH)
            self.prs.slide_height = emu(spec.slide_height_in * INCH)
        _name_parts_quickly(self.prs.part.package)
        self.width = (self.prs.slide_width or 0) / EMU
        self.height = (self.prs.slide_height or 0) / EMU
        self.inner, self.avail = self.width - 2 * MARGIN, self.height - FOOT - BODY_TOP
        self._made: dict[tuple[Any, ...], Any] = {}  # built XML, copied on each use
        self._layouts: dict[str, Any] = {}

    def rgb(self, name: str) -> RGBColor:
        """A theme colour (or '#RRGGBB')."""
        code = (
            name if name.startswith("#") else self.colours.get(name, self.colours["ink"])
        ).lstrip("#")
        return RGBColor(*(int(code[i : i + 2], 16) for i in (0, 2, 4)))  # type: ignore[no-untyped-call]

    def copy(self, build: Callable[..., Any], *args: Any) -> Any:
        """A copy of what `build(*args)` makes, built once: copying is ~10× faster than building."""
        if (build, *args) not in self._made:
            self._made[build, *args] = build(*args)
        return deepcopy(self._made[build, *args])

    # -- text --

    def paragraph(self, el: Any, para: Para, base: float, align: Any, part: Any) -> None:
        """Fill an `a:p`: exact spacing, a bullet or number, the runs (links related to `part`)."""
        size = para.size(base)
        ppr = el.find(_a("pPr"))
        if ppr is None:
            ppr = el.makeelement(_a("pPr"), {})
            el.insert(0, ppr)
        ppr.set("algn", PP_ALIGN.to_xml(align))
        if len(ppr):  # properties already there: let python-pptx put each in its place
            ppr.line_spacing, ppr.space_before = Pt(LEADING * size), Pt(0)
            ppr.space_after = Pt(para.after * size)
        else:
            spacing = (str(Pt(v).centipoints) for v in (LEADING * size, 0, para.after * size))
            ppr.extend(list(self.copy(_spacing, *spacing)))
        if para.number:  # a real bullet or number with a hanging indent
            indent = round(para.indent(base) * EMU)
            ppr.set("marL", str(indent))
            ppr.set("indent", str(-indent if para.marker else 0))
            if not para.marker:
                _el(ppr, "buNone")
            else:
                _el(_el(ppr, "buClr"), "srgbClr", val=str(self.rgb("accent")))
                _el(ppr, "buFont", typeface=self.font)
                if para.number > 0:
                    _el(ppr, "buAutoNum", type="arabicPeriod", startAt=str(para.number))
                else:
                    _el(ppr, "buChar", char="•")
        end = el.find(_a("endParaRPr"))  # runs and breaks go before it
        add = el.append if end is None else end.addprevious
        size_cp, colour = str(Pt(size).centipoints), str(self.rgb(para.colour))
        for s in para.spans:
            b, i = "1" if para.bold or s.strong else "0", "1" if para.italic or s.emphasis else "0"
            for j, text in enumerate(s.text.split("\n")):
                if j:
                    add(el.makeelement(_a("br"), {}))
                if text:
                    add(r := self.copy(self.run, size_cp, b, i, colour))
                    r[-1].text = _CONTROL.sub(_escape, text)  # content is never markup
                    if s.href:  # now that the run is in the slide: its r: prefix
                        rid = part.relate_to(s.href, RT.HYPERLINK, is_external=True)
                        _el(r[0], "hlinkClick").set(_R_ID, rid)

    def run(self, size: str, bold: str, italic: str, colour: str) -> Any:
        """An `a:r` with its properties and an empty `a:t`."""
        r = OxmlElement("a:r")
        rpr = _el(r, "rPr", sz=size, b=bold, i=italic, lang=self.doc.language)
        _el(_el(rpr, "solidFill"), "srgbClr", val=colour)
        _el(rpr, "latin", typeface=self.font)
        _el(r, "t")
        return r

    def frame(
        self,
        shape: Any,
        paras: tuple[Para, ...],
        base: float,
        pad: tuple[float, float] = (0, 0),
        align: Any = PP_ALIGN.LEFT,
        anchor: Any = MSO_ANCHOR.TOP,
    ) -> Any:
        """Paragraphs in a shape's text frame: wrapped, never auto-fitted, padded, anchored."""
        body = shape.text_frame._txBody
        props = body.find(_a("bodyPr"))
        props.set("wrap", "square")
        props.autofit = MSO_AUTO_SIZE.NONE
        props.set("anchor", MSO_ANCHOR.to_xml(anchor))
        x, y = emu(pad[0]), emu(pad[1])
        for (name, default), value in zip(_INSETS.items(), (x, x, y, y), strict=True):
            if value == default:  # python-pptx leaves a default out
                props.attrib.pop(name, None)
            else:
                props.set(name, str(value))
        for n, para in enumerate(paras):
            p = body.find(_a("p")) if n == 0 else _el(body, "p")
            self.paragraph(p, para, base, align, shape.part)
        return shape

    def box(self, slide: Any, x: float, y: float, w: float, h: float, fill: str = "") -> Any:
        """A text box; with `fill`, a rectangle of that colour without outline or shadow."""
        if not fill:
            return slide.shapes.add_textbox(emu(x), emu(y), emu(w), emu(h))
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, emu(x), emu(y), emu(w), emu(h))
        sp = shape._element  # as fill.solid(), fill.fore_color.rgb and line.fill.background()
        _el(_el(sp.spPr, "solidFill"), "srgbClr", val=str(self.rgb(fill)))
        _el(_el(sp.spPr, "ln"), "noFill")
        sp.remove(sp.find(qn("p:style")))  # no theme shadow or outline
        return shape

    def heading(
        self,
        shape: Any,
        text: str,
        top: float,
        height: float,
        size: float,
        colour: str,
        bold: bool = True,
        anchor: Any = MSO_ANCHOR.TOP,
    ) -> None:
        """A title-like line across the slide, at the largest size (from `size` down) that fits."""
        x, w = MARGIN, self.inner
        shape.left, shape.top, shape.width, shape.height = emu(x), emu(top), emu(w), emu(height)
        while size > 8 and len(wrap(plain_spans(text), size, w, bold)) * LEADING * size > height:
            size -= 2
        self.frame(shape, (line(text, bold=bold, colour=colour, after=0),), size, anchor=anchor)

    # -- slides --

    def slide(self, title: str, notes: str, layout: str = "Title Only", index: int = 5) -> Any:
        """A new slide with its notes; a "Title Only" one gets its title, a rule and a footer."""
        if layout not in self._layouts:
            layouts = self.prs.slide_layouts
            found = next((lay for lay in layouts if lay.name == layout), None)
            self._layouts[layout] = found or layouts[min(index, len(layouts) - 1)]
        slide = self.prs.slides.add_slide(self._layouts[layout])
        if notes and (frame := slide.notes_slide.notes_text_frame) is not None:
            self.notes(frame._txBody, notes)
        if layout == "Title Only":  # the title placeholder, read by screen readers; a rule; footer
            shape = slide.shapes.title or self.box(slide, 0, 0, 1, 1)
            self.heading(shape, title, TITLE_TOP, TITLE_H, 30, "accent", anchor=MSO_ANCHOR.BOTTOM)
            self.box(slide, MARGIN, TITLE_TOP + TITLE_H + 6, 1.2 * INCH, 4, "accent")
            foot = self.height - FOOT + 0.12 * INCH
            for text, x, w, align in (
                (self.doc.footer, MARGIN, self.inner - INCH, PP_ALIGN.LEFT),
                (str(len(self.prs.slides)), self.width - MARGIN - INCH, INCH, PP_ALIGN.RIGHT),
            ):
                if text_width(text, 12) <= w:
                    box = self.box(slide, x, foot, w, 0.3 * INCH)
                    box.name = "Footer" if x == MARGIN else "Slide Number"  # read last
                    self.frame(box, (line(text, colour="muted", after=0),), 12, align=align)
        return slide

    def notes(self, body: Any, text: str) -> None:
        """Plain text, a paragraph a line, as python-pptx's `TextFrame.text = text` writes it."""
        for p in body.findall(_a("p")):
            body.remove(p)
        for text_line in text.split("\n"):
            parts = text_line.split("\v")  # soft line breaks
            if len(parts) == 1 and text_line:  # the usual case, copied
                body.append(p := self.copy(_line))
                p[0][0].text = _CONTROL.sub(_escape, text_line)
                continue
            p = _el(body, "p")
            for j, part in enumerate(parts):
                if j:
                    _el(p, "br")
                if part:
                    _el(_el(p, "r"), "t").text = _CONTROL.sub(_escape, part)

    def title_slide(self) -> None:
        """Kicker, title, subtitle on the band; the date under it."""
        doc, band = self.doc, 0.64 * self.height
        notes = "\n".join(
            t for t in (doc.title, doc.subtitle, doc.date_line, doc.reading_note) if t
        )
        slide = self.slide(doc.title, notes, "Title Slide", 0)
        tree, back = slide.shapes._spTree, self.box(slide, 0, 0, self.width, band, "band")._element
        tree.remove(back)
        tree.insert(2, back)  # behind the title
        title = slide.shapes.title or self.box(slide, 0, 0, 1, 1)
        sub = next(
            (p for p in slide.placeholders if p.placeholder_format.idx == 1), None
        ) or self.box(slide, 0, 0, 1, 1)
        kicker = self.box(slide, 0, 0, 1, 1)
        self.heading(kicker, doc.kicker.upper(), 0.75 * INCH, 0.5 * INCH, 18, "band_text")
        bottom = MSO_ANCHOR.BOTTOM
        self.heading(title, doc.title, 1.3 * INCH, 2 * INCH, 48, "band_text", anchor=bottom)
        self.heading(sub, doc.subtitle, 3.45 * INCH, 1.1 * INCH, 24, "band_text", bold=False)
        date = self.box(slide, 0, 0, 1, 1)
        self.heading(date, doc.date_line, band + 0.5 * INCH, 0.6 * INCH, 22, "ink", bold=False)
        if doc.logo is not None:  # the theme's logo, bottom right, under the band
            h = 0.9 * INCH
            w = min(h * doc.logo.width / doc.logo.height, 3 * INCH)
            h = w * doc.logo.height / doc.logo.width
            x, y = self.width - MARGIN - w, self.height - 0.4 * INCH - h
            shape = slide.shapes.add_picture(str(doc.logo.path), emu(x), emu(y), emu(w), emu(h))
            _alt_text(shape, doc.logo.alt)

    def draw_slide(self, plan: SlidePlan) -> None:
        """A content slide: its pieces stacked from the top (a content note: centred)."""
        slide, gap, y = self.slide(plan.title, plan.notes), 0.6 * plan.base, BODY_TOP
        if plan.centre:
            used = sum(p.height(plan.base, self.inner) + gap for p in plan.items) - gap
            y += max(0.0, (self.avail - used) / 2)
        for piece in plan.items:
            y += self.draw(slide, piece, y, plan.base) + gap

    def draw(self, slide: Any, piece: Piece, y: float, base: float) -> float:
        """One piece at `y`; returns its height."""
        x, w = MARGIN, self.inner
        if isinstance(piece, TextPiece):
            return self.text(slide, piece, x, y, w, piece.height(base, w), base)
        if isinstance(piece, TablePiece):
            return self.table(slide, piece, x, y, w, base)
        if isinstance(piece, GridPiece):
            top, cw = y, piece.cell(w)
            for row, h in zip(piece.rows(), piece.heights(base, w), strict=True):
                for i, cell in enumerate(row):
                    self.text(slide, cell, x + i * (cw + GAP), top, cw, h, base)
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
        """A text box (on a coloured box, or beside an accent bar); returns its height."""
        if piece.bar:
            self.box(slide, x, y, 0.08 * INCH, h, "accent")
        self.frame(self.box(slide, x, y, w, h, piece.fill), piece.paras, base, piece.pad(base))
        return h

    def table(
        self, slide: Any, piece: TablePiece, x: float, y: float, w: float, base: float
    ) -> float:
        """A native table, its header row marked as such; returns its height."""
        rows, heights = [piece.head()] * piece.header + list(piece.rows), piece.heights(base, w)
        widths = [emu(cw) for cw in piece.col_widths(w, base)]
        # one row from python-pptx, the others copies of it, as python-pptx would make them
        shape = slide.shapes.add_table(1, len(widths), emu(x), emu(y), emu(w), emu(sum(heights)))
        table, part = shape.table, shape.part
        table.first_row, table.horz_banding = piece.header, False
        tbl = table._tbl
        tbl.extend([deepcopy(tbl.find(_a("tr"))) for _ in rows[1:]])
        for col, cw in zip(tbl.tblGrid.findall(_a("gridCol")), widths, strict=True):
            col.set("w", str(cw))
        for r, (tr, row, h) in enumerate(zip(tbl.findall(_a("tr")), rows, heights, strict=True)):
            tr.set("h", str(emu(h)))
            head, zebra = piece.header and r == 0, (r - piece.header) % 2 and not piece.key
            fill = "band" if head else "shade" if zebra else "white"
            for c, (tc, spans) in enumerate(zip(tr.findall(_a("tc")), row, strict=True)):
                tc.replace(tc.find(_a("tcPr")), self.copy(self.cell, fill, piece.key))
                key = piece.key and c == 0
                colour = "band_text" if head else "accent" if key else "ink"
                right = c < len(piece.numeric) and piece.numeric[c]
                para = Para(spans, bold=head or key, colour=colour, after=0)
                align = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT
                self.paragraph(tc.find(_a("txBody")).find(_a("p")), para, base, align, part)
        # python-pptx fits the frame to the columns and rows whenever one changes
        shape.width, shape.height = Emu(sum(widths)), Emu(sum(emu(h) for h in heights))
        return sum(heights)

    def cell(self, fill: str, key: bool) -> Any:
        """A table cell's `a:tcPr`: padding, anchor, background; rules between rows in key tables."""
        props = OxmlElement("a:tcPr")
        for name, points in (
            ("marL", CELL_X),
            ("marR", CELL_X),
            ("marT", CELL_Y),
            ("marB", CELL_Y),
        ):
            props.set(name, str(emu(points)))
        props.set("anchor", MSO_ANCHOR.to_xml(MSO_ANCHOR.MIDDLE if key else MSO_ANCHOR.TOP))
        for edge in ("lnT", "lnB") if key else ():  # rules, no bands
            _el(_el(_el(props, edge, w="9525"), "solidFill"), "srgbClr", val=str(self.rgb("rule")))
        _el(_el(props, "solidFill"), "srgbClr", val=str(self.rgb(fill)))
        return props

    def caption(
        self, slide: Any, paras: tuple[Para, ...], base: float, align: Any
    ) -> tuple[float, Callable[[float], None]]:
        """Room left for a picture or chart above its caption, and a function placing the caption."""
        h = sum(p.height(base, self.inner) for p in paras)
        gap = 0.4 * base if paras else 0.0

        def under(media: float) -> None:
            if paras:
                box = self.box(slide, MARGIN, BODY_TOP + media + gap, self.inner, h)
                self.frame(box, paras, base, align=align)

        return self.avail - h - gap, under

    def picture(self, slide: Any, pic: Picture, base: float) -> None:
        """A picture as large as the slide allows, its caption and credit under it."""
        lines = ((pic.caption, 0.75, "ink"), (plain_spans(pic.credit), 0.65, "muted"))
        paras = tuple(
            Para(spans, scale, colour=colour, after=0.2) for spans, scale, colour in lines if spans
        )
        room, under = self.caption(slide, paras, base, PP_ALIGN.CENTER)
        scale = min(self.inner / pic.width, room / pic.height)  # keep the aspect ratio
        w, h = pic.width * scale, pic.height * scale
        try:
            shape = slide.shapes.add_picture(  # its bytes without metadata (images.py)
                io.BytesIO(deck_picture(pic.path)),
                emu(MARGIN + (self.inner - w) / 2),
                emu(BODY_TOP),
                emu(w),
                emu(h),
            )
        except OSError as e:
            self.warnings.append(f"cannot read picture {pic.path.name}: {e}")
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
        numbers = number_format(self.doc.language)  # 1 000 in French, on any computer
        data: Any = CategoryChartData(number_format=numbers)  # type: ignore[no-untyped-call]
        data.categories = spec.categories
        for s in spec.series:
            data.add_series(s.name, s.values)
        kind = XL_CHART_TYPE.BAR_STACKED if bars else XL_CHART_TYPE.COLUMN_CLUSTERED
        frame = slide.shapes.add_chart(
            kind, emu(MARGIN), emu(BODY_TOP), emu(self.inner), emu(room), data
        )
        chart = frame.chart
        chart.font.size, chart.font.name = Pt(round(0.8 * base)), self.font
        chart.font.color.rgb = self.rgb("ink")
        chart.has_title, chart.has_legend = False, len(spec.series) > 1
        if chart.has_legend:
            chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
        chart.plots[0].gap_width = 60
        for i, series in enumerate(chart.plots[0].series):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = self.rgb(self.palette[i % len(self.palette)])
            series.invert_if_negative = False
        self.data_labels(chart, spec, base)
        values, cats = chart.value_axis, chart.category_axis
        values.has_major_gridlines, values.has_minor_gridlines = True, False
        values.major_gridlines.format.line.color.rgb = self.rgb("shade")
        values.tick_labels.number_format = numbers  # thousands separators
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

    def data_labels(self, chart: Any, spec: Any, base: float) -> None:
        """Values on the bars where they fit: a lone series at each bar's end; stacked
        segments inside, in a colour that reads on the segment, only where wide enough."""
        from pptx.enum.chart import XL_LABEL_POSITION

        series_list = list(chart.plots[0].series)
        widest = max(spec.totals, default=0) or 1
        for i, series in enumerate(series_list):
            labels = series.data_labels
            labels.number_format = number_format(self.doc.language)  # 2 000 in French
            labels.number_format_is_linked = False
            labels.font.size = Pt(round(0.7 * base))
            labels.show_value = True
            if len(series_list) == 1:
                labels.position = XL_LABEL_POSITION.OUTSIDE_END
                labels.font.color.rgb = self.rgb("ink")
                continue
            labels.position = XL_LABEL_POSITION.CENTER
            fill = self.palette[i % len(self.palette)]
            white = _contrast("#FFFFFF", fill) >= _contrast(self.colours["ink"], fill)
            labels.font.color.rgb = self.rgb("white" if white else "ink")
            for j, value in enumerate(spec.series[i].values):
                if value < 0.12 * widest:  # too narrow for its number: the table has it
                    dlbl = series.points[j].data_label._get_or_add_dLbl()
                    for child in list(dlbl)[1:]:  # keep c:idx; c:delete hides this one label
                        dlbl.remove(child)
                    dlbl.append(OxmlElement("c:delete"))
                    dlbl[-1].set("val", "1")

    def save(self) -> bytes:
        """The .pptx bytes, with the document's metadata and no trace of the clock."""
        doc, props = self.doc, self.prs.core_properties
        props.title, props.subject = _meta(doc.title), _meta(doc.subtitle)
        props.language, props.revision = _meta(doc.language), 1
        props.author = props.last_modified_by = _meta(", ".join(doc.authors))
        props.comments = props.keywords = props.category = ""
        when = _when(doc)
        props.created = props.modified = props.last_printed = when
        from briefgen import __version__
        from briefgen.render.pptxa11y import finish

        ink = "#" + str(self.rgb("ink"))
        finish(self.prs, doc.language, ink, self.palette, f"briefgen {__version__}")
        buf = io.BytesIO()
        self.prs.save(buf)
        return _rezip(buf.getvalue(), when, self.doc.language)


def _name_parts_quickly(package: Any) -> None:
    """python-pptx names each new part (a slide's notes, a chart) by walking every part in the
    package: quadratic in the slides, minutes for a deck of a thousand. The same names, the
    package walked once per kind of part, then counted."""
    taken: dict[str, set[str]] = {}

    def next_partname(tmpl: str) -> PackURI:
        prefix = tmpl[: (tmpl % 42).find("42")]
        if prefix not in taken:
            taken[prefix] = {
                str(p.partname) for p in package.iter_parts() if p.partname.startswith(prefix)
            }
        names = taken[prefix]
        for n in range(len(names) + 1, 0, -1):  # as python-pptx searches
            if (name := tmpl % n) not in names:
                names.add(name)
                return PackURI(name)
        raise AssertionError("no free part name")  # pragma: no cover

    setattr(package, "next_partname", next_partname)  # noqa: B010


def _luminance(colour: str) -> float:
    r, g, b = (int(colour.lstrip("#")[k : k + 2], 16) / 255 for k in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _el(parent: Any, tag: str, **attrs: str) -> Any:
    """Append a DrawingML child (`tag` without its prefix), attributes in the order given."""
    child = parent.makeelement(_A + tag, attrs)
    parent.append(child)
    return child


def _spacing(line: str, before: str, after: str) -> Any:
    """An `a:pPr` holding line spacing and space before and after, in centipoints."""
    ppr = OxmlElement("a:pPr")
    for tag, value in (("lnSpc", line), ("spcBef", before), ("spcAft", after)):
        _el(_el(ppr, tag), "spcPts", val=value)
    return ppr


def _line() -> Any:
    """An `a:p` holding one run, its text empty."""
    p = OxmlElement("a:p")
    _el(_el(p, "r"), "t")
    return p


def _escape(m: re.Match[str]) -> str:
    return f"_x{ord(m.group(1)):04X}_"


def _alt_text(shape: Any, text: str) -> None:
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


def _meta(text: str) -> str:
    """Text for the file's properties, which hold 255 characters at most."""
    return text if len(text) <= 255 else text[:254] + "…"


def _when(doc: Document) -> dt.datetime:
    """The document's time (the brief date, or SOURCE_DATE_EPOCH), never the clock."""
    return dt.datetime.fromtimestamp(doc.timestamp, dt.UTC).replace(tzinfo=None)


_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _rezip(data: bytes, when: dt.datetime, language: str = "en") -> bytes:
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
            elif info.filename.endswith(".xml"):  # text tagged in the deck's language
                blob = retag(blob, language)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            entry.create_system = 0
            dst.writestr(entry, blob)
    return out.getvalue()


def render(doc: Document) -> Rendered:
    """The deck for a planned Document: a title slide, then each section on one or more slides."""
    deck = Deck(doc)
    deck.title_slide()
    spec = doc.spec
    planner = Planner(
        deck.labels,
        deck.inner,
        deck.avail,
        deck.body,
        deck.min_body,
        deck.warnings,
        Limits(spec.max_lines, spec.max_rows),
        spec.max_slides,
        Formatter(doc.language, deck.labels).number,
    )
    for plan in planner.plan(doc.sections):
        deck.draw_slide(plan)
    return Rendered(deck.save(), len(deck.prs.slides), deck.warnings)
