"""Renderers: one per output format, each laying out the same Document blocks."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from briefgen.errors import RenderError


@dataclass
class Rendered:
    """An output in memory: its bytes, how many pages or slides, and any warnings."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


FONT_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bolditalic": "DejaVuSans-BoldOblique.ttf",
}


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """Where the DejaVu fonts that ship with matplotlib are, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RenderError("matplotlib is not installed; it provides the DejaVu fonts")
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    if not (folder / FONT_FILES["regular"]).is_file():
        raise RenderError(f"DejaVu fonts not found in {folder}")
    return folder


def font_path(style: str = "regular") -> Path:
    return font_dir() / FONT_FILES[style]
