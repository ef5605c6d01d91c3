"""The deck's accessibility pass, run on the finished Presentation just before it is saved.

- Shapes that show nothing a reader needs (the rule under a title, the title slide's band, a
  quote's bar: shapes with neither text nor a picture) are marked decorative (`adec:decorative`),
  so screen readers skip them.
- Reading order is shape-tree order: the footer and slide number are moved to the end, after
  the body; titles come first (decorative shapes, which readers skip, may stay behind them).
- Chart series whose fill has less than 3:1 contrast with the white plot get an outline in the
  ink colour (WCAG 1.4.11), a one-series chart its values as data labels; the chart's text
  carries the brief's language, as the notes' text does.
- OOXML that tells the truth: no negative `c:axId`/`c:crossAx` (python-pptx's chart template
  writes them), `docProps/app.xml` with the real slide count, 16:9 and this application, and
  no `screen4x3` slide-size type.
"""

from __future__ import annotations

import re
from typing import Any

from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement

DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
ADEC = "http://schemas.microsoft.com/office/drawing/2017/decorative"
FOOTER_NAMES = ("Footer", "Slide Number")


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of `#RRGGBB`."""
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two `#RRGGBB` colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mark_decorative(shape_el: Any) -> None:
    """The `adec:decorative` flag on a shape's cNvPr (PowerPoint's "Mark as decorative")."""
    cnvpr = shape_el.xpath("./*[1]/p:cNvPr")[0]
    ext_lst = cnvpr.find(qn("a:extLst"))
    if ext_lst is None:
        ext_lst = OxmlElement("a:extLst")
        cnvpr.append(ext_lst)
    ext = ext_lst.makeelement(qn("a:ext"), {"uri": DECORATIVE_URI})
    ext_lst.append(ext)
    flag = ext.makeelement(f"{{{ADEC}}}decorative", {"val": "1"}, nsmap={"adec": ADEC})
    ext.append(flag)


def _has_text(shape_el: Any) -> bool:
    return any((t.text or "").strip() for t in shape_el.iter(qn("a:t")))


def _is_placeholder(shape_el: Any) -> bool:
    return bool(shape_el.xpath("./*[1]/p:nvPr/p:ph"))


def finish(prs: Any, language: str, ink: str, palette: list[str], application: str) -> None:
    """Apply the pass to every slide, chart and the package's properties."""
    for slide in prs.slides:
        tree = slide.shapes._spTree
        footers = []
        for el in list(tree.iterchildren(qn("p:sp"))):
            name = el.xpath("./p:nvSpPr/p:cNvPr")[0].get("name", "")
            if name.split(" ")[0] in ("Footer", "Slide") and name.startswith(FOOTER_NAMES):
                footers.append(el)
            elif not _has_text(el) and not _is_placeholder(el):
                mark_decorative(el)
            elif not _has_text(el) and _is_placeholder(el):  # an unused placeholder: nothing
                tree.remove(el)
        for el in footers:  # read last
            tree.remove(el)
            tree.append(el)
        if slide.has_notes_slide:
            _language(slide.notes_slide.notes_text_frame._txBody, language)
    for part in prs.part.package.iter_parts():
        if part.partname.endswith(".xml") and "/charts/chart" in part.partname:
            _chart(part._element, language, ink, palette)
    sld_sz = prs._element.find(qn("p:sldSz"))
    if sld_sz is not None and sld_sz.get("type") in ("screen4x3", "screen16x9"):
        del sld_sz.attrib["type"]  # a custom size: 13.33 × 7.5 in, PowerPoint's widescreen
    for part in prs.part.package.iter_parts():
        if part.partname == "/docProps/app.xml":
            notes = sum(1 for s in prs.slides if s.has_notes_slide)
            part._blob = app_xml(len(prs.slides), notes, application)


def _language(body: Any, language: str) -> None:
    """Every run (and paragraph end) of a text body in `language`."""
    for r in body.iter(qn("a:r")):
        rpr = r.find(qn("a:rPr"))
        if rpr is None:
            rpr = OxmlElement("a:rPr")
            r.insert(0, rpr)
        rpr.set("lang", language)
    for rpr in body.iter(qn("a:endParaRPr")):
        rpr.set("lang", language)


def _chart(space: Any, language: str, ink: str, palette: list[str]) -> None:
    c = "http://schemas.openxmlformats.org/drawingml/2006/chart"
    lang = space.find(f"{{{c}}}lang")
    if lang is None:  # the chart's own language (CT_ChartSpace: right after date1904)
        lang = space.makeelement(f"{{{c}}}lang", {})
        date = space.find(f"{{{c}}}date1904")
        if date is not None:
            date.addnext(lang)
        else:
            space.insert(0, lang)
    lang.set("val", language)
    for tag in ("rPr", "defRPr", "endParaRPr"):
        for el in space.iter(qn("a:" + tag)):
            if el.get("lang"):
                el.set("lang", language)
    # Axis ids: the same small positive numbers, each id mapped once, crossAx following.
    ids: dict[str, str] = {}
    for el in space.iter(f"{{{c}}}axId", f"{{{c}}}crossAx"):
        val = el.get("val")
        if val is not None and val.startswith("-"):
            el.set("val", ids.setdefault(val, str(500000 + len(ids))))
    series = list(space.iter(f"{{{c}}}ser"))
    for ser in series:
        fill = ser.find(f"{{{c}}}spPr/{{{_A}}}solidFill/{{{_A}}}srgbClr")
        if fill is None:
            continue
        colour = "#" + fill.get("val", "FFFFFF")
        if contrast(colour, "#FFFFFF") < 3.0:  # too light to tell from the page: outline it
            sppr = ser.find(f"{{{c}}}spPr")
            ln = sppr.find(qn("a:ln"))
            if ln is None:
                ln = OxmlElement("a:ln")
                sppr.append(ln)
            for child in list(ln):
                ln.remove(child)
            ln.set("w", "12700")
            solid = OxmlElement("a:solidFill")
            ln.append(solid)
            solid.append(solid.makeelement(qn("a:srgbClr"), {"val": ink.lstrip("#").upper()}))


_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def app_xml(slides: int, notes: int, application: str) -> bytes:
    """`docProps/app.xml` that says what the file is."""
    app = re.sub(r"[^A-Za-z0-9 ._-]", "", application)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<TotalTime>0</TotalTime><Application>{app}</Application>"
        "<PresentationFormat>Widescreen (16:9)</PresentationFormat>"
        f"<Slides>{slides}</Slides><Notes>{notes}</Notes>"
        "<HiddenSlides>0</HiddenSlides><MMClips>0</MMClips><ScaleCrop>false</ScaleCrop>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    ).encode()
