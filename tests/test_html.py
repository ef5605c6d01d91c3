"""The web page, read back with a parser: self-contained, semantic, complete, escaped, localised.

The page is rendered straight from a planned Document (the wiring of the `html` output into
the build is the templates refactor's), with the shipped template in `templates/html/`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.blocks import (
    Chart,
    Definitions,
    Events,
    KeyFigures,
    Opinion,
    QuoteBlock,
    Section,
    Table,
    spans_text,
)
from tests.conftest import FIXTURES, MALI
from tests.webpage import HTML_TEMPLATES as HTML
from tests.webpage import SVG, Page, page_of, parse, render_page, squash

GOOD = FIXTURES / "good"
ALL = [MALI, *sorted(p for p in GOOD.iterdir() if (p / "brief.yaml").is_file())]


@pytest.fixture(scope="module")
def mali() -> Page:
    return page_of(MALI)


def test_page_parses_without_a_single_html_error(mali):
    # parse() is strict: html5lib raises on any parse error (bad nesting, stray end tag...)
    assert mali.tree.tag == "html"
    assert mali.html.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("folder", ALL, ids=lambda p: p.name)
def test_every_brief_gives_a_page_that_parses(folder):
    page = page_of(folder)
    assert page.tree.get("lang") == page.doc.language
    assert page.all("h1")[0].text == page.doc.title
    text = page.text()
    for word in ("None", "nan", "NaN", "undefined", "{{", "{%"):
        assert not re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text), word


def test_page_is_self_contained(mali):
    assert not mali.all("script") and not mali.all("link") and not mali.all("iframe")
    assert not mali.all("object") and not mali.all("embed") and not mali.all("base")
    for element in mali.tree.iter():
        assert not any(name.startswith("on") for name in element.attrib), element.tag
        for name in ("src", "srcset", "poster", "data"):
            value = element.get(name)
            assert value is None or value.startswith("data:image/"), (element.tag, value[:40])
    style = "".join(s.text or "" for s in mali.all("style"))
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    # Links only to the page itself or to the sources' web pages (http/https/mailto)
    for a in mali.all("a"):
        assert re.match(r"(#|https?://|mailto:)", a.get("href", "")), a.get("href")
    assert mali.all("img"), "the Mali map is carried in the page"


def test_landmarks_and_one_h1_then_h2s_in_order(mali):
    assert [e.tag for e in mali.tree.find("body")] == ["header", "main", "footer"]
    assert len(mali.all("h1")) == 1
    assert len(mali.all("main")) == 1
    h2 = [squash("".join(h.itertext())) for h in mali.all("h2")]
    assert h2 == [s.heading for s in mali.doc.sections]
    for tag in ("h3", "h4", "h5", "h6"):
        assert not mali.all(tag), "headings go h1 then h2: no level is skipped"
    # each section is labelled by its heading
    for section in mali.tree.find("body/main").findall("section"):
        assert section.get("aria-labelledby") == section.find("h2").get("id")


def test_tables_have_captions_and_scoped_headers(mali):
    tables = mali.all("table")
    assert len(tables) >= 4  # actors, commitments, displacement, and the chart's data
    for table in tables:
        caption = table.find("caption")
        assert caption is not None and squash("".join(caption.itertext()))
        for th in table.iter("th"):
            assert th.get("scope") in ("col", "row"), text_of(th)
        body_rows = table.findall("tbody/tr")
        assert body_rows and all(len(r.findall("th")) == 1 for r in body_rows)


def text_of(element) -> str:
    return squash("".join(element.itertext()))


def _section(page: Page, section: Section):
    return page.tree.find(f".//section[@id='{section.id}']")


def test_every_table_cell_of_the_handout_is_on_the_page(mali):
    tables = 0
    for section in mali.doc.sections:
        html_section = text_of(_section(mali, section))
        for block in section.blocks:
            if isinstance(block, Table):
                tables += 1
                for row in block.rows:
                    for cell in row:
                        assert squash(spans_text(cell)) in html_section, spans_text(cell)
    assert tables == 3


def test_key_figures_each_with_its_source_and_as_of(mali):
    box = mali.tree.find(".//ul[@class='key-figures']")
    items = box.findall("li")
    figures = next(
        b for s in mali.doc.sections for b in s.blocks if isinstance(b, KeyFigures)
    ).items
    assert len(items) == len(figures) == 4
    for li, f in zip(items, figures, strict=True):
        assert text_of(li) == squash(f"{f.value} {spans_text(f.label)} {f.note}")
        assert re.search(r"\[\d+\] \d+ \w+ 2013$", f.note)  # the source and the as-of date
        ref = li.find(".//a[@class='ref']")
        assert ref is not None and mali.tree.find(f".//li[@id='{ref.get('href')[1:]}']") is not None


def test_references_link_to_the_numbered_sources(mali):
    sources = mali.tree.find(".//section[@id='sources']/ol")
    items = sources.findall("li")
    assert [li.get("id") for li in items] == [f"sources-{i}" for i in range(1, len(items) + 1)]
    refs = [a for a in mali.all("a") if a.get("class") == "ref"]
    assert len(refs) >= 20
    for a in refs:
        target = a.get("href")[1:]
        assert mali.tree.find(f".//li[@id='{target}']") is not None
        assert a.text == target.split("-")[1]


def test_figures_match_the_handout_pdf(mali):
    """The same numbers, sources and as-of dates as the printed handout."""
    import io

    from pypdf import PdfReader

    from briefgen.load import check
    from briefgen.plan import plan
    from briefgen.render.pdf import render as render_pdf
    from briefgen.template_set import TemplateSet as Templates

    brief = check(MALI).brief
    assert brief is not None
    pdf = render_pdf(plan(brief, MALI, "handout", Templates()))
    printed = squash(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    page = mali.text()
    for section in mali.doc.sections:
        for block in section.blocks:
            if isinstance(block, KeyFigures):
                for f in block.items:
                    assert f.value in printed and f.value in page
                    assert f.note in page
            if isinstance(block, Chart):
                for line in block.spec.caption_lines:
                    assert squash(line) in page, line
                    assert squash(line)[:40] in printed, line


def test_not_reported_where_a_number_is_unknown(mali):
    commitments = text_of(mali.tree.find(".//section[@id='commitments']"))
    displacement = text_of(mali.tree.find(".//section[@id='displacement']"))
    assert "not reported" in commitments and "not reported" in displacement
    assert " 0 " not in f" {displacement} "


def test_charts_are_inline_svg_named_by_their_alt_text(mali):
    specs = [b.spec for s in mali.doc.sections for b in s.blocks if isinstance(b, Chart)]
    figures = [f for f in mali.all("figure") if "chart" in (f.get("class") or "").split()]
    assert len(figures) == len(specs) == 2
    for figure, spec in zip(figures, specs, strict=True):
        svg = figure.find(f"{SVG}svg")
        assert svg is not None and svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title.text == spec.title and desc.text == spec.alt
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert svg.get("viewBox") and svg.get("width") is None  # CSS sizes it
        caption = text_of(figure.find("figcaption"))
        assert caption.startswith(spec.title)
        for line in spec.caption_lines:
            assert squash(line) in caption
        details = figure.find("details")
        assert (
            details is not None and details.find("summary").text == "The chart's data, as a table"
        )
    assert [f.get("class") for f in figures] == ["chart timeline", "chart bars"]
    bars = figures[1].find(".//details//table")
    rows = [[text_of(c) for c in tr] for tr in bars.findall("tbody/tr")]
    spec = specs[1]
    assert [r[0] for r in rows] == list(spec.categories)
    assert [r[-1] for r in rows] == list(spec.value_labels)
    assert rows[0][1:3] == ["1,400", "1,100"]  # France: already in place, still to come


def test_ids_are_unique_across_the_page(mali):
    ids = [e.get("id") for e in mali.tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})[:5]
    # every in-page reference (links, aria, SVG use/clip-path) names an id that exists
    known = set(ids)
    for e in mali.tree.iter():
        for name, value in e.attrib.items():
            for target in re.findall(r"url\(#([^)]+)\)", value):
                assert target in known, (e.tag, name, target)
            if name.endswith("href") and value.startswith("#"):
                assert value[1:] in known, value
            if name in ("aria-labelledby", "aria-describedby"):
                assert all(t in known for t in value.split()), value


def test_quotes_perspectives_glossary_and_events_use_their_elements(mali):
    blocks = [b for s in mali.doc.sections for b in s.blocks]
    quotes = mali.tree.findall(".//figure[@class='quote']")
    assert len(quotes) == sum(isinstance(b, QuoteBlock) for b in blocks) > 0
    assert all(
        q.find("blockquote") is not None and q.find("figcaption") is not None for q in quotes
    )
    opinions = mali.tree.findall(".//section[@class='opinion']//div[@class='opinion-box']")
    assert len(opinions) == sum(isinstance(b, Opinion) for b in blocks) > 0
    assert all(text_of(o).startswith("Opinion ") for o in opinions)
    note = text_of(mali.tree.find(".//section[@class='opinion']/p"))
    assert note == "These are opinions, not facts. Weigh them against the sources."
    definitions = sum(len(b.items) for b in blocks if isinstance(b, Definitions))
    assert len(mali.all("dt")) == len(mali.all("dd")) == definitions > 0
    assert sum(isinstance(b, Events) for b in blocks) == 0  # the handout draws the timeline
    assert mali.tree.find(".//section[@class='note']") is not None  # the content note


def test_print_stylesheet_and_phone_layout_are_there(mali):
    style = "".join(s.text or "" for s in mali.all("style"))
    assert "@media print" in style
    assert mali.tree.find(".//meta[@name='viewport']").get("content") == (
        "width=device-width, initial-scale=1"
    )


def test_french_page_is_in_french():
    page = page_of(GOOD / "french")
    assert page.tree.get("lang") == "fr"
    h2 = [text_of(h) for h in page.all("h2")]
    assert "Résumé" in h2 and "Sources" in h2
    text = page.text()
    assert "environ 230\u00a0000" in text  # French grouping (a no-break space, see typography)
    assert "16 janv. 2013" in text
    summary = page.tree.find(".//summary")
    assert summary.text == "Les données du graphique, en tableau"
    assert any("1\u00a0700" in text_of(d) for d in page.tree.iter("details"))
    assert "Troops" not in text and "As of" not in text


def test_page_bytes_are_the_same_twice(mali):
    again = render_page(mali.doc)
    assert again.out.data == mali.out.data


def test_the_page_names_its_charts_and_picture_for_assistive_technology(mali):
    img = mali.all("img")[0]
    assert img.get("alt") and img.get("width") and img.get("height")
    assert img.get("src").startswith("data:image/png;base64,")


def test_a_template_error_is_located(tmp_path):
    from briefgen.errors import TemplateError
    from briefgen.render.html import render_html
    from briefgen.template_set import TemplateSet as Templates

    (tmp_path / "page.html.j2").write_text("<p>\n{{ nothing_here }}</p>\n")
    with pytest.raises(TemplateError) as e:
        render_html(page_of(MALI).doc, Templates().theme.model_dump(), tmp_path)
    assert str(e.value) == (
        f"{tmp_path / 'page.html.j2'}:2: UndefinedError: 'nothing_here' is undefined"
    )


def test_the_sandbox_keeps_a_template_from_python_internals(tmp_path):
    from briefgen.errors import TemplateError
    from briefgen.render.html import render_html
    from briefgen.template_set import TemplateSet as Templates

    (tmp_path / "page.html.j2").write_text("{{ labels.__class__.__mro__ }}")
    with pytest.raises(TemplateError) as e:
        render_html(page_of(MALI).doc, Templates().theme.model_dump(), tmp_path)
    assert "SecurityError" in str(e.value) or "UndefinedError" in str(e.value)


def test_the_template_cannot_read_files_outside_its_folder(tmp_path):
    from briefgen.errors import TemplateError
    from briefgen.render.html import render_html
    from briefgen.template_set import TemplateSet as Templates

    (tmp_path / "t").mkdir()
    (tmp_path / "secret.txt").write_text("SECRET")
    (tmp_path / "t" / "page.html.j2").write_text('{% include "../secret.txt" %}')
    with pytest.raises(TemplateError) as e:
        render_html(page_of(MALI).doc, Templates().theme.model_dump(), tmp_path / "t")
    assert "TemplateNotFound" in str(e.value)


def test_parse_is_strict():
    import html5lib

    with pytest.raises(html5lib.html5parser.ParseError):
        parse(b"<!DOCTYPE html><html><body><p></div></body></html>")


def test_rendering_a_page_without_charts_never_imports_matplotlib(tmp_path):
    import subprocess
    import sys

    code = f"""
