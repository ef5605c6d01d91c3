"""The template set: where each template file comes from, the merged and checked theme, outputs
and labels, and the Jinja sandbox that fills every text slot.

Lookup order: `--templates DIR`, then `./templates` beside the briefs, then the shipped set.
YAML files (theme, labels, output descriptions) are deep-merged key by key over the ones below
them; any other file (a Jinja file, a master deck, a logo, a font) is taken whole from the first
folder that has it. Problems are findings located in the file that supplied the key.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from briefgen.errors import BriefError, Finding, KeyPath, Severity, TemplateError
from briefgen.lifecycle import import_held

if TYPE_CHECKING:
    from briefgen.template_model import Output, Theme
    from briefgen.yamlsource import Locations

USER_DIR = Path("templates")
OUTPUT_FILE = "output.yaml"
MAX_FILE = 4 * 1024 * 1024  # a template YAML or Jinja file; pictures and decks have their own caps
MAX_OUTPUT_CHARS = 200_000  # what one slot may print
SLOT_SECONDS = 2.0  # what one slot may take


class TemplateProblems(TemplateError):
    """A template set is wrong: every finding, each located in the file that caused it."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(f.format() for f in findings))


def shipped_root() -> Path:
    """The shipped templates: package data in an installed wheel; in a source checkout (an
    editable install) the repository's own top-level `templates/`."""
    packed = Path(str(files("briefgen") / "templates"))
    if (packed / "theme.yaml").is_file():
        return packed
    return Path(__file__).resolve().parents[2] / "templates"


def user_roots(cli: Path | None, cwd: Path | None = None) -> list[Path]:
    """The override folders, highest priority first: `--templates DIR`, then ./templates."""
    roots = [cli] if cli is not None else []
    default = (cwd or Path.cwd()) / USER_DIR
    if default.is_dir() and not any(_same(default, r) for r in roots):
        roots.append(default)
    # the shipped folder itself (briefgen's own checkout) is no override
    return [r for r in roots if not _same(r, shipped_root())]


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def shown(path: Path) -> str:
    """A path as a person would type it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


@dataclass
class _Layer:
    file: str  # as shown in messages
    data: Any
    locs: Locations


@dataclass
class Merged:
    """A YAML file merged over its layers (shipped first), and where each key came from."""

    data: Any
    layers: list[_Layer]

    def locate(self, path: KeyPath, at_key: bool = False) -> tuple[str, int, int]:
        """The file, line and column that supplied `path` (or its nearest parent)."""
        for n in range(len(path), -1, -1):
            for layer in reversed(self.layers):  # the highest priority first
                if _has(layer.data, path[:n]):
                    line, col = layer.locs.find(path[:n], at_key=at_key and n == len(path))
                    return layer.file, line, col
        top = self.layers[-1] if self.layers else None
        return (top.file if top else "templates", 1, 1)


def _has(data: Any, path: KeyPath) -> bool:
    for part in path:
        is_key = isinstance(data, dict) and isinstance(part, str) and part in data
        is_index = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (is_key or is_index):
            return False
        data = data[part]
    return True


def deep_merge(base: Any, over: Any) -> Any:
    """`over` on top of `base`: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = deep_merge(base[key], value) if key in base else value
        return out
    return over


