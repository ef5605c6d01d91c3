"""Brief + output description → Document: the output's sections, in order, as plain blocks.

The output's `output.yaml` decides everything: which parts of the brief it shows and in what
order, their headings and intros (Jinja slots), the template author's own blocks (text, fields,
a logo, a banner, pictures), and options such as "chart only". Nothing here branches on an
output's name. A section with nothing to show is left out, so there is never an empty heading.
Everything a renderer prints is decided here, once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from briefgen import charts
from briefgen.blocks import (
    Banner,
    Block,
    BulletList,
    Chart,
    Definition,
    Definitions,
    Document,
    Events,
    Fields,
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
    spans_text,
)
from briefgen.errors import TemplateError
from briefgen.format import Formatter
from briefgen.model import Brief, Commitment, Source
from briefgen.slots import Words, context, env_for, render, slot_paths
from briefgen.template_model import Output, Theme
from briefgen.template_model import Section as SectionSpec
from briefgen.template_set import OUTPUT_FILE, TemplateSet, _located, shown
from briefgen.text import Span, parse_inline, plain
from briefgen.typography import finish


@dataclass
class Context:
    brief: Brief
    folder: Path
    fmt: Formatter
    labels: Words
    cite: dict[str, int]
    theme: Theme
    spec: SectionSpec
    templates: TemplateSet
    slot: Callable[[str], str]  # fills a Jinja slot of the output

    def refs(self, ids: list[str]) -> str:
        """' [1, 3]' for cited sources, '' for none."""
        nums = sorted({self.cite[i] for i in ids if i in self.cite})
        return f" [{', '.join(map(str, nums))}]" if nums else ""

    def text(self, text: str, ids: list[str] | None = None) -> Spans:
        """Brief text as spans, with its source references appended."""
        spans = parse_inline(text).spans
        return spans + plain_spans(self.refs(ids or []))

    def chart_context(self) -> charts.ChartContext:
        return charts.ChartContext(
            self.fmt,
            self.cite,
            tuple(self.theme.chart_palette),
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
    return Section(
        "summary",
        ctx.labels["summary"],
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
    return Section(
        "background",
        ctx.labels["background"],
        paragraphs,
        notes="\n\n".join(plain(p) for p in ctx.brief.background),
    )


def pictures(ctx: Context) -> Section | None:
    from briefgen.images import picture_info, resolve

    blocks: list[Block] = []
    for image in ctx.brief.images:
        path = resolve(ctx.folder, image.path)
        if path is None:
            continue
        info = picture_info(path)  # its size as shown, after an EXIF rotation
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
    return Section("pictures", ctx.labels["map"], tuple(blocks), notes)


def timeline(ctx: Context) -> Section | None:
    events = sorted(ctx.brief.timeline, key=lambda t: t.date.start)
    if not events:
        return None
    blocks: list[Block] = []
    spec = charts.timeline_chart(ctx.brief, ctx.chart_context())
    if ctx.spec.chart and spec is not None and charts.timeline_reads_well(events):
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


def _money_cell(ctx: Context, c: Commitment) -> str:
    if c.amount is not None:
        return ctx.fmt.money(c.amount.value, c.amount.currency, c.approximate)
    return ctx.labels["not_reported"] if "funding" in {s.value for s in c.support} else "—"


def _change(ctx: Context, current: Commitment, history: tuple[Commitment, ...]) -> str:
    """A marker of how the troop figure changed since the report before: '▲ from 1,700'."""
    earlier = next((h for h in history if h.troops is not None), None)
    if current.troops is None or earlier is None or earlier.troops == current.troops:
        return ""
    key = "changed_up" if current.troops > (earlier.troops or 0) else "changed_down"
    when = ctx.fmt.date(earlier.as_of or ctx.brief.date, short=True)
    return "\n" + ctx.labels.fill(key, value=ctx.fmt.number(earlier.troops or 0), date=when)


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
    show_money = any(p.current.amount is not None for p in parties)
    show_troops = not show_money or any(
        p.current.troops is not None or "troops" in {s.value for s in p.current.support}
        for p in parties
    )  # a money-only table has no column of dashes
    columns = [lab["party"], lab["support"]] + [lab["troops"]] * show_troops
    widths = [0.17, 0.16] + [0.22] * show_troops
    numeric = [False, False] + [True] * show_troops
    if show_aircraft:
        columns.append(lab["aircraft"])
        widths.append(0.11)
        numeric.append(True)
    if show_money:
        columns.append(lab["money"])
        widths.append(0.15)
        numeric.append(True)
    columns += [lab["status"], lab["as_of"], lab["source"]]
    widths += [0.11, 0.12, 0.08]
    numeric += [False, False, False]
    rows = []
    ordered = sorted(
        parties,
        key=lambda p: (
            -(p.current.troops or -1),
            -(p.current.amount.value if p.current.amount else -1),
            p.name,
        ),
    )
    for p in ordered:
        c = p.current
        cells = [
            plain_spans(p.name),
            plain_spans(", ".join(lab["support_" + s.value] for s in c.support) or "—"),
        ]
        if show_troops:
            cells.append(plain_spans(_troops_cell(ctx, c) + _change(ctx, p.current, p.history)))
        if show_aircraft:
            cells.append(plain_spans(_aircraft_cell(ctx, c)))
        if show_money:
            cells.append(plain_spans(_money_cell(ctx, c)))
        cells += [
            plain_spans(lab["status_" + c.status.value] if c.status else "—"),
            plain_spans(ctx.fmt.date(c.as_of or ctx.brief.date, short=True)),
            plain_spans(ctx.refs(c.sources).strip() or "—"),
        ]
        rows.append(tuple(cells))
    blocks: list[Block] = []
    spec = charts.pledges_chart(ctx.brief, ctx.chart_context()) if ctx.spec.chart else None
    if spec is not None:
        blocks.append(Chart(spec))
    money = charts.funding_chart(ctx.brief, ctx.chart_context()) if ctx.spec.chart else None
    if money is not None:
        blocks.append(Chart(money))
    if ctx.spec.table:
        blocks.append(Table(tuple(columns), tuple(rows), tuple(widths), tuple(numeric)))
    elif spec is not None:  # the chart alone: its alt text is what a presenter would say
        return Section("commitments", lab["commitments"], tuple(blocks), spec.alt)
    # One line per party: its note, then the figures it replaced (its history).
    party_notes = []
    for p in ordered:
        line = parse_inline(p.current.note).spans if p.current.note else ()
        if p.history:
            earlier = "; ".join(_commitment_line(ctx, h) for h in p.history)
            line += plain_spans((" " if line else "") + lab.fill("earlier", value=earlier))
        if line:
            party_notes.append(plain_spans(f"{p.name}: ") + line)
    if party_notes and ctx.spec.notes:
        blocks.append(BulletList(tuple(party_notes)))
    notes = "\n".join(
        f"{p.name}: {_commitment_line(ctx, p.current)}"
        + (f" {plain(p.current.note)}" if p.current.note else "")
        for p in ordered
    )
    return Section("commitments", lab["commitments"], tuple(blocks), notes)


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
    blocks: list[Block] = []
    if ctx.spec.table:
        blocks.append(
            Table(
                columns,
                tuple(rows),
                (0.16, 0.16, 0.3, 0.13, 0.15, 0.1),
                (True, False, False, False, False, False),
            )
        )
    spec = charts.displacement_chart(ctx.brief, ctx.chart_context()) if ctx.spec.chart else None
    if spec is not None:
        blocks.append(Chart(spec))
    extra = [
        plain_spans(f"{plain(d.where)}: " if d.where else "") + parse_inline(d.note).spans
        for d in rows_in
        if d.note
    ]
    if extra and ctx.spec.notes:
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
    """Discussion questions; with `answers`, each followed by its suggested answer and the
    points to listen for (a teacher copy only: the option is the output's, never the brief's)."""
    if not ctx.brief.questions:
        return None
    lab = ctx.labels
    items = []
    for q in ctx.brief.question_items:
        spans = parse_inline(q.text).spans
        if ctx.spec.answers and q.answer:
            spans += (Span("\n" + lab["suggested_answer"] + " ", strong=True),)
            spans += tuple(replace(x, emphasis=True) for x in parse_inline(q.answer).spans)
        if ctx.spec.answers and q.listen_for:
            spans += (Span("\n" + lab["listen_for"] + " ", strong=True),)
            spans += plain_spans("; ".join(plain(x) for x in q.listen_for))
        items.append(spans)
    notes = "\n".join(
        plain(q.text) + (f" ({lab['suggested_answer']} {plain(q.answer)})" if q.answer else "")
        for q in ctx.brief.question_items
    )
    block = BulletList(tuple(items), numbered=True, answer_lines=ctx.spec.answer_lines)
    return Section("questions", ctx.labels["questions"], (block,), notes)


def sources(ctx: Context) -> Section:
    if ctx.spec.compact:
        return sources_compact(ctx)
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


def objectives(ctx: Context) -> Section | None:
    items = tuple(parse_inline(o).spans for o in ctx.brief.objectives)
    if not items:
        return None
    notes = "\n".join(plain(o) for o in ctx.brief.objectives)
    return Section("objectives", ctx.labels["objectives"], (BulletList(items),), notes)


def essential_question(ctx: Context) -> Section | None:
    q = ctx.brief.essential_question
    if not q:
        return None
    block = Paragraph(parse_inline(q).spans, "lead")
    return Section("essential_question", ctx.labels["essential_question"], (block,), plain(q))


def warm_up(ctx: Context) -> Section | None:
    text = ctx.brief.warm_up
    if not text:
        return None
    block = Paragraph(parse_inline(text).spans)
    return Section("warm_up", ctx.labels["warm_up"], (block,), plain(text))


def key_judgments(ctx: Context) -> Section | None:
    """Each judgment led by its likelihood and confidence, in the scale's fixed words."""
    lab = ctx.labels
    items = []
    for j in ctx.brief.key_judgments:
        tag = lab["confidence_" + j.confidence.value]
        if j.likelihood is not None:
            tag = f"{lab['likelihood_' + j.likelihood.value.replace(' ', '_')]}; {tag}"
        items.append(
            (Span(tag[0].upper() + tag[1:] + ": ", strong=True), *ctx.text(j.text, j.sources))
        )
    if not items:
        return None
    notes = "\n".join(spans_text(i) for i in items)
    return Section("key_judgments", lab["key_judgments"], (BulletList(tuple(items)),), notes)


