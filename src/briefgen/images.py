"""Images a brief names: inside its folder, real PNG or JPEG, of sane size. Reads headers only."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from briefgen.errors import Finding, error
from briefgen.model import Brief

MAX_PIXELS = 40_000_000  # a 40-megapixel picture is already more than any page needs
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ImageInfo:
    """What the header of an image file says."""

    kind: str  # "png" or "jpeg"
    width: int
    height: int


def sniff(head: bytes) -> ImageInfo | None:
    """PNG or JPEG dimensions from the first bytes of a file, or None if it is neither."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return ImageInfo("png", width, height)
    if head.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(head):
            if head[i] != 0xFF:
                return None
            marker = head[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", head[i + 2 : i + 4])[0]
            if marker in (
                0xC0,
                0xC1,
                0xC2,
                0xC3,
                0xC5,
                0xC6,
                0xC7,
                0xC9,
                0xCA,
                0xCB,
                0xCD,
                0xCE,
                0xCF,
            ):
                height, width = struct.unpack(">HH", head[i + 5 : i + 9])
                return ImageInfo("jpeg", width, height)
            i += 2 + length
    return None


def resolve(folder: Path, relative: str) -> Path | None:
    """The image's real path if it stays inside the brief folder (after symlinks), else None."""
    if Path(relative).is_absolute() or "\x00" in relative:
        return None
    root = folder.resolve()
    target = (root / relative).resolve()
    return target if target.is_relative_to(root) else None


def check_images(brief: Brief, folder: Path) -> Iterator[Finding]:
    """Each image: inside the folder, present, a PNG or JPEG of bounded size."""
    for i, image in enumerate(brief.images):
        where = ("images", i, "path")
        target = resolve(folder, image.path)
        if target is None:
            yield error(
                f"'{image.path}' is outside the brief folder; keep images beside brief.yaml", *where
            )
            continue
        if not target.exists():
            yield error(f"'{image.path}' does not exist in the brief folder", *where)
            continue
        if not target.is_file():  # a folder, a pipe, a device: never opened
            yield error(f"'{image.path}' is not a regular file", *where)
            continue
        size = target.stat().st_size
        if size > MAX_BYTES:
            yield error(f"'{image.path}' is {size:,} bytes; at most {MAX_BYTES:,}", *where)
            continue
        info = picture_info(target)
        if info is None:
            yield error(f"'{image.path}' is not a PNG or JPEG file", *where)
        elif info.width * info.height > MAX_PIXELS or 0 in (info.width, info.height):
            yield error(
                f"'{image.path}' is {info.width}x{info.height} pixels; at most {MAX_PIXELS:,} in all",
                *where,
            )
        else:
            problem = decode_problem(target)
            if problem:
                yield error(f"'{image.path}' is damaged and cannot be drawn ({problem})", *where)


def decode_problem(path: Path) -> str | None:
    """Decode the whole picture (its size is already known to be sane); None when it is whole."""
    from briefgen.pngcheck import SIGNATURE, UNJUDGED, png_problem

    data = path.read_bytes()  # a PNG is judged by zlib alone, without Pillow (pngcheck.py)
    if data.startswith(SIGNATURE) and (found := png_problem(data)) != UNJUDGED:
        return found
    try:
        decoded(path)
    except Exception as e:  # Pillow raises many kinds for damaged data
        return " ".join(str(e).split())[:120] or type(e).__name__
    return None


KEEP_PIXELS = 12_000_000  # pictures up to this many pixels stay decoded for the renderer
_DECODED: dict[str, Any] = {}  # content hash → pixels; the last two pictures at most
K = TypeVar("K")
V = TypeVar("V")


def remember(memo: dict[K, V], key: K, value: V, most: int) -> V:
    """`value`, kept in `memo` under `key`; the oldest entries go to keep at most `most`."""
    while len(memo) >= most:
        del memo[next(iter(memo))]
    memo[key] = value
    return value


def decoded(path: Path) -> tuple[str, Any]:
    """The picture's content hash and its pixels (a Pillow image), decoded once per process:
    `check` decodes it to find damage, and a PDF renderer in the same process draws from the
    same pixels. Keyed by the file's bytes, never its timestamps, so an edited picture (as in
    `briefgen watch`) is decoded again. Very large pictures are not kept: decoded twice rather
    than holding hundreds of megabytes."""
    import hashlib
    import io

    from PIL import Image

    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()
    if key in _DECODED:
        return key, _DECODED[key]
    im: Image.Image = Image.open(io.BytesIO(data))  # from memory: no file is left open
    im.load()
    if getattr(im, "n_frames", 1) > 1:  # an animated picture: its first frame, on its own
        first = im.copy()
        im.close()
        im = first
    im = _normalised(im)
    if im.width * im.height <= KEEP_PIXELS:
        remember(_DECODED, key, im, most=2)
    return key, im


def _normalised(im: Any) -> Any:
    """Pixels as a viewer shows them: stood upright by their EXIF orientation, and deep
    greyscale (16-bit PNGs, mode I;16 or I) scaled to 8 bits; ReportLab would clip it to
    white, a blank box."""
    from PIL import ImageOps

    try:
        turned = im.getexif().get(0x0112, 1) not in (1, None)
    except Exception:  # damaged metadata: drawn as stored
        turned = False
    if turned:  # exif_transpose copies even an upright picture: only when it turns
        upright = ImageOps.exif_transpose(im)
        if upright is not None:
            im = upright
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif im.mode == "F":
        im = im.point(lambda v: v * 255).convert("L")
    return im


ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def orientation(data: bytes) -> int:
    """The EXIF orientation of a picture's bytes (1, upright, when it has none)."""
    import io

    if b"Exif\x00\x00" not in data and b"eXIf" not in data:
        return 1  # no EXIF block: upright, and `check` needs no Pillow to know it
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            value = im.getexif().get(0x0112, 1)
    except Exception:  # damaged metadata: drawn as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def picture_info(path: Path) -> ImageInfo | None:
    """A picture's kind and size as shown (after its EXIF orientation), or None if it is no PNG
    or JPEG. A JPEG whose metadata runs past the first 64 KB is read further, up to MAX_BYTES."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
        info = sniff(head)
        if info is None and head.startswith(b"\xff\xd8"):
            head += fh.read(MAX_BYTES - len(head))
            info = sniff(head)
    if info is not None and orientation(head) in ROTATED:
        info = ImageInfo(info.kind, info.height, info.width)
    return info


# PNG chunks that shape the pixels; every other (tEXt, zTXt, iTXt with XMP, eXIf, tIME, ...)
# is metadata and left out of the deck.
_PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP"}
_PNG_KEEP |= {b"sBIT", b"pHYs"}


def _png_stripped(data: bytes) -> bytes:
    out, i = [data[:8]], 8
    while i + 8 <= len(data):
        length = struct.unpack(">I", data[i : i + 4])[0]
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            raise OSError("the PNG ends in the middle of a chunk")
        if kind in _PNG_KEEP:
            out.append(data[i:end])
        i = end
        if kind == b"IEND":
            break
    return b"".join(out)


def _jpeg_stripped(data: bytes) -> bytes:
    """Segments before the frame kept only when they shape the pixels: JFIF (APP0), the colour
    profile (APP2 ICC_PROFILE), Adobe's colour transform (APP14) and the coding tables. EXIF
    and XMP (APP1), comments and every other application segment are left out."""
    out, i = [data[:2]], 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise OSError("the JPEG has no frame marker where one is expected")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            out.append(data[i : i + 2])
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        segment = data[i : i + 2 + length]
        if marker == 0xDA:  # start of scan: the coded picture to the end
            out.append(data[i:])
            return b"".join(out)
        pixels = marker < 0xE0 and marker != 0xFE  # tables and frame headers, not APPn or COM
        if (
            pixels
            or (marker == 0xE0 and segment[4:9] == b"JFIF\0")
            or (marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\0")
            or (marker == 0xEE and segment[4:9] == b"Adobe")
        ):
            out.append(segment)
        i += 2 + length
    raise OSError("the JPEG has no picture data")


def deck_picture(path: Path) -> bytes:
    """A picture's bytes for the deck, without metadata (EXIF position, artist and camera, PNG
    text, XMP) and the same for the same file. Stripped losslessly, segment by segment; a
    picture with an EXIF rotation is re-encoded upright from its pixels (python-pptx and
    PowerPoint would otherwise show the rotation-less, stripped file sideways). An unreadable
    picture is an OSError."""
    import io

    data = path.read_bytes()
    info = sniff(data[: 64 * 1024]) or sniff(data)
    if info is None:
        raise OSError("not a PNG or JPEG file")
    if orientation(data) == 1:
        return _png_stripped(data) if info.kind == "png" else _jpeg_stripped(data)
    try:
        _, im = decoded(path)
    except Exception as e:  # Pillow raises many kinds for damaged data
        raise OSError(str(e)) from None
    buf = io.BytesIO()
    if info.kind == "png":
        im.save(buf, format="PNG")
    else:
        im = im if im.mode in ("RGB", "L", "CMYK") else im.convert("RGB")
        im.save(buf, format="JPEG", quality=95)
    return buf.getvalue()
