"""The template set's own format: the theme (`theme.yaml`) and each output's `output.yaml`.

Typed and documented like the brief: unknown keys are errors with a hint, every field has a
description, and nothing here knows an output or a section by name. Which renderer draws an
output, what it is called, its page budget and its sections in order all come from these files.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="#RRGGBB")]
Slot = Annotated[
    str,
    Field(
        max_length=4000,
        description="Text filled by Jinja (sandboxed): `{{ labels.x }}`, `{{ brief.title }}`, ...",
    ),
]
FilePath = Annotated[
    str,
    Field(
        pattern=r"^[^/\\][^\\]*$",
        max_length=300,
        description="A file in the templates folder, relative to it (e.g. logo.png).",
    ),
]

# The brief's parts a section can show. `plan.py` has one builder for each.
Part = Literal[
    "content_note",
    "summary",
    "key_figures",
    "background",
    "pictures",
    "timeline",
    "actors",
    "commitments",
    "displacement",
    "quotes",
    "perspectives",
    "glossary",
    "questions",
    "sources",
    "trend",
    "objectives",
    "essential_question",
    "warm_up",
    "key_judgments",
    "watch",
]
PART_NAMES: tuple[str, ...] = get_args(Part)
# The template author's own blocks, placed anywhere.
BlockName = Literal["text", "fields", "logo", "banner", "picture", "prepared_by"]
BLOCK_NAMES: tuple[str, ...] = get_args(BlockName)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Colours(Strict):
    """Named colours; every text colour meets WCAG AA contrast on the fill it is used on."""

    ink: Colour = Field("#1A1A1A", description="Body text.")
    muted: Colour = Field("#555555", description="Captions, footers, notes.")
    band: Colour = Field("#1F3A5F", description="Title band and table headers on slides.")
    band_text: Colour = Field("#FFFFFF", description="Text on the band.")
    accent: Colour = Field("#1F3A5F", description="Headings, rules, links, bullets.")
    rule: Colour = Field("#B8C2CC", description="Thin rules between table rows.")
    shade: Colour = Field("#EEF1F4", description="Box and table-header fill.")
    opinion: Colour = Field("#FFF6E0", description="Fill of the perspectives (opinion) boxes.")
    axis: Colour = Field("#888888", description="Chart axes.")
    banner: Colour = Field("#8B1A1A", description="The handling banner's text and frame.")


class FontFiles(Strict):
    """TrueType files in the templates folder (relative paths), one per face."""

    regular: FilePath
    bold: FilePath | None = Field(None, description="Default: the regular face.")
    italic: FilePath | None = Field(None, description="Default: the regular face.")
    bold_italic: FilePath | None = Field(None, description="Default: the bold face.")


class Fonts(Strict):
    pdf: FontFiles | None = Field(
        None,
        description="The PDFs' font, embedded; default: DejaVu Sans, shipped with briefgen.",
    )
    deck: str = Field(
        "Arial",
        min_length=1,
        max_length=64,
        description="The font the deck's text is set in (one every slide program has).",
    )
    deck_metrics: FontFiles | None = Field(
        None,
        description="TrueType files of the deck font, to measure its text exactly; default: "
        "DejaVu Sans, wider than Arial, so text measured with it always fits.",
    )


class Sizes(Strict):
    """Type sizes as multiples of an output's body size (set in its output.yaml)."""

    title: float = Field(2.3, ge=1, le=5, description="The document title.")
    heading: float = Field(1.3, ge=1, le=3, description="Section headings.")
    small: float = Field(0.8, ge=0.5, le=1, description="Captions, sources, footers.")


class Theme(Strict):
    """The look of every output: `templates/theme.yaml`. A user file needs only what it changes."""

    paper: Literal["A4", "Letter"] = Field("A4", description="Paper of the PDFs.")
    fonts: Fonts = Field(default_factory=Fonts)
    colours: Colours = Field(default_factory=Colours)
    chart_palette: Annotated[list[Colour], Field(min_length=2, max_length=12)] = Field(
        default_factory=lambda: ["#1F3A5F", "#7FA7D1", "#D55E00", "#009E73", "#CC79A7"],
        description="Chart series colours, darkest first (distinct in greyscale).",
    )
    sizes: Sizes = Field(default_factory=Sizes)
    logo: FilePath | None = Field(
        None,
        description="A PNG or JPEG in the templates folder, shown where an output has a `logo`.",
    )
    banner: str | None = Field(
        None,
        max_length=200,
        description="A handling line (e.g. 'For internal use') shown where an output has a "
        "`banner`; a brief's own `banner` wins.",
    )
    organisation: str | None = Field(
        None, max_length=200, description="Who prepares the material, for the `prepared_by` line."
    )


