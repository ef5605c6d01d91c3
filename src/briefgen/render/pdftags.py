"""Tagged PDF (PDF/UA-1) from ReportLab: a structure tree, marked content and XMP metadata.

Open-source ReportLab writes no tags, so this module adds them in three steps:

1. **Plan time.** `flow.py` builds a tree of `Node`s (Document › Sect › H2, P, L › LI, Table ›
   TR › TH/TD, Figure, …) while it makes the flowables, in the order a reader should hear
   them (the glossary's two columns read term by term, not across rows). A flowable that
   shows content is wrapped in `Marked(flowable, node)`.
2. **Draw time.** `Marked.drawOn` brackets what the flowable draws in `/P <</MCID n>> BDC …
   EMC` and records (page, MCID) in its node; a piece of a paragraph or table split over two
   pages shares its node, so it stays one element. Links drawn inside become `Link` elements
   holding their annotations. When a page is finished, `TaggedCanvas` marks everything left
   outside a tagged sequence (table rules and fills, boxes, answer lines, a logo) as a layout
   artifact, so every painting operator is either content or artifact by construction.
3. **Save time.** `TaggedCanvas.finish_tags` writes the tree with ReportLab's own object model:
   the `StructTreeRoot` with its `ParentTree`, `/StructParents` and `/Tabs /S` on pages,
   `/MarkInfo`, `/ViewerPreferences <</DisplayDocTitle true>>` and the XMP packet (dc:title,
   dc:language, pdfuaid:part 1). Nodes that were never drawn (measuring copies, fitting
   passes) are pruned. No second PDF library parses the file again, so tagging costs little.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFPage,
    PDFStream,
    PDFString,
)
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable

# A marked-content point: (page number, MCID). A link: (page number, annotation's name, text).
_Mark = tuple[int, int]
_Link = tuple[int, str, str]


class Node:
    """One structure element: its standard role, attributes and children in reading order."""

    __slots__ = ("alt", "kids", "links", "numbering", "role", "scope")

    def __init__(self, role: str, alt: str = "", scope: str = "") -> None:
        self.role, self.alt, self.scope = role, alt, scope
        self.numbering = ""  # a list's ListNumbering: Decimal, Disc
        self.kids: list[Node | _Mark | _Link] = []
        self.links: dict[str, str] = {}  # href → the words that carry it, for /Contents

    def add(self, role: str, alt: str = "", scope: str = "") -> Node:
        """A new child element, after the children added so far."""
        child = Node(role, alt, scope)
        self.kids.append(child)
        return child

    def drawn(self) -> bool:
        """Whether anything of this element reached a page (else it is left out of the tree)."""
        return any(not isinstance(k, Node) or k.drawn() for k in self.kids)

    def __repr__(self) -> str:  # for test failures
        return f"Node({self.role}, {len(self.kids)} kids)"


class Tree:
    """The structure of one PDF being laid out: a `Document` element and what it holds."""

    def __init__(self) -> None:
        self.root = Node("Document")


def spans_links(spans: Iterable[Any]) -> dict[str, str]:
    """href → the text of its span(s), for the annotations' /Contents."""
    out: dict[str, str] = {}
    for s in spans:
        if getattr(s, "href", None):
            out[s.href] = (out.get(s.href, "") + " " + s.text).strip() if s.href in out else s.text
    return out


