"""Brief + template → Document: which sections each output shows, in order, as plain blocks.

Sections come from `templates/<output>/layout.yaml`; labels and snippets from
`templates/labels/<language>.yaml`. A section with nothing to show is left out, so there is
never an empty heading. Everything a renderer prints is decided here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefgen import charts
from briefgen.blocks import (
    Block,
    BulletList,
    Chart,
    Definition,
    Definitions,
    Document,
    Events,
    Figure,
    KeyFigures,
    Opinion,
    Paragraph,
    Picture,
    QuoteBlock,
    Section,
    Spans,
    Table,
    plain_spans,
)
from briefgen.errors import TemplateError
from briefgen.format import Formatter
from briefgen.model import Brief, Commitment, Source
from briefgen.templates import Labels, Templates
from briefgen.text import Span, parse_inline, plain
from briefgen.typography import finish


@dataclass
class Context:
    brief: Brief
    folder: Path
    output: str
    fmt: Formatter
    labels: Labels
    cite: dict[str, int]
    theme: dict[str, object]

    def refs(self, ids: list[str]) -> str:
        """' [1, 3]' for cited sources, '' for none."""
        nums = sorted({self.cite[i] for i in ids if i in self.cite})
        return f" [{', '.join(map(str, nums))}]" if nums else ""

    def text(self, text: str, ids: list[str] | None = None) -> Spans:
        """Brief text as spans, with its source references appended."""
        spans = parse_inline(text).spans
        return spans + plain_spans(self.refs(ids or []))

    def chart_context(self) -> charts.ChartContext:
        palette = self.theme.get("chart_palette") or ()
        return charts.ChartContext(
            self.fmt,
            self.cite,
            tuple(str(c) for c in palette) if isinstance(palette, list) else (),
            {s.id: short_cite(s, self.fmt) for s in self.brief.sources},
        )


def short_cite(source: Source, fmt: Formatter) -> str:
    """'AFP, 17 Jan 2013' — enough to find the source in the list."""
    who = plain(source.publisher or source.author or source.title)
    return f"{who}, {fmt.date(source.date, short=True)}" if source.date else who


def full_cite(source: Source, fmt: Formatter) -> Spans:
    """Author, “Title”, Publisher, date. Note. Link."""
    parts: list[Span] = []
    if source.author:
        parts.append(Span(plain(source.author) + ", "))
    parts.append(Span(f"“{plain(source.title)}”"))
    tail = [plain(x) for x in (source.publisher,) if x]
    if source.date:
        tail.append(fmt.date(source.date))
    parts.append(Span((", " + ", ".join(tail) if tail else "") + "."))
    if source.note:
        parts.append(Span(" "))
        parts.extend(parse_inline(source.note).spans)
    if source.url:
        parts.append(Span(" "))
        parts.append(Span(source.url, href=source.url))
    return tuple(parts)


# ---- sections ----

Builder = Callable[[Context], Section | None]


def content_note(ctx: Context) -> Section | None:
    note = ctx.brief.content_note
    if not note:
        return None
    return Section(
        "content_note",
        ctx.labels["content_note"],
        (Paragraph(ctx.text(note), "note"),),
        notes=plain(note),
        style="note",
    )


def summary(ctx: Context) -> Section:
    heading = ctx.labels["bottom_line" if ctx.output == "one-pager" else "summary"]
    return Section(
        "summary",
        heading,
        (Paragraph(ctx.text(ctx.brief.summary), "lead"),),
        notes=plain(ctx.brief.summary),
    )


def key_figures(ctx: Context) -> Section | None:
    items = []
    for k in ctx.brief.key_figures:
        when = ctx.fmt.date(k.as_of or ctx.brief.date, short=True)
        items.append(
            Figure(
                ctx.fmt.number(k.value, k.approximate),
                parse_inline(k.label).spans,
                f"{ctx.refs(k.sources).strip()} {when}".strip(),
            )
        )
    if not items:
        return None
    notes = "\n".join(
        f"{f.value} {plain(k.label)} ({f.note})"
        for f, k in zip(items, ctx.brief.key_figures, strict=True)
    )
    return Section("key_figures", ctx.labels["key_figures"], (KeyFigures(tuple(items)),), notes)


def background(ctx: Context) -> Section:
    paragraphs = tuple(Paragraph(ctx.text(p)) for p in ctx.brief.background)
    heading = ctx.labels["situation" if ctx.output == "one-pager" else "background"]
    return Section(
        "background", heading, paragraphs, notes="\n\n".join(plain(p) for p in ctx.brief.background)
    )


def pictures(ctx: Context) -> Section | None:
    from briefgen.images import resolve, sniff

    blocks: list[Block] = []
    for image in ctx.brief.images:
        path = resolve(ctx.folder, image.path)
        if path is None:
            continue
        with path.open("rb") as fh:
            info = sniff(fh.read(64 * 1024))
        if info is None:
            continue
        blocks.append(
            Picture(
                path,
                plain(image.alt),
                info.width,
                info.height,
                parse_inline(image.caption).spans if image.caption else (),
                plain(image.credit) if image.credit else "",
            )
        )
    if not blocks:
        return None
    notes = "\n".join(b.alt for b in blocks if isinstance(b, Picture))
    return Section("map", ctx.labels["map"], tuple(blocks), notes)


def timeline(ctx: Context) -> Section | None:
    events = sorted(ctx.brief.timeline, key=lambda t: t.date.start)
    if not events:
        return None
    blocks: list[Block] = []
    spec = charts.timeline_chart(ctx.brief, ctx.chart_context())
    if ctx.output == "handout" and spec is not None and charts.timeline_reads_well(events):
        blocks.append(Chart(spec))
    else:
        blocks.append(
            Events(tuple((ctx.fmt.date(t.date), ctx.text(t.event, t.sources)) for t in events))
        )
    notes = "\n".join(f"{ctx.fmt.date(t.date)}: {plain(t.event)}" for t in events)
    return Section("timeline", ctx.labels["timeline"], tuple(blocks), notes)


def actors(ctx: Context) -> Section:
    lab = ctx.labels
    rows = []
    for a in ctx.brief.actors:
        name = plain(a.name) + (f" ({', '.join(plain(x) for x in a.aliases)})" if a.aliases else "")
        rows.append(
            (
                plain_spans(name),
                plain_spans(lab["kind_" + a.kind.value]),
                ctx.text(a.role, a.sources),
            )
        )
    table = Table((lab["actor"], lab["kind"], lab["role"]), tuple(rows), (0.24, 0.15, 0.61))
    notes = "\n".join(f"{plain(a.name)}: {plain(a.role)}" for a in ctx.brief.actors)
    return Section("actors", lab["actors"], (table,), notes)


def _troops_cell(ctx: Context, c: Commitment) -> str:
    if c.troops is None:
        needed = "troops" in {s.value for s in c.support}
        return ctx.labels["not_reported"] if needed else "—"
    text = ctx.fmt.number(c.troops, c.approximate)
    if c.troops_in_place is not None:
        text += "\n" + ctx.labels.fill("in_place_of", in_place=ctx.fmt.number(c.troops_in_place))
    return text


def _aircraft_cell(ctx: Context, c: Commitment) -> str:
    if c.aircraft is not None:
        return ctx.fmt.number(c.aircraft, c.approximate)
    flying = {"air-strikes", "transport"} & {s.value for s in c.support}
    return ctx.labels["not_reported"] if flying else "—"


def _commitment_line(ctx: Context, c: Commitment) -> str:
    """'540 troops, pledged (17 Jan 2013) [3]' — one historical entry."""
    lab = ctx.labels
    what = []
    if c.troops is not None:
        what.append(f"{ctx.fmt.number(c.troops, c.approximate)} {lab['troops_unit']}")
    if c.aircraft is not None:
        what.append(f"{ctx.fmt.number(c.aircraft)} {lab['aircraft'].lower()}")
    if not what:
        what.append(", ".join(lab["support_" + s.value] for s in c.support) or lab["not_reported"])
    if c.status is not None:
        what.append(lab["status_" + c.status.value])
    when = ctx.fmt.date(c.as_of or ctx.brief.date, short=True)
    return f"{', '.join(what)} ({when}){ctx.refs(c.sources)}"


def commitments(ctx: Context) -> Section | None:
    parties = ctx.brief.parties
    if not parties:
        return None
    lab = ctx.labels
    show_aircraft = any(p.current.aircraft is not None for p in parties)
    columns = [lab["party"], lab["support"], lab["troops"]]
    widths = [0.17, 0.16, 0.22]
    if show_aircraft:
        columns.append(lab["aircraft"])
        widths.append(0.11)
    columns += [lab["status"], lab["as_of"], lab["source"]]
    widths += [0.11, 0.12, 0.08]
    rows = []
    ordered = sorted(parties, key=lambda p: (-(p.current.troops or -1), p.name))
    for p in ordered:
        c = p.current
        cells = [
            plain_spans(p.name),
            plain_spans(", ".join(lab["support_" + s.value] for s in c.support) or "—"),
            plain_spans(_troops_cell(ctx, c)),
        ]
        if show_aircraft:
            cells.append(plain_spans(_aircraft_cell(ctx, c)))
        cells += [
            plain_spans(lab["status_" + c.status.value] if c.status else "—"),
            plain_spans(ctx.fmt.date(c.as_of or ctx.brief.date, short=True)),
            plain_spans(ctx.refs(c.sources).strip() or "—"),
        ]
        rows.append(tuple(cells))
    numeric = tuple(i in (2, 3) if show_aircraft else i == 2 for i in range(len(columns)))
    blocks: list[Block] = [Table(tuple(columns), tuple(rows), tuple(widths), numeric)]
    spec = charts.pledges_chart(ctx.brief, ctx.chart_context())
    if spec is not None:
        blocks.insert(0, Chart(spec))
    # One line per party: its note, then the figures it replaced (its history).
    party_notes = []
    for p in ordered:
        line = parse_inline(p.current.note).spans if p.current.note else ()
        if p.history:
            earlier = "; ".join(_commitment_line(ctx, h) for h in p.history)
            line += plain_spans((" " if line else "") + lab.fill("earlier", value=earlier))
        if line:
            party_notes.append(plain_spans(f"{p.name}: ") + line)
    if party_notes:
        blocks.append(BulletList(tuple(party_notes)))
    notes = "\n".join(
        f"{p.name}: {_commitment_line(ctx, p.current)}"
        + (f" {plain(p.current.note)}" if p.current.note else "")
        for p in ordered
    )
    return Section("commitments", lab["commitments"], tuple(blocks), notes)


def commitments_chart(ctx: Context) -> Section | None:
    spec = charts.pledges_chart(ctx.brief, ctx.chart_context())
    if spec is None:
        return None
    return Section("commitments", ctx.labels["commitments"], (Chart(spec),), spec.alt)


def displacement(ctx: Context) -> Section | None:
    rows_in = ctx.brief.displacement
    if not rows_in:
        return None
    lab, fmt = ctx.labels, ctx.fmt
    rows = []
    for d in rows_in:
        rows.append(
            (
                plain_spans(
                    fmt.number(d.figure, d.approximate)
                    if d.figure is not None
                    else lab["not_reported"]
                ),
                plain_spans(lab["displacement_" + d.kind.value]),
                parse_inline(d.where).spans if d.where else plain_spans("—"),
                plain_spans(fmt.date(d.since, short=True) if d.since else "—"),
                plain_spans(fmt.date(d.as_of or ctx.brief.date, short=True)),
                plain_spans(ctx.refs(d.sources).strip() or "—"),
            )
        )
    columns = (lab["figure"], lab["kind"], lab["where"], lab["since"], lab["as_of"], lab["source"])
    blocks: list[Block] = [
        Table(
            columns,
            tuple(rows),
            (0.16, 0.16, 0.3, 0.13, 0.15, 0.1),
            (True, False, False, False, False, False),
        )
    ]
    spec = charts.displacement_chart(ctx.brief, ctx.chart_context())
    if spec is not None:
        blocks.append(Chart(spec))
    extra = [
        plain_spans(f"{plain(d.where)}: " if d.where else "") + parse_inline(d.note).spans
        for d in rows_in
        if d.note
    ]
    if extra:
        blocks.append(BulletList(tuple(extra)))
    notes = "\n".join(
        f"{fmt.number(d.figure, d.approximate) if d.figure is not None else lab['not_reported']}"
        f" {lab['displacement_' + d.kind.value]}, {plain(d.where or '')}. {plain(d.note or '')}".strip()
        for d in rows_in
    )
    return Section("displacement", lab["displacement"], tuple(blocks), notes)


def quotes(ctx: Context) -> Section | None:
    if not ctx.brief.quotes:
        return None
    blocks: list[Block] = []
    for q in ctx.brief.quotes:
        who = [plain(q.speaker)]
        if q.role:
            who.append(plain(q.role))
        if q.date:
            who.append(ctx.fmt.date(q.date))
        attribution = ", ".join(who) + ctx.refs(q.sources)
        if q.paraphrase:
            attribution += f" ({ctx.labels['paraphrase']})"
        blocks.append(QuoteBlock(parse_inline(q.text).spans, attribution, q.paraphrase))
    notes = "\n".join(f"{plain(q.speaker)}: {plain(q.text)}" for q in ctx.brief.quotes)
    return Section("quotes", ctx.labels["quotes"], tuple(blocks), notes)


def perspectives(ctx: Context) -> Section | None:
    if not ctx.brief.perspectives:
        return None
    blocks: list[Block] = [Paragraph(plain_spans(ctx.labels["perspectives_note"]), "note")]
    blocks += [Opinion(plain(p.label), ctx.text(p.text, p.sources)) for p in ctx.brief.perspectives]
    notes = (
        ctx.labels["perspectives_note"]
        + "\n"
        + "\n".join(f"{plain(p.label)}: {plain(p.text)}" for p in ctx.brief.perspectives)
    )
    return Section(
        "perspectives", ctx.labels["perspectives"], tuple(blocks), notes, style="opinion"
    )


def glossary(ctx: Context) -> Section | None:
    if not ctx.brief.glossary:
        return None
    items = tuple(
        Definition(plain(g.term), parse_inline(g.definition).spans) for g in ctx.brief.glossary
    )
    notes = "\n".join(f"{plain(g.term)}: {plain(g.definition)}" for g in ctx.brief.glossary)
    return Section("glossary", ctx.labels["glossary"], (Definitions(items),), notes)


def questions(ctx: Context) -> Section | None:
    if not ctx.brief.questions:
        return None
    items = tuple(parse_inline(q).spans for q in ctx.brief.questions)
    notes = "\n".join(plain(q) for q in ctx.brief.questions)
    return Section("questions", ctx.labels["questions"], (BulletList(items, numbered=True),), notes)


def sources(ctx: Context) -> Section:
    items = tuple(full_cite(s, ctx.fmt) for s in ctx.brief.sources)
    notes = "\n".join(f"[{i}] {plain(s.title)}" for i, s in enumerate(ctx.brief.sources, 1))
    return Section("sources", ctx.labels["sources"], (BulletList(items, numbered=True),), notes)


def sources_compact(ctx: Context) -> Section:
    parts: list[Span] = []
    for i, s in enumerate(ctx.brief.sources, 1):
        if parts:
            parts.append(Span("  "))
        parts.append(Span(f"[{i}] {plain(s.title)} — {short_cite(s, ctx.fmt)}."))
    return Section("sources", ctx.labels["sources"], (Paragraph(tuple(parts), "small"),))


def trend(ctx: Context) -> Section | None:
    if ctx.brief.trend is None:
        return None
    as_of = ctx.labels.fill("as_of_date", date=ctx.fmt.date(ctx.brief.date))
    text = f"{ctx.labels['trend_' + ctx.brief.trend.value]} ({as_of[0].lower() + as_of[1:]})"
    return Section("trend", ctx.labels["trend"], (Paragraph(plain_spans(text)),), text)


BUILDERS: dict[str, Builder] = {
    "content_note": content_note,
    "summary": summary,
    "key_figures": key_figures,
    "background": background,
    "situation": background,
    "map": pictures,
    "timeline": timeline,
    "actors": actors,
    "commitments": commitments,
    "commitments_chart": commitments_chart,
    "displacement": displacement,
    "quotes": quotes,
    "perspectives": perspectives,
    "glossary": glossary,
    "questions": questions,
    "sources": sources,
    "sources_compact": sources_compact,
    "trend": trend,
}


def document_time(brief: Brief) -> int:
    """Seconds since 1970 for document metadata: SOURCE_DATE_EPOCH when set, else the brief date."""
    import calendar
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return int(epoch)
    return calendar.timegm(brief.date.start.timetuple())


def plan(brief: Brief, folder: Path, output: str, templates: Templates) -> Document:
    """Arrange a checked brief into one output's sections."""
    labels = templates.labels(brief.language)
    fmt = Formatter(brief.language, labels)
    ctx = Context(brief, folder, output, fmt, labels, brief.source_index(), templates.theme)
    sections = []
    for name in templates.sections(output):
        builder = BUILDERS.get(name)
        if builder is None:
            known = ", ".join(sorted(BUILDERS))
            raise TemplateError(
                f"{templates.path(output + '/layout.yaml')}: unknown section '{name}' (known: {known})"
            )
        section = builder(ctx)
        if section is not None and section.blocks:
            sections.append(section)
    date_line = fmt.date(brief.date)
    if brief.updated and brief.updated != brief.date:
        date_line += " · " + labels.fill("updated", date=fmt.date(brief.updated))
    kicker = labels[{"one-pager": "one_pager", "deck": "deck"}.get(output, "handout")]
    document = Document(
        output=output,
        title=plain(brief.title),
        subtitle=plain(brief.subtitle) if brief.subtitle else "",
        kicker=kicker,
        date_line=date_line,
        date_iso=brief.date.start.isoformat(),
        timestamp=document_time(brief),
        language=brief.language,
        sections=tuple(sections),
        labels=dict(labels.table),
        authors=tuple(plain(a) for a in brief.authors),
    )
    return finish(document)  # the language's typography: quotation marks, French spacing
