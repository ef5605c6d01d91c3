"""Read YAML safely into plain data plus the line and column of every key and value.

ruamel.yaml composes the node tree (YAML 1.2, so `NO` stays the string for Norway); this
module builds plain Python data from it itself, so that no tag can construct an object,
duplicate keys are errors, and alias expansion, nesting depth and size are bounded.
Timestamps stay strings: `model.PartialDate` parses them and keeps their precision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from briefgen.errors import BriefError, Finding, KeyPath, Severity

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 200_000

Position = tuple[int, int]  # 1-based line and column

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass
class Locations:
    """Where each key path's value (and key) starts in the file."""

    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    # problems the reading went on past (with `keep_going`): reported with everything else
    problems: list[Finding] = field(default_factory=list)

    def find(self, path: KeyPath, at_key: bool = False) -> Position:
        """The position of `path`, or of its nearest located parent."""
        if at_key and path in self.keys:
            return self.keys[path]
        for n in range(len(path), -1, -1):
            if path[:n] in self.values:
                return self.values[path[:n]]
        return (1, 1)


class _Fail(Exception):
    def __init__(self, message: str, pos: Position, path: KeyPath = ()) -> None:
        super().__init__(message)
        self.finding = Finding(Severity.ERROR, message, path, "", pos[0], pos[1])


