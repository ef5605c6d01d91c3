"""The typography of the brief's language, applied once to a planned Document, so every
renderer prints the same text: quotation marks, and in French the spaces before `: ; ? !`,
inside « », and the typographic apostrophe.

English text is left exactly as planned. Other languages get their own quotation marks
(CLDR's) in place of “ ”. French also gets a no-break space before `: ; ? !` and inside « »,
and ’ for a straight apostrophe. Link targets, paths and identifiers are never touched.

The no-break space is U+00A0 everywhere, never the narrow U+202F that French typography
prefers before `; ? !` and that CLDR puts between thousands: ReportLab breaks lines at
U+202F (and prints it as a plain space), so "1 700" or "arrêter ?" could be split across two
lines of a PDF. So numbers formatted with U+202F get U+00A0 too.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from briefgen.blocks import Document
from briefgen.text import Span

NBSP, NNBSP = "\u00a0", "\u202f"  # no-break space; narrow no-break space
ENGLISH = ("“", "”")

# Fields that hold identifiers, addresses or data, never text a reader sees.
_SKIP = {
    "output",
    "date_iso",
    "language",
    "href",
    "id",
    "style",
    "kind",
    "palette",
    "path",
    "file_name",
    "region",
    "words",
    "master",
    "folders",
    "fonts",
    "metrics",
}


# Quotation marks by language (CLDR's delimiters; Babel does not ship them). Others: “ ”.
QUOTES = {
    "fr": ("«" + NBSP, NBSP + "»"),  # with the no-break spaces French sets inside
    "de": ("„", "“"),
    "es": ("«", "»"),
    "it": ("«", "»"),
    "pt": ("«", "»"),
    "ru": ("«", "»"),
    "uk": ("«", "»"),
    "pl": ("„", "”"),
    "nl": ("‘", "’"),
}


def quote_marks(language: str) -> tuple[str, str]:
    """Opening and closing quotation marks of a language (a BCP 47 tag)."""
    return QUOTES.get(language.split("-")[0].lower(), ENGLISH)


_SPACE = f"[ {NBSP}{NNBSP}]"
_AFTER = r"(?=\s|$|[»)\]\"”’.,])"  # punctuation ends a word: not 'a?b' in an address, not 10:30
_FRENCH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?<![\s;:!?]){_SPACE}?([;!?]+){_AFTER}"), NBSP + r"\1"),
    (re.compile(rf"(?<![\s;:!?]){_SPACE}?:{_AFTER}"), NBSP + ":"),
    (re.compile(r"(?<=\w)'"), "’"),
    (re.compile(rf"«{_SPACE}*"), "«" + NBSP),  # « text », as typed in labels or the brief
    (re.compile(rf"{_SPACE}*»"), NBSP + "»"),
)


def _quotes(text: str, marks: tuple[str, str]) -> str:
    """“ ” and straight double quotes as the language's marks (a straight one opens at the
    start of the text or after a space or bracket, and closes elsewhere)."""
    if "“" not in text and "”" not in text and '"' not in text:
        return text
    out = []
    for i, c in enumerate(text):
        if c == '"':
            c = "“" if i == 0 or text[i - 1] in " \n([" + NBSP else "”"
        if c == "“":
            out.append(marks[0])
            continue
        if c == "”":
            out.append(marks[1])
            continue
        out.append(c)
    text = "".join(out)
    if marks[0].endswith(NBSP):  # « text », never « ␣text» with two spaces
        text = re.sub(re.escape(marks[0]) + r"\s+", marks[0], text)
        text = re.sub(r"\s+" + re.escape(marks[1]), marks[1], text)
    return text


def fixer(language: str) -> Callable[[str], str] | None:
    """What to do to each text in this language; None for English (left as planned)."""
    marks = quote_marks(language)
    french = language.split("-")[0].lower() == "fr"
    if marks == ENGLISH and not french:
        return None

    def fix(text: str) -> str:
        text = _quotes(text, marks).replace(NNBSP, NBSP)
        if french:
            for pattern, replacement in _FRENCH:
                text = pattern.sub(replacement, text)
        return text

    return fix


def finish(doc: Document) -> Document:
    """The Document in its language's typography; its labels gain `quote_open` and
    `quote_close`, which the renderers put around quotations."""
    from briefgen.slots import Words

    marks = quote_marks(doc.language)
    labels = {**doc.words.table, "quote_open": marks[0], "quote_close": marks[1]}
    fix = fixer(doc.language)
    if fix is None:
        return dataclasses.replace(doc, words=Words(labels, doc.words.env, doc.words.where))
    done = _walk(doc, fix)
    assert isinstance(done, Document)
    fixed = {key: fix(value) for key, value in labels.items()}
    fixed["quote_open"], fixed["quote_close"] = marks
    return dataclasses.replace(done, words=Words(fixed, doc.words.env, doc.words.where))


def _walk(value: Any, fix: Callable[[str], str]) -> Any:
    """Every reader-visible string in a tree of frozen dataclasses and tuples, fixed."""
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, tuple):
        return tuple(_walk(v, fix) for v in value)
    if isinstance(value, Span) and value.href is not None and value.text == value.href:
        return value  # a bare address, printed as it is
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _walk(getattr(value, f.name), fix)
            for f in dataclasses.fields(value)
            if f.init and f.name not in _SKIP
        }
        return dataclasses.replace(value, **changes)
    return value
