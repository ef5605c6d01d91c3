"""`briefgen check` imports only what checking needs: country names come from a table made
from pycountry and Babel (CLDR), not from those libraries at each run, and a PNG is judged
whole by zlib, without Pillow (which still decodes it to draw it)."""

from __future__ import annotations

import io
import subprocess
import sys
import zlib

import pytest
from PIL import Image

from briefgen.countries import name_table
from briefgen.country_table import NAMES
from briefgen.pngcheck import UNJUDGED, png_problem
from tests.adversarial.test_paths import png_claiming
from tests.conftest import MALI, ROOT

PROBE = """
import sys
from briefgen.cli import main
code = main(["check", sys.argv[1]])
# (Jinja is imported: `check` compiles the templates' slots, so a syntax error is found there)
heavy = ("babel", "pycountry", "PIL", "reportlab", "pptx", "matplotlib")
print(sorted({m.split(".")[0] for m in sys.modules} & set(heavy)), code)
"""


def test_check_imports_no_country_picture_or_rendering_library():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(MALI)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[-2] == "[] 0", done.stdout + done.stderr


def test_country_table_is_current():
    """After updating pycountry or Babel: python -m briefgen.countries."""
    assert name_table() == NAMES


def _damaged() -> dict[str, bytes]:
    whole = (ROOT / "briefs" / "mali-2013" / "map.png").read_bytes()
    idat = whole.index(b"IDAT")
    flipped = bytearray(whole)
    flipped[idat + 40] ^= 0xFF  # inside the image data: its chunk's checksum no longer holds
    return {
        "whole": whole,
        "cut in half": whole[: len(whole) // 2],
        "cut before IEND": whole[:-12],
        "a byte flipped": bytes(flipped),
        "tiny data, large header": png_claiming(5_000, 5_000),
        "not zlib data": png_claiming(800, 600, idat=b"\x78\x9c" + b"\xde\xad\xbe\xef" * 64),
        "rows from a small picture": png_claiming(8, 8, idat=zlib.compress(b"\x00" * 200)),
    }


@pytest.mark.parametrize("case", list(_damaged()))
def test_png_is_judged_as_pillow_judges_it(case):
    data = _damaged()[case]
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
        pillow = None
    except Exception as e:
        pillow = str(e)
    found = png_problem(data)
    assert found != UNJUDGED
    assert (found is None) == (pillow is None), (found, pillow)
