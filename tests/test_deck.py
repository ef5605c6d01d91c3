"""The deck read back with python-pptx: what a teacher sees, hears in the notes, and can edit."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageFont
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE

from briefgen.blocks import BulletList, Document, Paragraph, Section, Table, spans_text
from briefgen.load import check
from briefgen.plan import plan
from briefgen.render import Rendered, font_path
from briefgen.render.measure import text_width, wrap
from briefgen.render.pptx import render
from briefgen.slots import Words, env_for
from briefgen.template_set import TemplateSet
from briefgen.text import Span

ROOT = Path(__file__).resolve().parent.parent
MALI = ROOT / "briefs" / "mali-2013"
GOOD = Path(__file__).resolve().parent / "fixtures" / "good"
EMU_PT = 12700


@dataclass
class Deck:
    loaded: Any
    doc: Document
    out: Rendered

    @property
    def prs(self) -> Any:
        return Presentation(io.BytesIO(self.out.data))


def build(folder: Path) -> Deck:
    loaded = check(folder)
    assert loaded.brief is not None, loaded.findings
    doc = plan(loaded.brief, loaded.folder, "deck", TemplateSet())
    return Deck(loaded, doc, render(doc))


@pytest.fixture(scope="module")
def mali() -> Deck:
    return build(MALI)


def all_decks() -> list[Path]:
    return [MALI, *sorted(p for p in GOOD.iterdir() if (p / "brief.yaml").is_file())]


def slide_text(slide: Any) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


# ---- re-measuring text from the saved file, with the same DejaVu metrics ----


@lru_cache(maxsize=64)
def font(bold: bool, italic: bool, size: float) -> ImageFont.FreeTypeFont:
    style = {(0, 0): "regular", (1, 0): "bold", (0, 1): "italic", (1, 1): "bolditalic"}
    return ImageFont.truetype(str(font_path(style[bool(bold), bool(italic)])), size)


def paragraph_height(p: Any, width: float) -> float:
    """Lines after greedy word wrap × the paragraph's exact line spacing, plus its space after."""
    sizes = [18.0]
    pieces: list[tuple[str, Any]] = []
    for child in p._p:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "r":
            r = next(run for run in p.runs if run._r is child)
            size = r.font.size.pt if r.font.size else 18.0
            sizes.append(size)
            pieces.append((r.text, font(bool(r.font.bold), bool(r.font.italic), size)))
        elif tag == "br":
            pieces.append(("\n", None))
    indent = int(p._p.pPr.get("marL", "0")) / EMU_PT if p._p.pPr is not None else 0.0
    lines, used, pending = 1, 0.0, 0.0
    for text, f in pieces:
        if f is None:
            lines, used, pending = lines + 1, 0.0, 0.0
            continue
        for token in re.split(r"( )", text):
            if token == " ":
                pending += f.getlength(" ")
            elif token:
                w = f.getlength(token)
                glued = used > 0 and pending == 0  # no space before: part of the same word
                if used and not glued and used + pending + w > width - indent:
                    lines, used, pending = lines + 1, 0.0, 0.0
                while w > width - indent and not glued:  # a word longer than the line
                    lines += 1
                    w -= width - indent
                used += pending + w
                pending = 0.0
    spacing = p.line_spacing.pt if hasattr(p.line_spacing, "pt") else 1.2 * max(sizes)
    after = p.space_after.pt if p.space_after is not None else 0.0
    return lines * spacing + after


def frame_overflow(
    tf: Any, width_emu: int, height_emu: int, margins: tuple[int, int, int, int]
) -> float:
    """How many points the text is taller than its box (negative: room left)."""
    left, right, top, bottom = margins
    width = (width_emu - left - right) / EMU_PT
    height = (height_emu - top - bottom) / EMU_PT
    return sum(paragraph_height(p, width) for p in tf.paragraphs if p.runs) - height


def overflows(prs: Any) -> list[str]:
    found = []
    for n, slide in enumerate(prs.slides, 1):
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                tf = shape.text_frame
                margins = (tf.margin_left, tf.margin_right, tf.margin_top, tf.margin_bottom)
                over = frame_overflow(tf, shape.width, shape.height, margins)
                if over > 0.5:
                    found.append(f"slide {n}: {tf.text[:40]!r} over by {over:.1f} pt")
            if shape.has_table:
                table = shape.table
                for r, row in enumerate(table.rows):
                    for c, cell in enumerate(row.cells):
                        margins = (
                            cell.margin_left,
                            cell.margin_right,
                            cell.margin_top,
                            cell.margin_bottom,
                        )
                        over = frame_overflow(
                            cell.text_frame, table.columns[c].width, row.height, margins
                        )
                        if over > 0.5:
                            found.append(
                                f"slide {n}: cell {r},{c} {cell.text[:30]!r} over by {over:.1f} pt"
                            )
    return found


