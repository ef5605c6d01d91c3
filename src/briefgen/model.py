"""The Brief: the brief format contract (brief-format.md) as typed pydantic models.

Only shape lives here (types, allowed values, required keys). Rules that relate several
fields (sources exist, dates in order, ...) are in `checks.py` so all of them are reported
at once, with severities.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from briefgen.dates import PartialDate

# Whole, not negative, and below a trillion: no real count is larger, and Babel formats up to 28 digits.
Count = Annotated[int, Field(strict=True, ge=0, le=10**12)]
Text = Annotated[str, Field(min_length=1)]
SourceIds = Annotated[list[str], Field(description="Ids of entries in `sources` backing this.")]

# An output is a folder of the template set; `check` knows which exist (`checks.outputs`).
OutputName = Annotated[
    str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64, description="An output's name.")
]


class Trend(StrEnum):
    WORSENING = "worsening"
    UNCHANGING = "unchanging"
    IMPROVING = "improving"


class ActorKind(StrEnum):
    STATE = "state"
    GOVERNMENT = "government"
    ARMED_GROUP = "armed-group"
    INTERNATIONAL_ORGANISATION = "international-organisation"
    OTHER = "other"


class Support(StrEnum):
    TROOPS = "troops"
    AIR_STRIKES = "air-strikes"
    LOGISTICS = "logistics"
    TRANSPORT = "transport"
    FUNDING = "funding"
    TRAINING = "training"
    INTELLIGENCE = "intelligence"
    MEDICAL = "medical"
    OTHER = "other"


class Status(StrEnum):
    PLEDGED = "pledged"
    COMMITTED = "committed"
    DEPLOYED = "deployed"
    DECLINED = "declined"
    OFFERED = "offered"


class DisplacementKind(StrEnum):
    IDP = "idp"
    REFUGEES = "refugees"
    DISPLACED = "displaced"


class Part(BaseModel):
    """Common settings: unknown keys are errors; numbers may stand where text is expected.
    Validators are built when a brief is first validated, not on import: a worker that only
    renders briefs checked elsewhere never needs them (a third of importing this module)."""

    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        frozen=True,
        defer_build=True,
    )


class KeyFigure(Part):
    value: Count = Field(description="The headline number, whole and not negative.")
    label: Text = Field(
        description="What the number counts, e.g. 'people displaced since March 2012'."
    )
    approximate: bool = Field(False, description="The number is an estimate ('about').")
    as_of: PartialDate | None = Field(
        None,
        description="When it was true; default: the date of the displacement figure or "
        "commitment with the same number (`check` asks for one when there is none).",
    )
    sources: SourceIds = Field(default_factory=list)


class TimelineEvent(Part):
    date: PartialDate = Field(description="When it happened (day, month or year precision).")
    event: Text = Field(description="One sentence: what happened.")
    sources: SourceIds = Field(default_factory=list)


class Actor(Part):
    name: Text = Field(description="The actor's name as the brief uses it.")
    kind: ActorKind = Field(description="What sort of actor this is.")
    aliases: list[Text] = Field(default_factory=list, description="Other names, e.g. [AQMI].")
    role: Text = Field(description="Its part in the story, one or two sentences.")
    sources: SourceIds = Field(default_factory=list)


class Confidence(StrEnum):
    """How sure the analysts are of a judgment (confidence in the evidence and reasoning)."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Likelihood(StrEnum):
    """Words of estimative probability, the fixed scale of US intelligence analytic standards
    (ICD 203), from least to most likely."""

    ALMOST_NO_CHANCE = "almost no chance"
    VERY_UNLIKELY = "very unlikely"
    UNLIKELY = "unlikely"
    ROUGHLY_EVEN = "roughly even chance"
    LIKELY = "likely"
    VERY_LIKELY = "very likely"
    ALMOST_CERTAIN = "almost certain"


class Money(Part):
    value: Annotated[float, Field(ge=0, le=10**15)] = Field(
        description="The amount, in `currency` (not negative)."
    )
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = Field(
        description="ISO 4217 code: USD, EUR, XOF, ..."
    )


class Audience(Part):
    grade: Annotated[int, Field(strict=True, ge=1, le=16)] = Field(
        description="Target reading grade (US school grade); `check` warns about prose that "
        "reads well above it."
    )


class Question(Part):
    text: Text = Field(description="The question, as students see it.")
    answer: Text | None = Field(
        None, description="A suggested answer: in the teacher copy only, never for students."
    )
    listen_for: list[Text] = Field(
        default_factory=list,
        description="Points to listen for in the discussion (teacher copy only).",
    )


