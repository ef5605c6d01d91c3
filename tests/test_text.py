"""Inline Markdown subset: only emphasis, strong and safe links become styling."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.text import Span, parse_inline


def test_emphasis_strong_and_links():
    spans = parse_inline("a *b* **c** [d](https://e.org)").spans
    assert spans == (
        Span("a "),
        Span("b", emphasis=True),
        Span(" "),
        Span("c", strong=True),
        Span(" "),
        Span("d", href="https://e.org"),
    )


def test_everything_else_is_literal():
    typed = "<b>x</b> &amp; <para> {{ title }} {% if %} # not a heading"
    assert parse_inline(typed).plain == typed
    assert all(
        not s.strong and not s.emphasis and s.href is None for s in parse_inline(typed).spans
    )


def test_unsafe_links_keep_their_text_and_lose_their_target():
    parsed = parse_inline("[click](javascript:alert(1)) and [f](file:///etc/passwd)")
    assert parsed.plain == "click and f"
    assert all(s.href is None for s in parsed.spans)
    assert parsed.refused_links == ("javascript:alert(1)", "file:///etc/passwd")


def test_mailto_is_kept():
    assert parse_inline("[me](mailto:a@b.org)").spans[0].href == "mailto:a@b.org"


def test_whitespace_collapses():
    assert parse_inline("  one\n two   three ").plain == "one two three"


def test_backslash_escapes_a_literal_asterisk():
    assert parse_inline(r"5 \* 3").plain == "5 * 3"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="*_[]\\\r\x00"), max_size=60))
def test_text_without_markup_skips_the_parser_and_gives_the_same_spans(text):
    from briefgen.text import _parse_markdown

    assert parse_inline(text) == _parse_markdown(text)


def test_text_with_markup_still_goes_through_the_parser():
    spans = parse_inline("a *b* [c](https://x.org) \\*d").spans
    assert spans == (
        Span("a "),
        Span("b", emphasis=True),
        Span(" "),
        Span("c", href="https://x.org"),
        Span(" *d"),
    )
