"""Resolve a commitment's party to one country (pycountry + common names) or to a named actor."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.model import Actor

# Everyday names that neither ISO 3166 nor CLDR spell this way.
COMMON_NAMES = {
    "ivory coast": "CI",
    "dr congo": "CD",
    "drc": "CD",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "congo-kinshasa": "CD",
    "congo kinshasa": "CD",
    "republic of congo": "CG",
    "republic of the congo": "CG",
    "congo-brazzaville": "CG",
    "congo brazzaville": "CG",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "usa": "US",
    "us": "US",
    "america": "US",
    "united states of america": "US",
    "russia": "RU",
    "south korea": "KR",
    "north korea": "KP",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "vietnam": "VN",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "czech republic": "CZ",
    "burma": "MM",
    "east timor": "TL",
    "cape verde": "CV",
    "swaziland": "SZ",
    "the gambia": "GM",
    "holland": "NL",
    "the netherlands": "NL",
    "vatican": "VA",
    "palestine": "PS",
    "turkey": "TR",
}

# English display names for countries whose ISO name is inverted ("Congo, The Democratic ...").
ENGLISH_NAMES = {
    "CD": "DR Congo",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "MD": "Moldova",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "BO": "Bolivia",
    "PS": "Palestine",
    "FM": "Micronesia",
    "VA": "Vatican City",
}


def normalise(name: str) -> str:
    """Casefold, drop accents and punctuation variants, squeeze spaces."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("&", "and").replace(".", "")
    return " ".join(text.casefold().split())


@lru_cache(maxsize=2)
def _cldr_index(language: str) -> dict[str, str]:
    """Normalised country name in one language (CLDR, through Babel) → alpha-2 code."""
    from babel import Locale

    return {
        normalise(name): code
        for code, name in Locale.parse(language).territories.items()
        if len(code) == 2 and code.isalpha()
    }


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Normalised name or code → alpha-2 code, from pycountry and CLDR's English names."""
    import pycountry

    index = dict(_cldr_index("en"))
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                index[normalise(value)] = c.alpha_2
        index[c.alpha_2.casefold()] = c.alpha_2
        index[c.alpha_3.casefold()] = c.alpha_2
    index.update(COMMON_NAMES)
    return index


@lru_cache(maxsize=512)
def country_code(name: str) -> str | None:
    """The ISO alpha-2 code a name or code stands for, or None. French names are looked up
    (and loaded) only when no English name or code matches: English wins a clash."""
    wanted = normalise(name)
    return _country_index().get(wanted) or _cldr_index("fr").get(wanted)


@lru_cache(maxsize=512)
def country_name(code: str, language: str = "en") -> str:
    """A country's usual name in a language (pycountry's common name in English)."""
    import pycountry

    c = pycountry.countries.get(alpha_2=code)
    if language.split("-")[0].lower() == "en" and c is not None:
        name = str(getattr(c, "common_name", None) or c.name)
        return ENGLISH_NAMES.get(code, name) if "," in name else name
    from babel import Locale

    try:
        return str(Locale.parse(language.replace("-", "_")).territories[code])
    except Exception:
        return str(c.name) if c is not None else code


@dataclass(frozen=True)
class ResolvedParty:
    """What a party name refers to."""

    key: str  # stable identity: 'country:FR' or 'actor:ecowas' or 'unknown:...'
    name: str  # how outputs print it
    country: str | None = None
    known: bool = True
    suggestions: tuple[str, ...] = field(default=())


def _looks_like_code(text: str) -> bool:
    return text.isupper() and text.isalpha() and len(text) in (2, 3)


@lru_cache(maxsize=4096)
def _close_countries(wanted: str) -> tuple[str, ...]:
    """Up to three country names spelled like the (normalised) text."""
    names = {
        normalise(country_name(c)): country_name(c) for c in sorted(set(_country_index().values()))
    }
    return tuple(names[c] for c in difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6))


def resolve_party(party: str, actors: Mapping[str, Actor], language: str = "en") -> ResolvedParty:
    """A country (any common name or ISO code) or an actor's name or alias.

    An actor that is not a state wins over a country code it shares ("AU" as the African
    Union's alias); otherwise the country wins, so "France" is one party however it is listed.
    """
    wanted = normalise(party)
    actor = actors.get(wanted)
    code = country_code(party)
    if code is not None and (actor is None or actor.kind.value in ("state", "government")):
        # In English, keep the author's spelling; a bare code is printed as the country's name.
        # In another language, the country's name in it (CLDR), however the brief wrote it:
        # "Chad", "TCD" or "Tchad" is "Tchad" in a French brief.
        english = language.split("-")[0].lower() == "en"
        name = party if english and not _looks_like_code(party) else country_name(code, language)
        return ResolvedParty(f"country:{code}", name, code)
    if actor is not None:
        return ResolvedParty(f"actor:{normalise(actor.name)}", actor.name)
    names = {key: a.name for key, a in actors.items()}
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
    suggestions = tuple(dict.fromkeys([names[c] for c in close] + list(_close_countries(wanted))))
    return ResolvedParty(f"unknown:{wanted}", party, None, known=False, suggestions=suggestions[:3])
