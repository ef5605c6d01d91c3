"""What teachers and analysts expect on the page: the reading level, the lesson parts (answers
in the teacher copy only), glossary terms in bold where first used, key judgments with their
confidence, money pledged drawn as a chart, charts that state their point, print-size type."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from briefgen.build import Options, build
from tests.conftest import FIXTURES, MALI


@pytest.fixture(scope="module")
def mali(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mali")
    result = build([(MALI / "brief.yaml", "mali")], Options(out, jobs=1))
    assert result.ok, [f.format() for f in result.findings]
    return out / "mali-2013"


@pytest.fixture(scope="module")
def money(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("money")
    brief = FIXTURES / "good" / "money" / "brief.yaml"
    result = build([(brief, "money")], Options(out, jobs=1))
    assert result.ok, [f.format() for f in result.findings]
    return out / "money"


def text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def runs(path: Path) -> list[tuple[str, str, float]]:
    """(text, font name, size) of every piece of text drawn in a PDF."""
    found: list[tuple[str, str, float]] = []
    for page in PdfReader(path).pages:

        def visit(t: str, cm: object, tm: list[float], font: object, size: float) -> None:
            if t.strip() and isinstance(font, dict):
                found.append((t, str(font.get("/BaseFont")), size * abs(tm[3])))

        page.extract_text(visitor_text=visit)
    return found


def test_check_reports_the_reading_level_and_hard_paragraphs(tmp_path, cli):
    folder = tmp_path / "hard"
    shutil.copytree(FIXTURES / "good" / "minimal", folder)
    brief = folder / "brief.yaml"
    hard = (
        "  - Notwithstanding considerable international apprehension, intergovernmental "
        "deliberations concerning multilateral interventionist commitments remained "
        "characteristically inconclusive throughout the protracted negotiations.\n"
    )
    source = brief.read_text("utf-8").replace("  - It began earlier.\n", hard)
    brief.write_text("audience: {grade: 6}\n" + source, "utf-8")
    run = cli("check", str(folder))
    shown = str(brief.relative_to(Path.cwd())) if brief.is_relative_to(Path.cwd()) else str(brief)
    assert f"{shown}: reading level: about grade" in run.out
    assert "(target grade 6)" in run.out
    line = next(n for n, ln in enumerate(brief.read_text().splitlines(), 1) if "Notwith" in ln)
    assert f"{shown}:{line}:5: warning: background[0]: reads at about grade " in run.out
    assert "well above the target grade 6; use shorter sentences and plainer words" in run.out
    assert run.code == 0 and cli("check", "--strict", str(folder)).code == 1


def test_the_deck_notes_say_the_reading_level(mali):
    prs = Presentation(str(mali / "mali-2013-deck.pptx"))
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert "Reading level: about grade" in notes and "(written for grade 9)" in notes


def test_answers_are_in_the_teacher_copy_only(mali):
    teacher = text(mali / "mali-2013-teacher.pdf")
    assert "Suggested answer:" in teacher and "Listen for:" in teacher
    pages = PdfReader(mali / "mali-2013-teacher.pdf").pages  # a running header from page 2
    assert "Teacher copy: it holds the answers" not in pages[0].extract_text()
    assert all("Teacher copy: it holds the answers" in p.extract_text() for p in pages[1:])
    assert "Learning objectives" in teacher and "Warm-up" in teacher
    for student in ("handout", "worksheet"):
        shown = text(mali / f"mali-2013-{student}.pdf")
        assert "Suggested answer" not in shown and "Listen for" not in shown, student
        assert "independent Tuareg country" not in shown, student
    deck = Presentation(str(mali / "mali-2013-deck.pptx"))
    slides = " ".join(
        s.text_frame.text for sl in deck.slides for s in sl.shapes if s.has_text_frame
    )
    assert "Suggested answer" not in slides


def test_glossary_terms_are_bold_where_first_used(mali):
    drawn = runs(mali / "mali-2013-handout.pdf")
    first = next(i for i, (t, _, _) in enumerate(drawn) if "Tuareg" in t)
    assert drawn[first][0].strip() == "Tuareg" and "Bold" in drawn[first][1], drawn[first]
    later = [f for t, f, _ in drawn[first + 1 :] if "Tuareg" in t and "—" not in t]
    assert any("Bold" not in f for f in later), "only the first use is bold"
    deck = Presentation(str(mali / "mali-2013-deck.pptx"))
    bold = [
        r.text
        for sl in deck.slides
        for s in sl.shapes
        if s.has_text_frame
        for p in s.text_frame.paragraphs
        for r in p.runs
        if r.font.bold and r.text == "Tuareg"
    ]
    assert bold, "the deck marks the term too"


def test_key_judgments_with_confidence_lead_the_one_pager(mali):
    page = text(mali / "mali-2013-brief.pdf")
    assert "Key judgments" in page and "What to watch" in page
    assert "Very likely; moderate confidence: French troops will carry most" in page
    assert "Very likely; high confidence: Western governments" in page
    assert page.index("Bottom line") < page.index("Key judgments") < page.index("At a glance")


def test_a_money_chart_never_adds_the_unknown(money):
    page = text(money / "money-handout.pdf")
    assert "Money pledged by country" in page
    assert page.index("Norway US$35,000,000") < page.index("Japan US$20,000,000")
    assert "Not reported: Sweden." in page
    assert "not reported" in page  # Sweden's row in the table
    prs = Presentation(str(money / "money-deck.pptx"))
    charts = [sh.chart for sl in prs.slides for sh in sl.shapes if sh.has_chart]
    (chart,) = charts
    assert list(chart.plots[0].categories) == ["Norway", "Japan", "Canada"]
    assert list(chart.plots[0].series[0].values) == [35_000_000, 20_000_000, 12_500_000]


def test_chart_slides_state_their_point_from_the_data(mali, money):
    titles = [s.shapes.title.text for s in Presentation(str(mali / "mali-2013-deck.pptx")).slides]
    assert "France has pledged the most troops: 2,500, 1,400 already there" in titles
    money_titles = [
        s.shapes.title.text for s in Presentation(str(money / "money-deck.pptx")).slides
    ]
    assert "Norway has pledged the most money: US$35,000,000" in money_titles


def test_pledge_bars_carry_their_values_where_they_fit(mali):
    prs = Presentation(str(mali / "mali-2013-deck.pptx"))
    chart = next(sh.chart for sl in prs.slides for sh in sl.shapes if sh.has_chart)
    xml = chart._chartSpace.xml
    assert '<c:showVal val="1"/>' in xml
    assert xml.count('<c:delete val="1"/>') >= 5  # zero and sliver segments left unlabelled


def test_handout_type_is_print_size(mali):
    drawn = runs(mali / "mali-2013-handout.pdf")
    body = [size for t, _, size in drawn if t.startswith(("In March 2012", "The rebels had"))]
    assert body and min(body) >= 10.5, body
    cells = [size for t, _, size in drawn if t.strip() in ("Chad", "Nigeria", "Togo")]
    assert cells and min(cells) >= 8.5, cells


def test_a_changed_pledge_is_marked_in_the_table(mali):
    page = text(mali / "mali-2013-handout.pdf")
    assert "▲ from 1,700 (16 Jan 2013)" in page or "▲ from 1,700" in page
