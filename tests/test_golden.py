"""Golden files: the normalised text of each PDF page and an outline of each slide of the Mali
outputs, compared with what is committed in tests/golden/.

After an intended change, regenerate them and review the diff:

    BRIEFGEN_UPDATE_GOLDENS=1 .venv/bin/pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from briefgen.build import Options, build
from tests.conftest import MALI

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("BRIEFGEN_UPDATE_GOLDENS") == "1"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_outline(path: Path) -> str:
    pages = PdfReader(path).pages
    return "".join(
        f"=== page {n} ===\n{squash(p.extract_text() or '')}\n" for n, p in enumerate(pages, 1)
    )


def deck_outline(path: Path) -> str:
    out = []
    for n, slide in enumerate(Presentation(str(path)).slides, 1):
        out.append(f"=== slide {n}: {squash(slide.shapes.title.text_frame.text)} ===")
        for shape in slide.shapes:
            if shape == slide.shapes.title:
                continue
            if shape.has_text_frame and squash(shape.text_frame.text):
                out.append(f"text: {squash(shape.text_frame.text)}")
            elif getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    out.append("row: " + " | ".join(squash(c.text) for c in row.cells))
            elif getattr(shape, "has_chart", False) and shape.has_chart:
                plot = shape.chart.plots[0]
                out.append(f"chart: {' | '.join(plot.categories)}")
                out += [f"series {s.name}: {list(s.values)}" for s in plot.series]
            elif shape.shape_type == 13:  # a picture
                out.append(f"picture: {shape._element.xpath('./*[1]/p:cNvPr')[0].get('descr')}")
        if slide.has_notes_slide:
            out.append(f"notes: {squash(slide.notes_slide.notes_text_frame.text)}")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    result = build([(MALI / "brief.yaml", "mali")], Options(out, jobs=1))
    assert result.ok
    return out / "mali-2013"


@pytest.mark.parametrize(
    ("artifact", "outline"),
    [
        ("mali-2013-handout.pdf", pdf_outline),
        ("mali-2013-brief.pdf", pdf_outline),
        ("mali-2013-deck.pptx", deck_outline),
    ],
)
def test_outputs_match_their_goldens(built, artifact, outline):
    actual = outline(built / artifact)
    golden = GOLDEN / (artifact + ".txt")
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True), "golden", "now", n=1
        )
    )
    assert actual == expected, f"{artifact} differs from {golden.name}:\n{diff[:4000]}"
