"""The inline Markdown subset of brief text → spans. Nothing but these spans reaches a renderer.

Allowed: `*emphasis*`, `**strong**`, `[text](url)` with http, https or mailto, and backslash
escapes. Everything else (HTML, ReportLab tags, entities, Jinja syntax, headings, lists) stays
the literal characters typed. A link with another scheme keeps its text and loses its target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
_STYLE = {"strong_open", "strong_close", "em_open", "em_close"}
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Span:
    """A run of text with one style; `href` is set for a link."""

    text: str
    strong: bool = False
    emphasis: bool = False
    href: str | None = None


@dataclass(frozen=True)
class InlineText:
    """Parsed text: its spans and the link targets that were refused."""

    spans: tuple[Span, ...]
    refused_links: tuple[str, ...] = ()

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.spans)


# The characters the enabled rules act on (emphasis, links, escapes), and those markdown-it
# normalises first. Text without any of them is its own single span: no parser needed.
_MARKUP = re.compile(r"[*_\[\]\\\r\x00]")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero").enable(["emphasis", "link", "escape"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # scheme filtering happens below, so it can be reported
    return md


def link_allowed(href: str) -> bool:
    return href.lower().startswith(ALLOWED_SCHEMES)


@lru_cache(maxsize=4096)
def parse_inline(text: str) -> InlineText:
    """Text → spans; whitespace (including line breaks) collapses to single spaces."""
    if not _MARKUP.search(text):  # most text: what the parser would give, without importing it
        piece = _SPACE.sub(" ", text).strip()
        return InlineText((Span(piece),) if piece else ())
    return _parse_markdown(text)


def _parse_markdown(text: str) -> InlineText:
    spans: list[Span] = []
    refused: list[str] = []
    strong = emphasis = 0
    href: str | None = None
    for block in _parser().parseInline(text):
        for tok in block.children or []:
            if tok.type == "text":
                piece = _SPACE.sub(" ", tok.content)
                if piece:
                    spans.append(Span(piece, strong > 0, emphasis > 0, href))
            elif tok.type in _STYLE and tok.markup.startswith("_"):
                # Only asterisks style text; `_x_` and `__init__` stay as typed.
                spans.append(Span(tok.markup, strong > 0, emphasis > 0, href))
            elif tok.type == "strong_open":
                strong += 1
            elif tok.type == "strong_close":
                strong -= 1
            elif tok.type == "em_open":
                emphasis += 1
            elif tok.type == "em_close":
                emphasis -= 1
            elif tok.type == "link_open":
                target = str(tok.attrs.get("href", ""))
                if link_allowed(target):
                    href = target
                else:
                    refused.append(target)
            elif tok.type == "link_close":
                href = None
    return InlineText(_merge(_trim(spans)), tuple(refused))


def _trim(spans: list[Span]) -> list[Span]:
    if spans:
        first, last = spans[0], spans[-1]
        spans[0] = Span(first.text.lstrip(), first.strong, first.emphasis, first.href)
        last = spans[-1]
        spans[-1] = Span(last.text.rstrip(), last.strong, last.emphasis, last.href)
    return [s for s in spans if s.text]


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for s in spans:
        if out and (out[-1].strong, out[-1].emphasis, out[-1].href) == (
            s.strong,
            s.emphasis,
            s.href,
        ):
            out[-1] = Span(out[-1].text + s.text, s.strong, s.emphasis, s.href)
        else:
            out.append(s)
    return tuple(out)


def plain(text: str) -> str:
    """The words a reader sees, without markup."""
    return parse_inline(text).plain