class Marked(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """A flowable whose drawing is the content of `node` (and, for a list item, whose bullet is
    the content of `label`). Wrapping, splitting and spacing are the wrapped flowable's."""

    def __init__(self, inner: Flowable, node: Node, label: Node | None = None) -> None:
        super().__init__()
        self.inner, self.node, self.label = inner, node, label
        self.hAlign = getattr(inner, "hAlign", "LEFT")
        self._drawn = False

    def __getattr__(self, name: str) -> Any:
        # Anything else a packer asks (keepWithNext, _postponed…) is the wrapped flowable's.
        if name.startswith("__") or name in ("inner", "node", "label"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        w, h = self.inner.wrap(aw, ah)
        self.width, self.height = w, h
        return w, h

    def wrapOn(self, canv: Any, aw: float, ah: float) -> tuple[float, float]:
        w, h = self.inner.wrapOn(canv, aw, ah)
        self.width, self.height = w, h
        return w, h

    def split(self, aw: float, ah: float) -> list[Flowable]:
        canv = getattr(self, "canv", None)
        pieces = self.inner.splitOn(canv, aw, ah) if canv else self.inner.split(aw, ah)
        return self._share(pieces)

    def splitOn(self, canv: Any, aw: float, ah: float) -> list[Flowable]:
        return self._share(self.inner.splitOn(canv, aw, ah))

    def _share(self, pieces: list[Flowable]) -> list[Flowable]:
        # The pieces of a split paragraph or cell are one element; only the first has a bullet.
        return [Marked(p, self.node, self.label if i == 0 else None) for i, p in enumerate(pieces)]

    def getSpaceBefore(self) -> float:
        return float(self.inner.getSpaceBefore())

    def getSpaceAfter(self) -> float:
        return float(self.inner.getSpaceAfter())

    def getKeepWithNext(self) -> bool:
        return bool(self.inner.getKeepWithNext())

    def minWidth(self) -> float:
        return float(self.inner.minWidth())

    def identity(self, maxLen: int | None = None) -> str:
        return f"Marked({self.node.role}, {self.inner.identity(maxLen)})"

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        if not isinstance(canvas, TaggedCanvas):  # a measuring canvas
            self.inner.drawOn(canvas, x, y, _sW)
            return
        code = canvas._code
        if self._drawn:  # a repeated table header on a later page: not content again
            code.append("/Artifact <</Type /Pagination>> BDC")
            self.inner.drawOn(canvas, x, y, _sW)
            code.append("EMC")
            return
        self._drawn = True
        first = self.label or self.node
        start, links = len(code), len(canvas._annotationrefs)
        code.append(canvas.begin(first))
        self.inner.drawOn(canvas, x, y, _sW)
        code.append("EMC")
        if self.label is not None:  # the bullet's text object is the list item's label
            for i in range(start + 1, len(code) - 1):
                if code[i].lstrip().startswith("BT"):
                    code[i + 1 : i + 1] = ["EMC", canvas.begin(self.node)]
                    break
        for ref in canvas._annotationrefs[links:]:
            self.node.add("Link").kids.append((canvas.getPageNumber(), ref.name, ""))


# A string of content that paints something (text, a path, an image, a shading).
_PAINTS = re.compile(r"(?:^|\s)(?:f\*?|F|S|s|B\*?|b\*?|Tj|TJ|'|\"|Do|sh|EI)(?:\s|$)")


class _Literal(PDFObject):  # type: ignore[misc]
    """A PDF keyword such as `true`."""

    def __init__(self, text: str) -> None:
        self.text = text

    def format(self, document: Any) -> bytes:
        return self.text.encode("ascii")


class TaggedCanvas(rl_canvas.Canvas):  # type: ignore[misc]
    """A canvas that numbers marked content per page and writes the structure tree on save.

    A subclass sets `tags` (the tree being drawn) and `language`, `title` for the metadata."""

    tags: Tree
    language = "en"
    title = ""
    subject = ""
    authors: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("pdfVersion", (1, 7))  # structure and /Tabs need 1.5; PDF/UA is on 1.7
        self._marks: list[Node] = []  # this page's MCIDs → elements
        self._pages: list[dict[str, Any]] = []
        super().__init__(*args, **kwargs)

    def _startPage(self) -> None:
        super()._startPage()
        self._marks = []

    def begin(self, node: Node) -> str:
        """The operator that opens the next marked-content sequence of `node` on this page."""
        mcid = len(self._marks)
        self._marks.append(node)
        node.kids.append((self.getPageNumber(), mcid))
        return f"/{node.role} <</MCID {mcid}>> BDC"

    def showPage(self) -> None:
        self._code[:] = _artifacts(self._code)
        super().showPage()

    def _setAnnotations(self, page: PDFPage) -> None:
        super()._setAnnotations(page)
        # ReportLab's page writes only the keys it knows; this page knows two more.
        page.__NoDefault__ = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]
        page.StructParents = self.getPageNumber() - 1
        page.Tabs = PDFName("S")  # tab through links in structure order
        self.__dict__.setdefault("_page_marks", {})[self.getPageNumber()] = self._marks

    def finish_tags(self) -> None:
        """Write the structure tree, the parent tree and the catalog's entries (call once every
        page is shown, before `save`)."""
        doc = self._doc
        marks: dict[int, list[Node]] = self.__dict__.get("_page_marks", {})
        refs: dict[int, PDFObjectReference] = {}  # id(node) → its object
        root = PDFDictionary({"Type": PDFName("StructTreeRoot")})
        root_ref = doc.Reference(root)
        annots: list[tuple[PDFObjectReference, PDFObjectReference]] = []

        def page_ref(page: int) -> PDFObjectReference:
            return PDFObjectReference(f"Page{page}")

        def build(node: Node, parent: PDFObjectReference) -> PDFObjectReference | None:
            if not node.drawn():
                return None
            elem = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName(node.role)})
            ref = doc.Reference(elem)
            refs[id(node)] = ref
            elem["P"] = parent
            kids: list[Any] = []
            home = 0
            for k in node.kids:
                if isinstance(k, Node):
                    child = build(k, ref)
                    if child is not None:
                        kids.append(child)
                elif len(k) == 2:
                    page, mcid = k
                    home = home or page
                    if page == home:
                        kids.append(mcid)
                    else:
                        kids.append(
                            PDFDictionary(
                                {"Type": PDFName("MCR"), "Pg": page_ref(page), "MCID": mcid}
                            )
                        )
                else:
                    page, name, _ = k
                    annot = PDFObjectReference(name)
                    kids.append(
                        PDFDictionary({"Type": PDFName("OBJR"), "Obj": annot, "Pg": page_ref(page)})
                    )
                    annots.append((annot, ref))
            if home:
                elem["Pg"] = page_ref(home)
            # One kid is written bare, as most writers do (and as some checkers expect).
            elem["K"] = kids[0] if len(kids) == 1 else PDFArray(kids)
            if node.alt:
                elem["Alt"] = PDFString(node.alt)
            if node.scope:
                elem["A"] = PDFDictionary({"O": PDFName("Table"), "Scope": PDFName(node.scope)})
            if node.numbering:
                elem["A"] = PDFDictionary(
                    {"O": PDFName("List"), "ListNumbering": PDFName(node.numbering)}
                )
            return ref

        top = build(self.tags.root, root_ref)
        root["K"] = PDFArray([top] if top else [])
        nums: list[Any] = []
        for page in sorted(marks):
            nums += [page - 1, PDFArray([refs[id(n)] for n in marks[page]])]
        key = max(marks, default=0)
        for annot, link in annots:
            obj = doc.idToObject[annot.name]
            obj["StructParent"] = key
            obj["Contents"] = PDFString(_link_text(obj, self.tags))
            nums += [key, link]
            key += 1
        root["ParentTree"] = PDFDictionary({"Nums": PDFArray(nums)})
        root["ParentTreeNextKey"] = key
        catalog = doc.Catalog
        catalog.MarkInfo = PDFDictionary({"Marked": _Literal("true")})
        catalog.StructTreeRoot = root
        catalog.ViewerPreferences = PDFDictionary({"DisplayDocTitle": _Literal("true")})
        metadata = PDFStream(
            PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
            xmp(self.title, self.language, self.subject, self.authors).encode("utf-8"),
            filters=[],  # uncompressed, as XMP readers expect
        )
        catalog.Metadata = metadata


