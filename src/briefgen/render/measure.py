"""Deck text measured in points with DejaVu Sans metrics: wrapping, slide pieces, pagination."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby
from typing import Any, NamedTuple

from PIL import ImageFont

from briefgen.blocks import (
    Banner,
    BulletList,
    Chart,
    Definitions,
    Events,
    Fields,
    Figure,
    KeyFigures,
    Opinion,
    Paragraph,
    Picture,
    QuoteBlock,
    Section,
    Spans,
    Table,
    plain_spans,
    spans_text,
)
from briefgen.render import font_path
from briefgen.slots import Words as Labels
from briefgen.text import Span

# PowerPoint auto-fits text only when someone edits a slide, so every text box is measured here
# with DejaVu Sans (wider than Arial, the deck font), given an exact line spacing and sized to fit.
# A section that does not fit shrinks down to the theme's `min_body`, then continues on more slides.
LEADING = 1.2  # line height / font size, set exactly on every paragraph so measuring is exact
INCH = 72.0  # points per inch
CELL_X, CELL_Y, GAP = 5.76, 1.44, 18.0  # table cell padding; space between boxes side by side

_Bit = tuple[str, Span]  # some text and the span whose style it has
_BREAK = re.compile(r"([ \n])")


_FACES: dict[str, str] = {}  # the deck font's own files (theme `fonts.deck_metrics`), if any


def use_metrics(faces: dict[str, Any]) -> None:
    """Measure with these TrueType faces from now on ({} = the shipped DejaVu Sans)."""
    wanted = {k: str(v) for k, v in faces.items()}
    if wanted != _FACES:
        _FACES.clear()
        _FACES.update(wanted)
        for cached in (_font, _advances, text_width, _tokens):
            cached.cache_clear()


@lru_cache(maxsize=256)
def _font(bold: bool, italic: bool, size: float) -> ImageFont.FreeTypeFont:
    style = ("bold" if bold else "") + ("italic" if italic else "") or "regular"
    if _FACES:
        face = {"bolditalic": "bold_italic"}.get(style, style)
        return ImageFont.truetype(_FACES[face], size)
    return ImageFont.truetype(str(font_path(style)), size)


_REFERENCE = 1000.0  # characters are measured once, at this size, and scaled


@lru_cache(maxsize=4)
def _advances(bold: bool, italic: bool) -> dict[str, float]:
    """Advance width of each character met so far, per point of font size."""
    return {}


# Characters measured well one by one: Latin, Greek, Cyrillic and Armenian without combining
# marks, spaces, punctuation, currency and letterlike signs. Anything else (combining marks,
# scripts that are shaped, such as Arabic or Devanagari, zero-width and direction marks) is
# measured as a whole string, so the shaping engine's result counts.
_COMPLEX = re.compile(
    "[^\u0000-\u02ff\u0370-\u0482\u048a-\u058f\u1e00-\u1eff"
    "\u2000-\u200a\u2010-\u2027\u202f-\u205f\u20a0-\u20cf\u2100-\u218f]"
)


@lru_cache(maxsize=65536)  # each word once per size and style
def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width of `text` in points at `size`, in DejaVu Sans of that weight and slant.

    For most text, the sum of the characters' advances, each measured once: a word costs a few
    dictionary lookups. Kerning is left out; it moves a DejaVu word by a few hundredths of an
    em at most, far less than the room DejaVu's extra width leaves over Arial, the deck font.
    """
    if _COMPLEX.search(text):
        return size * float(_font(bold, italic, _REFERENCE).getlength(text)) / _REFERENCE
    table = _advances(bold, italic)
    for c in text:
        if c not in table:
            table[c] = float(_font(bold, italic, _REFERENCE).getlength(c)) / _REFERENCE
    return size * sum(table[c] for c in text)


@lru_cache(maxsize=4096)  # the same spans are wrapped at several sizes and widths
def _tokens(spans: Spans) -> tuple[tuple[str, Any], ...]:
    """(' ' or '\\n', bit) separators and ('w', (bit, ...)) words: a word's styled bits together."""
    out: list[tuple[str, Any]] = []
    word: list[_Bit] = []
    for s in spans:
        for part in _BREAK.split(s.text):
            if part == " " or part == "\n":
                if word:
                    out.append(("w", tuple(word)))
                    word = []
                out.append((part, (part, s)))
            elif part:
                word.append((part, s))
    return (*out, ("w", tuple(word))) if word else tuple(out)