@dataclass
class TemplateSet:
    """The templates a build uses: the user folders (highest priority first) over the shipped."""

    users: list[Path] = field(default_factory=list)
    shipped: Path = field(default_factory=shipped_root)

    @classmethod
    def find(cls, cli: Path | None = None) -> TemplateSet:
        return cls(user_roots(cli))

    @property
    def roots(self) -> list[Path]:
        """Every folder, highest priority first."""
        return [*self.users, self.shipped]

    # -- files --

    def path(self, name: str) -> Path | None:
        """The first regular file called `name` (a relative path) in the lookup order; never a
        file the set leaves out (`unlisted`)."""
        if unlisted(name):
            return None
        for root in self.roots:
            candidate = root / name
            if _regular_inside(candidate, root):
                return candidate
        return None

    def origin(self, name: str) -> str:
        """'shipped', or the user folder a file comes from."""
        found = self.path(name)
        if found is None:
            return "missing"
        return "shipped" if found.is_relative_to(self.shipped) else shown(found.parent)

    def read(self, name: str) -> bytes:
        found = self.path(name)
        if found is None:
            raise TemplateProblems([_finding(f"templates/{name}", "no such template file")])
        return _read_capped(found)

    def merged(self, name: str) -> Merged:
        """A YAML template file, deep-merged over its layers; problems raise TemplateProblems."""
        layers = []
        for root in reversed(self.roots):  # the shipped set first
            candidate = root / name
            if not _regular_inside(candidate, root):
                if candidate.is_symlink() or (candidate.exists() and not candidate.is_file()):
                    raise TemplateProblems(
                        [_finding(shown(candidate), "not a regular file inside its folder")]
                    )
                continue
            data, locs = _parsed(shown(candidate), _read_capped(candidate))
            layers.append(_Layer(shown(candidate), data, locs))
        if not layers:
            raise TemplateProblems([_finding(f"templates/{name}", "no such template file")])
        merged: Any = None
        for layer in layers:
            if not isinstance(layer.data, dict):
                raise TemplateProblems([_finding(layer.file, "expected a mapping of keys", 1, 1)])
            merged = deep_merge(merged, layer.data) if merged is not None else layer.data
        return Merged(merged, layers)

    # -- outputs --

    def output_names(self) -> list[str]:
        """Every output: a folder holding an output.yaml, in any templates folder. Cheap: names
        only, nothing parsed (the no-op build path uses it)."""
        names: set[str] = set()
        for root in self.roots:
            try:
                entries = os.scandir(root)
            except OSError:
                continue
            with entries:
                for entry in entries:
                    if (
                        not entry.name.startswith(".")
                        and entry.is_dir(follow_symlinks=False)
                        and _regular_inside(Path(entry.path) / OUTPUT_FILE, root)
                    ):
                        names.add(entry.name)
        return sorted(names)

    @cached_property
    def theme(self) -> Theme:
        import_held("briefgen.template_model")  # its validators built whole (lifecycle)
        from briefgen.template_model import Theme

        theme: Theme = _validated(Theme, self.merged("theme.yaml"))
        return theme

    def output(self, name: str) -> Output:
        if name not in self._outputs:
            import_held("briefgen.template_model")
            from briefgen.template_model import Output

            self._outputs[name] = _validated(Output, self.merged(f"{name}/{OUTPUT_FILE}"))
        return self._outputs[name]

    @cached_property
    def _outputs(self) -> dict[str, Output]:
        return {}

    def default_outputs(self) -> list[str]:
        """The outputs built for a brief that names none, in their `order`."""
        chosen = [n for n in self.output_names() if self.output(n).default]
        return sorted(chosen, key=lambda n: (self.output(n).order, n))

    def labels(self, language: str) -> dict[str, str]:
        """Labels in a language, over English, over the shipped ones: one file per language."""
        lang = language.split("-")[0].lower()
        table = dict(self._label_table("en"))
        if lang != "en" and any(_regular_inside(r / f"labels/{lang}.yaml", r) for r in self.roots):
            table.update(self._label_table(lang))
        return table

    def _label_table(self, lang: str) -> dict[str, str]:
        merged = self.merged(f"labels/{lang}.yaml")
        problems = [
            _located(merged.locate((str(k),)), "expected text")
            for k, v in merged.data.items()
            if not isinstance(v, str | int | float) or isinstance(v, bool)
        ]
        if problems:
            raise TemplateProblems(problems)
        return {str(k): str(v) for k, v in merged.data.items()}

    # -- checking --

    def check(self, outputs: list[str] | None = None) -> list[Finding]:
        """Every problem in the template set (theme, labels, the outputs' descriptions, their
        Jinja slots and the files they name), each once, located; [] when it is sound."""
        from briefgen import slots

        findings: list[Finding] = []

        def gather(fn: Any, *args: Any) -> Any:
            try:
                return fn(*args)
            except TemplateProblems as e:
                findings.extend(e.findings)
            except TemplateError as e:
                findings.append(_finding("templates", str(e)))
            return None

        theme = gather(lambda: self.theme)
        for lang in ["en", *self._languages()]:
            findings.extend(gather(slots.check_labels, self, lang) or [])
        if theme is not None:
            findings += self._check_theme_files(theme)
        for name in outputs if outputs is not None else self.output_names():
            spec = gather(self.output, name)
            if spec is not None and theme is not None and not findings:
                findings += gather(slots.check_output, self, name, spec) or []
        unique = {(f.file, f.line, f.column, f.message): f for f in findings}
        return sorted(unique.values(), key=lambda f: f.sort_key)

    def _languages(self) -> list[str]:
        found = set()
        for root in self.roots:
            folder = root / "labels"
            if folder.is_dir():
                found |= {p.stem for p in folder.glob("*.yaml") if p.stem != "en"}
        return sorted(found)

    def _check_theme_files(self, theme: Theme) -> list[Finding]:
        merged = self.merged("theme.yaml")
        wanted: list[tuple[KeyPath, str, str]] = []
        if theme.logo:
            wanted.append((("logo",), theme.logo, "picture"))
        for key in ("pdf", "deck_metrics"):
            faces = getattr(theme.fonts, key)
            if faces is not None:
                for face, value in faces.model_dump().items():
                    if value:
                        wanted.append((("fonts", key, face), value, "font"))
        out = []
        for path, name, kind in wanted:
            problem = self.file_problem(name, kind)
            if problem:
                out.append(_located(merged.locate(path), problem, path))
        return out

    def file_problem(self, name: str, kind: str) -> str:
        """Why a file a template names cannot be used ('' when it can)."""
        found = self.path(name)
        if found is None:
            if unlisted(name):
                return f"'{name}' {unlisted(name)}: move it"
            return f"no such file '{name}' in the templates folders"
        head = _read_capped(found, 64 * 1024 if kind == "picture" else 16)
        if kind == "picture":
            from briefgen.images import sniff

            return "" if sniff(head) else f"'{name}' is not a PNG or JPEG picture"
        if kind == "font":
            ok = head[:4] in (b"\x00\x01\x00\x00", b"true")
            return "" if ok else f"'{name}' is not a TrueType font (.ttf)"
        if kind == "deck":
            return "" if head.startswith(b"PK") else f"'{name}' is not a PowerPoint deck (.pptx)"
        return ""

    def files_in_use(self, shipped_only: bool = False) -> list[tuple[str, Path]]:
        """(relative name, path) of each template file in effect: the first in lookup order."""
        seen: dict[str, Path] = {}
        for root in [self.shipped] if shipped_only else self.roots:
            for rel, path in _walk(root):
                seen.setdefault(rel, path)
        return sorted(seen.items())

    # -- what shapes an output (for the manifest) --

    def files(self) -> Iterator[tuple[str, Path]]:
        """(relative name, path) of every file in every folder, shipped first."""
        for root in reversed(self.roots):
            yield from _walk(root)


