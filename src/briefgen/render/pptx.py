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
from copy import deepcopy
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_MARK
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Pt

from briefgen.blocks import Chart, Document, Picture, plain_spans
from briefgen.render import Rendered
from briefgen.render.measure import (
    CELL_X,
    CELL_Y,
    GAP,
    INCH,
    LEADING,
    GridPiece,
    Para,
    Piece,
    Planner,
    SlidePlan,
    TablePiece,
    TextPiece,
    line,
    text_width,
    wrap,
)
from briefgen.templates import Labels, Templates

__all__ = ["render"]

EMU = 12700  # EMU per point
MARGIN, TITLE_TOP, TITLE_H, BODY_TOP, FOOT = 43.2, 21.6, 64.8, 104.4, 39.6  # points
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CONTROL = re.compile(r"([\x00-\x08\x0B-\x1F])")  # escaped as python-pptx does: _x001B_
DEFAULT_COLOURS = {  # used where a theme leaves a colour out
    **{"ink": "#1A1A1A", "muted": "#555555", "band": "#1F3A5F", "band_text": "#FFFFFF"},
    **{"accent": "#1F3A5F", "rule": "#B8C2CC", "shade": "#EEF1F4", "opinion": "#FFF6E0"},
    "white": "#FFFFFF",
}


def a(tag: str) -> str:
    """A DrawingML tag name in Clark notation, as lxml wants it."""
    return _A + tag


