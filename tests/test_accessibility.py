"""Tagged PDFs (PDF/UA-1), read back: the structure a screen reader follows, the reading order,
alt text, tables, lists, links and metadata, for the Mali brief, the many-parties and French
fixtures. (conftest.py also runs `pdf_problems` over every PDF any test builds.)

After an intended change to the structure, regenerate the tag goldens and review the diff:

    BRIEFGEN_UPDATE_GOLDENS=1 .venv/bin/pytest tests/test_accessibility.py
"""

from __future__ import annotations

import difflib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from briefgen.build import Options, build
from briefgen.load import check
from tests.accessibility import deck_problems, elements, pdf_problems, struct_text, structure
from tests.conftest import FIXTURES, MALI

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("BRIEFGEN_UPDATE_GOLDENS") == "1"
GOOD = FIXTURES / "good"
BRIEFS = {
    "mali-2013": MALI,
    "many-parties": GOOD / "many-parties",
    "french": GOOD / "french",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tagged")
    # The Mali brief with links in its summary (no shipped brief has one), one over a line end.
    linked = tmp_path_factory.mktemp("linked") / "linked"
    shutil.copytree(MALI, linked)
    yaml = (linked / "brief.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace(
        "summary: >\n  In January 2013 France",
        "summary: >\n  See [the UN mission page](https://www.un.org/en/mali?a=1&b=(2)) and "
        "[a very long link text that will surely wrap over the end of a line](https://example.org/x).\n"
        "  In January 2013 France",
    )
    (linked / "brief.yaml").write_text(yaml, encoding="utf-8")
    briefs = [(p / "brief.yaml", name) for name, p in {**BRIEFS, "linked": linked}.items()]
    result = build(briefs, Options(out, jobs=1))  # each brief's own outputs
    assert result.ok, [f.format() for f in result.findings]
    return out


def pdfs(built: Path) -> list[Path]:
    found = sorted(built.glob("*/*.pdf"))
    # Mali and its linked copy: handout, worksheet, teacher copy, one-pager; the others: a
    # handout and a one-pager
    assert len(found) == 12
    return found


def test_every_pdf_passes_the_structure_check(built):
    for path in pdfs(built):
        assert pdf_problems(path.read_bytes()) == [], path.name


def test_every_pdf_passes_the_pdfua_package(built):
    from pdfua import validate

    for path in pdfs(built):
        report = validate(str(path))
        assert [(f.rule_id, f.message) for f in report.findings] == [], path.name
        assert report.skipped == (), path.name  # every rule it has ran
        assert report.exit_code == 0, path.name


def test_the_check_finds_untagged_content():
    """The checker itself fails a file that is not tagged (so a pass above means something)."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf)
    c.drawString(72, 72, "untagged")
    c.save()
    problems = pdf_problems(buf.getvalue())
    assert "catalog: MarkInfo /Marked is not true" in problems
    assert "no XMP metadata" in problems
    assert "catalog: no StructTreeRoot" in problems


@pytest.mark.parametrize(
    "artifact", ["mali-2013/mali-2013-handout.pdf", "mali-2013/mali-2013-brief.pdf"]
)
def test_structure_matches_its_golden(built, artifact):
    """The tag tree as poppler reads it (roles and text, in reading order)."""
    actual = struct_text(built / artifact)
    golden = GOLDEN / (Path(artifact).name + ".tags.txt")
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    diff = "\n".join(
        difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "now", lineterm=""
        )
    )
    assert actual == expected, diff


def roles(path: Path) -> list[tuple[str, str]]:
    """(role, indented text) lines of poppler's structure view."""
    out = []
    for line in struct_text(path).splitlines():
        m = re.match(r"(\s*)([A-Za-z0-9]+)", line)
        if m and not line.strip().startswith('"'):
            out.append((m.group(2), line))
    return out


def test_handout_structure_is_document_h1_then_sections(built):
    path = built / "mali-2013/mali-2013-handout.pdf"
    pdf = pikepdf.open(path)
    top = structure(pdf)
    all_roles = [e.role for e in elements(top)[1:]]
    assert all_roles[0] == "Document"
    headings = [r for r in all_roles if re.fullmatch(r"H\d", r)]
    assert headings[0] == "H1" and headings.count("H1") == 1
    assert set(headings[1:]) == {"H2"}
    for role in ("Sect", "Table", "TR", "TH", "TD", "L", "LI", "Lbl", "LBody", "Figure", "Caption"):
        assert role in all_roles, role


def test_section_headings_are_read_in_the_order_printed(built):
    text = struct_text(built / "mali-2013/mali-2013-handout.pdf")
    h2 = re.findall(r'H2 \(block\)\n\s+"([^"]*)"', text)
    assert h2[:5] == ["Essential question", "Summary", "At a glance", "Background", "Map"]
    assert h2[-2:] == ["Questions to discuss", "Sources"] or "Sources" in h2[-1]


def test_glossary_reads_term_by_term(built):
    """Printed in two columns, read down them: each term right after the one before it."""
    brief = check(MALI).brief
    assert brief is not None
    text = struct_text(built / "mali-2013/mali-2013-handout.pdf")
    positions = [text.find(f'"{g.term} — ') for g in brief.glossary]
    assert all(p > 0 for p in positions), positions
    assert positions == sorted(positions)


def test_figures_carry_the_alt_text_of_the_brief(built):
    brief = check(MALI).brief
    assert brief is not None
    pdf = pikepdf.open(built / "mali-2013/mali-2013-handout.pdf")
    alts = [e.alt for e in elements(structure(pdf)) if e.role == "Figure"]
    assert brief.images[0].alt in alts  # the map
    assert any(a.startswith("Troops pledged") or "troops" in a.lower() for a in alts), alts
    assert len(alts) >= 3  # map, timeline and at least one chart


def test_data_tables_have_column_headers_and_layout_tables_are_not_tables(built):
    pdf = pikepdf.open(built / "mali-2013/mali-2013-teacher.pdf")  # every part of the brief
    tables = [e for e in elements(structure(pdf)) if e.role == "Table"]
    heads = [[th for th in elements(t) if th.role == "TH" and th.scope == "Column"] for t in tables]
    # actors, commitments, displacement: a header row each; the timeline: dates as row headers
    assert sum(1 for h in heads if h) >= 3, heads
    # the key figures, title band and side-by-side columns are not tables
    assert len(tables) <= 5


def test_lists_have_labels_and_bodies(built):
    text = struct_text(built / "mali-2013/mali-2013-handout.pdf")
    items = re.findall(r'Lbl \(block\)\n\s+"([^"]*)"\n\s+LBody \(block\)\n\s+"([^"]*)"', text)
    assert len(items) >= 4, text[-2000:]
    assert items[0][0].strip() in ("1.", "•")


def test_links_are_link_elements_with_contents(built):
    pdf = pikepdf.open(built / "linked/linked-handout.pdf")
    links = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]
    assert links, "the Mali sources have links"
    contents = [str(a.Contents) for a in links]
    assert "the UN mission page (https://www.un.org/en/mali?a=1&b=(2))" in contents
    assert len(links) >= 2
    assert all(str(a.A.URI) in c for a, c in zip(links, contents, strict=True))
    links_in_tree = [e for e in elements(structure(pdf)) if e.role == "Link"]
    assert len(links_in_tree) == len(links)