def watch(ctx: Context) -> Section | None:
    items = tuple(parse_inline(w).spans for w in ctx.brief.watch)
    if not items:
        return None
    notes = "\n".join(plain(w) for w in ctx.brief.watch)
    return Section("watch", ctx.labels["watch"], (BulletList(items),), notes)


def text_block(ctx: Context) -> Section | None:
    """The template's own paragraph (a slot: plain text, never parsed as markup)."""
    return Section("text", "", (Paragraph(plain_spans(ctx.slot(ctx.spec.text or "")), "body"),))


def fields(ctx: Context) -> Section:
    return Section("fields", "", (Fields(tuple(ctx.slot(f) for f in ctx.spec.fields)),))


def banner(ctx: Context) -> Section | None:
    text = ctx.brief.banner or ctx.theme.banner
    return Section("banner", "", (Banner(plain(text)),)) if text else None


def prepared_by(ctx: Context) -> Section | None:
    who = ctx.theme.organisation or ", ".join(plain(a) for a in ctx.brief.authors)
    if not who:
        return None
    text = ctx.labels.fill("prepared_by", who=who, date=ctx.fmt.date(ctx.brief.date))
    return Section("prepared_by", "", (Paragraph(plain_spans(text), "small"),))


def logo(ctx: Context) -> Section | None:
    found = template_picture(ctx.templates, ctx.theme.logo, ctx.labels["logo_alt"], True)
    return Section("logo", "", (found,)) if found is not None else None


