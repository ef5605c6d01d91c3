"""The deck in the brief's language: chart number formats and the language its text is tagged.

PowerPoint formats `#,##0` with the separators of the computer that shows the deck, so a French
deck read on an English machine would print `1,000` on its chart axes while its tables print
`1 000`. For a language whose thousands separator is not a comma, the format spells the
separator out (quoted, so it is printed as it is) for each size of number a count can reach.

python-pptx's default template and chart parts tag text `en-US`; a deck in another language
has those tags replaced by its own, so spelling checkers and screen readers use the right one
in the notes, the charts and everything inherited from the master.
"""

from __future__ import annotations

import re
from functools import lru_cache

ENGLISH_FORMAT = "#,##0"


@lru_cache(maxsize=16)
def number_format(language: str) -> str:
    """An Excel number format printing whole numbers with the language's thousands separator."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_group_symbol

    tag = language.replace("-", "_")
    try:
        group = str(get_group_symbol(Locale.parse("en_GB" if tag.lower() == "en" else tag)))
    except (UnknownLocaleError, ValueError):
        return ENGLISH_FORMAT
    if group == ",":
        return ENGLISH_FORMAT
    # U+202F (CLDR's French separator) as U+00A0, as the text of the deck has it (typography.py)
    sep = '"' + group.replace('"', "").replace("\u202f", "\u00a0") + '"'
    # Two conditions are all a format holds: millions and more, thousands, the rest.
    return f"[>=1000000]#{sep}###{sep}##0;[>=1000]#{sep}##0;0"


_EN_US = re.compile(rb'\blang="en-US"')


def retag(xml: bytes, language: str) -> bytes:
    """An XML part of the deck with python-pptx's `en-US` tags as the deck's language."""
    if language.split("-")[0].lower() == "en":
        return xml  # English decks keep the tags python-pptx gives them
    safe = re.sub(r"[^A-Za-z0-9-]", "", language)  # a BCP 47 tag, as the model checks
    return _EN_US.sub(b'lang="' + safe.encode() + b'"', xml)
