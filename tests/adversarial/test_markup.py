"""Markup in content (ReportLab tags, XML entities, stray & < >, matplotlib mathtext) is shown
literally in every output and never interpreted: no styling, no link, no image, no file read.

Each case is one brief whose every text field holds `CODE + payload` (CODE names the field), built
into all three outputs. Wherever the same brief with plain words shows a field, the payload must
show character for character (whitespace aside).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.adversarial._util import pdf_streams, pdf_uris, pptx_hyperlinks, zip_blob
from tests.adversarial.conftest import (
    SECRET_TOKEN,
    PayloadBuild,
    build_payload,
    not_shown_literally,
)


def payloads(secret: Path) -> dict[str, str]:
    jpg, txt = secret / "secret.jpg", secret / "secret.txt"
    return {
        "inline-tags": "<b>B</b><i>I</i><u>U</u><strike>K</strike><super>2</super>",
        "font": '<font color="red" size="30" face="Courier">F</font>',
        "anchor": '<a href="https://evil.example/">A</a><link href="https://evil.example/l">L</link>',
        "para-and-breaks": '<para align="right">P</para>x<br/>y<br>z</para>',
        "entities": "&amp; &lt; &gt; &#x41; &#65; &nbsp; &copy; &bogus; &#0;",
        "stray": "a & b < c > d && <<>> < &",
        "img-absolute": f'<img src="{jpg}" width="40" height="40"/>',
        "img-file-url": f'<img src="file://{jpg}"/><a href="file://{txt}">t</a>',
        "reportlab-only": '<seq id="s"/><onDraw name="x"/><index item="i"/><greek>a</greek>'
        '<span style="x">S</span><unichar name="BULLET"/>',
        "xml-xxe": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><![CDATA[c]]><!-- m -->&e;',
        # The format allows `*emphasis*` and `**strong**` only: underscores are plain characters.
        "underscores": "_a_ __b__ snake_case __init__ _",
        # `$...$` is mathtext markup in plotting libraries (chart categories come from
        # displacement `where`, the timeline's labels from events).
        "mathtext": r"Cost $5 or $\frac{1}{2}$ and $\undefinedmacro{x}$",
    }


@pytest.fixture(scope="module")
def builds(adv_root: Path, secret_dir: Path) -> dict[str, PayloadBuild]:
    root = adv_root / "markup"
    return {name: build_payload(root, name, p) for name, p in payloads(secret_dir).items()}


CASES = list(payloads(Path("/x")))


@pytest.mark.parametrize("case", CASES)
def test_markup_is_shown_literally_in_every_field(case, builds, reference):
    pb = builds[case]
    assert pb.ok, f"the brief did not build: {pb.error}"
    missing = not_shown_literally(pb, reference)
    assert not missing, f"payload {pb.payload!r} not shown literally in: {missing}"


@pytest.mark.parametrize("case", CASES)
def test_markup_never_becomes_a_link_or_an_image(case, builds, reference):
    pb = builds[case]
    assert pb.ok, f"the brief did not build: {pb.error}"
    for output in ("handout", "one-pager"):
        assert pdf_uris(pb.artifact(output)) == pdf_uris(reference.artifact(output))
        images = [len(p.images) for p in PdfReader(pb.artifact(output)).pages]
        reference_images = [len(p.images) for p in PdfReader(reference.artifact(output)).pages]
        assert sum(images) == sum(reference_images), (output, images, reference_images)
    assert pptx_hyperlinks(pb.artifact("deck")) == pptx_hyperlinks(reference.artifact("deck"))


@pytest.mark.parametrize("case", CASES)
def test_title_metadata_is_literal(case, builds):
    pb = builds[case]
    assert pb.ok, f"the brief did not build: {pb.error}"
    from pptx import Presentation

    title = "TI" + pb.payload
    for output in ("handout", "one-pager"):
        meta = PdfReader(pb.artifact(output)).metadata
        assert meta is not None and meta.title == title
    assert Presentation(str(pb.artifact("deck"))).core_properties.title == title


def test_no_artifact_contains_a_local_file(builds, secret_dir):
    """`<img src>` and `file://` naming a local file never pull its bytes into any output."""
    leaked = []
    for pb in builds.values():
        for path in sorted((pb.out / pb.name).glob("*")):
            blob = path.read_bytes()
            if path.suffix == ".pdf":
                blob += pdf_streams(path)
            elif path.suffix == ".pptx":
                blob += zip_blob(path)
            if SECRET_TOKEN in blob:
                leaked.append(path.name)
    assert not leaked, f"secret file contents found in {leaked}"
    img = builds["img-absolute"]
    assert img.ok, img.error
