"""Deck density, read back from the built file: no slide is a wall of text or of table rows
(the deck's `max_lines` and `max_rows`), and no slide holds a single line that a neighbour
could have taken (issue 12). A slide of a single table row counts as one of a single line.

Lines are counted as a reader sees them: each paragraph of each text box wrapped, with the
measure module's wrapping, at the width and font size written in the file; boxes side by side
(key-figure tiles, opinions) count as their tallest. Table rows are data rows: a header row,
repeated on each continuation slide, is not one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pptx.enum.shapes import MSO_SHAPE_TYPE

from briefgen.render.measure import LEADING, wrap
from briefgen.template_set import TemplateSet
from briefgen.text import Span
from tests.test_deck import all_decks, build

EMU_PT = 12700
FOOT = 39.6  # the footer band at the bottom of a content slide, in points (render/pptx.py)
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@dataclass
class Measured:
    """One slide as a reader sees it."""

    title: str
    lines: int  # wrapped body lines, boxes side by side counted as the tallest
    rows: int  # table data rows
    media: bool  # a picture or a chart: a slide of its own
    top: float  # the body's top and bottom, in points
    bottom: float
    size: float  # the largest body text size on it, in points


def paragraph_lines(p: Any, width: float) -> tuple[int, float]:
    """How many lines a paragraph wraps to at `width` points, and its font size."""
    spans: list[Span] = []
    size = 0.0
    for child in p._p:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "br":
            spans.append(Span("\n"))
        elif tag == "r":
            rpr = child.find(_A + "rPr")
            size = max(size, int(rpr.get("sz")) / 100)
            text = child.find(_A + "t").text or ""
            spans.append(Span(text, strong=rpr.get("b") == "1", emphasis=rpr.get("i") == "1"))
    if not spans or not "".join(s.text for s in spans).strip():
        return 0, 0.0
    ppr = p._p.pPr
    indent = int(ppr.get("marL", "0")) / EMU_PT if ppr is not None else 0.0
    return len(wrap(tuple(spans), size, width - indent)), size


def frame_lines(shape: Any) -> tuple[int, float]:
    """Wrapped lines in a shape's text frame, and its largest font size."""
    tf = shape.text_frame
    width = (shape.width - tf.margin_left - tf.margin_right) / EMU_PT
    measured = [paragraph_lines(p, width) for p in tf.paragraphs]
    return sum(n for n, _ in measured), max((s for _, s in measured), default=0.0)


def measure(slide: Any, height: float) -> Measured:
    title = slide.shapes.title
    by_top: dict[int, int] = {}  # boxes side by side start at the same top: the tallest counts
    rows, media, size = 0, False, 0.0
    top, bottom = height, 0.0
    for shape in slide.shapes:
        if title is not None and shape.shape_id == title.shape_id:
            continue
        if shape.name.startswith(("Footer", "Slide Number")):
            continue
        if shape.has_chart or shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
            media = True
        if shape.has_table:
            rows += len(shape.table.rows) - (1 if shape.table.first_row else 0)
        elif shape.has_text_frame:
            n, s = frame_lines(shape)
            if not n:
                continue  # a rule or a quote's bar
            by_top[shape.top] = max(by_top.get(shape.top, 0), n)
            size = max(size, s)
        else:
            continue
        top = min(top, shape.top / EMU_PT)
        bottom = max(bottom, (shape.top + shape.height) / EMU_PT)
    text = title.text_frame.text if title is not None else ""
    return Measured(text, sum(by_top.values()), rows, media, top, bottom, size)


def limits() -> tuple[int, int]:
    spec = TemplateSet().output("deck")
    return spec.max_lines, spec.max_rows


def problems(data: Any) -> tuple[list[str], list[Measured]]:
    """What breaks the density rules in a built deck, and each content slide measured."""
    max_lines, max_rows = limits()
    prs = data
    height = prs.slide_height / EMU_PT
    slides = [measure(s, height) for s in list(prs.slides)[1:]]  # the title slide is its own
    found = []
    for n, m in enumerate(slides, 2):
        if m.lines > max_lines:
            found.append(f"slide {n} {m.title!r}: {m.lines} lines (at most {max_lines})")
        if m.rows > max_rows:
            found.append(f"slide {n} {m.title!r}: {m.rows} table rows (at most {max_rows})")
    for i, m in enumerate(slides):  # a single line, or a table of a single row, alone
        if m.lines + m.rows != 1 or m.media:
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(slides) or slides[j].media:
                continue
            other = slides[j]
            # it would need its own lines and a sub-heading under the neighbour's content
            need = (m.bottom - m.top) + (LEADING + 0.6) * max(m.size, other.size)
            room = height - FOOT - other.bottom
            fits = other.lines + m.lines + 1 <= max_lines and other.rows + m.rows <= max_rows
            if fits and need <= room:
                found.append(
                    f"slide {i + 2} {m.title!r} has a single line or row; "
                    f"slide {j + 2} {other.title!r} could take it"
                )
    return found, slides


@pytest.mark.parametrize("folder", all_decks(), ids=lambda p: p.name)
def test_no_slide_is_too_dense_or_near_empty(folder: Path) -> None:
    deck = build(folder)
    found, _ = problems(deck.prs)
    assert found == []


def test_limits_are_the_deck_templates_own() -> None:
    """The defaults: about 7 lines, 8 table rows; a template author can change them."""
    assert limits() == (7, 8)
