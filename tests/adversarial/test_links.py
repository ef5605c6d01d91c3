"""Links: only http, https and mailto survive as hyperlinks (PDF /URI annotations, PPTX
hyperlink relationships); every other scheme keeps its text, loses its target, and
`briefgen check` prints a warning naming it."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from briefgen.build import Options, build
from briefgen.cli import main
from tests.adversarial._util import (
    full_brief,
    pdf_text,
    pdf_uris,
    pptx_hyperlinks,
    squash,
    to_yaml,
    write_brief,
)

# case → (markdown destination, the target the warning names)
REFUSED = {
    "javascript": ("javascript:alert(1)", "javascript:alert(1)"),
    "file": ("file:///etc/passwd", "file:///etc/passwd"),
    "data": ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data:text/html"),
    "vbscript": ("vbscript:msgbox(1)", "vbscript:msgbox(1)"),
    "mixed-case-javascript": ("JaVaScRiPt:alert(2)", "JaVaScRiPt:alert(2)"),
    "entity-obfuscated-javascript": ("jav&#x61;script:alert(3)", "script:alert(3)"),
    "angle-bracket-javascript": ("<javascript:alert(4)>", "javascript:alert(4)"),
    "protocol-relative": ("//evil.example/x", "//evil.example/x"),
    "leading-space-javascript": (" javascript:alert(5)", "javascript:alert(5)"),
}
ALLOWED = {
    "https": "https://example.org/ok",
    "http-upper-case": "HTTP://EXAMPLE.ORG/UPPER",
    "mailto": "mailto:someone@example.org",
}
SCHEMES = ("http://", "https://", "mailto:")
LINKS = " ".join(
    [f"[Lnk-{case}]({dest})" for case, (dest, _) in REFUSED.items()]
    + [f"[Lnk-{case}]({dest})" for case, dest in ALLOWED.items()]
)
PROSE = {"SM", "B1", "QT", "QU", "GD", "SN", "PT", "DN", "N1", "R1", "IC", "CN"}


@pytest.fixture(scope="module")
def linked(adv_root: Path) -> tuple[Path, Path]:
    folder = adv_root / "links" / "briefs" / "links"
    brief = write_brief(folder, full_brief(lambda c: LINKS if c in PROSE else f"Plain {c}."))
    out = adv_root / "links" / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = build([(brief, "links")], Options(out, jobs=1))
    assert result.ok, [f.format() for f in result.findings]
    return folder, out / "links"


def _targets(out: Path) -> dict[str, list[str]]:
    return {
        "handout": pdf_uris(out / "links-handout.pdf"),
        "one-pager": pdf_uris(out / "links-brief.pdf"),
        "deck": pptx_hyperlinks(out / "links-deck.pptx"),
    }


def test_only_allowed_schemes_survive_anywhere(linked):
    _, out = linked
    bad = {
        o: [t for t in ts if not t.lower().startswith(SCHEMES)] for o, ts in _targets(out).items()
    }
    assert not any(bad.values()), bad


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_link_keeps_text_loses_target_and_is_warned(case, linked, capsys, monkeypatch):
    folder, out = linked
    dest, named = REFUSED[case]
    core = dest.strip().strip("<>").lower()
    for output, targets in _targets(out).items():
        assert not [t for t in targets if core in t.lower() or "script:" in t.lower()], (
            output,
            targets,
        )
    assert f"Lnk-{case}" in squash(pdf_text(out / "links-handout.pdf"))
    monkeypatch.chdir(folder.parent.parent)
    assert main(["check", "briefs/links"]) == 0
    printed = capsys.readouterr().out
    warned = [
        ln for ln in printed.splitlines() if "warning:" in ln and named in ln and "dropped" in ln
    ]
    assert warned, printed


@pytest.mark.parametrize("case", list(ALLOWED))
def test_allowed_link_survives_in_pdf_and_deck(case, linked):
    _, out = linked
    want = ALLOWED[case].lower()
    for output, targets in _targets(out).items():
        if output == "one-pager":
            continue  # the one-pager shows the summary and background, which hold the links too
        assert want in [t.lower() for t in targets], (output, targets)
    assert want in [t.lower() for t in _targets(out)["one-pager"]]


def test_source_url_with_a_script_scheme_is_an_error(tmp_path, capsys, monkeypatch):
    data = full_brief(image=None)
    data["sources"][0]["url"] = "javascript:alert(1)"
    (tmp_path / "briefs" / "u").mkdir(parents=True)
    (tmp_path / "briefs" / "u" / "brief.yaml").write_text(to_yaml(data), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "briefs/u"]) == 1
    printed = capsys.readouterr().out
    assert "sources[0].url" in printed and "javascript:alert(1)" in printed, printed
