"""The format-neutral document plan: sections made of a few plain blocks. Renderers lay these out.

Every piece of text is spans (`text.Span`), already parsed from the brief's Markdown subset or
built from plain strings; no renderer ever sees markup. Each block has a structural role, so a
renderer can tag it (heading, paragraph, list, table, figure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefgen.charts import ChartSpec
from briefgen.text import Span

Spans = tuple[Span, ...]


def plain_spans(text: str) -> Spans:
    """A plain string (labels, formatted numbers, names) as one span: never parsed as markup."""
    return (Span(text),) if text else ()


def spans_text(spans: Spans) -> str:
    return "".join(s.text for s in spans)


@dataclass(frozen=True)
class Paragraph:
    spans: Spans
    style: str = "body"  # body | lead | note | small | caption


@dataclass(frozen=True)
class BulletList:
    items: tuple[Spans, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Spans, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    numeric: tuple[bool, ...] = ()  # right-align these columns


@dataclass(frozen=True)
class Chart:
    spec: ChartSpec


@dataclass(frozen=True)
class Picture:
    path: Path
    alt: str
    width: int
    height: int
    caption: Spans = ()
    credit: str = ""


@dataclass(frozen=True)
class Figure:
    value: str  # formatted number, e.g. "about 230,000"
    label: Spans
    note: str = ""  # source reference and as-of, e.g. "[2] · 16 January 2013"


@dataclass(frozen=True)
class KeyFigures:
    items: tuple[Figure, ...]


@dataclass(frozen=True)
class QuoteBlock:
    text: Spans
    attribution: str  # "François Hollande, President of France, January 2013 [2]"
    paraphrase: bool = False


@dataclass(frozen=True)
class Opinion:
    """A labelled opinion: never presented as fact."""

    label: str
    text: Spans


@dataclass(frozen=True)
class Definition:
    term: str
    definition: Spans


@dataclass(frozen=True)
class Definitions:
    items: tuple[Definition, ...]


@dataclass(frozen=True)
class Events:
    """A dated list (the timeline as text)."""

    items: tuple[tuple[str, Spans], ...]


Block = (
    Paragraph
    | BulletList
    | Table
    | Chart
    | Picture
    | KeyFigures
    | QuoteBlock
    | Opinion
    | Definitions
    | Events
)


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    blocks: tuple[Block, ...]
    notes: str = ""  # what a presenter would say: the deck's speaker notes
    style: str = ""  # "note" for a content note, "opinion" for perspectives


@dataclass(frozen=True)
class Document:
    """One output's plan: what to show, in order, already in the brief's language."""

    output: str  # handout | one-pager | deck
    title: str
    subtitle: str
    kicker: str  # e.g. "Classroom handout · 23 January 2013"
    date_line: str  # "23 January 2013 · Updated 25 January 2013"
    date_iso: str  # the brief date
    timestamp: (
        int  # document metadata time: SOURCE_DATE_EPOCH, else the brief date (never the clock)
    )
    language: str
    sections: tuple[Section, ...]
    labels: dict[str, str] = field(default_factory=dict)
    authors: tuple[str, ...] = ()

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)