@lru_cache(maxsize=8192)  # pagination measures the same text at a few sizes, many times
def wrap(
    spans: Spans, size: float, width: float, bold: bool = False, italic: bool = False
) -> tuple[Spans, ...]:
    """Lines that fit `width` points: breaks at spaces and newlines, a too-long word by character.

    Each line keeps the separator that ended it, so the lines joined give the spans back.
    """
    lines: list[list[_Bit]] = [[]]
    used = pending = 0.0  # width taken on this line; width of spaces waiting for the next word
    for kind, item in _tokens(spans):
        if kind != "w":  # a separator stays at the end of its line
            lines[-1].append(item)
            if kind == " ":
                s = item[1]
                pending += text_width(" ", size, s.strong or bold, s.emphasis or italic)
            else:
                lines.append([])
                used = pending = 0.0
            continue
        word: tuple[_Bit, ...] = item
        widths = [text_width(t, size, s.strong or bold, s.emphasis or italic) for t, s in word]
        if used and used + pending + sum(widths) > width:
            lines.append([])
            used = pending = 0.0
        if sum(widths) > width:  # wider than the box: break it by character
            word = tuple((c, s) for t, s in word for c in t)
            widths = [text_width(c, size, s.strong or bold, s.emphasis or italic) for c, s in word]
        for bit, w in zip(word, widths, strict=True):
            if used and used + pending + w > width:  # only when breaking a word by character
                lines.append([])
                used = pending = 0.0
            lines[-1].append(bit)
            used, pending = used + pending + w, 0.0
    return tuple(_merge(line) for line in lines if line) or ((),)


def _merge(bits: list[_Bit]) -> Spans:
    """Neighbouring bits of the same style as one span."""
    out = []
    for _, same in groupby(bits, key=lambda bit: (bit[1].strong, bit[1].emphasis, bit[1].href)):
        group = list(same)
        text, s = "".join(t for t, _ in group), group[-1][1]
        out.append(s if text == s.text else replace(s, text=text))
    return tuple(out)


# ---- pieces: what a slide is stacked from, each measured and split the same way it is drawn ----


@dataclass(frozen=True)
class Limits:
    """The most a slide holds: wrapped body lines (boxes side by side count as the tallest) and
    table data rows (a header row repeated on a continuation slide is not one)."""

    lines: int = 10**9
    rows: int = 10**9


@dataclass(frozen=True)
class Room:
    """What is left on the slide being filled: points, and lines and rows under the budget that
    pagination aims for (at most the limits); `fresh` when the slide is still empty."""

    height: float
    lines: int
    rows: int
    fresh: bool
    most: Limits  # an empty slide's limits: a unit larger than them is split, or sits alone
    full: float  # an empty slide's height

    def first(self) -> Room:
        """On an empty slide, the budget may be too small for the first unit: the limits."""
        return replace(self, lines=self.most.lines, rows=self.most.rows, fresh=False)


@dataclass(frozen=True)
class Para:
    """One paragraph, sized relative to the section's body size."""

    spans: Spans
    scale: float = 1.0
    bold: bool = False
    italic: bool = False
    colour: str = "ink"
    number: int = 0  # > 0 numbered item, -1 bullet
    marker: bool = True  # False on the second half of a split item
    after: float = 0.55  # space after, in multiples of the font size
    keep: bool = False  # keep with the next paragraph

    def size(self, base: float) -> float:
        """Font size in points for body text of `base` points, to the half point."""
        return round(base * self.scale * 2) / 2

    def indent(self, base: float) -> float:
        """Hanging indent of a bullet or number; 0 for plain text."""
        return 1.6 * self.size(base) if self.number else 0.0

    def lines(self, base: float, width: float) -> tuple[Spans, ...]:
        """The paragraph wrapped to `width` points."""
        return wrap(self.spans, self.size(base), width - self.indent(base), self.bold, self.italic)

    def height(self, base: float, width: float) -> float:
        """Its lines and the space after, in points."""
        return (len(self.lines(base, width)) * LEADING + self.after) * self.size(base)


def line(text: str, **style: Any) -> Para:
    """Plain text (never markup) as a paragraph."""
    return Para(plain_spans(text), **style)


