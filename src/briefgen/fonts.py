"""The embedded font (DejaVu Sans 2.35, shipped inside briefgen) and which characters it can draw.

Reads the font's cmap table directly (formats 4 and 12), so `check` can warn about
characters that would print as empty boxes without importing any rendering library.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path

FONT_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bolditalic": "DejaVuSans-BoldOblique.ttf",
}


FOLDER = Path(__file__).parent / "assets" / "fonts"  # with the fonts' LICENSE


def font_folder() -> Path | None:
    """Where the DejaVu fonts are: briefgen's own copy, so every machine draws with the same bytes."""
    return FOLDER if (FOLDER / FONT_FILES["regular"]).is_file() else None


@lru_cache(maxsize=1)
def coverage() -> frozenset[int]:
    """Code points the font maps to a glyph (empty if the font cannot be found)."""
    folder = font_folder()
    if folder is None:
        return frozenset()
    return frozenset(_cmap((folder / FONT_FILES["regular"]).read_bytes()))


def _tables(data: bytes) -> dict[bytes, int]:
    """Table tag → offset, from a TrueType file's table directory."""
    return {
        data[12 + 16 * i : 16 + 16 * i]: struct.unpack(">I", data[20 + 16 * i : 24 + 16 * i])[0]
        for i in range(struct.unpack(">H", data[4:6])[0])
    }


def fingerprint(path: Path) -> bytes:
    """A font file's own whole-file checksum (the `head` table's checkSumAdjustment, which
    changes with any byte of the font) and its size: what shapes the PDFs, read in a few
    bytes instead of hashing megabytes on every build."""
    with path.open("rb") as fh:
        directory = fh.read(12 + 16 * 64)
        fh.seek(_tables(directory)[b"head"] + 8)
        checksum = fh.read(4)
        size = fh.seek(0, 2)
    return checksum + size.to_bytes(8, "big")


def _cmap(data: bytes) -> set[int]:
    tables = _tables(data)
    base = tables[b"cmap"]
    points: set[int] = set()
    for i in range(struct.unpack(">H", data[base + 2 : base + 4])[0]):
        _, _, offset = struct.unpack(">HHI", data[base + 4 + 8 * i : base + 12 + 8 * i])
        sub = base + offset
        fmt = struct.unpack(">H", data[sub : sub + 2])[0]
        if fmt == 4:
            points |= _format4(data, sub)
        elif fmt == 12:
            (groups,) = struct.unpack(">I", data[sub + 12 : sub + 16])
            for g in range(groups):
                start, end, _ = struct.unpack(">III", data[sub + 16 + 12 * g : sub + 28 + 12 * g])
                points.update(range(start, end + 1))
    return points


def _format4(data: bytes, sub: int) -> set[int]:
    segs = struct.unpack(">H", data[sub + 6 : sub + 8])[0] // 2
    ends = struct.unpack(f">{segs}H", data[sub + 14 : sub + 14 + 2 * segs])
    starts_at = sub + 16 + 2 * segs
    starts = struct.unpack(f">{segs}H", data[starts_at : starts_at + 2 * segs])
    deltas = struct.unpack(f">{segs}h", data[starts_at + 2 * segs : starts_at + 4 * segs])
    range_at = starts_at + 4 * segs
    offsets = struct.unpack(f">{segs}H", data[range_at : range_at + 2 * segs])
    points = set()
    for i in range(segs):
        for cp in range(starts[i], ends[i] + 1):
            if cp == 0xFFFF:
                continue
            if offsets[i] == 0:
                glyph = (cp + deltas[i]) & 0xFFFF
            else:
                at = range_at + 2 * i + offsets[i] + 2 * (cp - starts[i])
                glyph = struct.unpack(">H", data[at : at + 2])[0]
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:
                points.add(cp)
    return points


def undrawable(text: str) -> list[str]:
    """Characters of the text the font has no glyph for, as 'U+4E2D 中' (each once).

    Unassigned and private-use code points count too: they would print as empty boxes.
    """
    if all(ord(c) < 0x250 for c in text):  # Latin, always covered: skip reading the font
        return []
    covered = coverage()
    if not covered:
        return []
    seen = sorted({ord(c) for c in text if not c.isspace() and ord(c) not in covered})
    return [f"U+{cp:04X} {chr(cp) if chr(cp).isprintable() else '?'}" for cp in seen]
