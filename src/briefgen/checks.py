"""The rules of the brief format over a Brief → findings with severities. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from briefgen.countries import resolve_party
from briefgen.dates import PartialDate
from briefgen.errors import Finding, KeyPath, error, warning
from briefgen.model import Brief
from briefgen.text import parse_inline

Rule = Callable[[Brief], Iterator[Finding]]

# Fields that hold identifiers or addresses, not prose a reader sees.
_NOT_PROSE = {"id", "path", "url", "language", "party", "sources", "outputs"}


def iter_text(model: BaseModel, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every prose string in a model with its key path."""
    for name in type(model).model_fields:
        if name in _NOT_PROSE:
            continue
        yield from _walk(getattr(model, name), (*path, name))


def _walk(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from iter_text(value, path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))


def cited(brief: Brief) -> Iterator[tuple[KeyPath, str]]:
    """Every source id cited anywhere, with where."""
    for section in (
        "key_figures",
        "timeline",
        "actors",
        "commitments",
        "displacement",
        "quotes",
        "perspectives",
    ):
        for i, item in enumerate(getattr(brief, section)):
            for j, sid in enumerate(item.sources):
                yield (section, i, "sources", j), sid


def check_sources(brief: Brief) -> Iterator[Finding]:
    known: set[str] = set()
    for i, s in enumerate(brief.sources):  # the second and later uses of an id are errors
        if s.id in known:
            yield error(f"duplicate source id '{s.id}'", "sources", i, "id")
        known.add(s.id)
    used = set()
    for path, sid in cited(brief):
        used.add(sid)
        if sid not in known:
            import difflib

            hint = difflib.get_close_matches(sid, sorted(known), n=1)
            tail = f"; did you mean '{hint[0]}'?" if hint else ""
            yield error(f"source '{sid}' is not listed in sources{tail}", *path)
    for i, s in enumerate(brief.sources):
        if s.id not in used:
            yield warning(f"source '{s.id}' is never cited", "sources", i, "id")


def _numbered(
    brief: Brief,
) -> Iterator[tuple[KeyPath, str, int | None, PartialDate | None, list[str]]]:
    """Every number with its path, field name, value, as-of date and sources."""
    for i, k in enumerate(brief.key_figures):
        yield ("key_figures", i), "value", k.value, k.as_of, k.sources
    for i, c in enumerate(brief.commitments):
        for name in ("troops", "troops_in_place", "aircraft"):
            yield ("commitments", i), name, getattr(c, name), c.as_of, c.sources
    for i, d in enumerate(brief.displacement):
        yield ("displacement", i), "figure", d.figure, d.as_of, d.sources


def check_numbers(brief: Brief) -> Iterator[Finding]:
    for path, name, value, as_of, sources in _numbered(brief):
        if value is None:
            continue
        if not sources:
            yield error(f"{name} is a number, so it needs at least one source", *path, "sources")
        if as_of is None and path[0] == "commitments":
            yield error(f"as_of is required when {name} is given", *path)
    for i, k in enumerate(brief.key_figures):
        if k.as_of is None:  # the loader found no single figure it repeats to date it by
            yield warning(_undated_key_figure(brief, k.value), "key_figures", i)
    for i, c in enumerate(brief.commitments):  # with a number, as_of is required (above)
        if c.as_of is None and all(v is None for v in (c.troops, c.troops_in_place, c.aircraft)):
            yield warning(
                f"no as_of; give the date this was true (the brief date {brief.date} is printed "
                "until then)",
                "commitments",
                i,
            )
    for i, d in enumerate(brief.displacement):
        if d.figure is not None and d.as_of is None:
            yield warning(
                f"figure has no as_of; give the date it was true (the brief date {brief.date} "
                "is printed until then)",
                "displacement",
                i,
            )
    for i, c in enumerate(brief.commitments):
        if c.troops is not None and c.troops_in_place is not None and c.troops_in_place > c.troops:
            yield error(
                f"troops_in_place ({c.troops_in_place}) is more than troops ({c.troops})",
                "commitments",
                i,
                "troops_in_place",
            )


def _undated_key_figure(brief: Brief, value: int) -> str:
    """Why a key figure has no date: it repeats no dated figure, or figures of several dates."""
    from briefgen.model import repeated_dates

    found = repeated_dates(brief, value)
    if found:
        listed = ", ".join(f"{where} {when}" for where, when in found)
        return f"no as_of, and the figures it repeats differ in date ({listed}); give its as_of"
    return (
        "no as_of, and no dated displacement figure or commitment has this number; give the "
        f"date it was true (the brief date {brief.date} is printed until then)"
    )


def _dates(brief: Brief) -> Iterator[tuple[KeyPath, PartialDate | None]]:
    for i, k in enumerate(brief.key_figures):
        yield ("key_figures", i, "as_of"), k.as_of
    for i, c in enumerate(brief.commitments):
        yield ("commitments", i, "as_of"), c.as_of
    for i, d in enumerate(brief.displacement):
        yield ("displacement", i, "as_of"), d.as_of
        yield ("displacement", i, "since"), d.since
    for i, t in enumerate(brief.timeline):
        yield ("timeline", i, "date"), t.date
    for i, q in enumerate(brief.quotes):
        yield ("quotes", i, "date"), q.date


