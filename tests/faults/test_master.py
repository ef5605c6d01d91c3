"""Item 5: a master deck in templates/deck/ is validated: no external targets, only masters and
layouts taken (never a slide of the master), no part missing, size and ratio capped; a bad one
is a clear error naming the file, never exit 3, never a malformed deck."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import pytest

from briefgen.errors import TemplateError
from briefgen.master import open_master
from tests.faults._util import briefgen, copy_good

LAYOUT_RELS = "ppt/slideLayouts/_rels/slideLayout1.xml.rels"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _master_bytes() -> bytes:
    from pptx import Presentation

    buf = io.BytesIO()
    Presentation().save(buf)
    return buf.getvalue()


def _edited(
    data: bytes, change: dict[str, bytes | None], add: dict[str, bytes] | None = None
) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            blob = change.get(name, src.read(name))
            if blob is not None:
                dst.writestr(name, blob)
        for name, blob in (add or {}).items():
            dst.writestr(name, blob)
    return out.getvalue()


def _with_rel(data: bytes, rel: str) -> bytes:
    rels = zipfile.ZipFile(io.BytesIO(data)).read(LAYOUT_RELS)
    return _edited(
        data, {LAYOUT_RELS: rels.replace(b"</Relationships>", rel.encode() + b"</Relationships>")}
    )


def _slide_master() -> bytes:
    """A master that also holds a slide, named as ours are, reachable from a layout."""
    from pptx import Presentation

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    slide.shapes.add_textbox(0, 0, 100, 100).text_frame.text = "MASTER-SLIDE-TEXT"
    buf = io.BytesIO()
    prs.save(buf)
    return _with_rel(
        buf.getvalue(),
        f'<Relationship Id="rId99" Type="{REL}slide" Target="../slides/slide1.xml"/>',
    )


def _bomb() -> bytes:
    return _edited(_master_bytes(), {}, {"ppt/media/zeros.bin": b"\0" * (120 * 1024 * 1024)})


CASES = {
    "http": (
        lambda: _with_rel(
            _master_bytes(),
            f'<Relationship Id="rId9" Type="{REL}hyperlink" Target="http://evil.example/x" TargetMode="External"/>',
        ),
        "ppt/slideLayouts/slideLayout1.xml links outside the file (http://evil.example/x); a master may not",
    ),
    "file": (
        lambda: _with_rel(
            _master_bytes(),
            f'<Relationship Id="rId9" Type="{REL}image" Target="file:///etc/passwd" TargetMode="External"/>',
        ),
        "ppt/slideLayouts/slideLayout1.xml links outside the file (file:///etc/passwd); a master may not",
    ),
    "unc": (
        lambda: _with_rel(
            _master_bytes(),
            f'<Relationship Id="rId9" Type="{REL}image" Target="\\\\server\\share\\x.png" TargetMode="External"/>',
        ),
        "ppt/slideLayouts/slideLayout1.xml links outside the file (\\\\server\\share\\x.png); a master may not",
    ),
    "slide-from-layout": (
        _slide_master,
        "ppt/slideLayouts/slideLayout1.xml refers to ppt/slides/slide1.xml (a slide); a master may "
        "give only slide masters, layouts, themes and pictures",
    ),
    "missing-part": (
        lambda: _with_rel(
            _master_bytes(),
            f'<Relationship Id="rId9" Type="{REL}image" Target="../media/gone.png"/>',
        ),
        "ppt/slideLayouts/slideLayout1.xml refers to ppt/media/gone.png, which is not in the file",
    ),
    "missing-layout": (
        lambda: _edited(_master_bytes(), {"ppt/slideLayouts/slideLayout2.xml": None}),
        "ppt/slideMasters/slideMaster1.xml refers to ppt/slideLayouts/slideLayout2.xml, which is not in the file",
    ),
    "zip-bomb": (_bomb, "ppt/media/zeros.bin unpacks to 125,829,120 bytes"),
    "not-a-zip": (lambda: b"PK\x03\x04 not really", "not a PowerPoint deck"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_open_master_refuses(tmp_path, case):
    make, problem = CASES[case]
    path = tmp_path / "master.pptx"
    path.write_bytes(make())
    with pytest.raises(TemplateError) as e:
        open_master(path)
    assert str(e.value).startswith(f"{path}: "), str(e.value)
    assert problem in str(e.value), str(e.value)


def test_a_slide_named_like_ours_never_reaches_the_deck(tmp_path):
    """Before: the master's slide1.xml stayed (a layout referred to it) beside ours, a zip with
    duplicate entries whose text ended up in every deck."""
    copy_good(tmp_path, "minimal")
    (tmp_path / "templates/deck").mkdir(parents=True)
    (tmp_path / "templates/deck/output.yaml").write_text("master: master.pptx\n")
    (tmp_path / "templates/deck/master.pptx").write_bytes(_slide_master())
    p = briefgen(["build", "-j", "1", "--only", "deck"], tmp_path)
    assert p.code == 1, p.both
    assert "Traceback" not in p.both
    assert (
        "templates/deck/master.pptx: ppt/slideLayouts/slideLayout1.xml refers to ppt/slides/slide1.xml"
        in p.err
    ), p.err
    assert not (tmp_path / "build/minimal/minimal-deck.pptx").exists()


@pytest.mark.parametrize("case", ["missing-layout", "zip-bomb", "file"])
def test_a_bad_master_is_a_clear_error_in_a_build(tmp_path, case):
    copy_good(tmp_path, "minimal")
    (tmp_path / "templates/deck").mkdir(parents=True)
    (tmp_path / "templates/deck/output.yaml").write_text("master: master.pptx\n")
    (tmp_path / "templates/deck/master.pptx").write_bytes(CASES[case][0]())
    p = briefgen(["build", "-j", "1", "--only", "deck"], tmp_path, timeout=60)
    assert p.code == 1, (p.code, p.both[-2000:])
    assert "Traceback" not in p.both and "internal error" not in p.both
    assert f"templates/deck/master.pptx: {CASES[case][1]}" in p.err, p.err


def test_a_good_master_gives_its_layouts_and_no_slides(tmp_path):
    path = tmp_path / "master.pptx"
    from pptx import Presentation

    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "MASTER-SLIDE-TEXT"
    prs.save(str(path))
    clean = open_master(path)
    assert len(clean.slides) == 0 and len(clean.slide_layouts) == 11
    buf = io.BytesIO()
    clean.save(buf)
    with zipfile.ZipFile(buf) as z:
        assert not [n for n in z.namelist() if re.match(r"ppt/slides/", n)]
        assert b"MASTER-SLIDE-TEXT" not in b"".join(z.read(n) for n in z.namelist())
    shutil.rmtree(tmp_path, ignore_errors=True)
