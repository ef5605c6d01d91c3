"""Charts as plain data (`ChartSpec`), built from a Brief; drawn by matplotlib for the PDFs.

The same spec becomes a native, editable chart in the deck (render/pptx.py), so both show the
same numbers. A party with no reported number is listed as "not reported", never a zero bar.
"""

from __future__ import annotations

import hashlib
import io
import json
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from briefgen.format import Formatter
    from briefgen.model import Brief


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class ChartSpec:
    """Everything needed to draw a chart, and nothing about how."""

    kind: str  # "bars" (horizontal, stacked series) | "columns" | "timeline"
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_labels: tuple[str, ...]  # formatted label at the end of each category's bar
    short_labels: tuple[str, ...]  # the same, shorter, for narrow charts (totals only)
    unit: str
    as_of: str  # sentence: "Latest reported figure for each country, 17 – 23 Jan 2013."
    source_line: str
    alt: str
    not_reported: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # further lines printed under the chart
    events: tuple[tuple[str, str], ...] = ()  # timeline: (date label, text)
    palette: tuple[str, ...] = ()
    font: str = "DejaVu Sans"

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(vals) for vals in zip(*(s.values for s in self.series), strict=True))

    @property
    def caption_lines(self) -> tuple[str, ...]:
        """Lines printed under the chart in every output."""
        lines = [self.as_of, *self.notes, self.source_line]
        return tuple(line for line in lines if line)

    def digest(self) -> str:
        """Content hash: a chart whose spec did not change need not be drawn again."""
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()


@dataclass
class ChartContext:
    """What a spec builder needs besides the brief."""

    fmt: Formatter
    cite: dict[str, int]  # source id → number
    palette: tuple[str, ...] = field(default_factory=tuple)
    short_cites: dict[str, str] = field(default_factory=dict)  # source id → "AFP, 17 Jan 2013"


def _sources_line(ctx: ChartContext, ids: list[str]) -> str:
    ordered = sorted(set(ids), key=lambda s: ctx.cite.get(s, 0))
    items = "; ".join(
        f"[{ctx.cite[s]}] {ctx.short_cites.get(s, s)}" for s in ordered if s in ctx.cite
    )
    return ctx.fmt.labels.fill("chart_sources", sources=items) if items else ""


MAX_BARS = 20  # more bars than this cannot be read; the rest are summed in a note


def pledges_chart(brief: Brief, ctx: ChartContext) -> ChartSpec | None:
    """Current troop pledges by country, largest first, in-place part as its own segment."""
    labels, fmt = ctx.fmt.labels, ctx.fmt
    shown, missing, organisations, ids, dates = [], [], [], [], []
    for p in brief.parties:
        c = p.current
        if c.troops is None:
            if "troops" in {s.value for s in c.support}:
                missing.append(p.name)
            continue
        if p.country is None:
            organisations.append(f"{p.name} {fmt.number(c.troops, c.approximate)}")
            ids += c.sources
            continue
        shown.append(p)
        ids += c.sources
        if c.as_of:
            dates.append(c.as_of)
    if not shown:
        return None
    shown.sort(key=lambda p: (-(p.current.troops or 0), p.name))
    beyond = shown[MAX_BARS:]
    shown = shown[:MAX_BARS]
    in_place = tuple(p.current.troops_in_place or 0 for p in shown)
    rest = tuple((p.current.troops or 0) - i for p, i in zip(shown, in_place, strict=True))
    value_labels, alt_items = [], []
    for p in shown:
        c = p.current
        total = fmt.number(c.troops or 0, c.approximate)
        if c.troops_in_place:
            there = fmt.number(c.troops_in_place)
            value_labels.append(f"{total} ({labels.fill('in_place_of', in_place=there)})")
            alt_items.append(f"{p.name} {labels.fill('alt_in_place', total=total, in_place=there)}")
        else:
            value_labels.append(total)
            alt_items.append(f"{p.name} {total}")
    series = (
        (Series(labels["already_there"], in_place), Series(labels["still_to_come"], rest))
        if any(in_place)
        else (Series(labels["troops"], rest),)
    )
    notes = []
    if beyond:
        total = fmt.number(sum(p.current.troops or 0 for p in beyond))
        notes.append(labels.fill("smaller_line", count=fmt.number(len(beyond)), total=total))
    if missing:
        notes.append(labels.fill("not_reported_line", names=", ".join(missing)))
    if organisations:
        notes.append(labels.fill("not_charted_line", items="; ".join(organisations)))
    as_of = labels.fill("chart_as_of", dates=fmt.date_range(dates)) if dates else ""
    alt = labels.fill("alt_pledges", items="; ".join(alt_items))
    if missing:
        alt += " " + notes[0]
    return ChartSpec(
        kind="bars",
        title=labels["pledges_chart"],
        categories=tuple(p.name for p in shown),
        series=series,
        value_labels=tuple(value_labels),
        short_labels=tuple(fmt.number(p.current.troops or 0, p.current.approximate) for p in shown),
        unit=labels["troops_unit"],
        as_of=as_of,
        source_line=_sources_line(ctx, ids),
        alt=f"{alt} {as_of}".strip(),
        not_reported=tuple(missing),
        notes=tuple(notes),
        palette=ctx.palette,
    )