def test_catalog_and_metadata(built):
    for name, lang in (("mali-2013", "en"), ("french", "fr")):
        path = next((built / name).glob("*-handout.pdf"))
        pdf = pikepdf.open(path)
        assert str(pdf.Root.Lang) == lang
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert f"<rdf:li>{lang}</rdf:li>" in xmp
        assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
        assert all(p.obj.Tabs == "/S" for p in pdf.pages)


def test_a_table_over_two_pages_is_one_element_and_its_repeated_header_an_artifact(built):
    """The Mali teacher copy's tables (actors, commitments) run over page breaks."""
    path = built / "mali-2013/mali-2013-teacher.pdf"
    pdf = pikepdf.open(path)
    pages = {p.obj.objgen: n for n, p in enumerate(pdf.pages, 1)}

    def pages_of(el) -> set[int]:
        out = set()
        for e in elements(el):
            out |= {pages[k[1]] for k in e.kids if isinstance(k, tuple) and k[0] == "mcr"}
        return out

    tables = [e for e in elements(structure(pdf)) if e.role == "Table"]
    split = [t for t in tables if len(pages_of(t)) > 1]
    assert split, [sorted(pages_of(t)) for t in tables]
    for t in split:
        header = [tr for tr in t.kids if any(c.role == "TH" for c in tr.kids)]
        assert len(header) <= 1  # one header row in the structure, however often printed
        if header:
            assert len(pages_of(header[0])) == 1


def test_no_content_is_hidden_as_an_artifact(built):
    """Every word on the page is in the structure, except the running footer."""
    for path in pdfs(built):
        page_text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        tagged = re.sub(r"\s+", "", struct_text(path))
        pdf = pikepdf.open(path)
        title = str(pdf.docinfo.Title)
        footer_words = set(re.sub(r"\s+", " ", title).split())
        if "teacher" in path.name:  # and its running header, an artifact too
            footer_words |= {"Teacher", "copy:", "it", "holds", "the", "answers,", "not", "for"}
            footer_words |= {"students"}
        missing = {
            w
            for w in page_text.split()
            if w not in tagged
            and w not in footer_words
            and not re.fullmatch(r"[\d/]+|of|Page|sur", w)
        }
        assert not missing, (path.name, sorted(missing)[:20])


