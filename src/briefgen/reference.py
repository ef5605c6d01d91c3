"""The README's field reference, generated from the model (its types and descriptions), so
the documentation of brief.yaml can never drift from what `check` accepts.

`python -m briefgen.reference` rewrites the part of README.md between its markers.
"""

from __future__ import annotations

import re
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

START, END = "<!-- fields:start -->", "<!-- fields:end -->"


def field_reference() -> str:
    """Markdown: one table per part of a brief (the root first), a row per key."""
    from briefgen.model import Brief

    out: list[str] = []
    seen: list[type[BaseModel]] = []
    queue: list[type[BaseModel]] = [Brief]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        title = "the brief (the top level)" if model is Brief else f"`{_name(model)}`"
        own = model.__doc__ if "__doc__" in vars(model) and model is not Brief else ""
        doc = (own or "").strip().split("\n")[0]
        out += [f"**{title}**" + (f": {doc}" if doc and "Common settings" not in doc else ""), ""]
        out += ["| key | type | required | meaning |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            shown, inner = _type(info.annotation)
            queue += [m for m in inner if m not in seen]
            meaning = (info.description or "").replace("|", "\\|").replace("\n", " ")
            required = "yes" if info.is_required() else ""
            out.append(f"| `{name}` | {shown} | {required} | {meaning} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


_NAMES = {
    "KeyFigure": "key_figures",
    "TimelineEvent": "timeline",
    "Actor": "actors",
    "Commitment": "commitments",
    "Displacement": "displacement",
    "Quote": "quotes",
    "Perspective": "perspectives",
    "GlossaryEntry": "glossary",
    "Source": "sources",
    "Image": "images",
}


def _name(model: type[BaseModel]) -> str:
    """A part by the key that holds it: `commitments` entries."""
    key = _NAMES.get(model.__name__)
    return f"{key}` entry: `{model.__name__}" if key else model.__name__


def _type(annotation: Any) -> tuple[str, list[type[BaseModel]]]:
    """A readable type and the models inside it."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type(args[0])
    if origin in (typing.Union, types.UnionType):
        parts = [_type(a) for a in args if a is not type(None)]
        return " or ".join(p[0] for p in parts), [m for p in parts for m in p[1]]
    if origin is list:
        shown, inner = _type(args[0])
        return f"list of {shown}", inner
    if origin is typing.Literal:
        return " / ".join(f"`{a}`" for a in args), []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"`{_NAMES.get(annotation.__name__, annotation.__name__)}` entries", [annotation]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " / ".join(f"`{e.value}`" for e in annotation), []
    names = {int: "whole number", str: "text", bool: "true / false"}
    if annotation in names:
        return names[annotation], []
    if getattr(annotation, "__name__", "") == "PartialDate":
        return "date (`2013-01-17`, `2013-01` or `2013`)", []
    return str(getattr(annotation, "__name__", annotation)), []


def update_readme(readme: Path) -> bool:
    """Put the current reference between the README's markers; True if it changed."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    new = pattern.sub(lambda _: f"{START}\n{field_reference()}{END}", text)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    update_readme(Path("README.md"))