def displacement_chart(brief: Brief, ctx: ChartContext) -> ChartSpec | None:
    """People displaced, one column per reported figure; only when there are two or more."""
    labels, fmt = ctx.fmt.labels, ctx.fmt
    rows = [d for d in brief.displacement if d.figure is not None]
    if len(rows) < 2:
        return None
    cats = tuple(
        f"{d.where or ''} ({labels['displacement_' + d.kind.value]})".strip() for d in rows
    )
    values = tuple(d.figure or 0 for d in rows)
    shown = tuple(fmt.number(d.figure or 0, d.approximate) for d in rows)
    dates = [d.as_of or brief.date for d in rows]
    items = "; ".join(f"{c}: {v}" for c, v in zip(cats, shown, strict=True))
    as_of = labels.fill("as_of_date", date=fmt.date_range(dates))
    return ChartSpec(
        kind="columns",
        title=labels["displacement_chart"],
        categories=cats,
        series=(Series(labels["figure"], values),),
        value_labels=shown,
        short_labels=shown,
        unit=labels["people_unit"],
        as_of=as_of,
        source_line=_sources_line(ctx, [s for d in rows for s in d.sources]),
        alt=labels.fill("alt_displacement", items=items) + " " + as_of,
        palette=ctx.palette,
    )


def timeline_chart(brief: Brief, ctx: ChartContext) -> ChartSpec | None:
    """The timeline as a graphic: events evenly spaced, in date order."""
    from briefgen.text import plain

    if not brief.timeline:
        return None
    events = tuple(
        (ctx.fmt.date(t.date, short=True), plain(t.event))
        for t in sorted(brief.timeline, key=lambda t: t.date.start)
    )
    items = "; ".join(f"{d}: {e}" for d, e in events)
    ids = [s for t in brief.timeline for s in t.sources]
    return ChartSpec(
        kind="timeline",
        title=ctx.fmt.labels["timeline_chart"],
        categories=(),
        series=(),
        value_labels=(),
        short_labels=(),
        unit="",
        as_of="",
        source_line=_sources_line(ctx, ids),
        alt=ctx.fmt.labels.fill("alt_timeline", items=items),
        events=events,
        palette=ctx.palette,
    )


# ---- drawing (matplotlib is imported only here, and only when a chart must be drawn) ----

DPI = 200