# ---- the Mali deck ----


def test_mali_slide_count_and_titles(mali: Deck) -> None:
    prs = mali.prs
    assert 8 <= len(prs.slides) <= 30  # walls of text continue on more slides (test_deck_density)
    assert mali.out.pages == len(prs.slides)
    titles = [
        s.shapes.title.text_frame.text if s.shapes.title is not None else "" for s in prs.slides
    ]
    assert all(t.strip() for t in titles), titles
    assert titles[0] == mali.doc.title
    headings = [s.heading for s in mali.doc.sections]
    texts = [slide_text(s) for s in prs.slides]
    for heading in headings:  # every section shows up, in order (a short one may share a slide,
        # under its heading: test_deck_density)
        shown = any(t.startswith(heading) for t in titles)  # a chart's first slide: its point
        assert shown or any(f"\n{heading}\n" in text for text in texts), heading
    assert [h for h in titles if h in headings] == [h for h in headings if h in titles]
    assert prs.slide_width == round(13.333 * 914400) and prs.slide_height == 7.5 * 914400


def test_title_slide_shows_kicker_subtitle_and_date(mali: Deck) -> None:
    text = slide_text(mali.prs.slides[0])
    for part in (mali.doc.title, mali.doc.subtitle, mali.doc.kicker.upper(), mali.doc.date_line):
        assert part in text


def test_pledges_chart_is_native_and_matches_the_brief(mali: Deck) -> None:
    brief = mali.loaded.brief
    expected = {
        p.name: p.current.troops
        for p in brief.parties
        if p.country and p.current.troops is not None
    }
    charts = [sh.chart for s in mali.prs.slides for sh in s.shapes if sh.has_chart]
    assert len(charts) == 1
    chart = charts[0]
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    plot = chart.plots[0]
    categories = list(plot.categories)
    totals = [sum(vals) for vals in zip(*(s.values for s in plot.series), strict=True)]
    assert dict(zip(categories, totals, strict=True)) == expected
    assert totals == sorted(totals, reverse=True)  # largest first in the data ...
    assert chart.category_axis.reverse_order  # ... and drawn top-down
    assert chart.has_legend and len(plot.series) == 2
    assert "#,##0" in chart.value_axis.tick_labels.number_format


def test_chart_slide_has_caption_lines(mali: Deck) -> None:
    slide = next(s for s in mali.prs.slides if any(sh.has_chart for sh in s.shapes))
    spec = next(b.spec for s in mali.doc.sections for b in s.blocks if hasattr(b, "spec"))
    for line in spec.caption_lines:
        assert line in slide_text(slide)


def test_pictures_and_charts_have_alt_text(mali: Deck) -> None:
    seen = 0
    for slide in mali.prs.slides:
        for shape in slide.shapes:
            if shape.has_chart or shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                descr = shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr", "")
                assert descr.strip(), shape.name
                seen += 1
    assert seen == 2  # the map and the pledges chart


def test_every_content_slide_has_speaker_notes(mali: Deck) -> None:
    for n, slide in enumerate(mali.prs.slides, 1):
        if n > 1:
            assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), n


def test_perspectives_are_marked_as_opinion(mali: Deck) -> None:
    prs = mali.prs
    slides = [s for s in prs.slides if s.shapes.title.text_frame.text.startswith("Perspectives")]
    text = "\n".join(slide_text(s) for s in slides)  # each opinion marked, on every slide
    assert text.count(mali.doc.words["opinion"].upper()) == len(mali.loaded.brief.perspectives)
    assert mali.doc.words["perspectives_note"] in text


@pytest.mark.parametrize("folder", all_decks(), ids=lambda p: p.name)
def test_no_text_overflows_its_box(folder: Path) -> None:
    deck = build(folder)
    assert overflows(deck.prs) == []
    assert deck.out.warnings == []


