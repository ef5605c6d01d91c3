"""One unit of rendering work — a brief's output — runnable in a worker process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import RenderError, TemplateError
from briefgen.model import Brief
from briefgen.render import Rendered


@dataclass(frozen=True)
class Task:
    file: Path  # the brief.yaml (its folder holds the brief's images)
    brief: Brief
    output: str
    templates: Path | None  # user templates folder
    chart_cache: Path | None  # folder of drawn charts, by ChartSpec hash


def run_task(task: Task) -> Rendered | str:
    """Plan and render one output; a content problem comes back as its message, not raised."""
    from briefgen.charts import ChartCache
    from briefgen.plan import plan
    from briefgen.templates import Templates

    templates = Templates(task.templates)
    try:
        doc = plan(task.brief, task.file.parent, task.output, templates)
        if task.output == "deck":
            from briefgen.render.pptx import render as render_deck

            return render_deck(doc, templates)
        from briefgen.render.pdf import render_handout, render_one_pager

        draw = render_handout if task.output == "handout" else render_one_pager
        return draw(doc, templates, ChartCache(task.chart_cache))
    except (RenderError, TemplateError) as e:
        return f"{task.output}: {e}"


def warm_up() -> None:
    """Import the renderers and load the fonts, so a worker is ready when its first task comes."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401
    import pptx  # noqa: F401

    from briefgen.render.flow import register_fonts

    register_fonts()
