"""Every problem at once: when a brief's shape is wrong, check the parts that are right.

Pydantic reports every field that does not fit the model, but the rules that relate fields
(`checks.py`) need a Brief. So the data is mended just enough to make one: a wrong optional
field is left out, an entry still wrong without it is left out of its list, a wrong required
key takes a stand-in. The rules run on that Brief; what they find is mapped back to the
entries' places in the file, and what only the mending caused (a stand-in's date, a source
or actor left out) is dropped. Nothing of the mended Brief is ever rendered.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from briefgen.countries import normalise
from briefgen.errors import Finding, KeyPath
from briefgen.model import Brief

# Stand-ins for required keys that are missing or wrong: plain, and citing nothing.
STAND_INS: dict[str, Any] = {
    "title": "-",
    "summary": "-",
    "date": "9999-12-31",
    "background": ["-"],
    "actors": [{"name": "-", "kind": "other", "role": "-"}],
    "sources": [{"id": "stand-in", "title": "-"}],
}
_LISTS = {n for n, f in Brief.model_fields.items() if "list[" in str(f.annotation)}


@dataclass
class Mended:
    """A Brief made from the parts of the data that fit, and how to read its findings."""

    brief: Brief
    kept: dict[str, list[int]] = field(default_factory=dict)  # list → original index of each
    stood_in: set[str] = field(default_factory=set)
    dropped_ids: set[str] = field(default_factory=set)  # source ids of entries left out
    dropped_names: set[str] = field(default_factory=set)  # actor names of entries left out

    def restore(self, findings: list[Finding]) -> list[Finding]:
        """Findings on the mended Brief → findings on the file (those it caused dropped)."""
        out = []
        for f in findings:
            if self._caused(f):
                continue
            path: KeyPath = f.path
            if len(path) >= 2 and isinstance(path[1], int) and str(path[0]) in self.kept:
                path = (path[0], self.kept[str(path[0])][path[1]], *path[2:])
            out.append(Finding(f.severity, f.message, path, f.file, f.line, f.column))
        return out

    def _caused(self, f: Finding) -> bool:
        """Whether only the mending made this finding (a stand-in, an entry left out)."""
        top = f.path[0] if f.path else ""
        if top in self.stood_in:
            return True
        if "date" in self.stood_in and "brief date" in f.message:
            return True
        if "is not listed in sources" in f.message:
            cited = f.message.split("'")[1]
            return "sources" in self.stood_in or cited in self.dropped_ids
        if "is neither a country nor an actor" in f.message:
            party = normalise(f.message.split("'")[1])
            return party in self.dropped_names  # no actors at all: the party is unknown indeed
        return False


def mend(data: dict[str, Any], errors: list[KeyPath]) -> Mended | None:
    """A Brief from `data` without the parts at `errors` (pydantic's, as key paths); None when
    even that fails (the rules then have nothing to run on)."""
    import pydantic

    from briefgen.load import _data_path

    data = copy.deepcopy(data)
    kept: dict[str, list[int]] = {}
    stood_in: set[str] = set()
    dropped: dict[str, list[Any]] = {"sources": [], "actors": []}
    for _ in range(3):  # a field left out can only show the next problem in its entry
        bad_items: dict[str, set[int]] = {}
        for path in errors:
            if not path:
                return None
            top = str(path[0])
            if top not in Brief.model_fields:
                data.pop(top, None)  # an unknown key
            elif len(path) >= 2 and top in _LISTS and isinstance(path[1], int):
                item = _item(data, top, path[1])
                if len(path) >= 3 and isinstance(item, dict) and _optional(top, path[2]):
                    item.pop(str(path[2]), None)
                else:
                    bad_items.setdefault(top, set()).add(path[1])
            elif top in STAND_INS:
                data[top] = copy.deepcopy(STAND_INS[top])
                stood_in.add(top)
            else:
                data.pop(top, None)
        for top, bad in bad_items.items():
            items = data[top]
            before = kept.get(top, list(range(len(items))))
            dropped.setdefault(top, []).extend(items[i] for i in sorted(bad))
            kept[top] = [before[i] for i in range(len(items)) if i not in bad]
            data[top] = [x for i, x in enumerate(items) if i not in bad]
            if not data[top] and top in STAND_INS:
                data[top] = copy.deepcopy(STAND_INS[top])
                stood_in.add(top)
                kept.pop(top)
        try:
            brief = Brief.model_validate(data)
        except pydantic.ValidationError as e:
            errors = [_data_path(tuple(err["loc"]), data) for err in e.errors()]
            continue
        ids = {str(s["id"]) for s in dropped["sources"] if isinstance(s, dict) and "id" in s}
        names = {
            normalise(n)
            for a in dropped["actors"]
            if isinstance(a, dict)
            for n in [a.get("name"), *(a.get("aliases") or [])]
            if isinstance(n, str)
        }
        return Mended(brief, kept, stood_in, ids, names)
    return None


def _item(data: dict[str, Any], top: str, index: int) -> Any:
    items = data.get(top)
    return items[index] if isinstance(items, list) and 0 <= index < len(items) else None


def _optional(section: str, name: object) -> bool:
    """Whether a field of a list entry may be left out."""
    from briefgen.load import _inner_model

    model = _inner_model(Brief.model_fields[section].annotation)
    if model is None or not isinstance(name, str) or name not in model.model_fields:
        return False
    return not model.model_fields[name].is_required()
