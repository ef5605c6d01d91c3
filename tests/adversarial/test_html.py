"""Hostile text on the web page: markup, <script>, javascript: links, entities and template syntax
are shown exactly as typed, never become elements, attributes, links or running code.

Each case is one brief whose every text field holds `CODE + payload`, rendered to the page.
Wherever the same brief with plain words shows a field, the payload must show character for
character, and the page must hold no element or attribute the plain page does not.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from briefgen.text import plain
from tests.adversarial._util import FIELDS, full_brief, write_brief
from tests.webpage import SVG, Page, document, render_page, squash

PAYLOADS = {
    "script": "<script>alert('x')</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "break-out": "\"'><img src=x onerror=alert(1)><svg onload=alert(2)>",
    "end-tags": "</title></style></textarea></svg></details></table></main><!-- c -->",
    "style": "<style>body{display:none}</style><link rel=stylesheet href=//evil.example/s.css>",
    "javascript-link": "[click](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) "
    "[c](data:text/html,<script>alert(3)</script>)",
    "entities": "&amp; &lt;b&gt; &#x3C;script&#x3E; &nbsp; &copy; &bogus; &#0;",
    "template": "{{ 7*7 }} {% for x in range(3) %}{{x}}{% endfor %} {# c #} ${x} #{y}",
    "svg-text": "]]> <![CDATA[x]]> --> <!-- $\\frac{1}{2}$ -->",
    "stray": "a & b < c > d && <<>> \" '",
    "scripts-and-emoji": "الحرب في مالي 中文测试 🙂 🇫🇷 e\u0301 a\u200bb\u202ec",
}
PLAIN = " plain words"

# Elements and attributes a page of hostile text may hold: exactly those of the plain page.


def _page(root: Path, name: str, payload: str) -> Page:
    folder = root / name
    write_brief(folder, full_brief(lambda code: code + payload))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # refused links are warned about; that is tested elsewhere
        return render_page(document(folder))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    root = tmp_path_factory.mktemp("html-adversarial")
    out = {"reference": _page(root, "reference", PLAIN)}
    for name, payload in PAYLOADS.items():
        out[name] = _page(root, name, payload)
    return out


def _shape(page: Page) -> list[tuple[str, tuple[str, ...]]]:
    """Every element of the body with its attribute names, SVG drawing aside."""
    return [
        (e.tag, tuple(sorted(e.attrib)))
        for e in page.tree.find("body").iter()
        if not str(e.tag).startswith(SVG) or e.tag in (f"{SVG}svg", f"{SVG}title", f"{SVG}desc")
    ]


def _shown(page: Page) -> str:
    """All the text a reader or a screen reader gets: the body's text and the charts' names."""
    return page.text()


@pytest.mark.parametrize("case", list(PAYLOADS))
def test_payload_is_shown_literally_wherever_the_field_shows(case, pages):
    reference, page = pages["reference"], pages[case]
    reference_text, text = _shown(reference), _shown(page)
    shown = [code for code in FIELDS if squash(code + PLAIN) in reference_text]
    assert len(shown) >= 30, shown  # nearly every field is on the page
    # What a reader sees of the field: the payload as typed, except that a link's syntax
    # goes (its text stays, and the javascript:/data: target is refused, so no link).
    expected = {code: squash(plain(code + PAYLOADS[case])) for code in shown}
    if case != "javascript-link":
        assert all(e == squash(code + PAYLOADS[case]) for code, e in expected.items())
    else:
        assert expected["SM"] == "SMclick b c"
    missing = [FIELDS[code] for code in shown if expected[code] not in text]
    assert not missing, f"{PAYLOADS[case]!r} not shown literally in {missing}"


@pytest.mark.parametrize("case", list(PAYLOADS))
def test_payload_never_becomes_an_element_or_an_attribute(case, pages):
    assert _shape(pages[case]) == _shape(pages["reference"])
    page = pages[case]
    assert not page.all("script") and not page.all(f"{SVG}script")
    for e in page.tree.iter():
        assert not any(a.lower().startswith("on") for a in e.attrib), (e.tag, e.attrib)


@pytest.mark.parametrize("case", list(PAYLOADS))
def test_links_are_only_http_https_mailto_or_in_page(case, pages):
    hrefs = [a.get("href") for a in pages[case].all("a")]
    assert hrefs == [a.get("href") for a in pages["reference"].all("a")]
    assert all(re.match(r"(#|https?://|mailto:)", h) for h in hrefs), hrefs


@pytest.mark.parametrize("case", list(PAYLOADS))
def test_chart_names_carry_the_payload_as_text(case, pages):
    page = pages[case]
    descs = [d.text or "" for d in page.all(f"{SVG}desc")]
    assert len(descs) == 3  # pledges, displacement (columns), timeline
    # the displacement chart's categories are the `where` fields, named in its alt text (as
    # typed: charts.py does not strip link syntax from them; either way it is text)
    wanted = {squash(plain("W1" + PAYLOADS[case])), squash("W1" + PAYLOADS[case])}
    assert any(w in squash(d) for w in wanted for d in descs), descs
