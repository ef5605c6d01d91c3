"""End-to-end: build real briefs and read the PDFs back as a reader would see them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.blocks import Chart
from briefgen.build import Options, build
from briefgen.errors import RenderError
from briefgen.load import check
from briefgen.plan import plan
from briefgen.render.pdf import render as render_pdf
from briefgen.template_set import TemplateSet
from tests.adversarial._util import pdf_text as text_of
from tests.conftest import FIXTURES, MALI

GOOD = FIXTURES / "good"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    briefs = [
        MALI / "brief.yaml",
        *(GOOD / n / "brief.yaml" for n in ("many-parties", "french", "required-only")),
    ]
    result = build([(b, str(b)) for b in briefs], Options(out, ("handout", "one-pager")))
    assert result.ok, [f.format() for f in result.findings]
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_mali_page_counts(built):
    assert len(PdfReader(built / "mali-2013/mali-2013-handout.pdf").pages) in (2, 3, 4)
    assert len(PdfReader(built / "mali-2013/mali-2013-brief.pdf").pages) == 1


def test_handout_shows_every_current_troop_figure_with_its_source(built):
    text = squash(text_of(built / "mali-2013/mali-2013-handout.pdf"))
    brief = check(MALI).brief
    assert brief is not None
    cite = brief.source_index()
    for party in brief.parties:
        c = party.current
        if c.troops is None:
            continue
        figure = f"{c.troops:,}"
        assert figure in text, party.name
        # The table row: party ... figure ... [source number]
        row = re.search(rf"{re.escape(party.name)} .*?{figure}.*?\[{cite[c.sources[0]]}\]", text)
        assert row, f"{party.name}: {figure} [{cite[c.sources[0]]}] not found in one row"


def test_handout_shows_displacement_with_source_and_date(built):
    text = squash(text_of(built / "mali-2013/mali-2013-handout.pdf"))
    assert (
        "about 230,000 displaced Mali and neighbouring countries Mar 2012 16 Jan 2013 [2]" in text
    )
    assert "not reported displaced" in text  # the figure the sources do not give


def test_handout_order_and_labels(built):
    text = squash(text_of(built / "mali-2013/mali-2013-handout.pdf"))
    headings = [
        "Content note",
        "Essential question",
        "Summary",
        "At a glance",
        "Background",
        "Map",
        "Timeline",
        "Foreign commitments",
        "People forced from their homes",
        "Perspectives",
        "Glossary",
        "Questions for discussion",
        "Sources",
    ]
    at = 0
    for heading in headings:  # each heading comes after the one before it
        at = text.index(heading, at) + len(heading)
    assert "These are opinions, not facts." in text
    assert "Page 1 of 4" in text  # the budget is kept at print-size type...
    for left_out in ("Who is involved", "In their words"):  # ...by what is shown
        assert left_out not in text


def test_one_pager_has_bottom_line_figures_chart_and_sources(built):
    text = squash(text_of(built / "mali-2013/mali-2013-brief.pdf"))
    for expected in [
        "Bottom line",
        "about 230,000",
        "Troop pledges by country",
        "Worsening",
        "Sources: [3] AFP, 17 Jan 2013; [4] AFP, 23 Jan 2013",
        "[4] African troops in the Mali mission",
    ]:
        assert expected in text


def test_fonts_are_embedded(built):
    reader = PdfReader(built / "mali-2013/mali-2013-handout.pdf")
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            obj = font.get_object()
            descriptor = obj.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in obj:
                descriptor = obj["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            fonts.add((str(obj["/BaseFont"]), embedded))
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert any("DejaVuSans" in name for name, _ in fonts)


@pytest.mark.parametrize("name", ["many-parties", "required-only", "french"])
def test_other_briefs_build_without_none_or_zero_bars(built, name):
    for kind in ("handout", "brief"):
        text = squash(text_of(built / name / f"{name}-{kind}.pdf"))
        assert "None" not in text
        assert not re.search(r"\bnan\b", text)


def test_many_parties_lists_unreported_numbers_instead_of_zero(built):
    text = squash(text_of(built / "many-parties/many-parties-handout.pdf"))
    assert "Not reported: DR Congo, Central African Republic, São Tomé and Príncipe." in text
    assert "Saint Vincent and the Grenadines" in text
    assert "Earlier: 300 troops (20 Feb 2024) [1]" in text  # the history of Côte d'Ivoire
    spec = next(
        b.spec
        for s in plan(
            check(GOOD / "many-parties").brief, GOOD / "many-parties", "handout", TemplateSet()
        ).sections
        for b in s.blocks
        if hasattr(b, "spec") and b.spec.kind == "bars"
    )
    assert 0 not in spec.totals
    assert "DR Congo" not in spec.categories


def test_required_only_brief_has_no_empty_sections(built):
    text = squash(text_of(built / "required-only/required-only-handout.pdf"))
    for absent in ["At a glance", "Timeline", "Foreign commitments", "Glossary", "Questions"]:
        assert absent not in text


def test_french_brief_uses_french_labels_numbers_and_dates(built):
    text = text_of(built / "french/french-handout.pdf")
    flat = squash(text)
    for expected in [
        "Résumé",
        "En bref",
        "Engagements étrangers",
        "Soldats promis par pays",
        "Sources",
    ]:
        assert expected in flat
    assert re.search(r"1[\u202f\u00a0 ]700", text)  # 1 700 with a (narrow) no-break space
    assert re.search(r"environ 230[\u202f\u00a0 ]000", text)
    assert "17 janvier 2013" in flat
    assert re.search(r"Page 1 sur [12]", flat)  # the French fixture fills two pages


def test_one_pager_that_cannot_fit_fails_naming_what_is_long():
    loaded = check(MALI)
    assert loaded.brief is not None
    long = loaded.brief.model_copy(update={"background": loaded.brief.background * 12})
    doc = plan(long, MALI, "one-pager", TemplateSet())
    with pytest.raises(RenderError) as e:
        render_pdf(doc)
    assert str(e.value).startswith(
        "one-pager does not fit on 1 page even at the smallest text size (7 pt"
    )
    assert "Longest parts: The situation" in str(e.value)


def test_same_input_same_bytes(tmp_path):
    mali = [(MALI / "brief.yaml", "mali")]
    a = build(mali, Options(tmp_path / "a", ("handout", "one-pager")))
    b = build(mali, Options(tmp_path / "b", ("handout", "one-pager")))
    assert len(a.written) == 2
    for x, y in zip(a.written, b.written, strict=True):
        assert x.read_bytes() == y.read_bytes()


def test_markup_in_content_is_shown_literally(tmp_path):
    folder = tmp_path / "markup"
    folder.mkdir()
    text = (GOOD / "minimal/brief.yaml").read_text()
    text = text.replace(
        "title: A test brief", "title: 'A <b>bold</b> & <font size=40>big</font> {{ title }}'"
    )
    text = text.replace(
        "Took part.", "'<img src=\"/etc/passwd\"/> &amp; <para>x</para> {% if 1 %}y{% endif %}'"
    )
    (folder / "brief.yaml").write_text(text)
    result = build([(folder / "brief.yaml", "markup")], Options(tmp_path / "out", ("handout",)))
    assert result.ok, [f.format() for f in result.findings]
    out = squash(text_of(tmp_path / "out/markup/markup-handout.pdf"))
    assert "A <b>bold</b> & <font size=40>big</font> {{ title }}" in out
    assert '<img src="/etc/passwd"/> &amp; <para>x</para> {% if 1 %}y{% endif %}' in out


def test_pledge_chart_is_drawn_as_text_with_its_categories_and_values(built):
    """The PDF chart is vector graphics: its names and numbers are real, searchable text, bar by
    bar from the largest down, and the legend names both segments."""
    brief = check(MALI).brief
    assert brief is not None
    doc = plan(brief, MALI, "handout", TemplateSet())
    spec = next(
        b.spec
        for s in doc.sections
        for b in s.blocks
        if isinstance(b, Chart) and b.spec.kind == "bars"
    )
    assert spec.categories[:3] == ("France", "Chad", "Nigeria")
    text = squash(text_of(built / "mali-2013/mali-2013-handout.pdf"))
    chart = text[text.index(spec.title) : text.index(spec.as_of)]
    expected = " ".join(f"{c} {v}" for c, v in zip(spec.categories, spec.value_labels, strict=True))
    assert expected in chart, chart
    assert "France 2,500 (1,400 already there) Chad 2,000" in chart
    for series in spec.series:
        assert series.name in chart
    # The one-pager's narrow column shows the totals only.
    brief_text = squash(text_of(built / "mali-2013/mali-2013-brief.pdf"))
    assert "France 2,500 Chad 2,000 Nigeria about 900" in brief_text


def test_timeline_graphic_shows_every_event_with_its_date(built):
    brief = check(MALI).brief
    assert brief is not None
    pages = PdfReader(built / "mali-2013/mali-2013-handout.pdf").pages
    page = squash(next(p.extract_text() for p in pages if "Timeline" in p.extract_text()))
    shown = page[page.index("Timeline") :]
    for event in sorted(brief.timeline, key=lambda t: t.date.start):
        first_words = " ".join(event.event.split()[:3])
        assert first_words in shown, event.event
    assert "22 Mar 2012" in shown and "23 Jan 2013" in shown


def test_a_chart_is_laid_out_once_per_spec_width_and_size(monkeypatch):
    """Charts are memoised by the hash of their ChartSpec: drawing the same outputs again in one
    process (as a batch or `watch` does) lays no chart out a second time."""
    from briefgen.render import pdfcharts

    calls: list[str] = []
    real = pdfcharts._bars
    pdfcharts.drawing.cache_clear()
    monkeypatch.setattr(pdfcharts, "_bars", lambda *a: calls.append("bars") or real(*a))
    brief = check(MALI).brief
    assert brief is not None
    templates = TemplateSet()
    for _ in range(2):
        render_pdf(plan(brief, MALI, "handout", templates))
    assert calls == ["bars"]


def test_a_long_timeline_is_set_as_a_dated_list_not_a_graphic(tmp_path):
    """Twenty long events would make a graphic of slivers taller than a page: the handout lists
    them, every one with its date, instead of failing."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    data = yaml.load((MALI / "brief.yaml").read_text("utf-8"))
    long = "Fighting is reported near the town and more people leave their homes as a result "
    data["timeline"] = [
        {
            "date": f"2012-{i % 12 + 1:02d}-{i // 12 + 1:02d}",
            "event": long * 4 + f"Fighting is reported near the town and {i}.",
            "sources": ["incontext-2013"],
        }
        for i in range(20)
    ]
    folder = tmp_path / "tall"
    folder.mkdir()
    (folder / "map.png").write_bytes((MALI / "map.png").read_bytes())
    with (folder / "brief.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    loaded = check(folder / "brief.yaml")
    assert loaded.brief is not None, [f.format() for f in loaded.findings]
    templates = TemplateSet()
    doc = plan(loaded.brief, folder, "handout", templates)
    (section,) = [s for s in doc.sections if s.id == "timeline"]
    assert not any(isinstance(b, Chart) for b in section.blocks)
    out = tmp_path / "handout.pdf"
    out.write_bytes(render_pdf(doc).data)
    text = squash(text_of(out))
    for day in ("1 January 2012", "1 December 2012", "2 August 2012"):
        assert day in text
    assert "Fighting is reported near the town and 19." in text


def _handout_layouts(monkeypatch, brief, *, rule: bool = True) -> tuple[object, list[str]]:
    """The handout of `brief`, and its layouts in order ("draft" or "drawn", and how many
    sections each had); with `rule` off, every choice of sections is tried with a draft."""
    from briefgen.render import pdf

    layouts: list[str] = []
    real = pdf._flow_at

    def counted(doc, style):
        layouts.append(f"{'draft' if style.draft else 'drawn'} {len(doc.sections)}")
        return real(doc, style)

    with monkeypatch.context() as m:
        m.setattr(pdf, "_flow_at", counted)
        if not rule:
            m.setattr(pdf._Overflow, "usable", lambda self, dropped: False)
        rendered = render_pdf(plan(brief, MALI, "handout", TemplateSet()))
    return rendered, layouts


def test_a_handout_over_its_pages_leaves_out_what_its_overflow_says_in_two_layouts(monkeypatch):
    """Mali's handout runs a page over: 'In their words' alone is far too short to win that
    page back (no draft is needed to know), so both optional parts go, and the layout that
    leaves them out, likely to fit, is drawn at once: two layouts, no drafts."""
    brief = check(MALI).brief
    assert brief is not None
    rendered, layouts = _handout_layouts(monkeypatch, brief)
    assert layouts == ["drawn 15", "drawn 13"]
    assert rendered.pages == 4
    assert rendered.warnings == ["left out to keep within 4 pages: Who is involved, In their words"]
    slow, drafts = _handout_layouts(monkeypatch, brief, rule=False)
    assert drafts == ["drawn 15", "draft 14", "draft 13", "drawn 13"]
    assert slow.data == rendered.data


@pytest.mark.parametrize(
    "cut",
    [
        {"glossary": 7, "actors": 3, "timeline": 3},  # one part left out is enough
        {"quotes": 0, "timeline": 9, "perspectives": 0},  # one optional part only
        {"key_figures": 2, "actors": 1, "displacement": 1},  # the first guess does not fit
        {"glossary": 10, "displacement": 3, "key_figures": 0},  # too long even without both
        {"commitments": 38, "actors": 24},  # twice the rows: far too long
    ],
    ids=lambda cut: ",".join(f"{k}={v}" for k, v in cut.items()),
)
def test_leaving_parts_out_by_the_overflow_chooses_what_a_draft_of_each_choice_would(
    monkeypatch, cut
):
    brief = check(MALI).brief
    assert brief is not None
    changed = {
        field: (getattr(brief, field) * 2)[:n] for field, n in cut.items()
    }  # the first n, repeated past the end
    variant = brief.model_copy(update=changed)
    fast, fast_layouts = _handout_layouts(monkeypatch, variant)
    slow, slow_layouts = _handout_layouts(monkeypatch, variant, rule=False)
    assert (fast.data, fast.pages, fast.warnings) == (slow.data, slow.pages, slow.warnings)
    assert len(fast_layouts) <= len(slow_layouts)
    assert sum(x.startswith("drawn") for x in fast_layouts) <= 3