class Section(Strict):
    """One section of an output: a part of the brief, or one of the template author's blocks."""

    part: Part | None = Field(None, description="A part of the brief to show.")
    block: BlockName | None = Field(None, description="A block of the template's own.")
    heading: Slot | None = Field(None, description="Heading (Jinja); default: the part's label.")
    intro: Slot | None = Field(None, description="A short paragraph under the heading (Jinja).")
    text: Slot | None = Field(None, description="For `block: text`: its paragraph (Jinja).")
    fields: list[Slot] = Field(
        default_factory=list, description="For `block: fields`: labels of the lines to write on."
    )
    file: FilePath | None = Field(None, description="For `block: picture`: the picture's file.")
    alt: Slot | None = Field(None, description="For `block: picture`: its alt text.")
    answer_lines: int = Field(
        0, ge=0, le=20, description="For `part: questions`: blank lines under each question."
    )
    answers: bool = Field(
        False,
        description="For `part: questions`: the suggested answers and points to listen for "
        "(a teacher copy; never for students).",
    )
    chart: bool = Field(
        True, description="Draw the part's chart (commitments, displacement, timeline)."
    )
    table: bool = Field(True, description="Show the part's table (commitments, displacement).")
    notes: bool = Field(True, description="Show notes and history under the part's table.")
    compact: bool = Field(False, description="For `part: sources`: one small paragraph.")
    region: Literal["main", "top", "side"] = Field(
        "main",
        description="For `layout: columns`: full width at the top, the main column, or the side.",
    )
    optional: bool = Field(
        False,
        description="May be left out (with a warning), last first, to keep the page budget: "
        "type is never shrunk below `text.min` instead.",
    )
    beside: bool = Field(
        False, description="Sit beside the section before it when that one is short (a picture)."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Section:
        if (self.part is None) == (self.block is None):
            raise ValueError("a section is either `part: NAME` or `block: NAME`")
        if self.block == "text" and not self.text:
            raise ValueError("a `block: text` needs `text`")
        if self.block == "picture" and not (self.file and self.alt):
            raise ValueError("a `block: picture` needs `file` and `alt`")
        if self.block == "fields" and not self.fields:
            raise ValueError("a `block: fields` needs `fields`")
        return self

    @property
    def name(self) -> str:
        return self.part or self.block or ""


class Text(Strict):
    body: float = Field(ge=5, le=40, description="Body text size in points.")
    min: float = Field(ge=5, le=40, description="Smallest body size when text must shrink to fit.")

    @model_validator(mode="after")
    def _order(self) -> Text:
        if self.min > self.body:
            raise ValueError("`min` must not be larger than `body`")
        return self


class Output(Strict):
    """`templates/<output>/output.yaml`: one output. A new folder with one is a new output."""

    renderer: Literal["pdf", "pptx", "html", "images"] = Field(
        description="Which renderer draws it: pdf, pptx, html (a web page), images (each chart "
        "as SVG and PNG, in a folder named by `file`)."
    )
    file: Annotated[str, Field(pattern=r"^[^/\\]+$", max_length=200)] = Field(
        description="File name (Jinja): `{{ slug }}-handout.pdf`."
    )
    default: bool = Field(False, description="Built for briefs that do not list their `outputs`.")
    order: int = Field(
        50, ge=0, le=1000, description="Where it comes in lists and reports (smaller first)."
    )
    kicker: Slot = Field("", description="The line above the title (Jinja).")
    description: str = Field(
        "", max_length=300, description="What it is, for `briefgen templates`."
    )
    text: Text = Field(description="Body text size and how far it may shrink.")
    pages: int | None = Field(
        None, ge=1, le=500, description="Page budget (PDF): text shrinks to stay within it."
    )
    exact: bool = Field(
        False,
        description="Exactly `pages` pages: the build fails when it cannot fit (a one-pager).",
    )
    margin_mm: float = Field(15, ge=3, le=60, description="Page margins (PDF).")
    layout: Literal["flow", "columns"] = Field(
        "flow", description="PDF: one column; or `columns`: a top band, a main and a side column."
    )
    footer: Slot = Field("{{ brief.title }}", description="Footer text on every page (Jinja).")
    header: Slot = Field(
        "", description="A running header on every page after the first (Jinja; PDF)."
    )
    slide_width_in: float = Field(13.333, ge=4, le=56, description="Slide width (deck).")
    slide_height_in: float = Field(7.5, ge=3, le=56, description="Slide height (deck).")
    master: FilePath | None = Field(
        None,
        description="A .pptx in this output's folder whose layouts and branding the deck uses.",
    )
    max_lines: int = Field(
        7,
        ge=2,
        le=40,
        description="Deck: the most lines of text on a slide, counted as wrapped (boxes side by "
        "side as the tallest); a longer part continues on more slides, split evenly.",
    )
    max_rows: int = Field(
        8,
        ge=2,
        le=60,
        description="Deck: the most table rows on a slide (a header row repeated on a "
        "continuation slide does not count); a longer table continues on more slides.",
    )
    max_slides: int = Field(
        10,
        ge=1,
        le=1000,
        description="Deck: the most slides a part with a table takes. A longer table shows its "
        "first rows and then says how many more there are (label `not_shown`; the other "
        "outputs have them all), and the build warns.",
    )
    logo_on_title: bool = Field(True, description="Deck: the theme's logo on the title slide.")
    reading_level: bool = Field(
        False, description="Say the brief's reading level in the notes (deck) for the teacher."
    )
    labels: dict[
        Annotated[str, Field(pattern=r"^[a-z]{2,3}$")],
        dict[str, Annotated[str, Field(max_length=2000)]],
    ] = Field(
        default_factory=dict,
        description="Labels for this output only, by language: `{en: {commitments: Who sent "
        "troops}}` (merged over labels/<language>.yaml).",
    )
    sections: Annotated[list[Section], Field(min_length=1, max_length=100)] = Field(
        description="What it shows, in order. A section with nothing to show is left out."
    )

    @model_validator(mode="after")
    def _exact(self) -> Output:
        if self.exact and self.pages is None:
            raise ValueError("`exact: true` needs `pages`")
        if self.layout == "columns" and self.pages != 1:
            raise ValueError("`layout: columns` is one page: it needs `pages: 1`")
        return self
