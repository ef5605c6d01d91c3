"""Deck text measured in points with DejaVu Sans metrics: wrapping, slide pieces, pagination."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby
from typing import Any

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

    def fit(self, base: float, width: float, used: float, avail: float) -> float | None:
        """Its height when `used` points and it fit in `avail`, else None; measuring stops at
        the paragraph that overflows by a point (the sum that decides is `height`'s)."""
        px, py = self.pad(base)
        total = 2 * py
        for p in self.paras:
            total += p.height(base, width - 2 * px)
            if used + total > avail + 1.0:
                return None
        h = self.height(base, width)
        return h if used + h <= avail else None

    def split(self, base: float, width: float, avail: float) -> tuple[TextPiece, TextPiece] | None:
        """What fits in `avail` points and the rest; None when nothing fits. Only the paragraphs
        that fit, and the first that does not, are measured."""
        px, py = self.pad(base)
        left, total, n = avail - 2 * py, 0.0, 0
        for p in self.paras:
            h = p.height(base, width - 2 * px)
            if total + h > left:  # as many as fit, summed in order as `sum` does
                break
            total, n = total + h, n + 1
        head, rest = list(self.paras[:n]), list(self.paras[n:])
        spare = left - total
        lines, p = rest[0].lines(base, width - 2 * px), rest[0]
        k = int(spare // (LEADING * p.size(base)))
        if 0 < k < len(lines):  # split the paragraph between two lines
            head.append(replace(p, spans=_rstrip(sum(lines[:k], ())), after=0))
            rest[0] = replace(p, spans=sum(lines[k:], ()), marker=False)
        while head and head[-1].keep:
            rest.insert(0, head.pop())
        if not head:
            return None
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

    def fit(self, base: float, width: float, used: float, avail: float) -> float | None:
        """Its height when `used` points and it fit in `avail`, else None; measuring stops at
        the row that overflows by a point (the sum that decides is `height`'s)."""
        if self._fitting(base, width, avail - used + 1.0) < self.header + len(self.rows):
            return None
        h = self.height(base, width)
        return h if used + h <= avail else None

    def split(
        self, base: float, width: float, avail: float
    ) -> tuple[TablePiece, TablePiece] | None:
        """The rows that fit in `avail` points and the rest; None when no row fits."""
        n = len(self.rows)
        k = self._fitting(base, width, avail) - self.header
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

    def fit(self, base: float, width: float, used: float, avail: float) -> float | None:
        """Its height when `used` points and it fit in `avail`, else None."""
        h = self.height(base, width)
        return h if used + h <= avail else None

    def split(self, base: float, width: float, avail: float) -> tuple[GridPiece, GridPiece] | None:
        """The rows that fit in `avail` points and the rest; None when no row fits."""
        heights, total, k = self.heights(base, width), 0.0, 0
        for h in heights:  # as many rows as fit, with the gaps between them
            if total + h + GAP * k > avail:
                break
            total, k = total + h, k + 1
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

    def fit(self, base: float, width: float, used: float, avail: float) -> float | None:
        """Never: media has a slide of its own."""
        return None

    def split(self, base: float, width: float, avail: float) -> None:
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


def paginate(
    items: list[Piece], base: float, width: float, avail: float
) -> tuple[list[list[Piece]], bool]:
    """Stack pieces onto slides, splitting text and tables; True if something cannot fit at all."""
    pages: list[list[Piece]] = [[]]
    used, overflow, queue = 0.0, False, deque(items)
    while queue:
        p = queue.popleft()
        gap = 0.6 * base if pages[-1] else 0.0
        # `fit` measures only what a slide can hold: a long table or list is measured slide by
        # slide, never whole for each slide (which made the deck quadratic in its rows)
        if not p.full and (h := p.fit(base, width, used + gap, avail)) is not None:
            pages[-1].append(p)
            used += gap + h
            continue
        parts = None if p.whole and pages[-1] else p.split(base, width, avail - used - gap)
        if parts is not None:
            pages[-1].append(parts[0])
            queue.appendleft(parts[1])
        elif pages[-1]:
            queue.appendleft(p)
        else:
            pages[-1].append(p)
            overflow = overflow or not p.full
        pages.append([])
        used = 0.0
    return [page for page in pages if page], overflow


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


@dataclass
class Planner:
    """Sections onto slides with a text area `width` × `avail` points; `warnings` collects."""

    labels: Labels
    width: float
    avail: float
    body: float  # body text size in points
    min_body: float  # the smallest, before a section continues on more slides
    warnings: list[str] = field(default_factory=list)

    def plan(self, sections: tuple[Section, ...]) -> list[SlidePlan]:
        """Every content slide: its title, notes, text size and pieces."""
        plans: list[SlidePlan] = []
        joinable = False
        for section in sections:
            items = pieces(section, self.labels, self.width, self.body)
            notes = section.notes or section.heading
            if joinable and all(isinstance(b, KeyFigures) for b in section.blocks):
                # key figures join the slide before (the summary) when they fit there unshrunk
                last = plans[-1]
                heading = line(section.heading, bold=True, colour="accent", after=0.1, keep=True)
                merged = [*last.items, TextPiece((heading,)), *items]
                pages, over = paginate(merged, last.base, self.width, self.avail)
                if len(pages) == 1 and not over:
                    plans[-1] = replace(last, items=merged, notes=f"{last.notes}\n\n{notes}")
                    joinable = False
                    continue
            base, pages = self.choose(items, section.heading)
            if fine := _fine_print(items):  # notes on a table's rows go to the speaker notes
                base2, pages2 = self.choose(items[: -len(fine)], section.heading)
                if len(pages2) < len(pages):  # ... when that saves a slide
                    base, pages = base2, pages2
                    extra = [spans_text(p.spans) for piece in fine for p in piece.paras]
                    notes = "\n".join([notes, *(t for t in extra if t and t not in notes)])
            for n, page in enumerate(pages):
                title, said = section.heading, notes  # the notes go once, on the first slide
                if n:
                    title = self.labels.fill("continued", title=section.heading)
                    said = self.labels.fill("continued_notes", title=section.heading)
                title = _takeaway(page) or title  # a chart's slide states the chart's point
                plans.append(SlidePlan(title, said, base, page, section.style == "note"))
            joinable = len(pages) == 1 and not any(p.full for p in pages[0])
        return plans

    def choose(self, items: list[Piece], heading: str) -> tuple[float, list[list[Piece]]]:
        """Shrink first (down to min_body), then split across slides; never smaller than needed.

        The largest size that needs no more slides than the smallest wins: sizes are tried from
        the largest down, and only until one does, so text is measured at no more sizes than needed.
        """
        size, sizes = self.min_body, range(int(self.body), int(self.min_body), -2)
        pages, over = paginate(items, size, self.width, self.avail)
        while over and size > 8:  # something cannot fit even alone: last resort, warn
            size -= 1
            pages, over = paginate(items, size, self.width, self.avail)
        if size < self.min_body:
            self.warnings.append(f"deck: '{heading}' needed {size:g} pt text to fit a slide")
        for larger in sizes:
            tried, too_big = paginate(items, larger, self.width, self.avail)
            if not too_big and len(tried) <= len(pages):
                return float(larger), tried
        return size, pages
