"""Every recipe of the README's "Customising" section, run exactly as written from a temporary
`templates/`, and checked by reading the built files back."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from briefgen.build import Options, build

ROOT = Path(__file__).resolve().parents[1]
MALI = ROOT / "briefs" / "mali-2013"


def recipes() -> dict[str, list[tuple[str, str]]]:
    """Recipe title → [(file under templates/, YAML text)], from the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Customising\n", 1)[1].split("\n## ", 1)[0]
    found: dict[str, list[tuple[str, str]]] = {}
    for part in section.split("\n### ")[1:]:
        title = part.split("\n", 1)[0].strip()
        for block in re.findall(r"```yaml\n(.*?)```", part, re.S):
            first, _, body = block.partition("\n")
            assert first.startswith("# templates/"), f"{title}: say which file: {first!r}"
            found.setdefault(title, []).append((first.removeprefix("# templates/"), body))
    return found


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def deck_text(path: Path) -> str:
    prs = Presentation(str(path))
    return "\n".join(
        shape.text_frame.text for s in prs.slides for shape in s.shapes if shape.has_text_frame
    )


def png(colour: str = "#C0392B", size: tuple[int, int] = (300, 120)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def master(path: Path) -> None:
    prs = Presentation()  # 4:3, with a slide of its own that must not be copied
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "MASTER-SLIDE-TEXT"
    prs.save(str(path))


def fonts(folder: Path) -> None:
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(vera / "Vera.ttf", folder / "MyFont-Regular.ttf")
    shutil.copy(vera / "VeraBd.ttf", folder / "MyFont-Bold.ttf")


EXTRA_FILES: dict[str, Callable[[Path], None]] = {
    "A school or agency logo on the handout, the one-page brief and the title slide": (
        lambda t: (t / "logo.png").write_bytes(png())
    ),
    "A master deck": lambda t: master(t / "deck" / "master.pptx"),
    "A font of your own in the PDFs": lambda t: fonts(t / "fonts"),
}


def _fonts_of(path: Path) -> set[str]:
    from pypdf.generic import IndirectObject

    names = set()
    for page in PdfReader(path).pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object() if isinstance(font, IndirectObject) else font
            names.add(str(font["/BaseFont"]))
    return names


def _check_letter(out: Path) -> None:
    for name in ("mali-2013-handout.pdf", "mali-2013-brief.pdf"):
        box = PdfReader(out / name).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792), name


def _check_logo(out: Path) -> None:
    for name in ("mali-2013-handout.pdf", "mali-2013-brief.pdf"):
        images = [im for page in PdfReader(out / name).pages for im in page.images]
        reds = [im for im in images if im.image.convert("RGB").getpixel((5, 5)) == (192, 57, 43)]
        assert len(reds) == 1, f"{name}: the logo should appear once"
    prs = Presentation(str(out / "mali-2013-deck.pptx"))
    first = prs.slides[0]
    assert any(s.shape_type == 13 for s in first.shapes), "no picture on the title slide"


def _check_colour(out: Path) -> None:
    prs = Presentation(str(out / "mali-2013-deck.pptx"))
    xml = "".join(str(s.element.xml) for s in prs.slides[0].shapes)
    assert "6B1F3A" in xml
    data = (out / "mali-2013-handout.pdf").read_bytes()
    import zlib

    streams = re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)
    text = b"".join(_inflate(zlib, s) for s in streams)
    assert b".419608 .121569 .227451" in text, "the band is not drawn in the new colour"


def _inflate(zlib: object, stream: bytes) -> bytes:
    try:
        return zlib.decompress(stream)  # type: ignore[attr-defined, no-any-return]
    except Exception:
        return b""


def _check_heading(out: Path) -> None:
    assert "Who promised troops" in pdf_text(out / "mali-2013-handout.pdf")
    assert "Who promised troops" not in deck_text(out / "mali-2013-deck.pptx")
    assert "Foreign commitments" in deck_text(out / "mali-2013-deck.pptx")


def _check_text_section(out: Path) -> None:
    text = pdf_text(out / "mali-2013-handout.pdf")
    flat = " ".join(text.split())
    assert "Before you read Read the summary, then look at the chart of troop pledges." in flat
    assert flat.index("Before you read") < flat.index("Summary")
    assert "Each bar is one country's latest reported pledge." in flat
    assert "Who is involved" not in flat  # the actors part is not in this handout


def _check_worksheet(out: Path) -> None:
    sheet = out / "mali-2013-worksheet.pdf"
    pages = len(PdfReader(sheet).pages)
    assert 2 <= pages <= 3, pages
    text = pdf_text(sheet)
    assert "Name" in text and "Class" in text and "Questions to answer" in text


def _check_chart_images(out: Path) -> None:
    folder = out / "mali-2013-charts"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["troop-pledges-by-country.png", "troop-pledges-by-country.svg"], names
    svg = (folder / "troop-pledges-by-country.svg").read_text("utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    from PIL import Image

    with Image.open(folder / "troop-pledges-by-country.png") as im:
        assert im.width >= 1000


def _check_new_output(out: Path) -> None:
    card = out / "mali-2013-card.pdf"
    assert len(PdfReader(card).pages) == 1
    assert "SUMMARY" in pdf_text(card)


def _check_master(out: Path) -> None:
    prs = Presentation(str(out / "mali-2013-deck.pptx"))
    assert prs.slide_width / prs.slide_height == pytest.approx(4 / 3)
    assert "MASTER-SLIDE-TEXT" not in deck_text(out / "mali-2013-deck.pptx")


def _check_font(out: Path) -> None:
    for name in ("mali-2013-handout.pdf", "mali-2013-brief.pdf"):
        found = _fonts_of(out / name)
        assert any("BitstreamVeraSans" in f for f in found), found
        assert not any("DejaVu" in f for f in found), found


CHECKS: dict[str, Callable[[Path], None]] = {
    "Letter paper": _check_letter,
    "A school or agency logo on the handout, the one-page brief and the title slide": _check_logo,
    "Another colour": _check_colour,
    "Reword one output's heading": _check_heading,
    "Add a text section with an intro": _check_text_section,
    "Turn on the worksheet for every brief": _check_worksheet,
    "Chart pictures for every brief": _check_chart_images,
    "A new output: a summary card": _check_new_output,
    "A master deck": _check_master,
    "A font of your own in the PDFs": _check_font,
}


def test_every_recipe_has_a_check():
    assert sorted(recipes()) == sorted(CHECKS)


@pytest.mark.parametrize("title", sorted(CHECKS))
def test_recipe_works_as_written(title, tmp_path):
    templates = tmp_path / "templates"
    for name, body in recipes()[title]:
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        (templates / name).write_text(body, encoding="utf-8")
    if title in EXTRA_FILES:
        EXTRA_FILES[title](templates)
    brief = tmp_path / "briefs" / "mali-2013"
    shutil.copytree(MALI, brief)
    text = (brief / "brief.yaml").read_text("utf-8")  # the outputs the templates choose
    (brief / "brief.yaml").write_text(re.sub(r"(?m)^outputs:.*\n", "", text), "utf-8")
    out = tmp_path / "out"
    result = build([(brief / "brief.yaml", "b")], Options(out, jobs=1, templates=(templates,)))
    assert result.ok, [f.format() for f in result.findings]
    CHECKS[title](out / "mali-2013")
