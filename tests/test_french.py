"""French all the way: the French test brief's handout, one-pager and deck read as if set in
French typography, read back from the files a user gets."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation

from briefgen.build import Options, build
from briefgen.dates import PartialDate
from briefgen.format import Formatter
from briefgen.slots import Words, env_for
from briefgen.template_set import TemplateSet
from tests.adversarial._util import pdf_text, pptx_texts
from tests.conftest import FIXTURES

FRENCH = FIXTURES / "good" / "french"
NBSP, NNBSP = "\u00a0", "\u202f"
ENGLISH_NAMES = ("Chad", "Ivory Coast", "United Kingdom")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("french")
    brief = FRENCH / "brief.yaml"
    result = build([(brief, str(brief))], Options(out, ("handout", "one-pager", "deck"), 1))
    assert result.ok, [f.format() for f in result.findings]
    folder = out / "french"
    return {
        "handout": pdf_text(folder / "french-handout.pdf"),
        "one-pager": pdf_text(folder / "french-brief.pdf"),
        "deck": pptx_texts(folder / "french-deck.pptx"),
        "deck-file": str(folder / "french-deck.pptx"),
    }


@pytest.mark.parametrize("output", ["handout", "one-pager", "deck"])
def test_no_english_names_commas_or_straight_quotes(outputs, output):
    text = outputs[output]
    for name in ENGLISH_NAMES:
        assert name not in text, name
    assert "Tchad" in text and "Côte d’Ivoire" in text
    assert not re.search(r"\d,\d{3}", text), re.findall(r".{20}\d,\d{3}.{5}", text)
    assert NNBSP not in text  # ReportLab breaks lines at it: U+00A0 instead
    for straight in ('"', "'", "“", "”"):
        assert straight not in text, (straight, text[text.index(straight) - 40 :][:80])


@pytest.mark.parametrize("output", ["handout", "deck"])
def test_quotation_marks_dates_and_apostrophes(outputs, output):
    text = outputs[output]
    # pypdf reads a PDF's no-break space back as a space: the deck keeps the very characters
    space = f"[{NBSP} ]" if output == "handout" else NBSP
    narrow = space  # U+00A0 before ; ? ! too: ReportLab would break lines at U+202F
    assert re.search(f"«{space}guerre sainte{space}»", text)
    assert re.search(f"«{space}France Intervenes in Mali{space}»", text)  # the list of sources
    assert re.search(f"«{space}Nous n’avons pas d’autre but", text)
    assert re.search(f"arrêter{narrow}\\?", text) and re.search(f"terrorisme{narrow}!", text)
    assert re.search(f"élu{narrow};", text)
    assert re.search(f"L’enjeu{space}: la capitale", text)
    assert "Du 12 au 19 janvier 2013" in text  # the displacement chart's dates
    assert "du 17 au 18 janvier 2013" in text  # the pledges chart's
    assert "Au 12" not in text and "– 19" not in text


def test_one_pager_takes_the_typographic_apostrophe(outputs):
    assert "L’essentiel" in outputs["one-pager"]


def test_deck_is_tagged_french_and_its_charts_print_french_numbers(outputs):
    path = Path(outputs["deck-file"])
    with zipfile.ZipFile(path) as z:
        tagged = [n for n in z.namelist() if n.endswith(".xml") and b'"en-US"' in z.read(n)]
    assert tagged == []
    prs = Presentation(str(path))
    charts = [s.chart for slide in prs.slides for s in slide.shapes if s.has_chart]
    assert charts
    for chart in charts:
        code = chart.value_axis.tick_labels.number_format
        assert f'#"{NBSP}"##0' in code and "," not in code, code
        labels = re.findall(r'<c:dLbls>.*?formatCode="([^"]*)"', chart._chartSpace.xml, re.S)
        assert labels and all(html.unescape(f) == code for f in labels), labels  # bar values
    notes = [s.notes_slide.notes_text_frame.text for s in prs.slides if s.has_notes_slide]
    assert any(f"Tchad{NBSP}: 2{NBSP}000 soldats" in n for n in notes)


def test_date_spans_in_french():
    templates = TemplateSet()
    fmt = Formatter("fr", Words(templates.labels("fr"), env_for(templates)))
    day = PartialDate.parse
    assert fmt.date_range([day("2031-05-12"), day("2031-05-19")]) == "du 12 au 19 mai 2031"
    assert fmt.as_of([day("2031-05-12"), day("2031-05-19")]) == "Du 12 au 19 mai 2031"
    assert fmt.as_of([day("2031-04-01"), day("2031-05-19")]) == "Du 1er avril au 19 mai 2031"
    assert fmt.as_of([day("2030-12-30"), day("2031-01-02")]) == (
        "Du 30 décembre 2030 au 2 janvier 2031"
    )
    assert fmt.as_of([day("2031-05-19")]) == "Au 19 mai 2031"