class ChartCache:
    """Drawn charts by spec hash and width: in memory, and on disk when given a folder.

    A chart whose data did not change is never drawn again, across outputs and builds.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.memory: dict[str, tuple[bytes, float]] = {}

    def image(self, spec: ChartSpec, width_in: float) -> tuple[bytes, float]:
        """PNG bytes and height in inches."""
        key = f"{spec.digest()[:40]}-{width_in:.3f}"
        if key in self.memory:
            return self.memory[key]
        path = self.folder / f"{key}.png" if self.folder is not None else None
        found = None
        if path is not None and path.is_file():
            from briefgen.images import sniff

            data = path.read_bytes()
            info = sniff(data[:64])
            if info is not None:
                found = (data, info.height / DPI)
        if found is None:
            found = draw(spec, width_in)
            if path is not None:
                from briefgen.atomic import write_atomic

                write_atomic(path, found[0])
        self.memory[key] = found
        return found


def draw(spec: ChartSpec, width_in: float, dpi: int = DPI) -> tuple[bytes, float]:
    """Draw a chart to PNG bytes (no metadata, so the same spec gives the same bytes).

    Returns the PNG and its height in inches (the width is given; the height follows the data).
    Uses matplotlib's object API (no pyplot: no global figures, no GUI backend lookup).
    """
    import warnings

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Brief text is never markup: `$...$` must not become mathtext. Missing glyphs were already
    # reported by `check`, so matplotlib's own warning about them would only repeat it.
    style = {"font.family": spec.font, "font.size": 8.5, "text.parse_math": False}
    with matplotlib.rc_context(style), warnings.catch_warnings():  # type: ignore[arg-type]
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        draw_kind = {"bars": _bars, "columns": _columns}.get(spec.kind, _timeline)
        fig = Figure()
        FigureCanvasAgg(fig)
        draw_kind(fig, spec, width_in)
        height = float(fig.get_size_inches()[1])
        buf = io.BytesIO()
        # Fast, light compression: ReportLab decodes the PNG and compresses the pixels itself.
        fig.savefig(
            buf,
            format="png",
            dpi=dpi,
            metadata={"Software": None},
            facecolor="white",
            pil_kwargs={"compress_level": 1},
        )
    return buf.getvalue(), height


def _palette(spec: ChartSpec) -> list[str]:
    return list(spec.palette) or ["#1F3A5F", "#7FA7D1", "#D55E00"]


def _bars(fig: Figure, spec: ChartSpec, width_in: float) -> None:
    n = len(spec.categories)
    legend_rows = 0 if len(spec.series) < 2 else (1 if width_in >= 4.6 else len(spec.series))
    bar_in = 0.26
    height = 0.25 + bar_in * n + 0.2 * legend_rows
    fig.set_size_inches(width_in, height)
    # Lay out by measuring: category names on the left, value labels on the right, bars between.
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # an Agg canvas has one

    def text_width(texts: tuple[str, ...], size: float) -> float:
        widths = []
        for t in texts:
            probe = fig.text(0, 0, t, fontsize=size)
            widths.append(probe.get_window_extent(renderer).width / fig.dpi)
            probe.remove()
        return max(widths, default=0.0)

    categories, values = spec.categories, spec.value_labels
    left_in = text_width(categories, 8.5) + 0.12
    right_in = text_width(values, 8) + 0.1
    if left_in + right_in > 0.62 * width_in:  # narrow: totals only, long names on two lines
        values = spec.short_labels
        right_in = text_width(values, 8) + 0.1
        categories = tuple("\n".join(textwrap.wrap(c, 16)) for c in categories)
        left_in = text_width(categories, 8.5) + 0.12
        if any("\n" in c for c in categories):
            height += 0.06 * sum(c.count("\n") for c in categories)
            fig.set_size_inches(width_in, height)
    top_in = 0.2 * legend_rows + 0.05
    ax = fig.add_axes(
        (
            left_in / width_in,
            0.08 / height,
            max(0.2, 1 - (left_in + right_in) / width_in),
            1 - (top_in + 0.08) / height,
        )
    )
    colours = _palette(spec)
    hatches = [None, "////", "..", "xx"]
    y = list(range(n))[::-1]  # largest on top
    left = [0] * n
    for i, s in enumerate(spec.series):
        ax.barh(
            y,
            s.values,
            left=left,
            height=0.64,
            color=colours[i % len(colours)],
            edgecolor=colours[0],
            linewidth=0.6,
            hatch=hatches[i % len(hatches)] if i else None,
            label=s.name,
        )
        left = [a + b for a, b in zip(left, s.values, strict=True)]
    top = max(spec.totals) or 1
    for yi, total, label in zip(y, spec.totals, values, strict=True):
        ax.annotate(
            label,
            (total, yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=8,
            color="#1A1A1A",
            annotation_clip=False,
        )
    ax.set_yticks(y, categories)
    ax.set_xlim(0, top)
    ax.set_ylim(-0.55, n - 0.45)
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#888888")
    ax.tick_params(axis="y", length=0, labelsize=8.5)
    if legend_rows:
        anchor = left_in / width_in - 0.01 if legend_rows == 1 else 0.0
        fig.legend(
            loc="upper left",
            bbox_to_anchor=(anchor, 1.0),
            ncols=1 if legend_rows > 1 else len(spec.series),
            frameon=False,
            fontsize=8,
            handlelength=1.6,
            borderaxespad=0.1,
        )


def _columns(fig: Figure, spec: ChartSpec, width_in: float) -> None:
    fig.set_size_inches(width_in, 1.9)
    ax = fig.add_subplot()
    x = list(range(len(spec.categories)))
    values = spec.series[0].values
    ax.bar(x, values, color=_palette(spec)[0], width=0.6)
    for xi, v, label in zip(x, values, spec.value_labels, strict=True):
        ax.text(xi, v, label, ha="center", va="bottom", fontsize=8)
    wrapped = ["\n".join(textwrap.wrap(c, 24)) for c in spec.categories]
    ax.set_xticks(x, wrapped)
    ax.yaxis.set_visible(False)
    ax.set_ylim(0, max(values) * 1.18 or 1)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", length=0)
    fig.tight_layout(pad=0.3)


def _timeline(fig: Figure, spec: ChartSpec, width_in: float) -> None:
    n = len(spec.events)
    # Labels alternate above and below the line, so each may be 1.7 slots wide; the ends get
    # half a label of margin. DejaVu Sans at 7.2 pt averages about 4.6 pt a character.
    label_slots = 1.7 if n > 1 else 3.0
    slot_in = width_in / (n - 1 + label_slots + 0.1)
    per_row = max(12, int(label_slots * slot_in * 72 / 4.6))
    wrapped = [textwrap.wrap(text, per_row) for _, text in spec.events]
    line_pt, stem = 9.0, 8.0
    up = max((len(w) for w in wrapped[0::2]), default=0) + 1  # +1 for the date line
    down = max((len(w) for w in wrapped[1::2]), default=0) + 1
    up_in = (up * line_pt + stem + 6) / 72
    down_in = (down * line_pt + stem + 6) / 72 if n > 1 else 0.1
    fig.set_size_inches(width_in, up_in + down_in)
    ax = fig.add_axes((0, 0, 1, 1))
    colour = _palette(spec)[0]
    ax.axhline(0, color=colour, linewidth=1.6, zorder=1)
    ax.scatter(range(n), [0] * n, s=36, color="white", edgecolor=colour, linewidth=1.6, zorder=3)
    for i, ((date, _), body) in enumerate(zip(spec.events, wrapped, strict=True)):
        sign = 1 if i % 2 == 0 else -1
        va = "bottom" if sign > 0 else "top"
        ax.annotate(
            "",
            (i, 0),
            xytext=(0, sign * stem),
            textcoords="offset points",
            arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.8},
        )
        first = (stem + 2) * sign
        date_at = first if sign < 0 else first + len(body) * line_pt
        body_at = first - line_pt if sign < 0 else first
        ha, dx = "center", 0
        ax.annotate(
            date,
            (i, 0),
            xytext=(dx, date_at),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=7.4,
            fontweight="bold",
            color="#1A1A1A",
        )
        ax.annotate(
            "\n".join(body),
            (i, 0),
            xytext=(dx, body_at),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=7.2,
            linespacing=1.15,
            color="#1A1A1A",
            multialignment=ha,
        )
    margin = label_slots / 2 + 0.05
    ax.set_xlim(-margin, n - 1 + margin)
    ax.set_ylim(-down_in, up_in)  # one data unit is one inch, so point offsets land as planned
    ax.axis("off")
