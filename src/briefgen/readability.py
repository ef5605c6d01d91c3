"""Reading level of a brief's prose, in the brief's language, as a US school grade.

Syllables come from Pyphen (the hyphenation dictionaries of LibreOffice, maintained, and what
textstat itself counts syllables with); the formulas are the published ones: Flesch-Kincaid for
English, and for French the Kandel-Moles adaptation of Flesch reading ease, mapped to a grade
with Flesch's own table. (textstat itself is not used: its current releases download a
dictionary from the network at first use, and its older ones take half a second to import.)
Loaded only by `check` and by the deck's notes, never on the no-op path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")
DICTIONARIES = {"en": "en_US", "fr": "fr"}


@dataclass(frozen=True)
class Level:
    """A text's reading level: a grade, and what it was measured on."""

    grade: float
    words: int
    sentences: int


def supported(language: str) -> bool:
    return language.split("-")[0].lower() in DICTIONARIES


@lru_cache(maxsize=4)
def _hyphenator(language: str) -> Any:
    import pyphen

    lang = DICTIONARIES[language.split("-")[0].lower()]
    _kept_patterns(pyphen, pyphen.LANGUAGES[pyphen.language_fallback(lang)])
    return pyphen.Pyphen(lang=lang)


def _kept_patterns(pyphen: Any, path: Path) -> None:
    """Pyphen parses a dictionary's 10,000 patterns in a tenth of a second; the patterns parsed
    by an earlier run are kept in briefgen's cache (cache.py), under the dictionary's bytes and
    Pyphen's version, and put in Pyphen's own cache of dictionaries. Only plain patterns are
    kept, and only from a dictionary made as this Pyphen makes it (else it parses as usual)."""
    from briefgen import cache

    if path in pyphen.hdcache:
        return
    try:
        data = path.read_bytes()
        identity = f"pyphen {pyphen.__version__}".encode()
        patterns = cache.get(data, "pyphen", identity)
        if isinstance(patterns, dict) and patterns:
            hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
            hd.patterns, hd.cache, hd.maxlen = patterns, {}, max(len(k) for k in patterns)
        else:
            hd = pyphen.HyphDict(path)
            if set(vars(hd)) == {"patterns", "cache", "maxlen"}:
                cache.put(data, hd.patterns, "pyphen", identity)
        pyphen.hdcache[path] = hd
    except (OSError, AttributeError, TypeError, ValueError):
        return


def syllables(word: str, language: str) -> int:
    """Syllables of a word: the hyphenation points plus one (at least one)."""
    return max(1, len(_hyphenator(language).positions(word.lower())) + 1)


def level(text: str, language: str) -> Level | None:
    """The grade of a text, or None for an unsupported language or a text without words."""
    if not supported(language):
        return None
    words = _WORD.findall(text)
    if not words:
        return None
    sentences = max(1, len(_SENTENCE_END.findall(text.strip() + " ")))
    per_sentence = len(words) / sentences
    per_word = sum(syllables(w, language) for w in words) / len(words)
    if language.split("-")[0].lower() == "fr":
        ease = 207 - 1.015 * per_sentence - 73.6 * per_word  # Kandel & Moles (1958)
        grade = _grade_from_ease(ease)
    else:
        grade = 0.39 * per_sentence + 11.8 * per_word - 15.59  # Flesch-Kincaid
    return Level(max(0.0, round(grade, 1)), len(words), sentences)


def _grade_from_ease(ease: float) -> float:
    """Flesch's table from reading ease to school grade, interpolated."""
    points = [
        (100, 4.0),
        (90, 5.0),
        (80, 6.0),
        (70, 7.0),
        (60, 9.0),
        (50, 11.0),
        (30, 14.0),
        (0, 18.0),
    ]
    if ease >= points[0][0]:
        return points[0][1]
    for (e1, g1), (e2, g2) in pairwise(points):
        if e2 <= ease <= e1:
            return g2 + (g1 - g2) * (ease - e2) / (e1 - e2)
    return points[-1][1]


def paragraphs(brief: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The brief's prose a reader reads through, with each paragraph's key path."""
    yield ("summary",), brief.summary
    for i, text in enumerate(brief.background):
        yield ("background", i), text
    if brief.content_note:
        yield ("content_note",), brief.content_note
    for i, p in enumerate(brief.perspectives):
        yield ("perspectives", i, "text"), p.text
    for i, j in enumerate(brief.key_judgments):
        yield ("key_judgments", i, "text"), j.text


def brief_level(brief: Any) -> Level | None:
    """The reading level of all of a brief's prose together."""
    from briefgen.text import plain

    return level(" ".join(plain(t) for _, t in paragraphs(brief)), brief.language)