def _link_text(annot: Any, tree: Tree) -> str:
    """What a link annotation says: its words and where it goes."""
    try:
        href = annot["A"]["URI"].s
    except (KeyError, AttributeError, TypeError):
        return "link"
    words = _find_words(tree.root, str(href))
    return f"{words} ({href})" if words and words != href else str(href)


def _find_words(node: Node, href: str) -> str:
    if href in node.links:
        return node.links[href]
    for k in node.kids:
        if isinstance(k, Node):
            found = _find_words(k, href)
            if found:
                return found
    return ""


def _artifacts(code: list[str]) -> list[str]:
    """The page's content with each run of painting outside tagged content marked as a layout
    artifact (rules, fills, boxes, answer lines, a logo): nothing is left unmarked."""
    out: list[str] = []
    run: list[str] = []
    depth = 0

    def flush() -> None:
        if any(_PAINTS.search(entry) for entry in run):
            out.extend(["/Artifact BMC", *run, "EMC"])
        else:
            out.extend(run)
        run.clear()

    for entry in code:
        if entry.endswith(" BDC") or entry.endswith(" BMC"):
            if depth == 0:
                flush()
            depth += 1
            out.append(entry)
        elif entry == "EMC":
            depth -= 1
            out.append(entry)
        elif depth == 0:
            run.append(entry)
        else:
            out.append(entry)
    flush()
    return out


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """Text for an XML element: escaped, and without characters XML cannot hold."""
    text = _XML_BAD.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xmp(title: str, language: str, subject: str = "", authors: Iterable[str] = ()) -> str:
    """The XMP packet: title, language, description, authors, and the PDF/UA-1 claim."""
    creators = "".join(f"<rdf:li>{_x(a)}</rdf:li>" for a in authors)
    description = (
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{_x(subject)}</rdf:li>'
        "</rdf:Alt></dc:description>"
        if subject
        else ""
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_x(title)}</rdf:li></rdf:Alt>'
        "</dc:title>"
        f"<dc:language><rdf:Bag><rdf:li>{_x(language)}</rdf:li></rdf:Bag></dc:language>"
        + (f"<dc:creator><rdf:Seq>{creators}</rdf:Seq></dc:creator>" if creators else "")
        + description
        + "<xmp:CreatorTool>briefgen</xmp:CreatorTool>"
        "<pdfuaid:part>1</pdfuaid:part>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )
