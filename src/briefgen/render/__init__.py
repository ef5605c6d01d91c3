"""Renderers: one per output format, each laying out the same Document blocks.

An output's `output.yaml` names its renderer; adding a renderer is one module with a
`render(doc: Document) -> Rendered` function, registered here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import RenderError
from briefgen.fonts import FONT_FILES, font_folder

if TYPE_CHECKING:
    from briefgen.blocks import Document

# renderer name → the module that draws it (imported only when an output needs it)
RENDERERS = {
    "pdf": "briefgen.render.pdf",
    "pptx": "briefgen.render.pptx",
    "html": "briefgen.render.html",
    "images": "briefgen.render.mplcharts",
}

PDF_FONT = "DejaVuSans"  # the name the PDF renderers register DejaVu Sans under


@dataclass
class Rendered:
    """An output in memory: its bytes, how many pages or slides, and any warnings."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    name: str = ""  # the artifact's file name
    reading_grade: float | None = None  # the brief's reading level, when this output measured it
    files: dict[str, bytes] = field(default_factory=dict)  # several files (name → bytes), or none


def renderer(name: str) -> Callable[[Document], Rendered]:
    """The `render` function of a registered renderer."""
    module = importlib.import_module(RENDERERS[name])
    draw: Callable[[Document], Rendered] = module.render
    return draw


def font_path(style: str = "regular") -> Path:
    """One of the DejaVu Sans faces (regular, bold, italic, bolditalic) for the renderers."""
    folder = font_folder()
    if folder is None:
        raise RenderError("the DejaVu fonts were not found: they ship with briefgen; reinstall it")
    return folder / FONT_FILES[style]
