"""Document → one self-contained, accessible HTML page, from a Jinja template.

The template (`page.html.j2` in the output's template folder) gets the Document's sections as
plain data: each block a dict with a `type` (the block's class, never an output name or a
section id), text already turned into markup by the `spans` filter. Jinja runs in its sandbox
with autoescaping on, and unknown names are errors: brief text is escaped wherever it lands,
and only this module makes tags (from spans, never from text).

Charts are drawn by matplotlib (render/mplcharts.py) as inline SVG with role="img", a <title>
and a <desc>; pictures are data URIs. Nothing is fetched, no script runs.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from briefgen.blocks import (
    Banner,
    Block,
    BulletList,
    Chart,
    Definitions,
    Document,
    Events,
    Fields,
    KeyFigures,
    Opinion,
    Paragraph,
    Picture,
    QuoteBlock,
    Spans,
    Table,
)
from briefgen.charts import ChartSpec
from briefgen.errors import RenderError, TemplateError
from briefgen.render import Rendered
from briefgen.slots import Words as Labels

PAGE = "page.html.j2"
# The inline charts' drawing widths and type size in points. CSS scales a chart to the column
# (at most 30 rem), so its text shows at about 12 px on a 360 px phone and 18 px on a wide
# screen. A timeline needs more room: a phone shows it as a dated list instead (see the template).
CHART_WIDTH = {"timeline": 480.0}
NARROW_CHART = 320.0
CHART_SIZE = {"timeline": 10.0}
NARROW_SIZE = 12.0
SOURCES_LIST = "sources"  # the section whose numbered list the references '[n]' point into
_REF = re.compile(r"\[(\d+(?:, \d+)*)\]")


class _Links:
    """Turns '[1, 3]' into links to the numbered items that exist on the page ('#sources-1')."""

    def __init__(self, anchors: set[str], target: str) -> None:
        self.anchors = anchors
        self.target = target  # the id prefix of the list the references point into

    def __call__(self, text: str) -> Markup:
        def link(m: re.Match[str]) -> str:
            numbers = m.group(1).split(", ")
            if not all(f"{self.target}-{n}" in self.anchors for n in numbers):
                return str(escape(m.group(0)))
            inner = ", ".join(
                f'<a href="#{self.target}-{n}" class="ref">{escape(n)}</a>' for n in numbers
            )
            return f"[{inner}]"

        out, last = [], 0
        for m in _REF.finditer(text):
            out.append(str(escape(text[last : m.start()])))
            out.append(link(m))
            last = m.end()
        out.append(str(escape(text[last:])))
        return Markup("".join(out))


def _spans(spans: Spans, refs: Callable[[str], Markup]) -> Markup:
    """Spans as inline HTML: text escaped (references linked), styles as <strong>/<em>, links
    (http, https, mailto only: the parser kept no other) as <a>."""
    out = []
    for s in spans:
        html = str(refs(s.text)) if s.href is None else str(escape(s.text))
        if s.emphasis:
            html = f"<em>{html}</em>"
        if s.strong:
            html = f"<strong>{html}</strong>"
        if s.href is not None:
            html = f'<a href="{escape(s.href)}">{html}</a>'
        out.append(html)
    return Markup("".join(out))


def _data_uri(path: Path) -> str:
    """A picture as a data URI: the page carries it, nothing is fetched."""
    from briefgen.images import sniff

    try:
        data = path.read_bytes()
    except OSError as e:
        raise RenderError(f"{path}: cannot read the picture: {e.strerror}") from None
    info = sniff(data[: 64 * 1024])
    if info is None:
        raise RenderError(f"{path}: not a PNG or JPEG picture")
    return f"data:image/{info.kind};base64,{base64.b64encode(data).decode('ascii')}"


def _chart_data(spec: ChartSpec, labels: Labels, language: str) -> dict[str, Any]:
    """The chart's data as a table (a timeline's as a dated list): what a screen reader, or a
    reader on a phone, can use. Numbers in the brief's language; a missing one "not reported"."""
    from briefgen.format import Formatter

    if spec.kind == "timeline":
        return {"events": [list(e) for e in spec.events]}
    number = Formatter(language, labels).number
    columns = [labels["party"] if spec.kind == "bars" else labels["where"]]
    several = len(spec.series) > 1
    if several:
        columns += [s.name for s in spec.series]
    columns.append(spec.unit[:1].upper() + spec.unit[1:] if spec.unit else labels["figure"])
    rows = []
    for i, name in enumerate(spec.categories):
        row = [name]
        if several:
            row += [number(s.values[i]) for s in spec.series]
        row.append(spec.value_labels[i])
        rows.append(row)
    for name in spec.not_reported:
        rows.append([name, *[labels["not_reported"]] * (len(columns) - 1)])
    return {"columns": columns, "rows": rows, "events": []}


