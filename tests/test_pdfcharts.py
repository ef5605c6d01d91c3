"""PDF charts as vector drawings: every word stays inside the chart's width, whatever the text."""

from __future__ import annotations

import pytest
from reportlab.graphics.shapes import Group, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from briefgen.charts import ChartSpec, Series
from briefgen.render import pdfcharts
from briefgen.render.flow import register_fonts

LONG_WORD = "Supercalifragilistic" * 12
NAMES = ("France", "Chad", "Bosnia and Herzegovina", LONG_WORD, "Saint Vincent and the Grenadines")


def strings(node: object, dx: float = 0.0) -> list[tuple[float, float, String]]:
    """Every String with its left and right edge in drawing coordinates."""
    out = []
    for child in node.contents if isinstance(node, Group) else []:  # type: ignore[attr-defined]
        if isinstance(child, String):
            w = stringWidth(child.text, child.fontName, child.fontSize)
            x = child.x + dx
            left = {"start": x, "middle": x - w / 2, "end": x - w}[child.textAnchor]
            out.append((left, left + w, child))
        elif isinstance(child, Group):
            out += strings(child, dx + child.transform[4])
    return out


def bars(n: int = len(NAMES)) -> ChartSpec:
    values = tuple(range(n * 100, 0, -100))
    return ChartSpec(
        kind="bars",
        title="Troop pledges by country",
        categories=NAMES[:n],
        series=(
            Series("Already in place", tuple(v // 4 for v in values)),
            Series("Still to come", tuple(v - v // 4 for v in values)),
        ),
        value_labels=tuple(f"{v:,} ({v // 4:,} already there)" for v in values),
        short_labels=tuple(f"{v:,}" for v in values),
        unit="troops",
        as_of="",
        source_line="",
        alt="",
    )


@pytest.fixture(autouse=True, scope="module")
def fonts() -> None:
    register_fonts()


@pytest.mark.parametrize("width", [250.0, 510.0])
def test_bar_chart_text_stays_inside_the_chart(width):
    d = pdfcharts.drawing(bars(), width, 9.0)
    placed = strings(d)
    assert {s.text for _, _, s in placed} >= {"France", "Chad", "Already in place"}
    for left, right, s in placed:
        assert left >= -0.5 and right <= width + 0.5, (s.text[:30], left, right, width)
    # In a narrow chart a name longer than its room is cut to three lines, the last with an
    # ellipsis (the table beside the chart has it whole).
    if width < 300:
        pieces = [
            s.text for _, _, s in placed if len(s.text) > 4 and s.text.rstrip("…") in LONG_WORD
        ]
        assert len(pieces) == 3 and pieces[-1].endswith("…"), pieces


def test_columns_and_timeline_text_stay_inside_the_chart():
    columns = ChartSpec(
        kind="columns",
        title="People displaced",
        categories=("Coastal towns (internally displaced)", LONG_WORD),
        series=(Series("People", (12000, 3500)),),
        value_labels=("12,000", "about 3,500"),
        short_labels=("12,000", "about 3,500"),
        unit="people",
        as_of="",
        source_line="",
        alt="",
    )
    events = tuple(
        (f"{d} Jan 2013", f"Event {d}: {LONG_WORD if d == 3 else 'troops arrive'}")
        for d in range(1, 9)
    )
    timeline = ChartSpec("timeline", "", (), (), (), (), "", "", "", "", events=events)
    for spec in (columns, timeline):
        d = pdfcharts.drawing(spec, 510.0, 9.0)
        placed = strings(d)
        assert placed
        for left, right, s in placed:
            assert left >= -0.5 and right <= 510.5, (spec.kind, s.text[:30], left, right)
    # Figures are never broken, however many columns share the width: they get smaller.
    many = ChartSpec(
        kind="columns",
        title="People displaced",
        categories=tuple(f"Region {i} (internally displaced)" for i in range(8)),
        series=(Series("People", tuple(1_234_567 - i for i in range(8))),),
        value_labels=tuple(f"about {1_234_567 - i:,}" for i in range(8)),
        short_labels=(),
        unit="people",
        as_of="",
        source_line="",
        alt="",
    )
    shown = {s.text for _, _, s in strings(pdfcharts.drawing(many, 250.0, 9.0))}
    assert {f"{1_234_567 - i:,}" for i in range(8)} <= shown
    assert {"Region 0", "(internally", "displaced)"} <= shown  # names wrap at spaces only
    texts = " ".join(s.text for _, _, s in strings(pdfcharts.drawing(timeline, 510.0, 9.0)))
    assert "".join(texts.split()).count("Supercalifragilistic") == 12  # broken, never cut


def test_a_chart_can_be_placed_again_after_being_pushed_to_the_next_page(tmp_path):
    """A chart's drawing is shared by every pass and build in a process, and ReportLab marks a
    flowable it pushes to the next frame; each story gets its own flowable, so the mark never
    makes a later story refuse the chart (it used to: "taller than a page")."""
    from reportlab.platypus import SimpleDocTemplate, Spacer

    spec = bars()
    for n in range(2):
        doc = SimpleDocTemplate(str(tmp_path / f"{n}.pdf"), invariant=1)
        story = [Spacer(1, doc.height - 20), pdfcharts.flowable(spec, 400.0, 9.0)]
        doc.build(story)  # the chart does not fit under the spacer: pushed to page 2
        assert doc.page == 2
