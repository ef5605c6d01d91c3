"""Accessibility checks that read a built file back: PDF/UA-1 structure (with pikepdf), and the
`pdfua` package's checks as a second opinion.

`pdf_problems(data)` returns every problem found, as readable lines (empty: none). It checks
what a machine can: every painting operator is inside tagged content or an artifact, marked
content matches the structure tree both ways (ParentTree ↔ MCRs), every Figure has Alt, headings
start at H1 and never skip a level, tables have TH with a Scope, links are Link elements holding
their annotations and each annotation has /Contents, pages tab in structure order, and the
catalog has MarkInfo, Lang, DisplayDocTitle and XMP with dc:title, dc:language and
pdfuaid:part 1. What it cannot judge (is the alt text good, is the reading order sensible, are
colours legible) a person checks with veraPDF or PAC and a screen reader.
"""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

PAINTING = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Tj", "TJ", "'", '"', "Do", "sh", "EI"}
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}


@dataclass
class Element:
    role: str
    obj: Any
    # Element | ("mcr", page objgen, mcid) | ("objr", annotation objgen)
    kids: list[Any] = field(default_factory=list)
    alt: str = ""
    scope: str = ""


def _kids(k: Any) -> list[Any]:
    if k is None:
        return []
    if isinstance(k, pikepdf.Array):
        return list(k)
    return [k]


def structure(pdf: pikepdf.Pdf) -> Element:
    """The structure tree as Elements, in reading order."""

    def walk(obj: Any, page: Any) -> Element:
        page = obj.get("/Pg", page)
        attrs = obj.get("/A")
        scope = ""
        for a in _kids(attrs):
            if isinstance(a, pikepdf.Dictionary) and "/Scope" in a:
                scope = str(a.Scope)[1:]
        alt = obj.get("/Alt")
        el = Element(str(obj.S)[1:], obj, alt=str(alt) if alt is not None else "", scope=scope)
        for k in _kids(obj.get("/K")):
            if isinstance(k, int) or (hasattr(k, "is_integer") and k.is_integer):
                el.kids.append(("mcr", page.objgen if page is not None else None, int(k)))
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR":
                pg = k.get("/Pg", page)
                el.kids.append(("mcr", pg.objgen if pg is not None else None, int(k.MCID)))
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR":
                el.kids.append(("objr", k.Obj.objgen))
            elif isinstance(k, pikepdf.Dictionary):
                el.kids.append(walk(k, page))
        return el

    root = pdf.Root.StructTreeRoot
    top = Element("StructTreeRoot", root)
    for k in _kids(root.get("/K")):
        top.kids.append(walk(k, None))
    return top


def elements(el: Element) -> list[Element]:
    out = [el]
    for k in el.kids:
        if isinstance(k, Element):
            out += elements(k)
    return out


def _content_marks(pdf: pikepdf.Pdf, page: Any, problems: list[str], n: int) -> set[int]:
    """MCIDs on a page; painting outside tagged content or an artifact is a problem."""
    stack: list[str] = []  # "mcid:N", "artifact" or "other"
    in_text = False
    text_depth = 0
    mcids: set[int] = set()
    untagged = 0
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name in ("BDC", "BMC"):
            tag = str(operands[0])
            if tag == "/Artifact":
                stack.append("artifact")
            elif (
                name == "BDC"
                and isinstance(operands[1], pikepdf.Dictionary)
                and "/MCID" in operands[1]
            ):
                mcid = int(operands[1].MCID)
                if mcid in mcids:
                    problems.append(f"page {n}: MCID {mcid} used twice")
                mcids.add(mcid)
                stack.append(f"mcid:{mcid}")
            else:
                stack.append("other")
        elif name == "EMC":
            if not stack:
                problems.append(f"page {n}: EMC without BMC/BDC")
            else:
                stack.pop()
            if in_text and len(stack) < text_depth:
                problems.append(
                    f"page {n}: marked content ends inside a text object it began outside"
                )
        elif name == "BT":
            in_text, text_depth = True, len(stack)
        elif name == "ET":
            if len(stack) != text_depth:
                problems.append(f"page {n}: marked content crosses a text object's end")
            in_text = False
        elif name in PAINTING:
            if not any(s == "artifact" or s.startswith("mcid:") for s in stack):
                untagged += 1
            if "artifact" in stack and any(s.startswith("mcid:") for s in stack):
                problems.append(f"page {n}: tagged content inside an artifact")
    if stack:
        problems.append(f"page {n}: {len(stack)} marked-content sequences left open")
    if untagged:
        problems.append(f"page {n}: {untagged} painting operators neither tagged nor artifact")
    return mcids