def test_same_input_same_bytes(mali: Deck) -> None:
    again = render(mali.doc)
    assert again.data == mali.out.data
    with zipfile.ZipFile(io.BytesIO(again.data)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = mali.prs.core_properties
    assert props.created == props.modified == dt.datetime(2013, 1, 23)
    assert props.title == mali.doc.title and props.last_modified_by == ", ".join(mali.doc.authors)


# ---- small documents ----


def test_minimal_brief() -> None:
    deck = build(GOOD / "minimal")
    prs = deck.prs
    assert len(prs.slides) >= 2
    chart = next(sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart)
    plot = chart.plots[0]
    assert list(plot.categories) == ["France"]
    assert sum(sum(s.values) for s in plot.series) == 500


def tiny(*sections: Section, labels: dict[str, str] | None = None) -> Document:
    templates = TemplateSet()
    table = labels or templates.labels("en")
    return Document(
        output="deck",
        spec=templates.output("deck"),
        theme=templates.theme,
        words=Words(table, env_for(templates)),
        title="Tiny",
        subtitle="",
        kicker="Slides",
        date_line="1 May 2020",
        date_iso="2020-05-01",
        timestamp=1588291200,
        language="en",
        sections=sections,
    )


def test_content_is_never_markup() -> None:
    loaded = check(GOOD / "minimal")
    assert loaded.brief is not None
    brief = loaded.brief.model_copy(
        update={
            "summary": "Use <b>bold</b> &amp; {{ x }} and **really** [see](https://example.org)."
        }
    )
    out = render(plan(brief, loaded.folder, "deck", TemplateSet()))
    prs = Presentation(io.BytesIO(out.data))
    summary = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Summary")
    text = slide_text(summary)
    assert "Use <b>bold</b> &amp; {{ x }} and really see." in text
    runs = [
        r
        for sh in summary.shapes
        if sh.has_text_frame
        for p in sh.text_frame.paragraphs
        for r in p.runs
    ]
    assert any(r.text == "really" and r.font.bold for r in runs)
    assert [r.hyperlink.address for r in runs if r.hyperlink.address] == ["https://example.org"]


def test_wrap_keeps_text_and_style_and_breaks_only_what_must_break() -> None:
    spans = (
        Span("Half"),
        Span("bold", strong=True),
        Span(" words, a link", href="https://example.org"),
        Span(" and " + "x" * 60 + " then\na new line"),
    )
    lines = wrap(spans, 14, 120.0)
    assert "".join(spans_text(line) for line in lines) == spans_text(spans)  # nothing lost
    assert spans_text(lines[0]).startswith("Halfbold ")  # a word in two styles stays whole
    assert any(s.strong and s.text == "bold" for s in lines[0])
    assert any(s.href and "link" in s.text for line in lines for s in line)
    assert any(spans_text(line).endswith("then\n") for line in lines)  # the newline ends a line
    for line in lines:  # only the over-long word is broken, by character, and each piece fits
        text = spans_text(line).rstrip(" \n")
        if set(text) == {"x"}:
            assert text_width(text, 14) <= 120.0
    assert wrap((), 14, 120.0) == ((),)


def test_a_table_too_long_for_its_slides_shows_its_first_rows_and_says_how_many_more() -> None:
    rows = tuple(((Span(f"Party {i:04d}"),), (Span(f"{10 + i:,}"),)) for i in range(3_000))
    table = Table(("Party", "Troops"), rows, (0.6, 0.4))
    note = Paragraph((Span("a. Figures as each party reported them."),), "note")  # fine print
    doc = tiny(Section("commitments", "Pledges", (table, note), "n"))
    most = doc.spec.max_slides
    out = render(doc)
    prs = Presentation(io.BytesIO(out.data))
    titles = [s.shapes.title.text_frame.text for s in prs.slides][1:]  # after the title slide
    assert titles[0] == "Pledges" and titles[-1] == f"Pledges (continued, {most}/{most})"
    assert len(titles) == most
    shown = [
        row.cells[0].text
        for slide in prs.slides
        for shape in slide.shapes
        if shape.has_table
        for row in list(shape.table.rows)[1:]
    ]
    assert shown == [f"Party {i:04d}" for i in range(len(shown))]  # the first rows, in order
    assert len(shown) > (most - 1) * doc.spec.max_rows
    last = " ".join(sh.text_frame.text for sh in prs.slides[-1].shapes if sh.has_text_frame)
    assert f"… and {3_000 - len(shown):,} more, not shown on the slides" in last
    assert out.warnings == [
        f"'Pledges' shows {len(shown)} of its 3,000 table rows on {most} slides "
        f"(max_slides: {most}); the other outputs have them all"
    ]
    assert overflows(prs) == []


def test_long_sections_continue_on_more_slides_and_fit() -> None:
    words = " ".join(f"word{i}" for i in range(900))
    long_word = "x" * 700  # cannot break at a space: broken by character, never a crash
    rows = tuple((((Span(f"row {i}"),), (Span(words[: 40 * (i % 7 + 1)]),))) for i in range(60))
    doc = tiny(
        Section(
            "background",
            "Background",
            (Paragraph((Span(words),)), Paragraph((Span(long_word),))),
            "n",
        ),
        Section("actors", "Who", (Table(("A", "B"), rows, (0.3, 0.7)),), "n"),
        Section(
            "questions",
            "Questions",
            (BulletList(tuple((Span(words[:300]),) for _ in range(30)), True),),
            "n",
        ),
    )
    out = render(doc)
    prs = Presentation(io.BytesIO(out.data))
    titles = [s.shapes.title.text_frame.text for s in prs.slides]
    assert sum(t.startswith("Background (continued") for t in titles) >= 1
    assert sum(t.startswith("Who (continued") for t in titles) >= 2
    assert any(t.startswith("Questions (continued") for t in titles)
    assert len(set(titles)) == len(titles)  # a part on three slides or more: "(continued, 3/5)"
    assert overflows(prs) == []
    assert out.warnings == []
    table_slides = [s for s in prs.slides if any(sh.has_table for sh in s.shapes)]
    headers = [
        next(sh for sh in s.shapes if sh.has_table).table.cell(0, 0).text for s in table_slides
    ]
    assert set(headers) == {"A"}  # the header row repeats on every slide of a split table


def contrast(a: Any, b: Any) -> float:
    """WCAG contrast ratio of two RGBColor values."""

    def lum(c: Any) -> float:
        ch = [v / 255 for v in (c[0], c[1], c[2])]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_is_readable_on_its_background(mali: Deck) -> None:
    white = (255, 255, 255)
    checked = 0
    for slide in list(mali.prs.slides)[1:]:  # the title slide is text on its band, checked below
        for shape in slide.shapes:
            frames = []
            if shape.has_text_frame:
                filled = shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and shape.fill.type == 1
                frames.append((shape.text_frame, shape.fill.fore_color.rgb if filled else white))
            if shape.has_table:
                frames += [
                    (c.text_frame, c.fill.fore_color.rgb)
                    for row in shape.table.rows
                    for c in row.cells
                ]
            for tf, background in frames:
                for run in (r for p in tf.paragraphs for r in p.runs):
                    assert contrast(run.font.color.rgb, background) >= 4.5, run.text
                    checked += 1
    assert checked > 100
    title = mali.prs.slides[0].shapes.title.text_frame.paragraphs[0].runs[0]
    band = TemplateSet().theme.colours.band.lstrip("#")
    assert contrast(title.font.color.rgb, tuple(bytes.fromhex(band))) >= 4.5


def test_chart_uses_the_theme_palette(mali: Deck) -> None:
    chart = next(sh.chart for s in mali.prs.slides for sh in s.shapes if sh.has_chart)
    palette = [c.lstrip("#").upper() for c in TemplateSet().theme.chart_palette]
    colours = [str(s.format.fill.fore_color.rgb) for s in chart.plots[0].series]
    assert colours == palette[: len(colours)]


def test_a_master_deck_gives_its_layouts_not_its_slides(tmp_path: Path, mali: Deck) -> None:
    master = Presentation()  # 4:3, with two slides of its own
    for _ in range(2):
        slide = master.slides.add_slide(master.slide_layouts[1])
        slide.shapes.title.text_frame.text = "OLD SLIDE"
    (tmp_path / "deck").mkdir()
    master.save(str(tmp_path / "deck" / "master.pptx"))
    out = render(replace(mali.doc, master=tmp_path / "deck" / "master.pptx"))
    prs = Presentation(io.BytesIO(out.data))
    assert len(prs.slides) == out.pages >= 8
    assert all("OLD SLIDE" not in slide_text(s) for s in prs.slides)
    assert prs.slide_width == master.slide_width  # the master's own size
    assert overflows(prs) == []
    with zipfile.ZipFile(io.BytesIO(out.data)) as z:
        assert (
            len([n for n in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)])
            == out.pages
        )


def test_deck_text_is_measured_as_it_will_be_shaped():
    """Most text is measured a character at a time; combining marks and shaped scripts are
    measured whole, so 'e' + U+0301 is as wide as 'é' and Arabic is as wide as Pillow shapes it."""
    import unicodedata

    from briefgen.render.measure import _font, text_width

    for word in ("café", "Diabaly", "Tombouctou", "Ségou", "Привет"):
        composed = text_width(unicodedata.normalize("NFC", word), 20)
        decomposed = text_width(unicodedata.normalize("NFD", word), 20)
        assert abs(composed - decomposed) < 0.05, word
        # and never narrower than Pillow's own measure of the whole word (kerning aside)
        assert composed >= _font(False, False, 1000).getlength(word) / 50 - 0.3, word
    arabic = "مرحبا بالعالم"
    assert abs(text_width(arabic, 10) - _font(False, False, 1000).getlength(arabic) / 100) < 0.01
