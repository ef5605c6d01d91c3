"""Shared helpers for the web page's tests: plan a brief, render its page, parse it back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefgen.blocks import Document
from briefgen.load import check
from briefgen.plan import plan
from briefgen.render import Rendered
from briefgen.template_set import TemplateSet as Templates

ROOT = Path(__file__).resolve().parent.parent
HTML_TEMPLATES = ROOT / "templates" / "html"
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Page:
    doc: Document
    out: Rendered
    tree: Any  # html5lib's ElementTree of the page

    @property
    def html(self) -> str:
        return self.out.data.decode("utf-8")

    def text(self, element: Any | None = None) -> str:
        """The words a reader sees (script-free page: every text node), spaces squashed."""
        root = self.tree.find("body") if element is None else element
        return squash("".join(root.itertext()))

    def all(self, tag: str) -> list[Any]:
        return list(self.tree.iter(tag))


def squash(text: str) -> str:
    """Runs of ASCII white space as one space (the no-break spaces of French numbers stay)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" ")


def parse(data: bytes) -> Any:
    """The page parsed strictly (any HTML parse error raises), without HTML namespaces."""
    import html5lib

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(data.decode("utf-8"))


def document(folder: Path, output: str = "html") -> Document:
    loaded = check(folder)
    assert loaded.brief is not None and loaded.ok, [f.format() for f in loaded.findings]
    return plan(loaded.brief, loaded.folder, output, Templates())


def render_page(doc: Document) -> Page:
    from briefgen.render.html import render

    out = render(doc)
    return Page(doc, out, parse(out.data))


@lru_cache(maxsize=8)
def page_of(folder: Path) -> Page:
    """A brief's page, rendered once per test session."""
    return render_page(document(folder))