def _block(
    block: Block,
    language: str,
    labels: Labels,
    palette: list[str],
    spans: Callable[[Spans], Markup],
    refs: Callable[[str], Markup],
    anchor: str,
) -> dict[str, Any]:
    """One block as plain data for the template; `anchor` names it uniquely on the page."""
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "style": block.style, "html": spans(block.spans)}
    if isinstance(block, BulletList):
        return {
            "type": "list",
            "numbered": block.numbered,
            "items": [spans(item) for item in block.items],
        }
    if isinstance(block, Table):
        numeric = block.numeric or (False,) * len(block.columns)
        return {
            "type": "table",
            # The row header is the first column that names the row rather than counts it.
            "key": next((i for i, num in enumerate(numeric) if not num), 0),
            "columns": list(zip(block.columns, numeric, strict=True)),
            "widths": [round(100 * w / (sum(block.widths) or 1), 1) for w in block.widths],
            "rows": [
                [(spans(cell), num) for cell, num in zip(row, numeric, strict=True)]
                for row in block.rows
            ],
        }
    if isinstance(block, Chart):
        from briefgen.render.mplcharts import draw, inline_svg

        spec = block.spec
        width = CHART_WIDTH.get(spec.kind, NARROW_CHART)
        size = CHART_SIZE.get(spec.kind, NARROW_SIZE)
        svg = draw(spec, "svg", palette or spec.palette, width=width, size=size, captions=False)
        return {
            "type": "chart",
            "kind": spec.kind,
            "title": spec.title,
            "svg": Markup(inline_svg(svg, anchor)),
            "captions": [refs(line) for line in spec.caption_lines],
            "data": _chart_data(spec, labels, language),
        }
    if isinstance(block, Picture):
        return {
            "type": "picture",
            "src": _data_uri(block.path),
            "alt": "" if block.decorative else block.alt,  # a logo says nothing to a reader
            "width": block.width,
            "height": block.height,
            "caption": spans(block.caption),
            "credit": block.credit,
        }
    if isinstance(block, KeyFigures):
        return {
            "type": "key_figures",
            "items": [
                {"value": f.value, "label": spans(f.label), "note": refs(f.note)}
                for f in block.items
            ],
        }
    if isinstance(block, QuoteBlock):
        return {
            "type": "quote",
            "html": spans(block.text),
            "attribution": refs(block.attribution),
            "paraphrase": block.paraphrase,
        }
    if isinstance(block, Opinion):
        return {"type": "opinion", "label": block.label, "html": spans(block.text)}
    if isinstance(block, Definitions):
        return {
            "type": "definitions",
            "items": [(d.term, spans(d.definition)) for d in block.items],
        }
    if isinstance(block, Events):
        return {"type": "events", "items": [(when, spans(text)) for when, text in block.items]}
    if isinstance(block, Banner):  # a handling line: plain text, first on the page
        return {"type": "paragraph", "style": "note", "html": escape(block.text.upper())}
    # A block type added to blocks.py and not yet shown here: a clear error, never a blank.
    raise RenderError(f"the web page cannot show a {type(block).__name__} block")