class KeyJudgment(Part):
    text: Text = Field(description="The judgment, one or two sentences, bottom line first.")
    confidence: Confidence = Field(description="low, moderate or high.")
    likelihood: Likelihood | None = Field(
        None,
        description="How likely, in the fixed words of the scale: almost no chance, very "
        "unlikely, unlikely, roughly even chance, likely, very likely, almost certain.",
    )
    sources: SourceIds = Field(default_factory=list)


class Commitment(Part):
    party: Text = Field(
        description="A country (common name or ISO code, resolved to one country) or an actor name."
    )
    support: list[Support] = Field(default_factory=list, description="Kinds of support promised.")
    troops: Count | None = Field(
        None, description="Troops; absent or null = not reported (never 0)."
    )
    troops_in_place: Count | None = Field(None, description="Part of `troops` already there.")
    aircraft: Count | None = Field(None, description="Aircraft; absent or null = not reported.")
    amount: Money | None = Field(
        None, description="Money pledged, with its currency; absent = not reported (never 0)."
    )
    status: Status | None = Field(None, description="How firm the commitment is.")
    approximate: bool = Field(False, description="The numbers are estimates ('about', 'at least').")
    note: Text | None = Field(
        None, description="Qualifications, e.g. 'includes 800 already there'."
    )
    as_of: PartialDate | None = Field(
        None, description="When the figures were true; required with a number."
    )
    sources: SourceIds = Field(default_factory=list)


class Displacement(Part):
    figure: Count | None = Field(None, description="People counted; absent = not reported.")
    kind: DisplacementKind = Field(description="idp, refugees, or displaced (both).")
    where: Text | None = Field(None, description="Where the people are, or fled from.")
    since: PartialDate | None = Field(None, description="Start of the displacement counted.")
    as_of: PartialDate | None = Field(
        None, description="When the figure was true; default: the brief date."
    )
    approximate: bool = Field(False, description="The figure is an estimate.")
    note: Text | None = Field(
        None, description="What is known when there is no figure, or a caveat."
    )
    sources: SourceIds = Field(default_factory=list)


class Quote(Part):
    text: Text = Field(description="What was said (one or two short sentences).")
    speaker: Text = Field(description="Who said it.")
    role: Text | None = Field(None, description="The speaker's position.")
    date: PartialDate | None = Field(None, description="When it was said.")
    paraphrase: bool = Field(False, description="The text restates what was said, not the words.")
    sources: SourceIds = Field(default_factory=list)


class Perspective(Part):
    label: Text = Field(description="A short name for the view, e.g. 'Blowback'.")
    text: Text = Field(description="The opinion, stated fairly.")
    sources: SourceIds = Field(default_factory=list)


class GlossaryEntry(Part):
    term: Text
    definition: Text


class Source(Part):
    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] = Field(
        description="Short id that other entries cite, e.g. incontext-2013."
    )
    title: Text
    publisher: Text | None = None
    author: Text | None = None
    date: PartialDate | None = None
    url: Annotated[str, Field(pattern=r"^(https?://|mailto:)\S+$")] | None = Field(
        None, description="http, https or mailto address."
    )
    note: Text | None = Field(None, description="E.g. 'Republished by Expatica.'")


class Image(Part):
    path: Text = Field(description="PNG or JPEG file, relative to the brief folder and inside it.")
    alt: Text = Field(description="What the picture shows, for readers who cannot see it.")
    caption: Text | None = None
    credit: Text | None = None


@dataclass(frozen=True)
class Party:
    """One party's commitments: the current one (latest `as_of`) and the older ones."""

    name: str
    country: str | None  # ISO 3166-1 alpha-2 code, or None for an actor such as ECOWAS
    current: Commitment
    history: tuple[Commitment, ...]  # older entries, newest first


