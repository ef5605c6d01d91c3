"""Whether a PNG is whole, without decoding it into pixels: `check` needs to know that a
picture can be drawn, not its pixels, and this costs zlib alone (Pillow's import and decode
were a fifth of `briefgen check` of the Mali brief).

Chunks are read in order, the critical ones' checksums verified, and the image data
decompressed and counted against what the header promises. What this cannot judge (an
interlaced picture) is left to Pillow.
"""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type → samples per pixel
UNJUDGED = "unjudged"  # returned for what only a full decode can say
STEP = 1 << 20  # bytes of pixel rows inflated at a time


def png_problem(data: bytes) -> str | None:
    """None when the PNG is whole; what is wrong with it; or UNJUDGED."""
    pos, expected, produced = len(SIGNATURE), -1, 0
    inflate = zlib.decompressobj()
    while True:
        if pos + 8 > len(data):
            break  # no IEND: as Pillow does, judged by the rows there are
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        tail = data[pos + 8 + length : pos + 12 + length]
        if len(body) < length or len(tail) < 4:
            return f"image file is truncated (in a {kind.decode('latin-1')} chunk)"
        critical = kind[:1].isupper()
        if critical and zlib.crc32(kind + body) != int.from_bytes(tail, "big"):
            return f"broken PNG file (bad checksum in {kind.decode('latin-1')})"
        pos += 12 + length
        if kind == b"IHDR":
            if length != 13:
                return "broken PNG file (bad IHDR)"
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if interlace or colour not in CHANNELS or depth not in (1, 2, 4, 8, 16):
                return UNJUDGED
            row = -(-width * CHANNELS[colour] * depth // 8)
            expected = height * (1 + row)
        elif kind == b"IDAT":
            if expected < 0:
                return "broken PNG file (image data before the header)"
            pending = body
            while pending:  # a megabyte at a time and never past the rows: a bomb stays small
                try:
                    produced += len(inflate.decompress(pending, STEP))
                except zlib.error as e:
                    return f"broken data stream when reading image file ({e})"
                if produced > expected:
                    return UNJUDGED  # more data than rows: Pillow decides
                pending = inflate.unconsumed_tail
        elif kind == b"IEND":
            break
    if expected < 0:
        return "broken PNG file (no IHDR)"
    if produced < expected:
        return "image file is truncated (fewer rows than the header says)"
    return None
