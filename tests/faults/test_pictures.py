"""Items 3 and 15: decks carry no picture metadata (EXIF GPS, artist, camera, PNG text, XMP);
16-bit greyscale pictures are drawn, EXIF orientation is honoured, and a JPEG with much
metadata before its frame is accepted."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader

from briefgen.build import Options, build
from tests.adversarial._util import full_brief, write_brief

MARKERS = (b"SECRET-ARTIST", b"CAMERA-MODEL-X", b"PNG-TEXT-NOTE", b"XMP-CREATOR-TOOL")


def _jpeg(size=(40, 20), orientation: int | None = None, gps: bool = True) -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "SECRET-ARTIST"
    exif[0x0110] = "CAMERA-MODEL-X"
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        ifd = exif.get_ifd(0x8825)
        ifd[1], ifd[2] = "N", (48.0, 51.0, 29.0)
    im = Image.new("RGB", size, (200, 10, 10))
    im.paste((10, 10, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: shows rotation
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "PNG-TEXT-NOTE")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>XMP-CREATOR-TOOL</x:xmpmeta>")
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 60, 90)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def _build_with(tmp_path: Path, name: str, data: bytes, only=("handout", "deck")):
    folder = tmp_path / "briefs" / "pic"
    write_brief(folder, full_brief(image=name), image=False)
    (folder / name).write_bytes(data)
    out = tmp_path / "out"
    result = build(
        [(folder / "brief.yaml", "briefs/pic/brief.yaml")], Options(out, only=only, jobs=1)
    )
    assert result.ok, [f.format() for f in result.findings]
    return out / "pic"


def _media(deck: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(deck) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("ppt/media/")}


@pytest.mark.parametrize(
    ("name", "make"),
    [("photo.jpg", _jpeg), ("photo.png", _png_with_text)],
    ids=["jpeg-exif-gps", "png-text-xmp"],
)
def test_the_deck_carries_no_picture_metadata(tmp_path, name, make):
    data = make()
    assert all(m in data for m in MARKERS if (m in data)) and any(m in data for m in MARKERS)
    out = _build_with(tmp_path, name, data)
    media = _media(out / "pic-deck.pptx")
    assert media, "the picture is in the deck"
    for part, blob in media.items():
        for marker in MARKERS:
            assert marker not in blob, (part, marker)
        assert b"GPS" not in blob and b"Exif" not in blob, part
        Image.open(io.BytesIO(blob)).load()  # still a whole picture
    again = _build_with(tmp_path / "again", name, data)
    assert _media(again / "pic-deck.pptx") == media  # the same bytes every time


def _pdf_image(pdf: Path) -> Image.Image:
    reader = PdfReader(pdf)
    for page in reader.pages:
        for image in page.images:
            if image.image is not None and image.image.width > 10:
                return image.image
    raise AssertionError("no picture in the PDF")


def test_a_16_bit_greyscale_png_is_drawn(tmp_path):
    im = Image.new("I;16", (64, 48))
    im.putdata([(x * 1024) % 65536 for y in range(48) for x in range(64)])
    buf = io.BytesIO()
    im.save(buf, "PNG")
    out = _build_with(tmp_path, "grey16.png", buf.getvalue(), only=("handout",))
    drawn = _pdf_image(out / "pic-handout.pdf").convert("L")
    levels = drawn.getcolors(256) or []
    assert len(levels) >= 48, levels  # a gradient of 64 greys, not a white box


@pytest.mark.parametrize("orientation", [6, 8])
def test_exif_orientation_is_honoured(tmp_path, orientation):
    out = _build_with(tmp_path, "photo.jpg", _jpeg(orientation=orientation))
    drawn = _pdf_image(out / "pic-handout.pdf")
    assert drawn.size == (20, 40), drawn.size  # stood upright, as a viewer shows it
    from pptx import Presentation

    pics = [
        s
        for slide in Presentation(str(out / "pic-deck.pptx")).slides
        for s in slide.shapes
        if s.shape_type == 13
    ]
    assert len(pics) == 1 and pics[0].height > pics[0].width
    media = next(iter(_media(out / "pic-deck.pptx").values()))
    assert Image.open(io.BytesIO(media)).size == (20, 40)


def test_a_jpeg_with_70_kb_of_metadata_before_its_frame_is_accepted(tmp_path):
    data = _jpeg(gps=False)
    padding = b"".join(b"\xff\xe9" + (65535).to_bytes(2, "big") + b"p" * 65533 for _ in range(2))
    data = data[:2] + padding + data[2:]
    assert len(data) > 128 * 1024
    out = _build_with(tmp_path, "big-meta.jpg", data)
    assert _pdf_image(out / "pic-handout.pdf").size == (40, 20)
    media = next(iter(_media(out / "pic-deck.pptx").values()))
    assert b"ppppppppppppppppp" not in media and len(media) < 64 * 1024