class Brief(Part):
    """A whole brief: the root of brief.yaml."""

    title: Text = Field(description="The brief's title.")
    subtitle: Text | None = None
    date: PartialDate = Field(description="The brief is true as of this day.")
    language: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = Field(
        "en", description="BCP 47 language tag: en, fr, ..."
    )
    authors: list[Text] = Field(default_factory=list)
    updated: PartialDate | None = Field(
        None, description="Last revision, printed as 'Updated ...'."
    )
    trend: Trend | None = Field(None, description="Direction of the situation as of `date`.")
    content_note: Text | None = Field(None, description="Shown first on classroom material.")
    grade_level: Annotated[int, Field(strict=True, ge=1, le=16)] | None = Field(
        None, description="Target reading grade; `check` warns when prose reads harder."
    )
    audience: Audience | None = Field(
        None, description="Who the material is for: `{grade: 8}` (the same as `grade_level`)."
    )
    objectives: list[Text] = Field(
        default_factory=list, description="Learning objectives: 'Students will be able to ...'."
    )
    essential_question: Text | None = Field(
        None, description="The one big question the lesson keeps coming back to."
    )
    warm_up: Text | None = Field(None, description="A short opening activity or prompt.")
    key_judgments: list[KeyJudgment] = Field(
        default_factory=list, description="The analysts' judgments, each with its confidence."
    )
    watch: list[Text] = Field(
        default_factory=list, description="What to watch: signs that would change the picture."
    )
    summary: Text = Field(description="1-3 sentences, bottom line up front.")
    key_figures: list[KeyFigure] = Field(default_factory=list, description="2-5 headline numbers.")
    background: Annotated[list[Text], Field(min_length=1)] = Field(description="Paragraphs.")
    timeline: list[TimelineEvent] = Field(default_factory=list, description="Oldest first.")
    actors: Annotated[list[Actor], Field(min_length=1)]
    commitments: list[Commitment] = Field(default_factory=list, description="Who promised what.")
    displacement: list[Displacement] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    perspectives: list[Perspective] = Field(default_factory=list, description="Labelled opinions.")
    questions: list[Text | Question] = Field(
        default_factory=list,
        description="Discussion questions: text, or {text, answer, listen_for} with a teacher's "
        "suggested answer.",
    )
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    sources: Annotated[list[Source], Field(min_length=1)]
    images: list[Image] = Field(default_factory=list)
    banner: Text | None = Field(
        None,
        max_length=200,
        description="A handling line (e.g. 'For internal use') for outputs that show a banner; "
        "overrides the theme's.",
    )
    outputs: list[OutputName] | None = Field(
        None,
        description="Which outputs to build (template folders: handout, one-pager, deck, html, "
        "worksheet, ...); default: those the templates mark as default.",
    )

    @property
    def target_grade(self) -> int | None:
        """The reading grade the brief is written for (`audience.grade`, or `grade_level`)."""
        return self.audience.grade if self.audience is not None else self.grade_level

    @cached_property
    def question_items(self) -> tuple[Question, ...]:
        """Every question as a Question (a plain string has no answer)."""
        return tuple(q if isinstance(q, Question) else Question(text=q) for q in self.questions)

    @model_validator(mode="after")
    def _date_key_figures(self) -> Brief:
        """A key figure without `as_of` takes the date of the figure it repeats (resolved once,
        here, so every output prints the same date); see `repeated_dates`."""
        for i, k in enumerate(self.key_figures):
            if k.as_of is None:
                dates = {when for _, when in repeated_dates(self, k.value)}
                if len(dates) == 1:
                    self.key_figures[i] = k.model_copy(update={"as_of": dates.pop()})
        return self

    @cached_property
    def parties(self) -> tuple[Party, ...]:
        """Commitments grouped by resolved party, in first-mention order; latest `as_of` is current."""
        from briefgen.countries import resolve_party

        groups: dict[str, list[Commitment]] = {}
        for c in self.commitments:
            key = resolve_party(c.party, self.actor_index).key
            groups.setdefault(key, []).append(c)
        parties = []
        for items in groups.values():
            # Stable sort: among equal dates the later entry in the file wins.
            ordered = sorted(items, key=lambda c: (c.as_of or self.date).start)
            current = ordered[-1]
            resolved = resolve_party(current.party, self.actor_index, self.language)
            parties.append(
                Party(resolved.name, resolved.country, current, tuple(reversed(ordered[:-1])))
            )
        return tuple(parties)

    @cached_property
    def actor_index(self) -> dict[str, Actor]:
        """Every actor by its normalised name and aliases (the first actor wins a clash)."""
        from briefgen.countries import normalise

        index: dict[str, Actor] = {}
        for actor in self.actors:
            for name in (actor.name, *actor.aliases):
                index.setdefault(normalise(name), actor)
        return index

    def source_index(self) -> dict[str, int]:
        """Source id → its number (1-based) in the list of sources."""
        return {s.id: i for i, s in enumerate(self.sources, start=1)}


def repeated_dates(brief: Brief, value: int) -> list[tuple[str, PartialDate]]:
    """Dated displacement figures and commitment numbers equal to `value`: (where, as_of)."""
    found = [
        (f"displacement[{i}]", d.as_of)
        for i, d in enumerate(brief.displacement)
        if d.figure == value and d.as_of is not None
    ]
    for i, c in enumerate(brief.commitments):
        if c.as_of is not None and value in (c.troops, c.troops_in_place, c.aircraft):
            found.append((f"commitments[{i}]", c.as_of))
    return found


def json_schema() -> dict[str, object]:
    """The JSON Schema of brief.yaml, generated from the model (for editors and validators)."""
    schema = Brief.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://briefgen.example/schema/brief.schema.json"
    return schema
