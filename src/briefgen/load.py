"""brief.yaml → Brief, or every problem in it at once, each with file:line:column and key path."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import BriefError, Finding, KeyPath, Severity, has_errors
from briefgen.inputs import slug_of, slug_problem
from briefgen.lifecycle import import_held

import_held("briefgen.model")  # its validators are built whole, whenever a Ctrl-C comes
from briefgen.model import Brief  # noqa: E402
from briefgen.safeio import UnsafeFile, read_inside  # noqa: E402
from briefgen.yamlsource import MAX_BYTES, Locations, read_yaml  # noqa: E402

BRIEF_FILE = "brief.yaml"


@dataclass
class Loaded:
    """The outcome of loading one brief: the Brief (None when its shape is wrong) and findings."""

    file: Path
    display: str  # the file as the user named it, for messages
    brief: Brief | None
    findings: list[Finding] = field(default_factory=list)
    locations: Locations = field(default_factory=Locations)
    # the parsed data while `check` may still need it (to check what fits when the shape is
    # wrong); never kept after it, nor sent between processes
    data: Any = field(default=None, repr=False, compare=False)

    @property
    def folder(self) -> Path:
        return self.file.parent

    @property
    def ok(self) -> bool:
        return self.brief is not None and not has_errors(self.findings)

    def place(self, findings: list[Finding]) -> list[Finding]:
        """Give unlocated findings (from checks) this file's line and column."""
        out = []
        for f in findings:
            line, col = self.locations.find(f.path)
            out.append(f.located(self.display, f.line or line, f.column or col))
        return out


def brief_file(path: Path) -> Path:
    """A brief folder or its brief.yaml → the brief.yaml path."""
    return path / BRIEF_FILE if path.is_dir() else path


def load(path: Path, display: str | None = None) -> Loaded:
    """Read and validate one brief; never raises for a bad brief."""
    file = brief_file(path)
    shown = display or str(file)
    try:  # a regular file inside its folder, never a link out, a pipe or a device (safeio)
        raw = read_inside(file, file.parent, MAX_BYTES)
    except UnsafeFile as e:
        if e.problem.startswith("is too large"):  # located, as the YAML reader says it
            finding = Finding(Severity.ERROR, f"file {e.problem}", (), shown, 1, 1)
        else:
            finding = Finding(Severity.ERROR, e.problem, (), shown)
        return Loaded(file, shown, None, [finding])
    try:
        data, locs = read_yaml(raw, keep_going=True)
    except BriefError as e:
        return Loaded(file, shown, None, [f.located(shown, f.line, f.column) for f in e.findings])
    loaded = Loaded(file, shown, None, locations=locs)
    read_past = [f.located(shown, f.line, f.column) for f in locs.problems]
    if not isinstance(data, dict):
        loaded.findings = loaded.place(
            [Finding(Severity.ERROR, f"expected a mapping of keys (got {_kind(data)})")]
        )
        return loaded
    import pydantic

    try:
        loaded.brief = Brief.model_validate(data)
    except pydantic.ValidationError as e:
        loaded.findings = [_from_pydantic(err, data, loaded) for err in e.errors()]
        loaded.data = data
    loaded.findings = read_past + loaded.findings
    return loaded


def _from_pydantic(err: Any, data: Any, loaded: Loaded) -> Finding:
    """One pydantic error → a located finding with a plain message."""
    path = _data_path(tuple(err["loc"]), data)
    kind = err["type"]
    got = err.get("input")
    at_key = kind == "extra_forbidden"
    message = _message(kind, err, got, path)
    if kind == "missing":
        line, col = loaded.locations.find(path[:-1])
    else:
        line, col = loaded.locations.find(path, at_key=at_key)
    return Finding(Severity.ERROR, message, path, loaded.display, line, col)