def _pos(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise _Fail(f"file is too large ({len(raw):,} bytes; at most {MAX_BYTES:,})", (1, 1))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        bad = raw[e.start : e.end].hex(" ")
        raise _Fail(f"not valid UTF-8 (byte {bad}); save the file as UTF-8", (line, col)) from None


def read_yaml(raw: bytes, keep_going: bool = False) -> tuple[Any, Locations]:
    """Bytes of a YAML document → (plain data, locations). Raises BriefError (unlocated file).

    With `keep_going`, a problem the data can be read past (a duplicate key: its first value
    is kept; a forbidden character: left out) is put in `Locations.problems` instead."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        text = _decode(raw)
        yaml = YAML(typ="safe", pure=True)
        try:
            node = yaml.compose(text)
        except ReaderError as e:
            line, col = _line_col(text, e.position)
            raise _Fail(
                f"character U+{ord(e.character) if isinstance(e.character, str) else e.character:04X}"
                " is not allowed in YAML; remove it",
                (line, col),
            ) from None
        except MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            problem = _syntax_problem(e.context, e.problem)
            problem = _advice(problem, text, mark.line if mark else -1)
            raise _Fail(f"YAML syntax error: {problem}", _pos(mark) if mark else (1, 1)) from None
        except RecursionError:
            raise _Fail(
                f"nested too deeply (over {MAX_DEPTH} levels)", _too_deep(yaml, text)
            ) from None
        except YAMLError as e:
            raise _Fail(f"YAML syntax error: {e}", (1, 1)) from None
        if node is None:
            raise _Fail(
                "the file is empty; a brief is a mapping of keys (see `briefgen new`)", (1, 1)
            )
        locs = Locations()
        builder = _Builder(yaml, locs, keep_going)
        data = builder.build(node, (), 0)
        return data, locs
    except _Fail as f:
        raise BriefError([f.finding]) from None


def _too_deep(yaml: Any, text: str) -> Position:
    """Where nesting first goes past MAX_DEPTH, found by a flat walk over parser events."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    try:
        for event in yaml.parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _pos(event.start_mark)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except Exception:
        pass
    return (1, 1)


def _syntax_problem(context: object, problem: object) -> str:
    """ruamel's context and problem as one sentence."""
    parts = [" ".join(str(p).split()) for p in (context, problem) if p]
    if len(parts) == 2 and parts[0].startswith("while "):
        parts = parts[1:]
    return ", ".join(parts) or "invalid YAML"


def _advice(problem: str, text: str, line: int) -> str:
    """ruamel's words, turned into what to do where a person can act on them."""
    if "'\\t'" in problem or "'\t'" in problem:
        return "a tab indents this line; YAML indents with spaces only: replace the tab with spaces"
    if problem.startswith("mapping values are not allowed here"):
        lines = text.splitlines()
        typed = lines[line] if 0 <= line < len(lines) else ""
        key, sep, value = typed.strip().lstrip("- ").partition(": ")
        if sep and value and not value.startswith(("'", '"', "[", "{")):
            quoted = value.replace("\\", "\\\\").replace('"', '\\"')
            return (
                f"the text of '{key}' holds ': ', which YAML reads as a new key; put the text "
                f'in quotes: {key}: "{quoted}"'
            )
        return "a ': ' in this line reads as a new key; put the text in quotes"
    return problem


def _line_col(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


class _Builder:
    def __init__(self, yaml: Any, locs: Locations, keep_going: bool = False) -> None:
        self.yaml = yaml
        self.locs = locs
        self.nodes = 0
        self.keep_going = keep_going

    def problem(self, fail: _Fail) -> None:
        """Raise, or (keeping going) note the problem and let the caller read on."""
        if not self.keep_going:
            raise fail
        self.locs.problems.append(fail.finding)

    def build(self, node: Any, path: KeyPath, depth: int) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Fail(
                f"too many values (over {MAX_NODES:,}, counting aliases); is an alias repeated?",
                _pos(node.start_mark),
                path,
            )
        if depth > MAX_DEPTH:
            raise _Fail(
                f"nested too deeply (over {MAX_DEPTH} levels)", _pos(node.start_mark), path[:4]
            )
        self.locs.values.setdefault(path, _pos(node.start_mark))
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode) and node.tag == _MAP:
            return self.mapping(node, path, depth)
        raise _Fail(self._tag_message(node.tag), _pos(node.start_mark), path)

    def mapping(self, node: Any, path: KeyPath, depth: int) -> dict[str, Any]:
        from ruamel.yaml.nodes import ScalarNode

        out: dict[str, Any] = {}
        for key_node, value_node in _pairs(node):
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                raise _Fail("a key must be a plain word", _pos(key_node.start_mark), path)
            key = str(key_node.value)
            if key in out:
                first = self.locs.keys[(*path, key)][0]
                self.problem(
                    _Fail(
                        f"duplicate key '{key}' (first given on line {first})",
                        _pos(key_node.start_mark),
                        (*path, key),
                    )
                )
                continue  # the first value stands; the rest of the file is still read
            self.locs.keys[(*path, key)] = _pos(key_node.start_mark)
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out

    def scalar(self, node: Any, path: KeyPath) -> Any:
        if node.tag == _TIMESTAMP:
            return str(node.value)
        if node.tag not in _PLAIN_TAGS:
            raise _Fail(self._tag_message(node.tag), _pos(node.start_mark), path)
        if node.tag == "tag:yaml.org,2002:str":
            try:
                return _clean_text(str(node.value), node, path)
            except _Fail as fail:
                self.problem(fail)
                return _FORBIDDEN.sub("", str(node.value))
        try:
            return self.yaml.constructor.construct_object(node, deep=True)
        except Exception:
            return str(node.value)

    @staticmethod
    def _tag_message(tag: str) -> str:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        return f"YAML tag '{shown}' is not allowed in a brief; write plain values"


# C0 and C1 controls (but tab, line feed, carriage return) and lone surrogates: no output
# format can hold them (XML forbids most), so they are refused where they are typed.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _clean_text(text: str, node: Any, path: KeyPath) -> str:
    bad = sorted(set(_FORBIDDEN.findall(text)))
    if bad:
        names = ", ".join(f"U+{ord(c):04X}" for c in bad)
        what = f"character {names} is" if len(bad) == 1 else f"characters {names} are"
        them = "it" if len(bad) == 1 else "them"
        raise _Fail(f"{what} not allowed in text; remove {them}", _pos(node.start_mark), path)
    return text


def _pairs(node: Any) -> Iterator[tuple[Any, Any]]:
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise _Fail(
                "YAML merge keys (<<) are not allowed in a brief", _pos(key_node.start_mark)
            )
        yield key_node, value_node
