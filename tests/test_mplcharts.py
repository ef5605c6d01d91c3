"""Charts drawn by matplotlib (render/mplcharts.py): SVG and PNG files for pasting, read back.

Each picture must carry its as-of date and source, be readable in greyscale, and be the same
bytes on every run, in every time zone and whatever SOURCE_DATE_EPOCH says.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from briefgen.blocks import Chart
from briefgen.template_set import TemplateSet as Templates
from tests.conftest import FIXTURES, MALI
from tests.webpage import document

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def mali_images() -> dict[str, bytes]:
    from briefgen.render.mplcharts import render_chart_images

    return render_chart_images(document(MALI), Templates().theme.model_dump())


def test_every_chart_gives_an_svg_and_a_png(mali_images):
    assert sorted(mali_images) == [
        "timeline.png",
        "timeline.svg",
        "troop-pledges-by-country.png",
        "troop-pledges-by-country.svg",
    ]


def test_png_is_twice_the_css_size_and_carries_no_software_or_date(mali_images):
    from PIL import Image

    for name, data in mali_images.items():
        if not name.endswith(".png"):
            continue
        image = Image.open(io.BytesIO(data))
        assert image.size[0] == 1280  # 480 pt = 640 CSS px, drawn at 2×
        assert image.info.get("dpi", (0,))[0] == pytest.approx(192, abs=1)
        chunks = _png_chunks(data)
        assert not {"tEXt", "iTXt", "zTXt", "tIME"} & set(chunks), chunks


def _png_chunks(data: bytes) -> list[str]:
    chunks, i = [], 8
    while i < len(data):
        length = int.from_bytes(data[i : i + 4], "big")
        chunks.append(data[i + 4 : i + 8].decode("ascii"))
        i += 12 + length
    return chunks


def test_svg_has_title_desc_and_no_metadata(mali_images):
    specs = {
        "timeline": None,
        "troop-pledges-by-country": None,
    }
    doc = document(MALI)
    for s in doc.sections:
        for b in s.blocks:
            if isinstance(b, Chart):
                specs["timeline" if b.spec.kind == "timeline" else "troop-pledges-by-country"] = (
                    b.spec
                )
    for name, spec in specs.items():
        svg = mali_images[f"{name}.svg"]
        text = svg.decode("utf-8")
        assert "<metadata" not in text and "dc:date" not in text
        assert not re.search(r"[Mm]atplotlib v?\d", text)
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").text == spec.title
        assert root.find(f"{SVG}desc").text == spec.alt


def test_as_of_and_source_lines_are_drawn_under_the_bars():
    """The lines are drawn as glyph outlines: check the layout and the text passed to the axes."""
    from briefgen.render.mplcharts import layout

    doc = document(MALI)
    spec = next(
        b.spec
        for s in doc.sections
        for b in s.blocks
        if isinstance(b, Chart) and b.spec.kind == "bars"
    )
    canvas, height = layout(spec, ("#1F3A5F", "#7FA7D1"), 480, 10, captions=True)
    texts = [(args[2], args[1]) for op, args, _ in canvas.ops if op == "text"]
    bars = [args for op, args, _ in canvas.ops if op == "rect"]
    lowest_bar = min(y for _, y, *_ in bars)
    drawn = {t: y for t, y in texts}
    assert spec.as_of.startswith("Latest reported figure for each country, 17 Jan 2013")
    for line in (spec.as_of, spec.source_line):
        assert line in drawn and drawn[line] < lowest_bar, line
    assert drawn[spec.as_of] > drawn[spec.source_line]  # as-of first, then the source
    assert drawn[spec.title] > max(y + h for _, y, _, h in bars)  # the title on top
    assert all(0 <= y <= height for _, y in texts)


def test_greyscale_keeps_the_segments_apart(mali_images):
    """The already-in-place segment and the rest differ in grey, and the second is hatched."""
    from PIL import Image

    image = Image.open(io.BytesIO(mali_images["troop-pledges-by-country.png"])).convert("L")
    svg = mali_images["troop-pledges-by-country.svg"].decode()
    assert "<pattern" in svg  # matplotlib's hatch
    palette = Templates().theme.model_dump()["chart_palette"]

    def grey(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    assert abs(grey(palette[0]) - grey(palette[1])) > 60
    # both greys are on the picture, and the hatch draws the darkest over the light one
    histogram = image.histogram()
    for colour in palette[:2]:
        level = round(grey(colour))
        assert sum(histogram[level - 2 : level + 3]) > 2000, colour


def test_the_shipped_dejavu_font_is_used():
    from briefgen.render import font_path
    from briefgen.render.mplcharts import _fonts

    assert Path(_fonts()["regular"].get_file()) == font_path("regular")
    assert Path(_fonts()["bold"].get_file()) == font_path("bold")
    from matplotlib import font_manager

    assert str(font_path("regular")) in {f.fname for f in font_manager.fontManager.ttflist}


def test_chart_text_is_never_mathtext():
    """`$...$` in brief text is drawn as typed, not as a formula (which could fail to parse)."""
    from briefgen.charts import ChartSpec, Series
    from briefgen.render.mplcharts import draw

    spec = ChartSpec(
        kind="columns",
        title=r"Cost $\frac{1}{2}$",
        categories=(r"$\undefinedmacro{x}$ camp", "b_1^2"),
        series=(Series("People", (5, 3)),),
        value_labels=("5", "3"),
        short_labels=("5", "3"),
        unit="people",
        as_of=r"As of $x$",
        source_line="Sources: [1] A & B <c>",
        alt="Alt & <alt>",
    )
    svg = draw(spec, "svg", ["#1F3A5F"])
    root = ET.fromstring(svg)  # well-formed, text escaped
    assert root.find(f"{SVG}desc").text == "Alt & <alt>"
    assert draw(spec, "png", ["#1F3A5F"]).startswith(b"\x89PNG")


_SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from briefgen.template_set import TemplateSet as Templates
from briefgen.render.mplcharts import render_chart_images
from briefgen.render.html import render_html
from tests.webpage import document, HTML_TEMPLATES
doc = document(Path(sys.argv[1]))
files = render_chart_images(doc, Templates().theme.model_dump())
files["page.html"] = render_html(doc, Templates().theme.model_dump(), HTML_TEMPLATES).data
hashes = {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())}
hashes["pyplot imported"] = str("matplotlib.pyplot" in sys.modules)
print(json.dumps(hashes))
"""