def _data_path(loc: tuple[Any, ...], data: Any) -> KeyPath:
    """Keep only the parts of a pydantic location that index the data (drop union branch names)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            if part not in node and part[:1].isupper():
                continue  # a union's branch (`Question`), not a key: brief keys are lowercase
            path.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            path.append(part)
            node = node[part] if 0 <= part < len(node) else None
        elif node is None and isinstance(part, str | int) and len(path) == len(loc) - 1:
            path.append(part)
    return tuple(path)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def _message(kind: str, err: Any, got: Any, path: KeyPath) -> str:
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return _unknown_key(path)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number (got {_kind(got)}){_number_hint(got)}"
    if kind in ("greater_than_equal",):
        return (
            f"must not be negative (got {_kind(got)})"
            if ctx.get("ge") == 0
            else (f"must be at least {ctx.get('ge')} (got {_kind(got)})")
        )
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')} (got {_kind(got)})"
    if kind in ("enum", "literal_error"):
        allowed = [
            a.strip(" '") for a in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")
        ]
        wanted = "-".join(str(got).casefold().replace("_", " ").split())
        close = [SYNONYMS[wanted]] if SYNONYMS.get(wanted) in allowed else []
        close = close or difflib.get_close_matches(wanted, allowed, n=1)
        tail = f"; did you mean '{close[0]}'?" if close else ""
        return f"expected one of {', '.join(allowed)} (got {_kind(got)}){tail}"
    if kind in ("string_type", "string_unicode"):
        quote = ""
        if isinstance(got, dict) and len(got) == 1:  # "- It began: then." is a mapping to YAML
            quote = "; the ': ' in the text made it a key: put the text in quotes"
        return f"expected text (got {_kind(got)}){quote}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "list_type":
        return f"expected a list (got {_kind(got)})"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)} entry (got none)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys (got {_kind(got)})"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"expected true or false (got {_kind(got)})"
    if kind == "string_pattern_mismatch":
        return _pattern_message(path, got)
    if kind in ("partial_date", "impossible_date"):
        return str(err["msg"])
    return f"{err['msg']} (got {_kind(got)})"


# Words people write for an allowed value (support kinds, statuses) → that value.
SYNONYMS = {
    "soldiers": "troops",
    "ground-troops": "troops",
    "money": "funding",
    "cash": "funding",
    "aid": "funding",
    "finance": "funding",
    "financial": "funding",
    "air-support": "air-strikes",
    "airstrikes": "air-strikes",
    "bombing": "air-strikes",
    "aircraft": "air-strikes",
    "planes": "air-strikes",
    "airlift": "transport",
    "supplies": "logistics",
    "doctors": "medical",
    "medics": "medical",
    "intel": "intelligence",
    "promised": "pledged",
    "sent": "deployed",
}
_APPROXIMATE = re.compile(
    r"\b(about|around|approx\w*|roughly|nearly|almost|some|over|more than|at least|up to|"
    r"estimated|circa|ca)\b|[~≈+]",
    re.IGNORECASE,
)


def _number_hint(got: Any) -> str:
    """What to write instead of 'about 500' or '1,700' where a whole number goes."""
    if not isinstance(got, str):
        return ""
    digits = re.search(r"\d[\d,.\u202f\u00a0 ]*", got)
    if digits is None:
        return ""
    number = re.sub(r"\D", "", digits.group().rstrip(",. "))
    if _APPROXIMATE.search(got):
        return f"; write {number} and add approximate: true"
    if number != got.strip():
        return f"; write {number}, digits only"
    return ""


def _pattern_message(path: KeyPath, got: Any) -> str:
    field_name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if field_name == "url":
        return f"expected an http, https or mailto address (got {_kind(got)})"
    if field_name == "language":
        return f"expected a language tag such as en or fr (got {_kind(got)})"
    if field_name == "id":
        return f"expected a short id of letters, digits, '-', '_' or '.' (got {_kind(got)})"
    return f"badly formed (got {_kind(got)})"


def _unknown_key(path: KeyPath) -> str:
    """'unknown key' with the closest allowed key for the model at that place."""
    from briefgen.model import Brief

    model: Any = Brief
    for part in path[:-1]:
        if isinstance(part, int) or part not in model.model_fields:
            continue  # a list index, or the name of a union's branch (`Question`)
        annotation = model.model_fields[part].annotation
        model = _inner_model(annotation)
        if model is None:
            break
    key = str(path[-1])
    allowed = list(model.model_fields) if model is not None else []
    hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f"unknown key '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else "")


def _inner_model(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def check(path: Path, display: str | None = None) -> Loaded:
    """Load a brief and run every rule on it: the whole of `briefgen check` for one file."""
    from briefgen.checks import run_checks
    from briefgen.images import check_images

    loaded = load(path, display)
    too_long = slug_problem(slug_of(loaded.file))  # its artifacts could not be named
    if too_long:
        loaded.findings.append(Finding(Severity.ERROR, too_long, (), loaded.display))
    if loaded.brief is not None:
        found = run_checks(loaded.brief) + list(check_images(loaded.brief, loaded.folder))
        loaded.findings += loaded.place(found)
    elif loaded.data is not None:  # the shape is wrong: check the parts that fit all the same
        from briefgen.partial import mend

        mended = mend(loaded.data, [f.path for f in loaded.findings])
        if mended is not None:
            found = run_checks(mended.brief) + list(check_images(mended.brief, loaded.folder))
            seen = {(f.path, f.message) for f in loaded.findings}
            more = [f for f in mended.restore(found) if (f.path, f.message) not in seen]
            loaded.findings += loaded.place(more)
        loaded.data = None
    # A value read past (a forbidden character left out) says what is wrong with it: what the
    # rules then find in the mended value at the same place would only mislead.
    read_past = {f.path for f in loaded.locations.problems}
    loaded.findings = [
        f
        for f in loaded.findings
        if f.path not in read_past or any(f.message == p.message for p in loaded.locations.problems)
    ]
    loaded.findings.sort(key=lambda f: f.sort_key)
    return loaded