def emu(points: float) -> Emu:
    return Emu(round(points * EMU))


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
        self._hex: dict[str, str] = {}
        self._protos: dict[tuple[Any, ...], Any] = {}

    def rgb(self, name: str) -> RGBColor:
        code = (
            name if name.startswith("#") else self.colours.get(name, self.colours["ink"])
        ).lstrip("#")
        return RGBColor(*(int(code[i : i + 2], 16) for i in (0, 2, 4)))  # type: ignore[no-untyped-call]

    # -- text --

    def hex(self, name: str) -> str:
        """A theme colour (or '#RRGGBB') as the six hex digits DrawingML wants."""
        if name not in self._hex:
            self._hex[name] = str(self.rgb(name))
        return self._hex[name]

    def copy(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """A fresh copy of an XML element built once per key: copying is ~10× faster than building."""
        if key not in self._protos:
            self._protos[key] = build()
        return deepcopy(self._protos[key])

    def run(self, size: str, bold: str, italic: str, colour: str) -> Any:
        """An `a:r` with its properties and an empty `a:t`, as python-pptx would make it."""
        r = OxmlElement("a:r")
        rpr = _el(r, "rPr", sz=size, b=bold, i=italic, lang=self.doc.language)
        _el(_el(rpr, "solidFill"), "srgbClr", val=colour)
        _el(rpr, "latin", typeface=self.font)
        _el(r, "t")
        return r

    def paragraph(self, el: Any, para: Para, base: float, align: Any, part: Any) -> None:
        """Fill an `a:p`: exact spacing, a bullet, the runs. XML is built directly (fast); `part`
        (the slide's) takes the relationships of links."""
        size = para.size(base)
        ppr = el.find(a("pPr"))
        if ppr is None:
            ppr = el.makeelement(a("pPr"), {})
            el.insert(0, ppr)
        ppr.set("algn", PP_ALIGN.to_xml(align))
        if len(ppr):  # properties already there: let python-pptx put each in its place
            ppr.line_spacing, ppr.space_before = Pt(LEADING * size), Pt(0)
            ppr.space_after = Pt(para.after * size)
        else:
            spacing = tuple(str(Pt(v).centipoints) for v in (LEADING * size, 0, para.after * size))
            ppr.extend(list(self.copy(("spacing", *spacing), lambda: _spacing(*spacing))))
        if para.number:  # a real bullet or number with a hanging indent
            indent = round(para.indent(base) * EMU)
            ppr.set("marL", str(indent))
            ppr.set("indent", str(-indent if para.marker else 0))
            if not para.marker:
                _el(ppr, "buNone")
            else:
                _el(_el(ppr, "buClr"), "srgbClr", val=self.hex("accent"))
                _el(ppr, "buFont", typeface=self.font)
                if para.number > 0:
                    _el(ppr, "buAutoNum", type="arabicPeriod", startAt=str(para.number))
                else:
                    _el(ppr, "buChar", char="•")
        end = el.find(a("endParaRPr"))  # runs and breaks go before it
        add = el.append if end is None else end.addprevious
        sz, colour = str(Pt(size).centipoints), self.hex(para.colour)
        for s in para.spans:
            b, i = "1" if para.bold or s.strong else "0", "1" if para.italic or s.emphasis else "0"
            key = ("r", sz, b, i, colour)
            for j, text in enumerate(s.text.split("\n")):
                if j:
                    add(el.makeelement(a("br"), {}))
                if text:
                    r = self.copy(key, lambda: self.run(sz, b, i, colour))  # noqa: B023
                    add(r)
                    r[-1].text = _CONTROL.sub(_escape, text)  # content is never markup
                    if s.href:
                        rid = part.relate_to(s.href, RT.HYPERLINK, is_external=True)
                        _el(r[0], "hlinkClick").set(R_ID, rid)  # in the tree: the slide's r: prefix

    def frame(
        self,
        shape: Any,
        paras: tuple[Para, ...],
        base: float,
        pad: tuple[float, float] = (0, 0),
        align: Any = PP_ALIGN.LEFT,
        anchor: Any = MSO_ANCHOR.TOP,
    ) -> Any:
        """Paragraphs in a shape's text frame, with the given padding and anchor."""
        tf = shape.text_frame
        tf.word_wrap, tf.auto_size, tf.vertical_anchor = True, MSO_AUTO_SIZE.NONE, anchor
        tf.margin_left = tf.margin_right = emu(pad[0])
        tf.margin_top = tf.margin_bottom = emu(pad[1])
        body, part = tf._txBody, shape.part
        for n, para in enumerate(paras):
            self.paragraph(body.find(a("p")) if n == 0 else _el(body, "p"), para, base, align, part)
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
        """A native table; its cells' properties and text are written as XML directly (fast)."""
        rows, heights = [piece.head()] * piece.header + list(piece.rows), piece.heights(base, w)
        widths = [emu(cw) for cw in piece.col_widths(w, base)]
        shape = slide.shapes.add_table(
            len(rows), len(piece.widths), emu(x), emu(y), emu(w), emu(sum(heights))
        )
        table, part = shape.table, shape.part
        table.first_row, table.horz_banding = piece.header, False  # the header row marked as such
        tbl = table._tbl
        for col, cw in zip(tbl.tblGrid.findall(a("gridCol")), widths, strict=True):
            col.set("w", str(cw))
        shape.width = Emu(sum(widths))  # what python-pptx sets after each column's width
        rule = self.hex("rule")
        anchor = MSO_ANCHOR.to_xml(MSO_ANCHOR.MIDDLE if piece.key else MSO_ANCHOR.TOP)
        margins = {"marL": str(emu(CELL_X)), "marR": str(emu(CELL_X))}
        margins |= {"marT": str(emu(CELL_Y)), "marB": str(emu(CELL_Y)), "anchor": anchor}
        for r, (tr, row, h) in enumerate(zip(tbl.findall(a("tr")), rows, heights, strict=True)):
            tr.set("h", str(emu(h)))
            head, zebra = piece.header and r == 0, (r - piece.header) % 2 and not piece.key
            fill = self.hex("band" if head else "shade" if zebra else "white")
            for c, (tc, spans) in enumerate(zip(tr.findall(a("tc")), row, strict=True)):
                key = piece.key and c == 0
                tcpr = tc.find(a("tcPr"))
                for name, value in margins.items():
                    tcpr.set(name, value)
                for edge in ("lnT", "lnB") if piece.key else ():  # rules between rows, no bands
                    _el(_el(_el(tcpr, edge, w="9525"), "solidFill"), "srgbClr", val=rule)
                _el(_el(tcpr, "solidFill"), "srgbClr", val=fill)
                colour = "band_text" if head else "accent" if key else "ink"
                right = c < len(piece.numeric) and piece.numeric[c]
                para = Para(spans, bold=head or key, colour=colour, after=0)
                align = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT
                self.paragraph(tc.find(a("txBody")).find(a("p")), para, base, align, part)
        shape.height = Emu(sum(emu(h) for h in heights))  # likewise after each row's height
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


def _el(parent: Any, tag: str, **attrs: str) -> Any:
    """Append a DrawingML child (`tag` without its prefix), attributes in the order given."""
    child = parent.makeelement(_A + tag, attrs)
    parent.append(child)
    return child


def _spacing(line: str, before: str, after: str) -> Any:
    """Line spacing and space before and after a paragraph, in centipoints, in an `a:pPr`."""
    ppr = OxmlElement("a:pPr")
    for tag, value in (("lnSpc", line), ("spcBef", before), ("spcAft", after)):
        _el(_el(ppr, tag), "spcPts", val=value)
    return ppr


def _escape(m: re.Match[str]) -> str:
    return f"_x{ord(m.group(1)):04X}_"


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
    planner = Planner(deck.labels, deck.inner, deck.avail, deck.body, deck.min_body, deck.warnings)
    for plan in planner.plan(doc.sections):
        deck.draw_slide(plan)
    return Rendered(deck.save(), len(deck.prs.slides), deck.warnings)
