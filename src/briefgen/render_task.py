"""One unit of work — checking a brief, or rendering its outputs — runnable in a worker process.

A brief's outputs are rendered together in one process: they share the imports and the fonts.
Parallelism is across briefs (and, for a lone brief, across its outputs). Importing this module
is cheap: workers are forked from it before the model or any renderer is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import Finding, RenderError, Severity, TemplateError
from briefgen.lifecycle import Deadline, TimeUp

if TYPE_CHECKING:
    from briefgen.load import Loaded
    from briefgen.model import Brief
    from briefgen.render import Rendered
    from briefgen.template_set import TemplateSet


OUTPUT_SECONDS = 120.0  # one output of one brief; the largest tested brief takes a few seconds


@dataclass(frozen=True)
class Task:
    file: Path  # the brief.yaml (its folder holds the brief's images)
    brief: Brief
    outputs: tuple[str, ...]
    templates: tuple[Path, ...]  # user template folders, highest priority first


def check_task(item: tuple[Path, str, tuple[str, ...]]) -> Loaded:
    """`load.check` for a worker: (brief.yaml, how to show its path, the known outputs) → the
    loaded brief, with an error for each output it names that the templates do not have."""
    from briefgen.load import check
    from briefgen.template_set import outputs_findings

    file, display, known = item
    loaded = check(file, display)
    if loaded.brief is not None:
        loaded.findings += outputs_findings(loaded, known)
        loaded.findings.sort(key=lambda f: f.sort_key)
    return loaded


def run_task(task: Task) -> dict[str, Rendered | Finding]:
    """Plan and render a brief's outputs; a problem comes back as a finding: unplaced (the
    brief's, placed by the build), or placed in the template file that caused it."""
    from briefgen.plan import plan
    from briefgen.render import renderer

    templates = _template_set(task.templates)
    done: dict[str, Rendered | Finding] = {}
    for output in task.outputs:
        limit = Deadline(OUTPUT_SECONDS)
        try:
            with limit:
                doc = plan(task.brief, task.file.parent, output, templates)
                rendered = renderer(doc.spec.renderer)(doc)
            rendered.name, rendered.reading_grade = doc.file_name, doc.reading_grade
            done[output] = rendered
        except TemplateError as e:
            done[output] = e.at or Finding(Severity.ERROR, f"{output}: {e}")
        except RenderError as e:
            done[output] = Finding(Severity.ERROR, f"{output}: {e}")
        except TimeUp as e:
            if e.deadline is not limit:
                raise
            done[output] = Finding(
                Severity.ERROR,
                f"{output}: rendering stopped after {OUTPUT_SECONDS:g} s; the templates ask "
                "for more work than an output may take (a slot or a long loop repeated in "
                "every section?)",
            )
    return done


def _template_set(users: tuple[Path, ...]) -> TemplateSet:
    """The template set of a task: its parsed files and compiled slots are shared by every
    brief of the process (cached by the files' bytes, never by timestamps)."""
    from briefgen.template_set import TemplateSet

    return TemplateSet(list(users))


def warm_up(
    renderers: Sequence[str], user_templates: tuple[Path, ...] = (), decided: int | None = None
) -> None:
    """Import what rendering needs (the model, the planner, Jinja, the renderers named, the
    fonts) and parse the templates, so a worker is ready when its first task comes. Runs in a
    worker while the main process checks the briefs.

    The renderers are a guess: the outputs a brief asks for are known once it is checked.
    For a lone brief, `decided` (a pipe's end) then says which renderers this worker needs.
    matplotlib, the slowest import of all and only for the web page, waits for that word a
    moment, so a deck need not wait for it when no web page is asked for; a brief still being
    checked after that moment is a long one, and matplotlib is imported meanwhile.

    Only a head start: it never raises (a pool whose initializer fails is broken for good).
    Whatever fails here fails again in the task, which reports it as a finding.

    Ctrl-C reaches every process of the terminal's group: a worker leaves it to the main
    process, which stops handing out work and waits for the tasks under way (a worker stopped
    mid-task would leave the pool waiting for it forever)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import briefgen.model
        import briefgen.plan
        from briefgen.slots import env_for

        templates = _template_set(user_templates)
        _ = templates.theme, templates.labels("en"), env_for(templates)
        for output in templates.output_names():
            templates.output(output)
    except Exception:
        pass
    try:
        from briefgen.render import RENDERERS

        for name in renderers:
            __import__(RENDERERS[name])
            if name == "pdf":
                from briefgen.render.flow import register_fonts

                register_fonts()
        # The web page's charts; else matplotlib is imported when the first chart is drawn.
        if "html" in renderers and _needed(decided, "html"):
            import briefgen.render.mplcharts  # noqa: F401
    except Exception:
        pass


WAIT_FOR_DECISION = 0.25  # seconds: a brief that takes longer to check is a long one


def _needed(decided: int | None, renderer: str) -> bool:
    """Whether this worker is to render with `renderer`: what the main process wrote on the
    pipe `decided`, or True (a guess) if it has said nothing within WAIT_FOR_DECISION."""
    if decided is None:
        return True
    import select

    try:
        if not select.select([decided], [], [], WAIT_FOR_DECISION)[0]:
            return True
        line = os.read(decided, 4096).decode()
    except (OSError, ValueError, UnicodeDecodeError):
        return True
    return renderer in line.strip().split(",")
