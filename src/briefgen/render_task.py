"""One unit of work — checking a brief, or rendering its outputs — runnable in a worker process.

A brief's outputs are rendered together in one process: they share the imports and the fonts.
Parallelism is across briefs (and, for a lone brief, across its outputs). Importing this module
is cheap: workers are forked from it before the model or any renderer is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import RenderError, TemplateError

if TYPE_CHECKING:
    from briefgen.load import Loaded
    from briefgen.model import Brief
    from briefgen.render import Rendered


@dataclass(frozen=True)
class Task:
    file: Path  # the brief.yaml (its folder holds the brief's images)
    brief: Brief
    outputs: tuple[str, ...]
    templates: Path | None  # user templates folder


def check_task(item: tuple[Path, str]) -> Loaded:
    """`load.check` for a worker: (brief.yaml, how to show its path) → the loaded brief."""
    from briefgen.load import check

    return check(*item)


def run_task(task: Task) -> dict[str, Rendered | str]:
    """Plan and render a brief's outputs; a content problem comes back as its message."""
    from briefgen.plan import plan
    from briefgen.templates import Templates

    templates = Templates(task.templates)
    done: dict[str, Rendered | str] = {}
    for output in task.outputs:
        try:
            doc = plan(task.brief, task.file.parent, output, templates)
            if output == "deck":
                from briefgen.render.pptx import render as render_deck

                done[output] = render_deck(doc, templates)
            else:
                from briefgen.render.pdf import render_handout, render_one_pager

                draw = render_handout if output == "handout" else render_one_pager
                done[output] = draw(doc, templates)
        except (RenderError, TemplateError) as e:
            done[output] = f"{output}: {e}"
    return done


def warm_up(outputs: Sequence[str], user_templates: Path | None = None) -> None:
    """Import what rendering `outputs` needs (the model, the planner, ReportLab and the fonts,
    python-pptx for a deck) and parse the templates, so a worker is ready when its first task
    comes. Runs in a worker while the main process checks the briefs.

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
        from briefgen.templates import Templates

        templates = Templates(user_templates)  # parsed once per process, shared by every task
        _ = templates.theme, templates.labels("en")
        for output in outputs:
            templates.sections(output)
    except Exception:
        pass
    try:
        if "handout" in outputs or "one-pager" in outputs:
            from briefgen.render.flow import register_fonts
            from briefgen.render.pdf import render_handout  # noqa: F401

            register_fonts()
        if "deck" in outputs:
            import briefgen.render.pptx  # noqa: F401
    except Exception:
        pass
