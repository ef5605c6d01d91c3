"""A brief's figures as plain data: what `briefgen diff` compares and the manifest remembers.

A figure is one number a reader sees: a party's current troops (or aircraft, or troops in
place), a displacement figure, a key figure. Each has a stable id (so two versions of a brief
can be paired figure by figure), its value, its as-of date and the sources behind it, and the
same shown as the brief's readers see them (Babel, in the brief's language). Storing the shown
text beside the raw values lets the report and `briefgen merge` print changes from the
manifest alone, without Babel, the model or the brief.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel import Locale

    from briefgen.dates import PartialDate
    from briefgen.model import Brief

Figure = dict[str, Any]  # id, label, value, approximate, as_of, sources, shown_value, shown_as_of

# The words of a figure's label are briefgen's own (English, like its other messages); names,
# numbers and dates are the brief's.
_COUNTS = (("troops", "troops"), ("troops_in_place", "troops in place"), ("aircraft", "aircraft"))
_DISPLACED = {"idp": "IDPs", "refugees": "refugees", "displaced": "displaced people"}
NOT_REPORTED = "not reported"


def _locale(language: str) -> Locale:
    """As the outputs do: bare English is written the international way (17 Jan 2013)."""
    from babel import Locale, UnknownLocaleError

    try:
        tag = language.replace("-", "_")
        return Locale.parse("en_GB" if tag.lower() == "en" else tag)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _shown_date(when: PartialDate | None, locale: Locale) -> str | None:
    from babel.dates import format_date, format_skeleton

    if when is None:
        return None
    if when.precision == "day":
        return str(format_date(when.start, "medium", locale=locale))
    if when.precision == "month":
        return str(format_skeleton("yMMM", when.start, locale=locale))
    return str(when.year)


def _shown_value(value: int | None, approximate: bool, locale: Locale) -> str:
    from babel.numbers import format_decimal

    if value is None:
        return NOT_REPORTED
    return ("~" if approximate else "") + str(format_decimal(value, locale=locale))


def brief_figures(brief: Brief) -> dict[str, Any]:
    """{"language": ..., "figures": [...]}: every figure of a brief, in the brief's order.

    Commitments: each party's current one (its latest `as_of`, as the outputs show it); its
    troops always (a count the sources do not give is "not reported"), its aircraft and troops
    in place when reported. Displacement figures and key figures: each of them."""
    locale = _locale(brief.language)
    titles = {s.id: s.publisher or s.title for s in brief.sources}
    out: list[Figure] = []
    seen: dict[str, int] = {}

    def add(
        ident: str,
        label: str,
        value: int | None,
        approximate: bool,
        as_of: PartialDate | None,
        sources: list[str],
    ) -> None:
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] > 1:  # two figures the same id would name: the second is '#2', ...
            ident += f"#{seen[ident]}"
        out.append(
            {
                "id": ident,
                "label": label,
                "value": value,
                "approximate": approximate and value is not None,
                "as_of": as_of.isoformat() if as_of is not None else None,
                "sources": list(dict.fromkeys(titles.get(s, s) for s in sources)),
                "shown_value": _shown_value(value, approximate, locale),
                "shown_as_of": _shown_date(as_of, locale),
            }
        )

    from briefgen.countries import resolve_party

    for party in brief.parties:
        c = party.current
        key = resolve_party(c.party, brief.actor_index).key
        for field, words in _COUNTS:
            value = getattr(c, field)
            if field == "troops" or value is not None:
                add(
                    f"commitment:{key}:{field}",
                    f"{party.name} {words}",
                    value,
                    c.approximate,
                    c.as_of,
                    c.sources,
                )
    for d in brief.displacement:
        where = f" in {d.where}" if d.where else ""
        since = d.since.isoformat() if d.since else ""
        add(
            f"displacement:{d.kind.value}:{d.where or ''}:{since}",
            f"{_DISPLACED[d.kind.value]}{where}",
            d.figure,
            d.approximate,
            d.as_of or brief.date,
            d.sources,
        )
    for k in brief.key_figures:
        add(f"key:{k.label}", k.label, k.value, k.approximate, k.as_of or brief.date, k.sources)
    return {"language": brief.language, "figures": out}
