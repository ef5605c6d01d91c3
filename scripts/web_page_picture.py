"""Regenerate docs/web-page.png, the README's picture of the Mali brief's web page.

.venv/bin/python scripts/web_page_picture.py

Renders the page, loads it in headless chromium (Debian's chromium and chromium-driver, as the
browser tests do) at 1280 and 360 CSS pixels, and puts the top of each side by side.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import browser  # noqa: E402
from tests.webpage import document, render_page  # noqa: E402

WIDE, NARROW, HEIGHT = 1280, 360, 1500
GAP = 24


def main() -> None:
    from PIL import Image

    lacking = browser.missing()
    if lacking:
        raise SystemExit(f"needs {lacking}")
    page = render_page(document(ROOT / "briefs" / "mali-2013"))
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "mali.html"
        html.write_bytes(page.out.data)
        shots = {}
        with browser.chromium() as driver:
            for width in (WIDE, NARROW):
                target = Path(tmp) / f"{width}.png"
                browser.screenshot(driver, html, width, target)
                with Image.open(target) as shot:
                    shots[width] = shot.crop((0, 0, width, HEIGHT)).convert("RGB")
    picture = Image.new("RGB", (WIDE + GAP + NARROW, HEIGHT), (204, 204, 204))
    picture.paste(shots[WIDE], (0, 0))
    picture.paste(shots[NARROW], (WIDE + GAP, 0))
    picture = picture.resize((picture.width // 2, picture.height // 2), Image.Resampling.LANCZOS)
    out = ROOT / "docs" / "web-page.png"
    picture.save(out, optimize=True)
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