def picture(ctx: Context) -> Section | None:
    found = template_picture(ctx.templates, ctx.spec.file, ctx.slot(ctx.spec.alt or ""), False)
    return Section("picture", "", (found,)) if found is not None else None


def template_picture(
    templates: TemplateSet, name: str | None, alt: str, decorative: bool
) -> Picture | None:
    """A picture from the templates folders (a logo, a stamp), checked like a brief's pictures."""
    from briefgen.images import sniff

    if not name:
        return None
    path = templates.path(name)
    info = sniff(templates.read(name)[: 64 * 1024]) if path is not None else None
    if path is None or info is None:
        raise TemplateError(f"templates: {name}: {templates.file_problem(name, 'picture')}")
    width_mm = 40.0 if decorative else 110.0
    return Picture(path, alt, info.width, info.height, decorative=decorative, max_width_mm=width_mm)


BUILDERS: dict[str, Builder] = {
    "content_note": content_note,
    "summary": summary,
    "key_figures": key_figures,
    "background": background,
    "pictures": pictures,
    "timeline": timeline,
    "actors": actors,
    "commitments": commitments,
    "displacement": displacement,
    "quotes": quotes,
    "perspectives": perspectives,
    "glossary": glossary,
    "questions": questions,
    "sources": sources,
    "trend": trend,
    "objectives": objectives,
    "essential_question": essential_question,
    "warm_up": warm_up,
    "key_judgments": key_judgments,
    "watch": watch,
}
BLOCKS: dict[str, Builder] = {
    "text": text_block,
    "fields": fields,
    "banner": banner,
    "prepared_by": prepared_by,
    "logo": logo,
    "picture": picture,
}