def _hashes(env: dict[str, str], folder: Path = MALI) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(folder)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_bytes_are_the_same_across_runs_time_zones_and_source_date_epoch(mali_images):
    here = {k: hashlib.sha256(v).hexdigest() for k, v in mali_images.items()}
    a = _hashes({"TZ": "Pacific/Kiritimati"})
    b = _hashes({"TZ": "America/Los_Angeles", "SOURCE_DATE_EPOCH": "1700000000"})
    assert a == b
    assert a.pop("pyplot imported") == "False"  # the Figure API only
    assert {k: v for k, v in a.items() if k != "page.html"} == here
    assert len(a) == 5


def test_other_briefs_draw_every_kind_of_chart():
    from briefgen.render.mplcharts import render_chart_images

    for folder in (FIXTURES / "good" / "french", FIXTURES / "good" / "many-parties"):
        images = render_chart_images(document(folder), Templates().theme.model_dump())
        assert images and all(v for v in images.values())


def test_characters_the_font_lacks_draw_without_a_python_warning():
    """CJK or emoji in a category: an empty box, as in the PDF (`check` warns, located); no
    matplotlib warning reaches the user (pytest turns any warning into an error here)."""
    from briefgen.charts import ChartSpec, Series
    from briefgen.render.mplcharts import draw

    spec = ChartSpec(
        kind="bars",
        title="中文 🙂",
        categories=("中文测试", "🇫🇷 France"),
        series=(Series("Troops", (5, 3)),),
        value_labels=("5", "3"),
        short_labels=("5", "3"),
        unit="troops",
        as_of="As of 🙂",
        source_line="Sources: [1] 中文",
        alt="中文 🙂",
    )
    for kind in ("svg", "png"):
        assert draw(spec, kind, ["#1F3A5F"])  # type: ignore[arg-type]
