"""The format-neutral document plan: sections made of a few plain blocks. Renderers lay these out.

Every piece of text is spans (`text.Span`), already parsed from the brief's Markdown subset or
built from plain strings; no renderer ever sees markup. Each block has a structural role, so a
renderer can tag it (heading, paragraph, list, table, figure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.charts import ChartSpec
from briefgen.text import Span

if TYPE_CHECKING:
    from briefgen.slots import Words
    from briefgen.template_model import Output, Theme

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
    answer_lines: int = 0  # blank lines to write on under each item (a worksheet)


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
    decorative: bool = False  # a logo: an artifact, not content
    max_width_mm: float = 110


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


@dataclass(frozen=True)
class Fields:
    """Lines a student writes on: Name, Class, Date."""

    labels: tuple[str, ...]


@dataclass(frozen=True)
class Banner:
    """A handling line across the page, such as "For internal use"."""

    text: str


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
    | Fields
    | Banner
)


@dataclass(frozen=True)
class Section:
    id: str  # the part or block it shows; renderers never branch on it
    heading: str  # "" for none
    blocks: tuple[Block, ...]
    notes: str = ""  # what a presenter would say: the deck's speaker notes
    style: str = ""  # "note" for a content note, "opinion" for perspectives, "plain": no heading
    region: str = "main"  # columns layout: top | main | side
    beside: bool = False  # sits beside the section before it when that one is short
    optional: bool = False  # may be left out to keep the page budget


@dataclass(frozen=True)
class Document:
    """One output's plan: what to show, in order, already in the brief's language, with the
    output's description and the theme: all a renderer needs."""

    output: str  # the output's name (its template folder)
    spec: Output
    theme: Theme
    words: Words
    title: str
    subtitle: str
    kicker: str  # e.g. "Classroom handout"
    date_line: str  # "23 January 2013 · Updated 25 January 2013"
    date_iso: str  # the brief date
    timestamp: (
        int  # document metadata time: SOURCE_DATE_EPOCH, else the brief date (never the clock)
    )
    language: str
    sections: tuple[Section, ...]
    footer: str = ""
    header: str = ""  # running header, pages after the first (PDF)
    authors: tuple[str, ...] = ()
    logo: Picture | None = None  # the theme's logo, for a deck's title slide
    master: Path | None = None  # a master deck
    folders: tuple[Path, ...] = ()  # the output's template folders, a user's first (Jinja files)
    fonts: dict[str, Path] = field(default_factory=dict)  # PDF font faces (default: shipped)
    metrics: dict[str, Path] = field(default_factory=dict)  # deck font faces, for measuring
    file_name: str = ""  # the artifact's file name
    reading_note: str = ""  # "Reading level: about grade 8" for a teacher, when asked for
    reading_grade: float | None = None  # the measured grade behind it (for the build report)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)
