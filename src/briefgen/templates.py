"""Templates, theme and labels: shipped with the package, overridden file by file by a user folder."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from briefgen.errors import TemplateError

USER_DIR = Path("templates")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass
class Templates:
    """Looks a template file up in the user's folder first, then in the package."""

    user: Path | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def path(self, name: str) -> Path:
        if self.user is not None and (self.user / name).is_file():
            return self.user / name
        shipped = files("briefgen") / "templates" / name
        return Path(str(shipped))

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def yaml(self, name: str) -> Any:
        """A template YAML file, parsed safely; read-only (it is shared, see `_parsed`)."""
        if name not in self._cache:
            path = self.path(name)
            try:
                data = path.read_bytes()
            except OSError as e:
                raise TemplateError(f"{path}: cannot read: {e.strerror}") from None
            self._cache[name] = _parsed(path, data)
        return self._cache[name]

    @cached_property
    def theme(self) -> dict[str, Any]:
        theme = self.yaml("theme.yaml")
        where = self.path("theme.yaml")
        if not isinstance(theme, dict):
            raise TemplateError(f"{where}: expected a mapping of keys")
        colours = theme.get("colours")
        if not isinstance(colours, dict):
            raise TemplateError(f"{where}: colours: expected a mapping of names to #RRGGBB")
        for name, value in [*colours.items(), *enumerate(theme.get("chart_palette") or [])]:
            if not (isinstance(value, str) and _COLOUR.fullmatch(value)):
                raise TemplateError(f"{where}: colour {name}: expected #RRGGBB (got {value!r})")
        return theme

    def sections(self, output: str) -> list[str]:
        layout = self.yaml(f"{output}/layout.yaml")
        if not isinstance(layout, dict) or not isinstance(layout.get("sections"), list):
            raise TemplateError(f"{self.path(output + '/layout.yaml')}: expected 'sections: [...]'")
        return [str(s) for s in layout["sections"]]

    def labels(self, language: str) -> Labels:
        lang = language.split("-")[0].lower()
        name = f"labels/{lang}.yaml" if self.exists(f"labels/{lang}.yaml") else "labels/en.yaml"
        english = self.yaml("labels/en.yaml")
        chosen = self.yaml(name)
        for table, file in ((english, "labels/en.yaml"), (chosen, name)):
            if not isinstance(table, dict):
                raise TemplateError(f"{self.path(file)}: expected a mapping of label names to text")
        return Labels({**english, **chosen}, str(self.path(name)))


@lru_cache(maxsize=64)
def _parsed(path: Path, data: bytes) -> Any:
    """A template file parsed once per process while its bytes are the same (never judged by
    timestamps): every brief of a build, and every worker forked after the first parse, shares
    it. Callers never modify what it returns."""
    from briefgen.errors import BriefError
    from briefgen.yamlsource import read_yaml

    try:
        parsed, _ = read_yaml(data)
    except BriefError as e:
        f = e.findings[0]
        raise TemplateError(f"{path}:{f.line}:{f.column}: {f.message}") from None
    return parsed


class Labels:
    """Labels in one language; snippets are Jinja templates run in a sandbox.

    Brief content only ever arrives as a value passed to a snippet, never as template source.
    The output is plain text for spans (never markup), so HTML autoescaping would be wrong here:
    it would print '&amp;'. Renderers escape for their own format.
    """

    def __init__(self, table: dict[str, Any], where: str) -> None:
        self.table = {str(k): str(v) for k, v in table.items()}
        self.where = where

    def __getitem__(self, key: str) -> str:
        try:
            return self.table[key]
        except KeyError:
            raise TemplateError(f"{self.where}: no label '{key}'") from None

    def fill(self, key: str, **values: object) -> str:
        """Render a snippet with already-formatted values."""
        source = self[key]
        names = _simple(source)
        if names is not None:  # only text and {{ name }}: what Jinja would print, without Jinja
            for name in names:
                if name not in values:
                    raise TemplateError(
                        f"{self.where}: label '{key}': UndefinedError: '{name}' is undefined"
                    )
            if source.endswith("\n"):  # Jinja drops one newline ending the template
                source = source[:-1]
            return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), source)
        try:
            return str(_compiled(source).render(**values))
        except Exception as e:  # anything a user's snippet can raise, sandbox refusals included
            raise TemplateError(f"{self.where}: label '{key}': {type(e).__name__}: {e}") from None


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SYNTAX = re.compile(r"\{[{%#]|[}%#]\}")
# Names Jinja gives a meaning of its own (literals, keywords, the sandbox's globals): a
# snippet using one goes to Jinja, so it prints what Jinja prints (True, None, an error...).
# fmt: off
_JINJA_NAMES = frozenset([
    "true", "false", "none", "True", "False", "None",  # literals
    "and", "or", "not", "in", "is", "if", "else", "elif", "for", "endfor", "endif", "block",
    "extends", "macro", "call", "filter", "set", "with", "without", "import", "include",
    "from", "as", "recursive", "loop", "self",  # keywords and special names
    "range", "dict", "lipsum", "cycler", "joiner", "namespace",  # the sandbox's globals
])
# fmt: on


@lru_cache(maxsize=512)
def _simple(source: str) -> tuple[str, ...] | None:
    """The names in a snippet made only of text and `{{ name }}` placeholders, else None.

    Such a snippet is filled directly (the shipped labels all are): it saves importing Jinja
    and compiling each snippet, about 25 ms a process. Anything else goes to the sandbox."""
    if "\r" in source or _SYNTAX.search(_PLACEHOLDER.sub("", source)):
        return None  # Jinja normalises line ends; anything but {{ name }} is Jinja's to read
    names = tuple(_PLACEHOLDER.findall(source))
    return None if _JINJA_NAMES.intersection(names) else names


@lru_cache(maxsize=512)
def _compiled(source: str) -> Any:
    """A snippet compiled once, in Jinja's sandbox; unknown names are errors, not blanks."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return _sandbox(SandboxedEnvironment, StrictUndefined).from_string(source)


@lru_cache(maxsize=1)
def _sandbox(cls: Any, undefined: Any) -> Any:
    from jinja2 import DictLoader

    # An empty loader: {% include %} and {% import %} find nothing, never a file.
    return cls(
        autoescape=False, undefined=undefined, keep_trailing_newline=False, loader=DictLoader({})
    )
