"""Renderers: one per output format, each laying out the same Document blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefgen.errors import RenderError
from briefgen.fonts import FONT_FILES, font_folder

PDF_FONT = "DejaVuSans"  # the name the PDF renderers register DejaVu Sans under


@dataclass
class Rendered:
    """An output in memory: its bytes, how many pages or slides, and any warnings."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


def font_path(style: str = "regular") -> Path:
    """One of the DejaVu Sans faces (regular, bold, italic, bolditalic) for the renderers."""
    folder = font_folder()
    if folder is None:
        raise RenderError("the DejaVu fonts were not found: they ship with briefgen; reinstall it")
    return folder / FONT_FILES[style]
