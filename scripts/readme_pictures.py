"""Regenerate the README's pictures: page 1 of the Mali handout and its troop-pledge slide.

    .venv/bin/python scripts/readme_pictures.py

Needs pdftoppm (Debian: poppler-utils) and LibreOffice (Debian: libreoffice-impress).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def main() -> None:
    from pptx import Presentation

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "briefgen", "build", "briefs/mali-2013", "-o", str(out)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        built = out / "mali-2013"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(built / "mali-2013-handout.pdf"),
                str(DOCS / "handout-page1"),
            ],
            check=True,
        )
        deck = built / "mali-2013-deck.pptx"
        slide = next(
            i
            for i, s in enumerate(Presentation(str(deck)).slides, 1)
            if any(shape.has_chart for shape in s.shapes)
        )
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(deck)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(slide),
                "-l",
                str(slide),
                "-singlefile",
                str(out / "mali-2013-deck.pdf"),
                str(DOCS / "deck-pledges"),
            ],
            check=True,
        )
    for name in ("handout-page1.png", "deck-pledges.png"):
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