def _xmp(pdf: pikepdf.Pdf, problems: list[str]) -> None:
    meta = pdf.Root.get("/Metadata")
    if meta is None:
        problems.append("no XMP metadata")
        return
    xml = meta.read_bytes().decode("utf-8")
    xml = re.sub(r"<\?xpacket[^>]*\?>", "", xml)
    tree = ET.fromstring(xml)
    title = tree.find(".//dc:title/rdf:Alt/rdf:li", NS)
    if title is None or not (title.text or "").strip():
        problems.append("XMP has no dc:title")
    elif title.text != str(pdf.docinfo.get("/Title", "")):
        problems.append(f"XMP dc:title {title.text!r} differs from the Info title")
    language = tree.find(".//dc:language/rdf:Bag/rdf:li", NS)
    if language is None or language.text != str(pdf.Root.get("/Lang", "")):
        problems.append("XMP dc:language missing or not the document's /Lang")
    part = tree.find(".//pdfuaid:part", NS)
    if part is None or part.text != "1":
        problems.append("XMP has no pdfuaid:part 1")


def pdf_problems(data: bytes) -> list[str]:
    """Everything this file lacks to be a tagged PDF/UA-1 file, as far as a machine can tell."""
    problems: list[str] = []
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    if not (root.get("/MarkInfo") and root.MarkInfo.get("/Marked") is True):
        problems.append("catalog: MarkInfo /Marked is not true")
    if not str(root.get("/Lang", "")).strip():
        problems.append("catalog: no /Lang")
    prefs = root.get("/ViewerPreferences")
    if not (prefs and prefs.get("/DisplayDocTitle") is True):
        problems.append("catalog: ViewerPreferences /DisplayDocTitle is not true")
    if not str(pdf.docinfo.get("/Title", "")).strip():
        problems.append("Info: no /Title")
    _xmp(pdf, problems)
    if "/StructTreeRoot" not in root:
        problems.append("catalog: no StructTreeRoot")
        return problems
    tree_root = root.StructTreeRoot
    if "/ParentTree" not in tree_root:
        problems.append("StructTreeRoot: no ParentTree")
        return problems
    parent_tree: dict[int, Any] = {}
    nums = list(tree_root.ParentTree.get("/Nums", []))
    for i in range(0, len(nums), 2):
        parent_tree[int(nums[i])] = nums[i + 1]

    top = structure(pdf)
    everything = elements(top)[1:]
    if not everything or everything[0].role != "Document":
        problems.append("structure: the root element is not Document")
    held: dict[tuple[Any, int], Element] = {}
    annots_held: dict[Any, Element] = {}
    for el in everything:
        for k in el.kids:
            if isinstance(k, tuple) and k[0] == "mcr":
                if (k[1], k[2]) in held:
                    problems.append(f"structure: MCID {k[2]} held by two elements")
                held[k[1], k[2]] = el
            elif isinstance(k, tuple) and k[0] == "objr":
                annots_held[k[1]] = el
        if el.role == "Figure" and not el.alt.strip():
            problems.append("structure: a Figure without /Alt")
        if el.role == "Table":
            ths = [e for e in elements(el) if e.role == "TH"]
            if not ths:
                problems.append("structure: a Table without TH")
            problems += [
                "structure: a TH without Scope"
                for th in ths
                if th.scope not in ("Row", "Column", "Both")
            ]
        if el.role == "Link" and not any(isinstance(k, tuple) and k[0] == "objr" for k in el.kids):
            problems.append("structure: a Link without its annotation")
    level = 0
    for el in everything:
        m = re.fullmatch(r"H([1-6])", el.role)
        if m:
            n = int(m.group(1))
            if n > level + 1:
                problems.append(f"structure: heading H{n} after H{level or '(none)'}")
            level = n

    for n, page in enumerate(pdf.pages, 1):
        obj = page.obj
        if obj.get("/Tabs") != "/S":
            problems.append(f"page {n}: /Tabs is not /S")
        mcids = _content_marks(pdf, page, problems, n)
        key = obj.get("/StructParents")
        if mcids and key is None:
            problems.append(f"page {n}: marked content but no /StructParents")
            continue
        listed = parent_tree.get(int(key)) if key is not None else None
        for mcid in sorted(mcids):
            el = held.get((obj.objgen, mcid))
            if el is None:
                problems.append(f"page {n}: MCID {mcid} belongs to no structure element")
            elif listed is None or mcid >= len(listed) or listed[mcid].objgen != el.obj.objgen:
                problems.append(f"page {n}: ParentTree does not name the element of MCID {mcid}")
        for (pg, mcid), el in held.items():
            if pg == obj.objgen and mcid not in mcids:
                problems.append(f"page {n}: {el.role} holds MCID {mcid}, which is not on the page")
        for annot in obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            if not str(annot.get("/Contents", "")).strip():
                problems.append(f"page {n}: a link annotation without /Contents")
            el = annots_held.get(annot.objgen)
            if el is None or el.role != "Link":
                problems.append(f"page {n}: a link annotation not inside a Link element")
            key = annot.get("/StructParent")
            if (
                key is None
                or parent_tree.get(int(key)) is None
                or parent_tree[int(key)].objgen != (el.obj.objgen if el else None)
            ):
                problems.append(f"page {n}: a link annotation's /StructParent is wrong")
    return problems


def struct_text(path: Path) -> str:
    """The structure tree as poppler shows it (`pdfinfo -struct-text`): roles and their text."""
    return subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout


# ---- the deck ----

DECORATIVE = "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio (written here again, not imported: the check is independent)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _fill(el: Any) -> str | None:
    clr = el.find(
        f"./{{http://schemas.openxmlformats.org/presentationml/2006/main}}spPr/{A}solidFill/{A}srgbClr"
    )
    return "#" + clr.get("val") if clr is not None else None


def _behind(shape: Any, painted: list[tuple[Any, str]]) -> str:
    """The fill of the topmost earlier shape under this one's centre, else the white slide."""
    cx, cy = shape.left + shape.width / 2, shape.top + shape.height / 2
    for other, fill in reversed(painted):
        if (
            other.left <= cx <= other.left + other.width
            and other.top <= cy <= other.top + other.height
        ):
            return fill
    return "#FFFFFF"


def _text_contrast(n: int, name: str, el: Any, on: str) -> list[str]:
    out = []
    for rpr in el.iter(f"{A}rPr", f"{A}defRPr"):
        clr = rpr.find(f"{A}solidFill/{A}srgbClr")
        if clr is None:
            continue
        ratio = contrast("#" + clr.get("val"), on)
        if ratio < 4.5:
            out.append(f"slide {n}: {name}: text #{clr.get('val')} on {on} is {ratio:.2f}:1")
    return out


def deck_problems(path: Path, language: str) -> list[str]:
    """What keeps a deck from passing an accessibility checker, as far as a machine can tell."""
    import zipfile

    from pptx import Presentation

    problems: list[str] = []
    prs = Presentation(str(path))
    for n, slide in enumerate(prs.slides, 1):
        title = slide.shapes.title
        if title is None or not title.text_frame.text.strip():
            problems.append(f"slide {n}: no title")
        readable = []
        painted: list[tuple[Any, str]] = []  # shapes with a fill, in z-order, for backgrounds
        for shape in slide.shapes:
            el = shape._element
            cnvpr = el.xpath("./*[1]/p:cNvPr")[0]
            decorative = bool(cnvpr.findall(f".//{DECORATIVE}"))
            kind = el.tag.split("}")[1]
            if kind == "pic" or getattr(shape, "has_chart", False):
                if not (cnvpr.get("descr") or "").strip():
                    problems.append(f"slide {n}: {shape.name} has no alt text")
            elif not decorative and not "".join(t.text or "" for t in el.iter(f"{A}t")).strip():
                problems.append(f"slide {n}: {shape.name} is neither decorative nor text")
            if not decorative:
                readable.append(shape)
            own = _fill(el)
            background = own or _behind(shape, painted)
            if own:
                painted.append((shape, own))
            if getattr(shape, "has_table", False):
                for row in shape.table.rows:
                    for cell in row.cells:
                        tc = cell._tc
                        clr = tc.find(f"{A}tcPr/{A}solidFill/{A}srgbClr")
                        on = "#" + clr.get("val") if clr is not None else background
                        problems += _text_contrast(n, shape.name, tc, on)
            else:
                problems += _text_contrast(n, shape.name, el, background)
        if readable and title is not None and readable[0].shape_id != title.shape_id:
            problems.append(f"slide {n}: {readable[0].name} is read before the title")
        # The footer and slide number (text in the bottom eighth of the slide) are read last.
        bottom = [s.top > prs.slide_height * 7 / 8 for s in readable]
        if any(b and not later for b, later in itertools.pairwise(bottom)):
            problems.append(f"slide {n}: the footer is read before the body")
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            xml = z.read(name).decode("utf-8", "replace")
            if name.startswith("ppt/charts/chart"):
                if re.search(r'<c:(axId|crossAx) val="-', xml):
                    problems.append(f"{name}: a negative axis id")
                if 'lang="en-US"' in xml and language != "en-US":
                    problems.append(f"{name}: text in en-US, not {language}")
                for colour, rest in re.findall(
                    r'<c:ser>.*?<c:spPr><a:solidFill><a:srgbClr val="(\w+)"/></a:solidFill>(.*?)</c:spPr>',
                    xml,
                ):
                    if contrast("#" + colour, "#FFFFFF") < 3 and "<a:ln" not in rest:
                        problems.append(f"{name}: series #{colour} under 3:1 with no outline")
                langs = re.findall(r'<c:lang val="([^"]+)"', xml)
                if langs and langs != [language]:
                    problems.append(f"{name}: chart language {langs}")
            if (
                name.startswith("ppt/notesSlides/")
                and 'lang="en-US"' in xml
                and language != "en-US"
            ):
                problems.append(f"{name}: notes in en-US, not {language}")
        app = z.read("docProps/app.xml").decode()
        if f"<Slides>{len(prs.slides)}</Slides>" not in app:
            problems.append("docProps/app.xml: wrong slide count")
        if "16:9" not in app or "briefgen" not in app:
            problems.append("docProps/app.xml: not 16:9 or not briefgen")
        if 'type="screen4x3"' in z.read("ppt/presentation.xml").decode():
            problems.append("presentation.xml: slide size type screen4x3")
    return problems