def check_dates(brief: Brief) -> Iterator[Finding]:
    for path, when in _dates(brief):
        if when is not None and when.start > brief.date.start:
            yield error(f"{when} is after the brief date {brief.date}", *path)
    for i, d in enumerate(brief.displacement):
        if d.since and d.as_of and d.since.start > d.as_of.start:
            yield error(f"since ({d.since}) is after as_of ({d.as_of})", "displacement", i, "since")
    if brief.updated is not None and brief.updated.start < brief.date.start:
        yield error(f"updated ({brief.updated}) is before the brief date {brief.date}", "updated")
    for i in range(1, len(brief.timeline)):
        before, now = brief.timeline[i - 1].date, brief.timeline[i].date
        if now.start < before.start:
            yield warning(
                f"{now} comes after {before} in the list; the timeline is shown sorted by date",
                "timeline",
                i,
                "date",
            )


def check_parties(brief: Brief) -> Iterator[Finding]:
    seen: dict[tuple[str, str], int] = {}
    for i, c in enumerate(brief.commitments):
        party = resolve_party(c.party, brief.actor_index)
        if not party.known:
            hint = " or ".join(f"'{s}'" for s in party.suggestions)
            tail = (
                f"; did you mean {hint}?" if hint else "; add it to actors if it is not a country"
            )
            yield error(
                f"'{c.party}' is neither a country nor an actor{tail}", "commitments", i, "party"
            )
            continue
        when = str(c.as_of or brief.date)
        if (party.key, when) in seen:
            yield warning(
                f"{c.party} has two commitments as of {when} (entries {seen[(party.key, when)]} "
                f"and {i}); the later one is taken as current",
                "commitments",
                i,
                "as_of",
            )
        seen[(party.key, when)] = i


def check_actors(brief: Brief) -> Iterator[Finding]:
    names: dict[str, int] = {}
    for i, a in enumerate(brief.actors):
        for n in (a.name, *a.aliases):
            key = n.casefold()
            if key in names and names[key] != i:
                yield error(
                    f"'{n}' names two actors (also actors[{names[key]}])", "actors", i, "name"
                )
            names[key] = i


def check_links(brief: Brief) -> Iterator[Finding]:
    for path, text in iter_text(brief):
        for target in parse_inline(text).refused_links:
            yield warning(
                f"link to '{target}' dropped: only http, https and mailto links are kept", *path
            )


def check_shape(brief: Brief) -> Iterator[Finding]:
    """Soft limits the outputs are designed for."""
    sentences = len(re.findall(r"[.!?](?:\s|$)", parse_inline(brief.summary).plain))
    if sentences > 3:
        yield warning(f"summary has {sentences} sentences; keep it to 1-3", "summary")
    if brief.key_figures and not 2 <= len(brief.key_figures) <= 5:
        yield warning(
            f"{len(brief.key_figures)} key figure{'s' * (len(brief.key_figures) != 1)}; "
            "the 'at a glance' box holds 2-5",
            "key_figures",
        )


WELL_ABOVE = 2  # grades above the target before a paragraph is worth a warning


def reading_findings(brief: Brief) -> list[Finding]:
    """A warning for each paragraph reading well above the brief's target grade. Run by
    `briefgen check` (not by `build`: measuring loads the hyphenation dictionary)."""
    from briefgen import readability
    from briefgen.text import plain

    target = brief.target_grade
    if target is None or not readability.supported(brief.language):
        return []
    found = []
    for path, text in readability.paragraphs(brief):
        measured = readability.level(plain(text), brief.language)
        if measured is not None and measured.words >= 12 and measured.grade > target + WELL_ABOVE:
            found.append(
                warning(
                    f"reads at about grade {measured.grade:.0f}, well above the target grade "
                    f"{target}; use shorter sentences and plainer words",
                    *path,
                )
            )
    return found


MAX_TEXT = 10_000  # characters in one field: a long page of prose; more is a mistake


def check_lengths(brief: Brief) -> Iterator[Finding]:
    """No field is longer than any output can lay out in bounded time."""
    for path, text in iter_text(brief):
        if len(text) > MAX_TEXT:
            yield error(
                f"text is {len(text):,} characters long; at most {MAX_TEXT:,} in one field "
                "(split it into several paragraphs or entries)",
                *path,
            )


def check_glyphs(brief: Brief) -> Iterator[Finding]:
    """Characters the embedded font cannot draw would print as empty boxes: name them."""
    from briefgen.fonts import undrawable

    for path, text in iter_text(brief):
        missing = undrawable(text)
        if missing:
            shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
            yield warning(
                f"the PDF font cannot draw {shown}; they would print as empty boxes", *path
            )


PLACEHOLDER = "TODO:"  # how `briefgen new` marks what is to be written


def check_placeholders(brief: Brief) -> Iterator[Finding]:
    """Text `briefgen new` wrote that nobody replaced: a warning, so `check --strict` (as CI
    runs it) never lets a template be published."""
    fields = [*iter_text(brief)]
    fields += [(("commitments", i, "party"), c.party) for i, c in enumerate(brief.commitments)]
    for i, s in enumerate(brief.sources):  # `iter_text` leaves sources out (ids, addresses)
        for name in ("title", "publisher", "author", "note", "url"):
            fields.append((("sources", i, name), getattr(s, name) or ""))
    for path, text in fields:
        if text.lstrip().startswith(PLACEHOLDER) or text.endswith("example.org/TODO"):
            yield warning(f"still the placeholder text ({_short(text)}); replace it", *path)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:39] + "…")


RULES: tuple[Rule, ...] = (
    check_lengths,
    check_sources,
    check_numbers,
    check_dates,
    check_parties,
    check_actors,
    check_links,
    check_shape,
    check_glyphs,
    check_placeholders,
)


def run_checks(brief: Brief) -> list[Finding]:
    """Every rule's findings (unlocated: the loader places them)."""
    return [finding for rule in RULES for finding in rule(brief)]