def page_data(doc: Document, theme: dict[str, Any]) -> dict[str, Any]:
    """Everything the page template shows, as plain data (strings, lists, dicts, Markup)."""
    labels = doc.words  # the one place labels are read
    palette = [str(c) for c in theme.get("chart_palette") or ()]
    # Numbered lists give their items ids ('sources-3', in the template); a reference '[3]'
    # links to the sources list's item, when the page has that list, else it stays text.
    anchors = {
        f"{s.id}-{i}"
        for s in doc.sections
        for b in s.blocks
        if isinstance(b, BulletList) and b.numbered
        for i in range(1, len(b.items) + 1)
    }
    refs = _Links(anchors, SOURCES_LIST)

    def spans(value: Spans) -> Markup:
        return _spans(value, refs)

    sections = []
    for s_i, section in enumerate(doc.sections):
        blocks = [  # lines to write on are for paper, not for a screen
            _block(b, doc.language, labels, palette, spans, refs, f"{section.id}-{s_i}-{n}")
            for n, b in enumerate(section.blocks)
            if not isinstance(b, Fields)
        ]
        if not blocks:
            continue
        sections.append(
            {"id": section.id, "heading": section.heading, "style": section.style, "blocks": blocks}
        )
    colours = {str(k): str(v) for k, v in (theme.get("colours") or {}).items()}
    return {
        "lang": doc.language,
        "title": doc.title,
        "subtitle": doc.subtitle,
        "kicker": doc.kicker,
        "date_line": doc.date_line,
        "date_iso": doc.date_iso,
        "authors": list(doc.authors),
        "sections": sections,
        "labels": labels,
        "colours": colours,
    }


@lru_cache(maxsize=8)
def _environment(template_dir: Path) -> Any:
    """Jinja's sandbox, autoescaping, strict about unknown names, reading `template_dir` only."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(doc: Document, theme: dict[str, Any], template_dir: Path) -> Rendered:
    """The Document as one self-contained HTML page, from `template_dir/page.html.j2`."""
    from jinja2 import TemplateError as JinjaError

    where = template_dir / PAGE
    try:
        template = _environment(template_dir).get_template(PAGE)
        html = template.render(**page_data(doc, theme))
    except JinjaError as e:
        line = getattr(e, "lineno", None) or _template_line(e, where)
        at = f"{where}:{line}" if line else str(where)
        raise TemplateError(f"{at}: {type(e).__name__}: {e}") from None
    return Rendered(html.encode("utf-8"), 1)


def render(doc: Document) -> Rendered:
    """The `html` renderer: the page from the output's folders (a user's first)."""
    from jinja2 import TemplateError as JinjaError

    folders = [f for f in doc.folders if (f / PAGE).is_file()]
    if not folders:
        raise TemplateError(f"{doc.output}: no {PAGE} in its template folder")
    where = folders[0] / PAGE
    try:
        template = _environment_for(tuple(doc.folders)).get_template(PAGE)
        html = template.render(**page_data(doc, doc.theme.model_dump()))
    except JinjaError as e:
        line = getattr(e, "lineno", None) or _template_line(e, where)
        at = f"{where}:{line}" if line else str(where)
        raise TemplateError(f"{at}: {type(e).__name__}: {e}") from None
    return Rendered(html.encode("utf-8"), 1)


@lru_cache(maxsize=8)
def _environment_for(folders: tuple[Path, ...]) -> Any:
    """As `_environment`, over the output's folders in lookup order (a user's file first)."""
    from jinja2 import FunctionLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from briefgen.template_set import _read_capped, _regular_inside

    def load(name: str) -> str | None:  # a regular file inside a folder: never a link out
        for folder in folders:
            if _regular_inside(folder / name, folder):
                return _read_capped(folder / name).decode("utf-8")
        return None

    return SandboxedEnvironment(
        loader=FunctionLoader(load),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _template_line(error: BaseException, where: Path) -> int | None:
    """The template line an error was raised at while rendering: Jinja puts the template's
    own frames, with their lines, into the traceback."""
    tb, line = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(where):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