def unlisted(name: str) -> str:
    """Why a relative name is no file of a template set ('' when it may be one): hidden files
    and folders, `__` folders (caches) and Python files are left out of the set, of what
    decides a rebuild and of the kept verdict that the set is sound, so nothing may use them."""
    *folders, last = PurePosixPath(name).parts or ("",)
    if any(part.startswith(".") and part != ".." for part in (*folders, last)):
        return "is hidden (a name starting with '.')"
    if any(part.startswith("__") for part in folders):
        return "is in a '__' folder"
    if last.endswith((".py", ".pyc")):
        return "is a Python file"
    return ""


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative name, path) of the files in a templates folder, in a stable order; hidden
    files and caches are skipped (`unlisted`), links and pipes listed but never followed or
    opened."""
    if not root.is_dir():
        return
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for n in sorted(names):
            if not n.startswith(".") and not n.endswith((".pyc", ".py")):
                p = Path(dirpath) / n
                yield p.relative_to(root).as_posix(), p


def _regular_inside(path: Path, root: Path) -> bool:
    """A regular file (not a link, pipe or device) whose every part stays inside `root`."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return False
    here = root
    for part in rel.parts:
        if part in ("..", ""):
            return False
        here = here / part
        try:
            info = here.lstat()
        except OSError:
            return False
        if stat.S_ISLNK(info.st_mode):
            return False
    return stat.S_ISREG(info.st_mode)


