"""Benchmark (not a test): the web page and the chart pictures of the Mali brief, beside floors.

.venv/bin/python bench/web_page.py [--repeat N]

Every figure is the median of N fresh processes (after one untimed run: bytecode and
matplotlib's font cache warm), interleaved with its floor run by run so that other load on the
machine hits both alike:

  (1) render the page: plan + render_html, in-process time   vs  importing jinja2 + matplotlib
  (2) render the chart images (SVG + PNG of each chart)       vs  the same floor
  (3) the whole process for (1): python start, imports, check, plan, page
  (4) every default output of the Mali brief in ONE process, one after the other (handout,
      one-pager, deck, page): an upper bound of the cold build once `html` is wired in (the
      build renders the deck in a second process)   vs  importing every library those import

The page and the pictures are not wired into `briefgen build` yet (that is the templates
refactor's), so the build's own figures stay with bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MALI = ROOT / "briefs" / "mali-2013"
PAGE_FLOOR = "import jinja2.sandbox, matplotlib.figure, matplotlib.backends.backend_svg, matplotlib.backends.backend_agg"
ALL_FLOOR = PAGE_FLOOR + ", reportlab.platypus, pptx"
COLD_MAX = 1.3  # the target: cold build / import floor

# Runs in a fresh process; prints the in-process seconds of what `what` names.
SCRIPT = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from briefgen.load import check
from briefgen.plan import plan
from briefgen.template_set import TemplateSet as Templates
what, folder = sys.argv[1], Path(sys.argv[2])
templates = Templates()
loaded = check(folder)
brief = loaded.brief
t1 = time.perf_counter()
if what == "page":
    from briefgen.render.html import render_html
    doc = plan(brief, loaded.folder, "html", templates)
    out = render_html(doc, templates.theme.model_dump(), Path("templates/html"))
    size = len(out.data)
elif what == "images":
    from briefgen.render.mplcharts import render_chart_images
    doc = plan(brief, loaded.folder, "chart-images", templates)
    size = sum(map(len, render_chart_images(doc, templates.theme.model_dump()).values()))
else:  # every default output, one after the other
    from briefgen.render import renderer
    size = 0
    for output in templates.default_outputs():
        doc = plan(brief, loaded.folder, output, templates)
        size += len(renderer(doc.spec.renderer)(doc).data)
t2 = time.perf_counter()
print(json.dumps({"render": t2 - t1, "all": t2 - t0, "bytes": size}))
"""


def wall(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system) and stdout of a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    steps = {
        "page": [PY, "-c", SCRIPT, "page", str(MALI)],
        "images": [PY, "-c", SCRIPT, "images", str(MALI)],
        "all": [PY, "-c", SCRIPT, "all", str(MALI)],
        "page floor": [PY, "-c", PAGE_FLOOR],
        "all floor": [PY, "-c", ALL_FLOOR],
    }
    for cmd in steps.values():  # untimed: caches warm
        wall(cmd)
    walls: dict[str, list[float]] = {k: [] for k in steps}
    cpus: dict[str, list[float]] = {k: [] for k in steps}
    inner: dict[str, list[dict[str, float]]] = {k: [] for k in ("page", "images", "all")}
    for _ in range(args.repeat):
        for name, cmd in steps.items():
            seconds, cpu, out = wall(cmd)
            walls[name].append(seconds)
            cpus[name].append(cpu)
            if name in inner:
                inner[name].append(json.loads(out))

    def med(values: list[float]) -> float:
        return statistics.median(values)

    def both(name: str) -> str:
        return f"{med(walls[name]):.2f} s (CPU {med(cpus[name]):.2f} s)"

    page = med([r["render"] for r in inner["page"]])
    images = med([r["render"] for r in inner["images"]])
    ratio_wall = med(walls["all"]) / med(walls["all floor"])
    ratio_cpu = med(cpus["all"]) / med(cpus["all floor"])
    met = "met" if ratio_wall <= COLD_MAX else "NOT met"
    rows = [
        (
            "the Mali page, whole process (start, check, plan, page)",
            both("page"),
            f"importing jinja2 + matplotlib: {both('page floor')}",
        ),
        ("  of which plan + render_html (importing matplotlib included)", f"{page:.2f} s", ""),
        (
            "the chart images, in process (2 charts, SVG + PNG, import included)",
            f"{images:.2f} s",
            "",
        ),
        (
            "every default output, one process, one after the other",
            both("all"),
            f"importing reportlab, python-pptx, jinja2, matplotlib: {both('all floor')}; "
            f"{ratio_wall:.2f}× wall, {ratio_cpu:.2f}× CPU (target ≤ {COLD_MAX}×: {met})",
        ),
    ]
    print(f"medians of {args.repeat} fresh processes; 2 cores shared\n")
    print("| what | time | beside |\n|---|---|---|")
    for what, seconds, beside in rows:
        print(f"| {what} | {seconds} | {beside} |")
    page_bytes, image_bytes = inner["page"][0]["bytes"], inner["images"][0]["bytes"]
    print(f"\npage: {page_bytes:,} bytes; chart images: {image_bytes:,} bytes")


if __name__ == "__main__":
    main()