@pytest.mark.parametrize(
    ("alt", "where", "error"),
    [
        (None, (1, 5), "images[0].alt: required key is missing"),  # at the picture's entry
        ('"   "', (2, 10), "images[0].alt: must not be empty"),  # at the value
    ],
)
def test_a_picture_without_alt_text_is_a_check_error(tmp_path, cli, alt, where, error):
    """Every output is tagged, so every picture needs alt text: `check` says where it lacks."""
    folder = tmp_path / "no-alt"
    shutil.copytree(MALI, folder)
    yaml = (folder / "brief.yaml").read_text(encoding="utf-8")
    head, images = yaml.split("\nimages:\n")
    old = re.search(r"    alt: >\n(?:      .*\n)+", images)
    assert old is not None
    images = images.replace(old.group(0), "" if alt is None else f"    alt: {alt}\n")
    (folder / "brief.yaml").write_text(head + "\nimages:\n" + images, encoding="utf-8")
    line = head.count("\n") + 2 + where[0]  # `images:` is line head + 2
    run = cli("check", str(folder))
    assert run.code == 1
    assert f"{folder / 'brief.yaml'}:{line}:{where[1]}: {error}\n" in run.out, run.out


# ---- the deck ----


@pytest.mark.parametrize(
    ("name", "language"), [("mali-2013", "en"), ("many-parties", "en"), ("french", "fr")]
)
def test_deck_passes_the_deck_check(built, name, language):
    """Titles, alt text, decorative shapes, reading order, text contrast, chart outlines and
    language, and OOXML that tells the truth (tests/accessibility.py: deck_problems)."""
    path = next((built / name).glob("*-deck.pptx"))
    assert deck_problems(path, language) == []


def test_deck_decorations_are_marked_and_the_footer_is_read_last(built):
    from pptx import Presentation

    prs = Presentation(str(built / "mali-2013/mali-2013-deck.pptx"))
    slide = prs.slides[2]
    names = [s.name for s in slide.shapes]
    assert names[-2:] == ["Footer", "Slide Number"]
    decorative = [
        s.name for s in slide.shapes if s._element.xpath(".//*[local-name()='decorative']")
    ]
    assert decorative, names  # the rule under the title
    assert slide.shapes[0].shape_id == slide.shapes.title.shape_id


def test_deck_chart_xml_is_valid_and_in_the_brief_language(built):
    import zipfile

    with zipfile.ZipFile(next((built / "french").glob("*-deck.pptx"))) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"ppt/charts/chart\d+\.xml", n)]
        assert charts
        for name in charts:
            xml = z.read(name).decode()
            ids = re.findall(r'<c:(?:axId|crossAx) val="(-?\d+)"', xml)
            assert ids and all(int(i) >= 0 for i in ids)
            assert '<c:lang val="fr"/>' in xml and "en-US" not in xml
        app = z.read("docProps/app.xml").decode()
        slides = len([n for n in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)])
        assert f"<Slides>{slides}</Slides>" in app
        assert "<PresentationFormat>Widescreen (16:9)</PresentationFormat>" in app
        assert "screen4x3" not in z.read("ppt/presentation.xml").decode()


# ---- blocks no shipped brief shows this way, rendered directly ----


def _render(sections) -> bytes:
    import dataclasses

    from briefgen.plan import plan
    from briefgen.render.pdf import render as render_pdf
    from briefgen.template_set import TemplateSet

    brief = check(MALI).brief
    assert brief is not None
    doc = plan(brief, MALI, "handout", TemplateSet())
    return render_pdf(dataclasses.replace(doc, sections=tuple(sections))).data


def _pages_of(pdf: pikepdf.Pdf, el) -> set[int]:
    pages = {p.obj.objgen: n for n, p in enumerate(pdf.pages, 1)}
    return {pages[k[1]] for k in el.kids if isinstance(k, tuple) and k[0] == "mcr"}


def test_a_paragraph_over_a_page_break_is_one_element():
    from briefgen.blocks import Paragraph, Section, plain_spans

    words = " ".join(f"word{i}" for i in range(1800))  # more than a page of one paragraph
    data = _render([Section("background", "Background", (Paragraph(plain_spans(words)),))])
    assert pdf_problems(data) == []
    pdf = pikepdf.open(io.BytesIO(data))
    paragraphs = [e for e in elements(structure(pdf)) if e.role == "P"]
    long = [p for p in paragraphs if len(_pages_of(pdf, p)) > 1]
    assert len(long) == 1 and len(_pages_of(pdf, long[0])) >= 2


def test_a_dated_list_has_its_dates_as_row_headers():
    """The timeline as text (a table without column names): each date is a TH with Scope Row,
    and the empty header band is an artifact, not an empty header row."""
    from briefgen.blocks import Events, Section, plain_spans

    events = Events(tuple((f"{d} Jan 2013", plain_spans(f"Event {d}.")) for d in range(1, 8)))
    data = _render([Section("timeline", "Timeline", (events,))])
    assert pdf_problems(data) == []
    pdf = pikepdf.open(io.BytesIO(data))
    (table,) = [e for e in elements(structure(pdf)) if e.role == "Table"]
    rows = [k for k in table.kids if getattr(k, "role", "") == "TR"]
    assert len(rows) == 7  # no empty header row
    assert all([c.role for c in r.kids] == ["TH", "TD"] for r in rows)
    assert {c.scope for r in rows for c in r.kids if c.role == "TH"} == {"Row"}