def document_time(brief: Brief) -> int:
    """Seconds since 1970 for document metadata: SOURCE_DATE_EPOCH when set, else the brief date."""
    import calendar

    from briefgen.inputs import source_date_epoch

    epoch = source_date_epoch()  # validated: ASCII digits, a four-digit year (inputs.py)
    return epoch if epoch is not None else calendar.timegm(brief.date.start.timetuple())


def mark_glossary(sections: list[Section], terms: list[str]) -> list[Section]:
    """Each glossary term in bold where it is first used in the text (headings, tables of
    figures and the glossary itself aside), in reading order."""
    import re

    left = {t.casefold(): t for t in sorted(terms, key=len, reverse=True) if t.strip()}
    if not left:
        return sections
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(t) for t in left.values()) + r")(?!\w)", re.IGNORECASE
    )

    def mark(spans: Spans) -> Spans:
        out: list[Span] = []
        for span in spans:
            if span.strong or span.href or not left:
                out.append(span)
                continue
            rest, pos = span.text, 0
            for m in pattern.finditer(span.text):
                if m.group(1).casefold() not in left:
                    continue
                del left[m.group(1).casefold()]
                if m.start() > pos:
                    out.append(replace(span, text=rest[pos : m.start()]))
                out.append(replace(span, text=m.group(1), strong=True))
                pos = m.end()
            if pos < len(rest):
                out.append(replace(span, text=rest[pos:]))
        return tuple(out)

    def block(b: Block) -> Block:
        if isinstance(b, Paragraph):
            return replace(b, spans=mark(b.spans))
        if isinstance(b, BulletList):
            return replace(b, items=tuple(mark(i) for i in b.items))
        if isinstance(b, QuoteBlock | Opinion):
            return replace(b, text=mark(b.text))
        if isinstance(b, Events):
            return replace(b, items=tuple((d, mark(t)) for d, t in b.items))
        return b

    out = []
    for section in sections:
        if any(isinstance(b, Definitions) for b in section.blocks):
            out.append(section)
            continue
        out.append(replace(section, blocks=tuple(block(b) for b in section.blocks)))
    return out


def output_labels(templates: TemplateSet, spec: Output, language: str) -> dict[str, str]:
    """The labels of a language, with the output's own over them (English ones first)."""
    lang = language.split("-")[0].lower()
    return {**templates.labels(language), **spec.labels.get("en", {}), **spec.labels.get(lang, {})}


def brief_values(brief: Brief, fmt: Formatter, words: Words, slug: str) -> dict[str, str]:
    """The brief as the slots see it: plain, formatted text."""
    return {
        "title": plain(brief.title),
        "subtitle": plain(brief.subtitle) if brief.subtitle else "",
        "date": fmt.date(brief.date),
        "date_short": fmt.date(brief.date, short=True),
        "date_iso": brief.date.start.isoformat(),
        "updated": fmt.date(brief.updated) if brief.updated else "",
        "language": brief.language,
        "authors": ", ".join(plain(a) for a in brief.authors),
        "slug": slug,
        "banner": plain(brief.banner) if brief.banner else "",
    }


