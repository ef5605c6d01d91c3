"""`briefgen build`: find briefs, check them all, plan and render each output, write atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import Finding, RenderError, Severity, TemplateError, has_errors
from briefgen.load import Loaded, check
from briefgen.model import ALL_OUTPUTS
from briefgen.render import Rendered
from briefgen.templates import Templates

SUFFIX = {"handout": "handout.pdf", "one-pager": "brief.pdf", "deck": "deck.pptx"}


@dataclass
class Artifact:
    brief: str  # slug
    output: str
    path: Path
    pages: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    """What a build did: every finding, every artifact written, every failure."""

    findings: list[Finding] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # slugs

    @property
    def ok(self) -> bool:
        return not self.failed and not has_errors(self.findings)


def renderer(output: str) -> Callable[..., Rendered]:
    """The render function for an output; heavy libraries are imported only here."""
    if output == "deck":
        from briefgen.render.pptx import render as render_deck

        return render_deck
    from briefgen.render.pdf import render_handout, render_one_pager

    return render_handout if output == "handout" else render_one_pager


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_brief(loaded: Loaded, outputs: Sequence[str], templates: Templates) -> dict[str, Rendered]:
    """Every requested output of one checked brief, in memory."""
    from briefgen.plan import plan

    assert loaded.brief is not None
    charts: dict[str, Any] = {}
    done = {}
    for output in outputs:
        doc = plan(loaded.brief, loaded.folder, output, templates)
        draw = renderer(output)
        done[output] = draw(doc, templates, charts) if output != "deck" else draw(doc, templates)
    return done


def build(
    files: Sequence[Path],
    out: Path,
    only: Sequence[str] = ALL_OUTPUTS,
    templates: Templates | None = None,
    shown: Callable[[Path], str] = str,
) -> BuildResult:
    """Check every brief first (a bad brief stops the run before anything is written), then render."""
    templates = templates or Templates()
    result = BuildResult()
    checked = [check(f, shown(f)) for f in files]
    for loaded in checked:
        result.findings += loaded.findings
    if has_errors(result.findings):
        result.failed = [loaded.folder.name for loaded in checked if not loaded.ok]
        return result
    for loaded in checked:
        assert loaded.brief is not None
        slug = loaded.folder.name
        outputs = [o for o in ALL_OUTPUTS if o in only and o in loaded.brief.outputs]
        try:
            rendered = render_brief(loaded, outputs, templates)
        except (RenderError, TemplateError) as e:
            result.findings.append(Finding(Severity.ERROR, str(e), (), loaded.display))
            result.failed.append(slug)
            continue
        for output, r in rendered.items():
            path = out / slug / f"{slug}-{SUFFIX[output]}"
            write_atomic(path, r.data)
            result.artifacts.append(Artifact(slug, output, path, r.pages, r.warnings))
            result.findings += [Finding(Severity.WARNING, f"{output}: {w}", (), loaded.display) for w in r.warnings]
    return result