import sys
from pathlib import Path
from tests.webpage import document, render_page
doc = document(Path({str(GOOD / "required-only")!r}))
assert not any(b for s in doc.sections for b in s.blocks if type(b).__name__ == "Chart")
page = render_page(doc)
assert page.tree.find(".//h1") is not None
print("matplotlib" in sys.modules, "briefgen.render.mplcharts" in sys.modules)
"""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_a_picture_gone_since_check_is_a_clear_error(tmp_path):
    """The map removed between `check` and rendering: a located message, never a traceback."""
    import dataclasses

    from briefgen.blocks import Picture
    from briefgen.errors import RenderError
    from briefgen.render.html import render_html
    from briefgen.template_set import TemplateSet as Templates

    doc = page_of(MALI).doc
    gone = tmp_path / "map.png"
    sections = tuple(
        dataclasses.replace(
            s,
            blocks=tuple(
                dataclasses.replace(b, path=gone) if isinstance(b, Picture) else b for b in s.blocks
            ),
        )
        for s in doc.sections
    )
    with pytest.raises(RenderError) as e:
        render_html(
            dataclasses.replace(doc, sections=sections), Templates().theme.model_dump(), HTML
        )
    assert str(e.value) == f"{gone}: cannot read the picture: No such file or directory"
    gone.write_bytes(b"GIF89a not a png")
    with pytest.raises(RenderError) as e:
        render_html(
            dataclasses.replace(doc, sections=sections), Templates().theme.model_dump(), HTML
        )
    assert str(e.value) == f"{gone}: not a PNG or JPEG picture"