def _read_capped(path: Path, cap: int = MAX_FILE) -> bytes:
    """At most `cap` bytes of a regular file (never a pipe or device: opened without blocking)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as e:
        raise TemplateProblems([_finding(shown(path), f"cannot read: {e.strerror}")]) from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise TemplateProblems([_finding(shown(path), "not a regular file")])
        data = fh.read(cap + 1)
    if len(data) > cap and cap == MAX_FILE:
        raise TemplateProblems(
            [_finding(shown(path), f"file is too large (over {MAX_FILE:,} bytes)")]
        )
    return data[:cap]


@lru_cache(maxsize=64)
def _parsed(file: str, data: bytes) -> tuple[Any, Locations]:
    """A template YAML file parsed once per process while its bytes are the same (never judged
    by timestamps). Callers never modify what it returns."""
    from briefgen import cache
    from briefgen.yamlsource import Locations, read_yaml

    kept = cache.get(data)  # parsed by an earlier run (cache.py): the same bytes, same parser
    if isinstance(kept, tuple) and len(kept) == 3 and all(isinstance(k, dict) for k in kept[1:]):
        return kept[0], Locations(kept[1], kept[2])
    try:
        parsed, locs = read_yaml(data)
    except BriefError as e:
        raise TemplateProblems([f.located(file, f.line, f.column) for f in e.findings]) from None
    cache.put(data, (parsed, locs.values, locs.keys))
    return parsed, locs


def _finding(
    file: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
    path: KeyPath = (),
) -> Finding:
    return Finding(Severity.ERROR, message, path, file, line, column)


def _located(where: tuple[str, int, int], message: str, path: KeyPath = ()) -> Finding:
    """A finding at a place `Merged.locate` found."""
    file, line, column = where
    return Finding(Severity.ERROR, message, path, file, line, column)


def _validated(model: Any, merged: Merged) -> Any:
    """The merged data as the model, or every problem located in the file that supplied it."""
    import pydantic

    try:
        return model.model_validate(merged.data)
    except pydantic.ValidationError as e:
        findings = []
        for err in e.errors():
            from briefgen.load import _data_path, _message

            path = _data_path(tuple(err["loc"]), merged.data)
            kind = err["type"]
            if kind == "extra_forbidden":
                message = _unknown(model, path)
            elif kind == "value_error":
                message = str(err["msg"]).removeprefix("Value error, ")
            elif kind == "string_pattern_mismatch" and "#RRGGBB" in str(
                err.get("ctx", {}).get("pattern", "")
            ).replace("^#[0-9A-Fa-f]{6}$", "#RRGGBB"):
                message = f"expected a colour as #RRGGBB (got {err.get('input')!r})"
            else:
                message = _message(kind, err, err.get("input"), path)
            at = path[:-1] if kind == "missing" else path
            file, line, col = merged.locate(at, at_key=kind == "extra_forbidden")
            findings.append(_finding(file, message, line, col, path))
        raise TemplateProblems(findings) from None


def _unknown(model: Any, path: KeyPath) -> str:
    """'unknown key' with the closest allowed key at that place."""
    import difflib

    from briefgen.load import _inner_model

    for part in path[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field_info = model.model_fields.get(part)
        model = _inner_model(field_info.annotation) if field_info else None
    key = str(path[-1])
    allowed = list(model.model_fields) if model is not None else []
    hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f"unknown key '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else "")


def outputs_findings(loaded: Any, known: tuple[str, ...] | list[str]) -> list[Finding]:
    """An error for each output a brief lists that no templates folder has."""
    import difflib

    brief = loaded.brief
    found = []
    for i, name in enumerate(brief.outputs or []):
        if name not in known:
            hint = difflib.get_close_matches(name, list(known), n=1)
            tail = f"; did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(known)})"
            found.append(
                Finding(Severity.ERROR, f"no output called '{name}'{tail}", ("outputs", i))
            )
    return loaded.place(found)  # type: ignore[no-any-return]


class ReadOnly(Mapping[str, Any]):
    """A mapping a template can read and never change."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None