@dataclass(frozen=True)
class TextPiece:
    """Paragraphs in one text box, perhaps on a coloured box or beside an accent bar."""

    paras: tuple[Para, ...]
    fill: str = ""  # theme colour of a box behind the text
    bar: bool = False  # accent bar on the left (quotes)
    full = False  # a slide of its own

    @property
    def whole(self) -> bool:
        """A box moves to the next slide whole, unless no slide can hold it."""
        return bool(self.fill or self.bar)

    def pad(self, base: float) -> tuple[float, float]:
        """Padding inside the box, left and right, top and bottom, in points."""
        if self.bar:
            return 0.3 * INCH, 0.3 * base
        return (0.8 * base, 0.6 * base) if self.fill else (0.0, 0.0)

    def height(self, base: float, width: float) -> float:
        """Height of the box in points."""
        px, py = self.pad(base)
        return 2 * py + sum(p.height(base, width - 2 * px) for p in self.paras)

    def count(self, base: float, width: float) -> tuple[int, int]:
        """Its wrapped lines, and no table rows."""
        inner = width - 2 * self.pad(base)[0]
        return sum(len(p.lines(base, inner)) for p in self.paras), 0

    def fit(self, base: float, width: float, room: Room) -> tuple[float, int, int] | None:
        """Its height, lines and rows when it fits `room`, else None; measuring stops at the
        paragraph that overflows by a point or a line (the sum that decides is `height`'s)."""
        px, py = self.pad(base)
        total, lines = 2 * py, 0
        for p in self.paras:
            total += p.height(base, width - 2 * px)
            lines += len(p.lines(base, width - 2 * px))
            if total > room.height + 1.0 or lines > room.lines:
                return None
        h = self.height(base, width)
        return (h, lines, 0) if h <= room.height else None

    def split(self, base: float, width: float, room: Room) -> tuple[TextPiece, TextPiece] | None:
        """What fits in `room` and the rest; None when nothing fits. Whole paragraphs (items)
        move on; only a paragraph longer than a whole slide is split between lines. Only the
        paragraphs that fit, and the first that does not, are measured."""
        px, py = self.pad(base)
        inner = width - 2 * px
        left, total, lines, n = room.height - 2 * py, 0.0, 0, 0
        for p in self.paras:
            h, k = p.height(base, inner), len(p.lines(base, inner))
            if total + h > left or lines + k > room.lines:  # summed in order as `sum` does
                break
            total, lines, n = total + h, lines + k, n + 1
        head, rest = list(self.paras[:n]), list(self.paras[n:])
        if rest:
            p = rest[0]
            wrapped = p.lines(base, inner)
            size = LEADING * p.size(base)
            longest = max(room.most.lines, 1)
            if len(wrapped) > longest or p.height(base, inner) > room.full - 2 * py:
                # longer than a slide: split between lines, leaving no single line behind
                k = min(int((left - total) // size), room.lines - lines, len(wrapped) - 1)
                if k >= 2 or (k == 1 and room.fresh and not head):
                    head.append(replace(p, spans=_rstrip(sum(wrapped[:k], ())), after=0))
                    rest[0] = replace(p, spans=sum(wrapped[k:], ()), marker=False)
        while head and head[-1].keep:
            rest.insert(0, head.pop())
        if not head:
            return self.split(base, width, room.first()) if room.fresh else None
        return replace(self, paras=tuple(head)), replace(self, paras=tuple(rest))


def _rstrip(spans: Spans) -> Spans:
    text = spans_text(spans).rstrip(" \n")
    out, n = [], 0
    for s in spans:
        if n < len(text):
            out.append(replace(s, text=s.text[: len(text) - n]))
        n += len(s.text)
    return tuple(out)


@dataclass(frozen=True)
class TablePiece:
    """A table, split between rows; its header row repeats on every slide."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Spans, ...], ...]
    widths: tuple[float, ...]
    numeric: tuple[bool, ...] = ()
    header: bool = True
    key: bool = False  # first column is the key (dates, terms): bold, accent, rules between rows
    full = False
    whole = False
    # What was measured, never part of the value, shared by all the pieces a table splits into
    # (`replace` passes it on): the whole table's column widths and row heights, each row's
    # measures. A long table is measured once, not once per slide, and a piece finds its rows'
    # heights at `_start` in the whole table's, so paginating it is linear in its rows.
    _by_row: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)
    _start: int = field(default=0, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        self._by_row.setdefault("whole", self.rows)  # the first piece made is the whole table

    def head(self) -> tuple[Spans, ...]:
        """The header row as spans."""
        return tuple(plain_spans(c) for c in self.columns)

    def col_widths(self, width: float, base: float) -> list[float]:
        """Widths of the columns in points, the same in every piece: see `_col_widths`."""
        if ("cols", width, base) not in self._by_row:
            self._by_row["cols", width, base] = _col_widths(self, width, base)
        return list(self._by_row["cols", width, base])

    def _row_heights(self, base: float, width: float) -> tuple[float, list[float]]:
        """The header's height and every row's of the whole table, measured once."""
        if ("rows", base, width) not in self._by_row:
            widths = tuple(cw - 2 * CELL_X for cw in self.col_widths(width, base))
            head = self.lines(self.head(), base, widths, True) * LEADING * base + 2 * CELL_Y
            rows = [
                self.lines(row, base, widths, False) * LEADING * base + 2 * CELL_Y
                for row in self._by_row["whole"]
            ]
            self._by_row["rows", base, width] = (head, rows)
        found: tuple[float, list[float]] = self._by_row["rows", base, width]
        return found

    def heights(self, base: float, width: float) -> list[float]:
        """The height of each row in points, the header's first."""
        head, rows = self._row_heights(base, width)
        return [head] * self.header + rows[self._start : self._start + len(self.rows)]

    def lines(
        self, cells: tuple[Spans, ...], base: float, widths: tuple[float, ...], head: bool
    ) -> int:
        """How many lines the fullest cell of a row takes; the header and the key are bold."""
        return max(
            len(wrap(c, base, cw, head or (self.key and i == 0)))
            for i, (c, cw) in enumerate(zip(cells, widths, strict=True))
        )

    def per_row(self, measure: Callable[..., Any], *args: Any) -> list[Any]:
        """`measure(row, *args)` for each row, each row measured once by all the table's pieces."""
        found = self._by_row.setdefault((measure.__name__, *args), {})
        out = []
        for row in self.rows:
            if id(row) not in found:  # the row is kept with its measure: its id stays its own
                found[id(row)] = (row, measure(row, *args))
            out.append(found[id(row)][1])
        return out

    def height(self, base: float, width: float) -> float:
        """Height of the whole table in points."""
        return sum(self.heights(base, width))

    def _fitting(self, base: float, width: float, avail: float) -> int:
        """How many of `heights` (the header's first) fit in `avail` points, counted from the
        top: as many rows as fit, never all of them measured (a slide holds a few)."""
        head, rows = self._row_heights(base, width)
        total, n = (head if self.header else 0), int(self.header)
        if self.header and total > avail:
            return 0
        for i in range(self._start, self._start + len(self.rows)):  # no copy of the rest
            if total + rows[i] > avail:
                break
            total, n = total + rows[i], n + 1
        return n

    def count(self, base: float, width: float) -> tuple[int, int]:
        """No lines of text (rows are counted as rows), and its data rows."""
        return 0, len(self.rows)

    def fit(self, base: float, width: float, room: Room) -> tuple[float, int, int] | None:
        """Its height, lines and rows when it fits `room`, else None; measuring stops at the row
        that overflows by a point (the sum that decides is `height`'s)."""
        if len(self.rows) > room.rows:
            return None
        if self._fitting(base, width, room.height + 1.0) < self.header + len(self.rows):
            return None
        h = self.height(base, width)
        return (h, 0, len(self.rows)) if h <= room.height else None

    def split(self, base: float, width: float, room: Room) -> tuple[TablePiece, TablePiece] | None:
        """The rows that fit in `room` and the rest; None when no row fits. Never mid-row."""
        n = len(self.rows)
        k = min(self._fitting(base, width, room.height) - self.header, room.rows)
        if k <= 0 and room.fresh:  # the budget is too small for one row: the limits
            k = min(self._fitting(base, width, room.height) - self.header, room.most.rows)
        if n - k < 3:  # no orphans: leave a few rows for the next slide
            k = min(k, max(n - 3, (n + 1) // 2))
        if k <= 0:
            return None
        fixed = tuple(self.col_widths(width, base))  # both halves keep the same columns
        head, rest = (
            replace(self, rows=rows, widths=fixed, _start=start)
            for rows, start in ((self.rows[:k], self._start), (self.rows[k:], self._start + k))
        )
        return head, rest


def _col_widths(table: TablePiece, width: float, base: float) -> list[float]:
    """Relative widths, widened so words never break, then so numbers and short cells stay whole."""
    widths = [width * w / (sum(table.widths) or 1.0) for w in table.widths]
    numeric = tuple(i < len(table.numeric) and table.numeric[i] for i in range(len(widths)))
    for whole in (False, True):
        rows = [_widest(table.head(), numeric, base, whole)]
        rows += table.per_row(_widest, numeric, base, whole)
        need = [
            max((w for w in col if w is not None), default=0) + 2 * CELL_X + 1
            for col in zip(*rows, strict=True)
        ]
        short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
        spare = sum(max(0.0, w - n) for n, w in zip(need, widths, strict=True))
        if take := min(short, spare):  # take from columns with room, as much as they have
            widths = [
                w + (n - w) * take / short if n > w else w - (w - n) * take / spare
                for n, w in zip(need, widths, strict=True)
            ]
    return widths


def _widest(
    cells: tuple[Spans, ...], numeric: tuple[bool, ...], base: float, whole: bool
) -> tuple[float | None, ...]:
    """Each cell's widest word (with `whole`: whole lines of numbers and short cells), in bold."""
    found = []
    for c, num in zip(cells, numeric, strict=True):
        lines = spans_text(c).split("\n")
        units = [u for x in lines for u in ([x] if whole and (num or len(x) <= 14) else x.split())]
        found.append(max((text_width(u, base, True) for u in units), default=None))
    return tuple(found)


@dataclass(frozen=True)
class GridPiece:
    """Boxes side by side in rows of equal height: key-figure tiles, opinions."""

    cells: tuple[TextPiece, ...]
    cols: int
    kind: str = ""
    full = False
    whole = False

    def cell(self, width: float) -> float:
        """Width of one box in points."""
        return (width - (self.cols - 1) * GAP) / self.cols

    def rows(self) -> list[tuple[TextPiece, ...]]:
        """The boxes, row by row."""
        return [self.cells[i : i + self.cols] for i in range(0, len(self.cells), self.cols)]

    def heights(self, base: float, width: float) -> list[float]:
        """Height of each row: its tallest box."""
        return [max(c.height(base, self.cell(width)) for c in row) for row in self.rows()]

    def height(self, base: float, width: float) -> float:
        """Height of the grid in points."""
        return sum(self.heights(base, width)) + GAP * (len(self.rows()) - 1)

    def row_lines(self, base: float, width: float) -> list[int]:
        """Lines of each row: its tallest box's."""
        cw = self.cell(width)
        return [max(c.count(base, cw)[0] for c in row) for row in self.rows()]

    def count(self, base: float, width: float) -> tuple[int, int]:
        """Its lines, row by row the tallest box's, and no table rows."""
        return sum(self.row_lines(base, width)), 0

    def fit(self, base: float, width: float, room: Room) -> tuple[float, int, int] | None:
        """Its height, lines and rows when it fits `room`, else None."""
        h, lines = self.height(base, width), sum(self.row_lines(base, width))
        return (h, lines, 0) if h <= room.height and lines <= room.lines else None

    def split(self, base: float, width: float, room: Room) -> tuple[GridPiece, GridPiece] | None:
        """The rows that fit in `room` and the rest; None when no row fits (on an empty slide,
        the first row is taken even when it has more lines than the limit: boxes never split)."""
        heights, total, k = self.heights(base, width), 0.0, 0
        row_lines, lines = self.row_lines(base, width), 0
        for h, n in zip(heights, row_lines, strict=True):  # as many rows as fit, with the gaps
            if total + h + GAP * k > room.height or lines + n > room.lines:
                break
            total, lines, k = total + h, lines + n, k + 1
        if not k and room.fresh:
            if heights[0] > room.height:
                return None
            k = 1
        cut = k * self.cols
        if not k:
            return None
        return replace(self, cells=self.cells[:cut]), replace(self, cells=self.cells[cut:])


@dataclass(frozen=True)
class MediaPiece:
    """A picture or a chart: a slide of its own, scaled to the free area."""

    block: Picture | Chart
    full = True
    whole = True

    def height(self, base: float, width: float) -> float:
        """Nothing: media takes what its slide has left."""
        return 0.0

    def count(self, base: float, width: float) -> tuple[int, int]:
        """Its caption is drawn with it: nothing counted."""
        return 0, 0

    def fit(self, base: float, width: float, room: Room) -> tuple[float, int, int] | None:
        """Never: media has a slide of its own."""
        return None

    def split(self, base: float, width: float, room: Room) -> None:
        """Media never splits."""
        return None


Piece = TextPiece | TablePiece | GridPiece | MediaPiece


def tiles(items: tuple[Figure, ...], width: float, body: float) -> list[GridPiece]:
    """Key figures as tiles: the value as large as the narrowest tile allows, label and note under it."""
    rows = -(-len(items) // max(1, int((width + GAP) / (2.2 * INCH + GAP))))  # tiles ≥ 2.2 in wide
    per_row = -(-len(items) // rows)  # rows as even as they can be
    inner = (width - (per_row - 1) * GAP) / per_row - 1.6 * body
    value = 2.2 * body

    def fits(f: Figure) -> bool:  # every word of the value on one line, the value on two at most
        widest = max(text_width(w, value, True) for w in f.value.split() or [""])
        return widest <= inner and len(wrap(plain_spans(f.value), value, inner, True)) <= 2

    while value > body and not all(fits(f) for f in items):
        value -= 2
    cells = tuple(
        TextPiece(
            (
                line(f.value, scale=value / body, bold=True, colour="accent", after=0.15),
                Para(f.label, after=0.4 if f.note else 0),
                *((line(f.note, scale=0.7, colour="muted", after=0),) if f.note else ()),
            ),
            fill="shade",
        )
        for f in items
    )
    return [GridPiece(cells[i : i + per_row], per_row) for i in range(0, len(cells), per_row)]


def pieces(section: Section, labels: Labels, width: float, body: float) -> list[Piece]:
    """A section's blocks as pieces; neighbouring plain text shares one text box."""
    out: list[Piece] = []
    for b in section.blocks:
        piece: Piece
        if isinstance(b, Paragraph) and section.style == "note":  # a content note: large, shaded
            piece = TextPiece((Para(b.spans, 1.3, after=0),), fill="shade")
        elif isinstance(b, Paragraph):
            scale = {"lead": 1.15, "small": 0.7, "caption": 0.7}.get(b.style, 1.0)
            colour = {"note": "muted", "subheading": "accent"}.get(b.style, "ink")
            head = b.style == "subheading"
            piece = TextPiece((Para(b.spans, scale, head, b.style == "note", colour, keep=head),))
        elif isinstance(b, BulletList):
            piece = TextPiece(
                tuple(
                    Para(i, number=n if b.numbered else -1, after=0.35)
                    for n, i in enumerate(b.items, 1)
                )
            )
        elif isinstance(b, Table):
            piece = TablePiece(b.columns, b.rows, b.widths, b.numeric)
        elif isinstance(b, Events | Definitions):
            pairs = b.items if isinstance(b, Events) else [(d.term, d.definition) for d in b.items]
            rows = tuple((plain_spans(k), v) for k, v in pairs)
            keys = max(text_width(k, body, True) for k, _ in pairs)
            share = min(0.25, (keys + 2 * CELL_X + 2) / width)
            piece = TablePiece(("", ""), rows, (share, 1 - share), header=False, key=True)
        elif isinstance(b, KeyFigures):
            out += tiles(b.items, width, body)
            continue
        elif isinstance(b, Fields):  # lines to write on: for paper, not for a screen
            continue
        elif isinstance(b, Banner):
            piece = TextPiece((line(b.text.upper(), bold=True, colour="banner", after=0.2),))
        elif isinstance(b, QuoteBlock):  # a paraphrase gets no quotation marks
            marks = labels.table.get("quote_open", "“"), labels.table.get("quote_close", "”")
            text = b.text if b.paraphrase else (Span(marks[0]), *b.text, Span(marks[1]))
            said = Para(text, 1.3, italic=True, after=0.3)
            who = line("— " + b.attribution, scale=0.8, colour="muted", after=0)
            piece = TextPiece((said, who), bar=True)
        elif isinstance(b, Opinion):  # side by side, each marked as opinion
            opinion = labels["opinion"].upper()
            mark = line(opinion, scale=0.75, bold=True, colour="accent", after=0.2, keep=True)
            label = line(b.label, bold=True, after=0.2, keep=True)
            box = TextPiece((mark, label, Para(b.text, after=0)), fill="opinion")
            last = out[-1] if out else None
            if isinstance(last, GridPiece) and last.kind == "opinion":
                out[-1] = replace(last, cells=(*last.cells, box), cols=2)
            else:
                out.append(GridPiece((box,), 1, "opinion"))
            continue
        else:
            piece = MediaPiece(b)
        last = out[-1] if out else None
        if (
            isinstance(piece, TextPiece)
            and isinstance(last, TextPiece)
            and not (piece.whole or last.whole)
        ):
            out[-1] = replace(last, paras=last.paras + piece.paras)
        else:
            out.append(piece)
    return out


# ---- pagination ----


class Paged(NamedTuple):
    """Pieces stacked onto slides; `over`: something cannot fit a slide at all; `dense`: a slide
    has more lines or rows than the limits (a box that never splits)."""

    pages: list[list[Piece]]
    over: bool
    dense: bool


def _empty(piece: Piece) -> bool:
    if isinstance(piece, TextPiece):
        return not piece.paras
    if isinstance(piece, TablePiece):
        return not piece.rows
    return isinstance(piece, GridPiece) and not piece.cells


def paginate(
    items: list[Piece],
    base: float,
    width: float,
    avail: float,
    limits: Limits = Limits(),
    budget: Limits | None = None,
) -> Paged:
    """Stack pieces onto slides of `avail` points and at most `limits`, aiming for `budget`
    (at most the limits: a balanced split), splitting text between paragraphs and tables
    between rows."""
    aim = budget or limits
    pages: list[list[Piece]] = [[]]
    used, lines, rows = 0.0, 0, 0
    overflow = dense = False
    queue = deque(items)
    while queue:
        p = queue.popleft()
        fresh = not pages[-1]
        gap = 0.0 if fresh else 0.6 * base
        room = Room(avail - used - gap, aim.lines - lines, aim.rows - rows, fresh, limits, avail)
        # `fit` measures only what a slide can hold: a long table or list is measured slide by
        # slide, never whole for each slide (which made the deck quadratic in its rows)
        if not p.full and (got := p.fit(base, width, room)) is not None:
            pages[-1].append(p)
            used, lines, rows = used + gap + got[0], lines + got[1], rows + got[2]
            continue
        parts = None if p.whole and not fresh else p.split(base, width, room)
        if parts is not None:
            pages[-1].append(parts[0])
            more = parts[0].count(base, width)  # a slide's worth: cheap
            lines, rows = lines + more[0], rows + more[1]
            if not _empty(parts[1]):
                queue.appendleft(parts[1])
        elif not fresh:
            queue.appendleft(p)
        else:
            pages[-1].append(p)
            overflow = overflow or not p.full
        dense = dense or lines > limits.lines or rows > limits.rows
        pages.append([])
        used, lines, rows = 0.0, 0, 0
    dense = dense or lines > limits.lines or rows > limits.rows
    return Paged([page for page in pages if page], overflow, dense)


def balance(
    items: list[Piece], base: float, width: float, avail: float, limits: Limits, paged: Paged
) -> Paged:
    """The same slides, as even as they can be: the budget is the section's lines and rows
    shared out, raised until no more slides are needed (a 7 + 1 split becomes 4 + 4). A few
    passes, each linear in the section."""
    n = len(paged.pages)
    if n < 2:
        return paged
    pages = [[p.count(base, width) for p in page] for page in paged.pages]
    totals = [[sum(c[i] for c in page) for i in (0, 1)] for page in pages]
    each = [-(-sum(t[i] for t in totals) // n) for i in (0, 1)]  # shared out, rounded up
    most = [max(t[i] for t in totals) for i in (0, 1)]  # what the greedy split needed
    for extra in range(max(most) + 1):
        aim = Limits(min(most[0], each[0] + extra), min(most[1], each[1] + extra))
        if [aim.lines, aim.rows] == most:
            break
        tried = paginate(items, base, width, avail, limits, aim)
        if len(tried.pages) <= n and not tried.over and tried.dense <= paged.dense:
            return tried
    return paged


def _takeaway(page: list[Piece]) -> str:
    """The point of the first chart on a slide that states one, generated from its data."""
    for piece in page:
        block = getattr(piece, "block", None)
        if isinstance(block, Chart) and block.spec.takeaway:
            return block.spec.takeaway
    return ""


def _fine_print(items: list[Piece]) -> list[TextPiece]:
    """Plain text after a section's last table: notes on its rows."""
    last = max((i for i, p in enumerate(items) if isinstance(p, TablePiece)), default=len(items))
    tail = [p for p in items[last + 1 :] if isinstance(p, TextPiece) and not p.whole]
    return tail if len(tail) == len(items[last + 1 :]) else []


@dataclass(frozen=True)
class SlidePlan:
    """One content slide: its title, speaker notes, body text size and pieces."""

    title: str
    notes: str
    base: float  # body text size in points
    items: list[Piece]
    centre: bool = False  # centre the content vertically (a content note)


@dataclass(frozen=True)
class _Made:
    """A slide planned, with what merging needs to know of it."""

    plan: SlidePlan
    heading: str  # its section's heading
    first: bool  # the first slide of its section
    last: bool  # the last slide of its section
    short: bool  # a single piece of text, of two lines at most


def _first_rows(items: list[Piece], keep: int, more: str | None) -> list[Piece]:
    """The pieces with only the first `keep` rows of their tables (counted across them all),
    and `more` said after the last table that was cut."""
    out: list[Piece] = []
    for p in items:
        if not isinstance(p, TablePiece):
            out.append(p)
            continue
        if keep >= len(p.rows):
            out.append(p)
        elif keep > 0:  # measured afresh: the whole table's measures are not this one's
            out.append(replace(p, rows=p.rows[:keep], _by_row={}, _start=0))
        keep -= len(p.rows)
        if keep < 0 and more is not None:
            out.append(TextPiece((line(more, scale=0.8, colour="muted", after=0),)))
            more = None
    return out


def _short(piece: Piece, base: float, width: float) -> bool:
    """Text of two lines at most, or a table of two rows at most."""
    if isinstance(piece, TextPiece | TablePiece):
        return sum(piece.count(base, width)) <= 2
    return False


def _subheading(text: str) -> TextPiece:
    """A merged part's heading inside the slide, kept with what follows it."""
    return TextPiece((line(text, bold=True, colour="accent", after=0.1, keep=True),))


@dataclass
class Planner:
    """Sections onto slides with a text area `width` × `avail` points; `warnings` collects.

    No slide has more than `limits` (wrapped lines, table rows): a longer section continues on
    more slides, split evenly; a slide of one or two lines joins a neighbour that has room."""

    labels: Labels
    width: float
    avail: float
    body: float  # body text size in points
    min_body: float  # the smallest, before a section continues on more slides
    warnings: list[str] = field(default_factory=list)
    limits: Limits = Limits(7, 8)
    max_slides: int = 10**6  # the most slides a part with a table takes: see `_cut`
    number: Callable[[int], str] = str  # a count as the brief's language writes it

    def plan(self, sections: tuple[Section, ...]) -> list[SlidePlan]:
        """Every content slide: its title, notes, text size and pieces."""
        made: list[_Made] = []
        joinable = False
        for section in sections:
            items = pieces(section, self.labels, self.width, self.body)
            notes = section.notes or section.heading
            if joinable and all(isinstance(b, KeyFigures) for b in section.blocks):
                # key figures join the slide before (the summary) when they fit there unshrunk
                last = made[-1].plan
                merged = [*last.items, _subheading(section.heading), *items]
                if self._one_slide(merged, last.base):
                    plan = replace(last, items=merged, notes=f"{last.notes}\n\n{notes}")
                    made[-1] = replace(made[-1], plan=plan, short=False)
                    joinable = False
                    continue
            base, pages, cut = self._cut(items, section.heading)
            if fine := _fine_print(items):  # notes on a table's rows go to the speaker notes
                base2, pages2, cut2 = self._cut(items[: -len(fine)], section.heading)
                if len(pages2) < len(pages):  # ... when that saves a slide
                    base, pages, cut = base2, pages2, cut2
                    extra = [spans_text(p.spans) for piece in fine for p in piece.paras]
                    notes = "\n".join([notes, *(t for t in extra if t and t not in notes)])
            if cut:
                self.warnings.append(cut)
            for n, page in enumerate(pages):
                title, said = section.heading, notes  # the notes go once, on the first slide
                if n:
                    key = "continued_of" if len(pages) > 2 else "continued"  # titles unique
                    title = self.labels.fill(key, title=section.heading, n=n + 1, total=len(pages))
                    said = self.labels.fill("continued_notes", title=section.heading)
                title = _takeaway(page) or title  # a chart's slide states the chart's point
                plan = SlidePlan(title, said, base, page, section.style == "note")
                short = len(pages) == 1 and len(page) == 1 and _short(page[0], base, self.width)
                made.append(_Made(plan, section.heading, n == 0, n == len(pages) - 1, short))
            joinable = len(pages) == 1 and not any(p.full for p in pages[0])
        return [m.plan for m in self.merge(made)]

    def _cut(self, items: list[Piece], heading: str) -> tuple[float, list[list[Piece]], str]:
        """`choose`, for a part whose tables would take more than `max_slides` slides: their
        first rows, as many as that many slides show, then a line saying how many more there
        are (the other outputs have them all), and the warning that says so ("" when nothing
        is cut). A table of thousands of rows is cut before it is measured: the most a slide
        holds bounds what can be shown."""
        tables = [p for p in items if isinstance(p, TablePiece)]
        total = sum(len(t.rows) for t in tables)
        keep = min(total, self.max_slides * self.limits.rows)
        base, pages = self.choose(_first_rows(items, keep, None), heading)
        if not total or (keep == total and len(pages) <= self.max_slides):
            return base, pages, ""  # a long text is not cut: only tables are
        more = None
        for _ in range(4):  # rows taller than a line: fewer per slide; a few tries settle it
            shown = sum(
                len(p.rows)
                for page in pages[: self.max_slides]
                for p in page
                if isinstance(p, TablePiece)
            )
            if more is not None and len(pages) <= self.max_slides and shown == keep:
                break
            if len(pages) > self.max_slides:  # one row fewer: room for the line that says so
                keep = max(1, min(keep, shown) - 1)
            more = self.labels.fill("not_shown", n=self.number(total - keep))
            base, pages = self.choose(_first_rows(items, keep, more), heading)
        said = (
            f"'{heading}' shows {self.number(keep)} of its {self.number(total)} table rows"
            f" on {len(pages)} slides (max_slides: {self.max_slides}); the other outputs have "
            "them all"
        )
        return base, pages, said

    def merge(self, made: list[_Made]) -> list[_Made]:
        """A slide of one or two lines joins the slide before when that one has room, else the
        one after (a part on one slide): under its own heading, as a sub-heading."""
        out: list[_Made] = []
        for m in made:
            before = out[-1] if out else None
            takes = before is not None and (
                (m.short and before.last) or (before.short and m.first and m.last)
            )
            if before is not None and takes and (joined := self._join(before, m)) is not None:
                out[-1] = joined
                continue
            out.append(m)
        return out

    def _join(self, a: _Made, b: _Made) -> _Made | None:
        """`b` under its heading after `a`'s content, on `a`'s slide, when it fits unshrunk."""
        if any(p.full for p in (*a.plan.items, *b.plan.items)):
            return None
        base = min(a.plan.base, b.plan.base)
        items = [*a.plan.items, _subheading(b.heading), *b.plan.items]
        if not self._one_slide(items, base):
            return None
        said = b.plan.notes if b.plan.notes == b.heading else f"{b.heading}\n{b.plan.notes}"
        notes = f"{a.plan.notes}\n\n{said}"
        centre = a.plan.centre and b.plan.centre
        plan = SlidePlan(a.plan.title, notes, base, items, centre)
        return _Made(plan, a.heading, a.first, b.last, False)

    def _one_slide(self, items: list[Piece], base: float) -> bool:
        """The pieces fit one slide at `base` points, within the limits."""
        got = paginate(items, base, self.width, self.avail, self.limits)
        return len(got.pages) == 1 and not got.over and not got.dense

    def choose(self, items: list[Piece], heading: str) -> tuple[float, list[list[Piece]]]:
        """Shrink first (down to min_body), then split across slides; never smaller than needed.

        The largest size that needs no more slides than the smallest wins: sizes are tried from
        the largest down, and only until one does, so text is measured at no more sizes than
        needed. The slides are then balanced: as even as they can be, no more of them.
        """
        if not any(isinstance(p, TablePiece | GridPiece) for p in items):
            # text at the body size: shrinking it would put more words on a slide, not fewer
            # slides (a slide holds `limits.lines` lines at any size); only what cannot fit
            # a slide at all shrinks
            got = paginate(items, self.body, self.width, self.avail, self.limits)
            if not got.over and not got.dense:
                got = balance(items, self.body, self.width, self.avail, self.limits, got)
                return self.body, got.pages
        size, sizes = self.min_body, range(int(self.body), int(self.min_body), -2)
        got = paginate(items, size, self.width, self.avail, self.limits)
        while got.over and size > 8:  # something cannot fit even alone: last resort, warn
            size -= 1
            got = paginate(items, size, self.width, self.avail, self.limits)
        if size < self.min_body:
            self.warnings.append(f"'{heading}' needed {size:g} pt text to fit a slide")
        for larger in sizes:
            tried = paginate(items, larger, self.width, self.avail, self.limits)
            if not tried.over and tried.dense <= got.dense and len(tried.pages) <= len(got.pages):
                size, got = float(larger), tried
                break
        got = balance(items, size, self.width, self.avail, self.limits, got)
        return size, got.pages
