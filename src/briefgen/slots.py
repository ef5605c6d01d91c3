"""Jinja fills every text slot of a template: headings, intros, text blocks, kickers, footers,
file names and the labels' sentence snippets.

The environment is Jinja's immutable sandbox with StrictUndefined (a misspelt name is an error,
never a blank), it loads files only from the template folders, and every render is bounded in
time and in length. Brief content enters only as values of the context, already formatted as
plain text; a slot prints plain text, so nothing a brief says ever becomes template code or
markup in any output (renderers escape for their own format).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.errors import Finding, KeyPath, TemplateError
from briefgen.lifecycle import Deadline, TimeUp
from briefgen.template_set import (
    MAX_OUTPUT_CHARS,
    SLOT_SECONDS,
    ReadOnly,
    TemplateProblems,
    TemplateSet,
    _located,
)

if TYPE_CHECKING:
    from briefgen.template_model import Output


@lru_cache(maxsize=8)
def environment(roots: tuple[str, ...]) -> Any:
    """One sandbox per template set and process: slots and files compile once."""
    from jinja2 import FunctionLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    tset = TemplateSet([Path(r) for r in roots[:-1]], Path(roots[-1]))

    def load(name: str) -> str | None:  # {% include %} and {% import %}: template files only
        try:
            return tset.read(name).decode("utf-8")
        except (TemplateError, UnicodeDecodeError):
            return None

    return ImmutableSandboxedEnvironment(
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        loader=FunctionLoader(load),
    )


def env_for(tset: TemplateSet) -> Any:
    return environment(tuple(str(r) for r in tset.roots))


@lru_cache(maxsize=1024)
def _compiled(env: Any, source: str) -> Any:
    return env.from_string(source)


def compile_slot(env: Any, source: str) -> Any:
    """A slot's source compiled once per process; a syntax error is a TemplateError."""
    from jinja2 import TemplateSyntaxError

    try:
        return _compiled(env, source)
    except TemplateSyntaxError as e:
        raise TemplateError(
            f"Jinja syntax error: {e.message} (line {e.lineno} of the slot)"
        ) from None


def render(env: Any, source: str, context: Mapping[str, Any]) -> str:
    """A slot filled: plain text, at most MAX_OUTPUT_CHARS long and SLOT_SECONDS of work."""
    template = compile_slot(env, source)
    out: list[str] = []
    size = 0
    limit = Deadline(SLOT_SECONDS)
    try:
        with limit:
            for chunk in template.generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise TemplateError(
                        f"a slot printed more than {MAX_OUTPUT_CHARS:,} characters; "
                        "is a loop running away?"
                    )
                out.append(chunk)
    except TemplateError:
        raise
    except TimeUp as e:
        if e.deadline is not limit:  # an outer deadline (the whole output's)
            raise
        raise TemplateError(
            f"a slot took more than {SLOT_SECONDS:g} s to fill; is a loop running away?"
        ) from None
    except RecursionError:
        raise TemplateError("a slot calls itself without end") from None
    except Exception as e:  # undefined names, sandbox refusals, type errors in a user's slot
        raise TemplateError(f"{type(e).__name__}: {e}") from None
    return "".join(out)


class Words:
    """The labels of one language, for the planner and the renderers: `words[key]` is a label as
    written, `words.fill(key, **values)` fills a label's snippet (Jinja) with formatted values."""

    def __init__(self, table: Mapping[str, str], env: Any, where: str = "labels") -> None:
        self.table = dict(table)
        self.env = env
        self.where = where

    def __getitem__(self, key: str) -> str:
        try:
            return self.table[key]
        except KeyError:
            raise TemplateError(f"{self.where}: no label '{key}'") from None

    def fill(self, key: str, **values: object) -> str:
        try:
            return render(self.env, self[key], {**values, "labels": ReadOnly(self.table)})
        except TemplateError as e:
            if str(e).startswith(self.where):
                raise
            raise TemplateError(f"{self.where}: label '{key}': {e}") from None


SAMPLE_BRIEF = {
    "title": "Title",
    "subtitle": "Subtitle",
    "date": "17 January 2013",
    "date_short": "17 Jan 2013",
    "date_iso": "2013-01-17",
    "updated": "",
    "language": "en",
    "authors": "Author",
    "slug": "slug",
    "banner": "",
}


def context(
    brief: Mapping[str, str],
    labels: Mapping[str, str],
    output: str,
    spec: Output,
    theme: Any,
) -> dict[str, Any]:
    """What every slot of an output can read: all plain, formatted text, read-only."""
    return {
        "brief": ReadOnly(brief),
        "labels": ReadOnly(labels),
        "output": ReadOnly({"name": output, "description": spec.description}),
        "theme": ReadOnly({"organisation": theme.organisation or "", "banner": theme.banner or ""}),
        "slug": brief.get("slug", ""),
    }


def slot_paths(spec: Output) -> Iterator[tuple[KeyPath, str]]:
    """Every Jinja slot of an output description, with its key path."""
    for key in ("file", "kicker", "footer", "header"):
        value = getattr(spec, key)
        if value:
            yield (key,), value
    for i, section in enumerate(spec.sections):
        for key in ("heading", "intro", "text", "alt"):
            value = getattr(section, key)
            if value:
                yield ("sections", i, key), value
        for j, value in enumerate(section.fields):
            yield ("sections", i, "fields", j), value


def check_output(tset: TemplateSet, name: str, spec: Output) -> list[Finding]:
    """Every slot compiles and fills (with sample values); every file the output names exists."""
    merged = tset.merged(f"{name}/output.yaml")
    env = env_for(tset)
    labels = tset.labels("en")
    ctx = context(SAMPLE_BRIEF, labels, name, spec, tset.theme)
    found: list[Finding] = []
    for path, source in slot_paths(spec):
        try:
            render(env, source, ctx)
        except TemplateError as e:
            found.append(_located(merged.locate(path), str(e), path))
    for path, file, kind in _named_files(name, spec):
        problem = tset.file_problem(file, kind)
        if problem:
            found.append(_located(merged.locate(path), problem, path))
    for lang, table in spec.labels.items():  # an output's own labels: known keys, compiling
        for key, source in table.items():
            where: KeyPath = ("labels", lang, key)
            if key not in labels:
                import difflib

                hint = difflib.get_close_matches(key, list(labels), n=1)
                tail = f"; did you mean '{hint[0]}'?" if hint else ""
                message = f"unknown label '{key}'{tail}"
                found.append(_located(merged.locate(where, True), message, where))
                continue
            try:
                compile_slot(env, source)
            except TemplateError as e:
                found.append(_located(merged.locate(where), str(e), where))
    return found


def check_labels(tset: TemplateSet, language: str) -> list[Finding]:
    """Every label snippet of a language compiles (its values come at render time). Text
    without a brace cannot hold Jinja syntax: only snippets are compiled."""
    env = env_for(tset)
    found = []
    for key, source in tset.labels(language).items():
        if "{" not in source:
            continue
        try:
            compile_slot(env, source)
        except TemplateError as e:
            where = tset.merged(f"labels/{language}.yaml")
            found.append(_located(where.locate((key,)), str(e), path=(key,)))
    return found


def _named_files(name: str, spec: Output) -> Iterator[tuple[KeyPath, str, str]]:
    if spec.master:
        yield ("master",), f"{name}/{spec.master}", "deck"
    for i, section in enumerate(spec.sections):
        if section.file:
            yield ("sections", i, "file"), section.file, "picture"


def raise_if(findings: list[Finding]) -> None:
    if findings:
        raise TemplateProblems(findings)
