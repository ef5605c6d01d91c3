"""The web page in a real browser: Debian's chromium, headless, with axe-core injected.

axe-core must report zero violations of the WCAG 2.1 A and AA rules, at a phone's width and a
wide screen's; at 360 px nothing may stick out sideways. Screenshots at 360, 768 and 1280 px
are written to `BRIEFGEN_SCREENSHOTS` when set (to look at), else to the test's temporary
folder. When chromium, its driver or axe-core is missing this fails (CI installs them); only
`BRIEFGEN_SKIP_BROWSER=1` turns it into a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import browser
from tests.adversarial._util import full_brief, write_brief
from tests.conftest import FIXTURES, MALI
from tests.webpage import document, page_of, render_page

WIDTHS = (360, 768, 1280)


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    if browser.should_skip():
        pytest.skip(f"{browser.SKIP_VARIABLE}=1: the browser tests are turned off")
    lacking = browser.missing()
    assert not lacking, f"the browser tests need {lacking} (.ci/run installs them)"
    with browser.chromium() as d:
        yield d


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Mali page, the French one, and a page of hostile text, written as files."""
    root = tmp_path_factory.mktemp("pages")
    hostile = root / "hostile-brief"
    write_brief(
        hostile, full_brief(lambda code: f"{code} <b>x</b> & {{{{ y }}}} [z](javascript:1)")
    )
    long_words = root / "long-words-brief"
    write_brief(long_words, full_brief(lambda code: f"{code} {'Unbreakable' * 40} end"))
    built = {
        "long-words": render_page(document(long_words)),
        "mali": page_of(MALI),
        "french": page_of(FIXTURES / "good" / "french"),
        "hostile": render_page(document(hostile)),
    }
    files = {}
    for name, page in built.items():
        files[name] = root / f"{name}.html"
        files[name].write_bytes(page.out.data)
    return files


def _report(result: dict[str, Any]) -> str:
    lines = [f"axe-core {result.get('version')}: {result.get('error', '')}"]
    for v in result.get("violations", []):
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n}" for n in v["nodes"][:5]]
    return "\n".join(lines)


@pytest.mark.parametrize("name", ["mali", "french", "hostile"])
@pytest.mark.parametrize("width", [360, 1280])
def test_axe_core_finds_no_wcag_21_a_or_aa_violation(driver, pages, name, width):
    browser.open_page(driver, pages[name], width)
    result = browser.run_axe(driver)
    assert "error" not in result, _report(result)
    assert result["version"] == "4.14.1"
    assert result["violations"] == [], _report(result)
    # axe really looked: the rules that matter for this page ran and passed
    rules = ["color-contrast", "html-has-lang", "svg-img-alt", "th-has-data-cells", "list"]
    rules += ["image-alt"] if name != "french" else []  # the French brief has no picture
    for rule in rules:
        assert rule in result["passes"], (rule, result["passes"])


@pytest.mark.parametrize("name", ["mali", "french", "hostile", "long-words"])
def test_nothing_overflows_sideways_at_360_px(driver, pages, name):
    browser.open_page(driver, pages[name], 360)
    overflow = browser.horizontal_overflow(driver)
    assert overflow["viewport"] == 360
    assert overflow["scrollWidth"] <= 360 and not overflow["elements"], overflow


def test_screenshots_at_three_widths(driver, pages, tmp_path):
    folder = Path(os.environ.get("BRIEFGEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    for width in WIDTHS:
        target = folder / f"mali-{width}.png"
        browser.screenshot(driver, pages["mali"], width, target)
        with Image.open(target) as shot:
            assert shot.size[0] == width and shot.size[1] > 2000  # the whole page
    # at a phone's width the timeline is a dated list, on a wide screen a drawing
    browser.open_page(driver, pages["mali"], 360)
    shown = driver.execute_script(
        "return [...document.querySelectorAll('figure.timeline > svg, figure.timeline > ol')]"
        ".map(e => e.tagName.toLowerCase() + ':' + (e.getBoundingClientRect().height > 0))"
    )
    assert shown == ["svg:false", "ol:true"]
    browser.open_page(driver, pages["mali"], 1280)
    shown = driver.execute_script(
        "return [...document.querySelectorAll('figure.timeline > svg, figure.timeline > ol')]"
        ".map(e => e.tagName.toLowerCase() + ':' + (e.getBoundingClientRect().height > 0))"
    )
    assert shown == ["svg:true", "ol:false"]


def test_the_page_fetches_nothing(driver, pages):
    browser.open_page(driver, pages["mali"], 1280)
    fetched = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert fetched == []


def test_axe_would_report_a_violation(driver, tmp_path):
    """The harness can fail: a page with a picture without alt text and faint text is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body><main>"
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<p style="color:#BBBBBB;background:#FFFFFF">faint</p></main></body></html>'
    )
    browser.open_page(driver, bad, 1280)
    found = {v["id"] for v in browser.run_axe(driver)["violations"]}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found, found


def test_the_page_prints_whole(driver, pages):
    """Printed (A4, the print stylesheet): every section, and every column of the wide tables
    (paper does not scroll), on a handful of pages."""
    import base64
    import io

    from pypdf import PdfReader
    from selenium.webdriver.common.print_page_options import PrintOptions

    browser.open_page(driver, pages["mali"], 1280)
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    pdf = PdfReader(io.BytesIO(base64.b64decode(driver.print_page(options))))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    doc = page_of(MALI).doc
    for section in doc.sections:
        assert section.heading in text, section.heading
    # the commitments table's last column, and its last row's last cell, are on paper
    assert "committed 16 Jan 2013 [2]" in text
    assert "The chart's data" not in text  # the on-screen data tables stay off paper
    assert 4 <= len(pdf.pages) <= 9, len(pdf.pages)
