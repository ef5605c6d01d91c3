"""Text: right-to-left scripts, CJK, emoji, combining marks, zero-width, control characters, NUL,
lone surrogates, unassigned code points and invalid UTF-8 either render (the text can be
extracted from the PDF) or give a warning or error naming the characters ("U+4E2D"); never a
silent box, never a traceback.

Each case puts its text into every text field of a valid brief and runs the real entry point,
`python -m briefgen build`, in a subprocess (two at a time).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from tests.adversarial._util import (
    LOCATED,
    TRACEBACK,
    Proc,
    assert_located_error,
    build_each,
    full_brief,
    pdf_text,
    run_briefgen,
    squash,
    to_yaml,
    write_brief,
)

# case → text; written into the YAML as typed where printable, as \x/\u escapes otherwise
CASES = {
    "arabic": "الحرب في مالي",
    "hebrew": "המלחמה במאלי",
    "cjk": "中文测试",
    "emoji": "🙂 🇫🇷 👍🏽",
    "combining-marks": "e\u0301 a\u0308 Z\u0335\u0321\u0358",
    "zero-width-and-bidi": "a\u200bb\ufeffc\u200dd\u2060e\u202ef",
    "control-characters": "bell\u0007 esc\u001b[31m",
    "nul-in-quoted-string": "nul\u0000x",
    "lone-surrogate": "s\ud800t",
    "unassigned-and-private-use": "u\u0378v\ue000w",
}


@lru_cache(maxsize=1)
def font_cmap() -> frozenset[int]:
    """What DejaVu Sans (the PDF font) can draw, read with fontTools, not with briefgen."""
    from fontTools.ttLib import TTFont

    from briefgen.render import font_path

    return frozenset(TTFont(str(font_path())).getBestCmap())


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Proc | None]]:
    root = tmp_path_factory.mktemp("text")
    for name, text in CASES.items():
        write_brief(root / "briefs" / name, full_brief(lambda code, t=text: f"{code} {t} end"))

    return build_each(root, list(CASES), threads=2)


def _named(cp: int, text: str) -> bool:
    return f"U+{cp:04X}" in text


@pytest.mark.parametrize("case", list(CASES))
def test_text_renders_or_is_named(case, results):
    out, p = results[case]
    assert p is not None, f"{case}: build did not finish within 60 s"
    assert TRACEBACK not in p.both, p.both[-3000:]
    assert "internal error" not in p.both, p.err[-1500:]
    assert p.code in (0, 1), (p.code, p.both[-2000:])
    chars = sorted({ord(c) for c in CASES[case] if not c.isspace()})
    if p.code == 1:  # refused: the error must say which characters
        unnamed = [f"U+{cp:04X}" for cp in chars if cp not in font_cmap() and not _named(cp, p.err)]
        assert not unnamed, f"error does not name {unnamed}:\n{p.err[-2000:]}"
        return
    handout = pdf_text(out / case / f"{case}-handout.pdf")
    flat = squash(handout)
    silent = []
    for cp in chars:
        drawable = cp in font_cmap()
        if (
            not drawable
            and not _named(cp, p.out + p.err)
            and (chr(cp) in handout or "\x00" in handout)
        ):
            silent.append(f"U+{cp:04X}")  # drawn as the font's empty box, and nobody told
    assert not silent, f"silent boxes for {silent}; output was:\n{p.both[-2000:]}"
    drawable_text = "".join(c for c in CASES[case] if ord(c) in font_cmap() or c.isspace())
    if drawable_text.strip() and all(ord(c) in font_cmap() or c.isspace() for c in CASES[case]):
        want = squash(drawable_text)
        # pypdf returns right-to-left runs in visual order
        assert want in flat or want[::-1] in flat, f"{case!r} text not extractable from the handout"


# ---- text the YAML reader refuses: one located error that says what is wrong ----

RAW = {
    "raw-bell-in-file": (b"title: a\x07b\n", "U+0007"),
    "raw-nul-in-file": (b"title: a\x00b\n", "U+0000"),
    "raw-escape-in-file": (b"title: a\x1bb\n", "U+001B"),
    "utf8-lone-continuation-byte": (b"title: caf\x80\n", "80"),
    "utf8-overlong-slash": (b"title: a\xc0\xafb\n", "c0"),
    "utf8-encoded-surrogate": (b"title: a\xed\xa0\x80b\n", "ed"),
    "utf8-truncated-at-end": (b"title: a\xe2\x82", "e2"),
    "latin1-file": ("title: Côte d'Ivoire\n".encode("latin-1"), "f4"),
}


@pytest.mark.parametrize("case", list(RAW))
def test_unreadable_text_is_one_located_error(case, tmp_path):
    raw, named = RAW[case]
    folder = tmp_path / "briefs" / "t"
    folder.mkdir(parents=True)
    valid = to_yaml(full_brief(image=None)).split("\n", 1)[1]  # all but the title line
    (folder / "brief.yaml").write_bytes(raw + valid.encode())
    p = run_briefgen(["check", "briefs/t"], tmp_path)
    m = assert_located_error(p, "briefs/t/brief.yaml")
    assert m.group("line") == "1", m.group(0)
    assert named.lower() in m.group("msg").lower(), m.group(0)


def test_located_pattern_is_strict():
    assert LOCATED.match("a/brief.yaml:3:7: title: x")
    assert not LOCATED.match("briefgen: internal error (ValueError)")