def plan(brief: Brief, folder: Path, output: str, templates: TemplateSet) -> Document:
    """Arrange a checked brief into one output's sections, as its output.yaml says."""
    spec: Output = templates.output(output)
    theme = templates.theme
    env = env_for(templates)
    words = Words(output_labels(templates, spec, brief.language), env)
    fmt = Formatter(brief.language, words)
    values = brief_values(brief, fmt, words, Path(os.path.realpath(folder)).name)
    slot_context = context(values, words.table, output, spec, theme)
    where = shown(templates.path(f"{output}/output.yaml") or Path(output))

    def slot(source: str) -> str:
        try:
            return render(env, source, slot_context)
        except TemplateError as e:
            error = TemplateError(f"{where}: {e}")
            path = next((p for p, s in slot_paths(spec) if s == source), None)
            if path is not None:  # blamed on the template's line, not on the brief
                merged = templates.merged(f"{output}/{OUTPUT_FILE}")
                error.at = _located(merged.locate(path), str(e), path)
            raise error from None

    cite = brief.source_index()
    sections = []
    for sec in spec.sections:
        ctx = Context(brief, folder, fmt, words, cite, theme, sec, templates, slot)
        builder = BUILDERS[sec.part] if sec.part else BLOCKS[sec.block or ""]
        section = builder(ctx)
        if section is None or not section.blocks:
            continue
        heading = slot(sec.heading) if sec.heading is not None else section.heading
        blocks = section.blocks
        if sec.intro:
            blocks = (Paragraph(plain_spans(slot(sec.intro)), "note"), *blocks)
        sections.append(
            Section(
                section.id,
                heading,
                blocks,
                section.notes,
                section.style,
                sec.region,
                sec.beside,
                sec.optional,
            )
        )
    sections = mark_glossary(sections, [plain(g.term) for g in brief.glossary])
    date_line = fmt.date(brief.date)
    if brief.updated and brief.updated != brief.date:
        date_line += " · " + words.fill("updated", date=fmt.date(brief.updated))
    file_name = slot(spec.file).strip()
    if not file_name or "/" in file_name or "\\" in file_name or file_name.startswith("."):
        raise TemplateError(f"{where}: file: not a usable file name (got {file_name!r})")
    document = Document(
        output=output,
        spec=spec,
        theme=theme,
        words=words,
        title=plain(brief.title),
        subtitle=plain(brief.subtitle) if brief.subtitle else "",
        kicker=slot(spec.kicker),
        date_line=date_line,
        date_iso=brief.date.start.isoformat(),
        timestamp=document_time(brief),
        language=brief.language,
        sections=tuple(sections),
        footer=slot(spec.footer),
        header=slot(spec.header) if spec.header else "",
        authors=tuple(plain(a) for a in brief.authors),
        logo=template_picture(templates, theme.logo, words["logo_alt"], True)
        if spec.logo_on_title
        else None,
        master=templates.path(f"{output}/{spec.master}") if spec.master else None,
        folders=tuple(root / output for root in templates.roots if (root / output).is_dir()),
        fonts=_faces(templates, theme.fonts.pdf),
        metrics=_faces(templates, theme.fonts.deck_metrics),
        file_name=file_name,
        **_reading(brief, words, spec.reading_level),
    )
    return finish(document)  # the language's typography: quotation marks, French spacing


def _reading(brief: Brief, words: Words, wanted: bool) -> dict[str, Any]:
    """The reading level for an output that says it (measured here, in that output's task)."""
    from briefgen.readability import brief_level

    measured = brief_level(brief) if wanted else None
    if measured is None:
        return {}
    target = brief.target_grade or ""
    note = words.fill("reading_level", grade=f"{measured.grade:.0f}", target=target)
    return {"reading_note": note, "reading_grade": measured.grade}


def _faces(templates: TemplateSet, faces: Any) -> dict[str, Path]:
    """A font's faces as files (missing faces fall back: italic → regular, bold italic → bold)."""
    if faces is None:
        return {}
    found = {}
    for face in ("regular", "bold", "italic", "bold_italic"):
        name = getattr(faces, face) or (
            faces.bold if face == "bold_italic" and faces.bold else faces.regular
        )
        path = templates.path(name)
        if path is None:
            raise TemplateError(f"templates: fonts: no such font file '{name}'")
        found[face] = path
    return found
