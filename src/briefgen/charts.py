"""Charts as plain data (`ChartSpec`), built from a Brief.

The same spec is drawn as vector graphics in the PDFs (render/pdfcharts.py) and becomes a
native, editable chart in the deck (render/pptx.py), so every output shows the same numbers.
A party with no reported number is listed as "not reported", never a zero bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from briefgen.format import Formatter
    from briefgen.model import Brief, TimelineEvent


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
    takeaway: str = ""  # the chart's point in one sentence, from its data (a slide's title)

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(vals) for vals in zip(*(s.values for s in self.series), strict=True))

    @property
    def caption_lines(self) -> tuple[str, ...]:
        """Lines printed under the chart in every output."""
        lines = [self.as_of, *self.notes, self.source_line]
        return tuple(line for line in lines if line)


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
MAX_COLUMNS = 8  # displacement figures drawn as columns; more stay in their table alone


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
    top = shown[0].current
    takeaway = labels.fill(
        "takeaway_pledges",
        party=shown[0].name,
        value=fmt.number(top.troops or 0, top.approximate),
        in_place=fmt.number(top.troops_in_place) if top.troops_in_place else "",
    )
    return ChartSpec(
        kind="bars",
        takeaway=takeaway if len(shown) > 1 else "",
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


def funding_chart(brief: Brief, ctx: ChartContext) -> ChartSpec | None:
    """Money pledged by country, largest first, when two or more parties gave an amount in one
    currency. Amounts are never added or compared across currencies: those in other currencies
    are listed under the chart as they are; a party with funding but no amount is "not reported"."""
    labels, fmt = ctx.fmt.labels, ctx.fmt
    with_amount = [p for p in brief.parties if p.current.amount is not None]
    currencies: dict[str, int] = {}
    for p in with_amount:
        currencies[p.current.amount.currency] = currencies.get(p.current.amount.currency, 0) + 1  # type: ignore[union-attr]
    if not currencies:
        return None
    currency = max(currencies, key=lambda c: (currencies[c], c))
    shown = [p for p in with_amount if p.current.amount.currency == currency]  # type: ignore[union-attr]
    if len(shown) < 2:
        return None
    shown.sort(key=lambda p: (-p.current.amount.value, p.name))  # type: ignore[union-attr]
    shown = shown[:MAX_BARS]
    missing = [
        p.name
        for p in brief.parties
        if p.current.amount is None and "funding" in {s.value for s in p.current.support}
    ]
    others = [
        f"{p.name} {fmt.money(p.current.amount.value, p.current.amount.currency)}"  # type: ignore[union-attr]
        for p in with_amount
        if p not in shown and p.current.amount.currency != currency  # type: ignore[union-attr]
    ]
    value_labels = tuple(
        fmt.money(p.current.amount.value, currency, p.current.approximate)  # type: ignore[union-attr]
        for p in shown
    )
    notes = []
    if missing:
        notes.append(labels.fill("not_reported_line", names=", ".join(missing)))
    if others:
        notes.append(labels.fill("no_conversion", items="; ".join(others)))
    dates = [p.current.as_of for p in shown if p.current.as_of]
    as_of = labels.fill("chart_as_of", dates=fmt.date_range(dates)) if dates else ""
    items = "; ".join(f"{p.name} {v}" for p, v in zip(shown, value_labels, strict=True))
    alt = labels.fill("alt_funding", currency=currency, items=items)
    if missing:
        alt += " " + notes[0]
    return ChartSpec(
        kind="bars",
        takeaway=labels.fill("takeaway_funding", party=shown[0].name, value=value_labels[0]),
        title=labels["funding_chart"],
        categories=tuple(p.name for p in shown),
        series=(Series(labels["money"], tuple(round(p.current.amount.value) for p in shown)),),  # type: ignore[union-attr]
        value_labels=value_labels,
        short_labels=value_labels,
        unit=currency,
        as_of=as_of,
        source_line=_sources_line(ctx, [s for p in shown for s in p.current.sources]),
        alt=f"{alt} {as_of}".strip(),
        not_reported=tuple(missing),
        notes=tuple(notes),
        palette=ctx.palette,
    )


def displacement_chart(brief: Brief, ctx: ChartContext) -> ChartSpec | None:
    """People displaced, one column per reported figure; only when there are two or more."""
    labels, fmt = ctx.fmt.labels, ctx.fmt
    rows = [d for d in brief.displacement if d.figure is not None]
    if not 2 <= len(rows) <= MAX_COLUMNS:  # one figure needs no chart; many read as a table
        return None
    cats = tuple(
        f"{d.where or ''} ({labels['displacement_' + d.kind.value]})".strip() for d in rows
    )
    values = tuple(d.figure or 0 for d in rows)
    shown = tuple(fmt.number(d.figure or 0, d.approximate) for d in rows)
    dates = [d.as_of or brief.date for d in rows]
    items = "; ".join(f"{c}: {v}" for c, v in zip(cats, shown, strict=True))
    as_of = fmt.as_of(dates)
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


TIMELINE_MOST_EVENTS = 10  # more, or longer, events read better as a dated list
TIMELINE_MOST_CHARACTERS = 200


def timeline_reads_well(events: Sequence[TimelineEvent]) -> bool:
    """Whether the timeline works as a graphic: its labels get narrower with every event, and
    taller with every word."""
    from briefgen.text import plain

    return len(events) <= TIMELINE_MOST_EVENTS and all(
        len(plain(t.event)) <= TIMELINE_MOST_CHARACTERS for t in events
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
