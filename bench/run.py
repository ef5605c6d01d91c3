"""Benchmarks (not tests): print wall-clock and memory figures beside their floors, in one run.

.venv/bin/python bench/run.py [--repeat N] [--quick] [--briefs N] [--rev REV] [--only 1,4]

Every figure is the median wall time (time.perf_counter around subprocess.run) of fresh
processes, measured against a floor or a comparison taken in the same run, interleaved with it
run by run so that other load on the machine hits both alike; beside it, the median CPU time
(user + system, all the command's processes), which other load moves far less. Each command
runs once untimed first (bytecode, font and page caches warm): "cold" means a fresh output
folder (no manifest), not a cold disk.

briefgen runs from a copy of src/ taken at start (PYTHONPATH), so edits made to the work tree
during a run do not change what is measured; --rev REV measures a committed revision instead.
--only picks figures, e.g. --only 4 for the long one alone.

  (1) cold build of briefs/mali-2013, its default outputs vs  import floor: importing, in one
      process, every module from outside the standard library that the build imports
  (1b) the same brief, the shipped templates' default outputs only (--only)  vs  the same floor
  (2) no-op rebuild into the same folder                   vs  python -c pass
  (2b) the same after the artifacts' times changed (hashed)  vs  python -c pass
  (3) rebuild after a one-word change in the summary       vs  (1); and what its charts cost
  (4) 200 generated briefs, --jobs 1 and --jobs 2          speed-up ratio
  (5) peak memory of a single-brief cold build (largest process exactly; sums sampled)
  (6) the route a user would take instead: bench/mali_chart.py (matplotlib) + pandoc md->pptx
      + pandoc md->pdf (typst engine)                      vs  (1)
  (7) scaling: briefs of 1k, 2k, 4k and 8k commitments (tests/scaled.py: a party per four
      commitments, an event per ten), each output built alone: time and peak memory
                                                           vs  linear growth (8k / 1k = 8x)

Needs for (5) psutil and for (6) pypandoc_binary and typst (the `bench` extra); without them
those rows say what is missing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
MALI = ROOT / "briefs" / "mali-2013"
FIXTURES = ROOT / "tests" / "fixtures" / "good"
PY = sys.executable
BRIEFGEN = [PY, "-m", "briefgen"]
IMPORT_FLOOR: list[object] = []  # set by `import_floor()` once briefgen is in place
PASS_FLOOR = [PY, "-c", "pass"]
MB = 1024 * 1024
NOTES: list[str] = []  # printed under the table
# The environment of every command: PYTHONPATH points at a snapshot of src/ taken at start, so
# edits to the work tree during a run neither break it nor change the code (or its digest).
ENV: dict[str, str] = dict(os.environ)

# Targets.
NOOP_MAX = 8.0  # no-op rebuild / python -c pass
COLD_MAX = 1.3  # cold build / import floor
ROUTE_MIN = 1.5  # pandoc route / cold build
JOBS_MIN = 1.7  # 200 briefs: --jobs 1 / --jobs 2
SCALING_MAX = 10.0  # (7) time and memory, 8k / 1k commitments: linear is 8 (memory: less)
MEMORY_MAX_MB = 250.0  # single-brief cold build, all processes summed

# One word of the Mali summary, swapped back and forth: "... and Chad have promised thousands".
WORD_A, WORD_B = "have promised thousands", "have pledged thousands"

# Runs a command in a fresh process and prints the largest max RSS (KiB) of its process tree:
# Linux folds every reaped descendant's peak into RUSAGE_CHILDREN as a max, never a sum.
RUSAGE_WRAPPER = """\
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

# pandoc's --pdf-engine=typst runs `typst compile IN.typ OUT.pdf`; the typst package on PyPI
# ships the compiler as a Python module only, so this stands in for the executable.
TYPST_SHIM = """\
#!{python}
import sys

import typst

args = sys.argv[1:]
if args[:1] == ["--version"]:
    print("typst", typst.__version__)
    sys.exit(0)
if args[:1] != ["compile"]:
    sys.exit("typst shim: only `typst compile` is supported")
positional, root, fonts = [], None, []
it = iter(args[1:])
for arg in it:
    if arg == "--root":
        root = next(it)
    elif arg == "--font-path":
        fonts.append(next(it))
    elif arg.startswith("-") and arg != "-":
        sys.exit(f"typst shim: unsupported option {{arg}}")
    else:
        positional.append(arg)
source, output = positional
data = sys.stdin.buffer.read() if source == "-" else source
typst.compile(data, output=output, root=root, font_paths=fonts)
"""


# --------------------------------------------------------------------------- running and timing


# Commands run in a folder of their own: the repository's templates/ is the shipped set, which
# a command run at the repository's root would also take for a user's override.
WORKDIR: list[Path] = [ROOT]


def run(
    cmd: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    """Run a command to completion; its stdout, or an error with its output."""
    done = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd or WORKDIR[0],
        env=env or ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"benchmark command failed ({done.returncode}): {' '.join(map(str, cmd))}\n"
            f"{done.stdout}{done.stderr}"
        )
    return done.stdout


@dataclass
class Timed:
    wall: float  # seconds, time.perf_counter around subprocess.run
    cpu: float  # seconds of user + system time of the command and everything it waited for
    out: str = ""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    cmd: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Timed:
    """One run: wall and CPU time in seconds, and its stdout."""
    cpu = children_cpu()
    start = time.perf_counter()
    out = run(cmd, cwd=cwd, env=env)
    wall = time.perf_counter() - start
    return Timed(wall, children_cpu() - cpu, out)


@dataclass
class Sample:
    """Wall and CPU times of repeated runs of one thing."""

    runs: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    def add(self, t: Timed) -> Timed:
        self.runs.append(t.wall)
        self.cpus.append(t.cpu)
        return t

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def spread(self) -> str:
        if len(self.runs) < 2:
            return ""
        return f"{min(self.runs) * 1000:.0f}-{max(self.runs) * 1000:.0f}"

    def cpu(self) -> str:
        return ms(statistics.median(self.cpus))


def interleaved(repeat: int, *steps: Callable[[], Timed]) -> list[Sample]:
    """Run the steps in turn, `repeat` rounds."""
    samples = [Sample() for _ in steps]
    for _ in range(repeat):
        for sample, step in zip(samples, steps, strict=True):
            sample.add(step())
    return samples


def cmd_step(cmd: Sequence[str | Path]) -> Callable[[], Timed]:
    return lambda: timed(cmd)


# --------------------------------------------------------------------------------- the figures


@dataclass
class Row:
    name: str
    value: str
    spread: str = ""
    cpu: str = ""
    compare: str = ""
    compare_value: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""


def measured(name: str, sample: Sample, **rest: str) -> Row:
    """A row for a timed thing: its median wall time, spread and median CPU time."""
    return Row(name, ms(sample.median), sample.spread(), sample.cpu(), **rest)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def fresh(tmp: Path, prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=tmp))


def cold_build_step(tmp: Path, brief: Path, *extra: str) -> Callable[[], Timed]:
    """Build into a new output folder each time (removed afterwards)."""

    def step() -> Timed:
        out = fresh(tmp, "cold-")
        try:
            return timed([*BRIEFGEN, "build", brief, "-o", out, *extra])
        finally:
            shutil.rmtree(out, ignore_errors=True)

    return step


def default_outputs(templates: Path) -> list[str]:
    """The default outputs (those a brief without `outputs` gets) of the templates measured, in
    their order; [] for a revision without a top-level templates folder."""
    import re

    found = []
    for spec in sorted(templates.glob("*/output.yaml")):
        text = spec.read_text("utf-8")
        if re.search(r"^default:\s*true\s*$", text, re.M):
            order = re.search(r"^order:\s*(\d+)", text, re.M)
            found.append((int(order.group(1)) if order else 50, spec.parent.name))
    return [name for _, name in sorted(found)]


def bench_floors_cold_noop(tmp: Path, repeat: int) -> tuple[list[Row], Sample]:
    """(1) and (2): cold build beside the import floor, no-op rebuild beside python -c pass."""
    noop_out = fresh(tmp, "noop-")
    noop = [*BRIEFGEN, "build", MALI, "-o", noop_out]
    import_floor(tmp)
    for warm in (PASS_FLOOR, IMPORT_FLOOR, noop):  # the last one is the no-op folder's first build
        run(warm)
    status = run(noop)
    if "unchanged" not in status:
        raise SystemExit(f"no-op rebuild rebuilt something: {status}")
    defaults = default_outputs(WORKDIR[0] / "templates")
    floor_pass, the_noop, hashed, floor_import, cold, *cold_defaults = interleaved(
        repeat,
        cmd_step(PASS_FLOOR),
        cmd_step(noop),
        retimed_noop_step(noop_out, noop),
        cmd_step(IMPORT_FLOOR),
        cold_build_step(tmp, MALI),
        *([cold_build_step(tmp, MALI, "--only", ",".join(defaults))] if defaults else []),
    )
    cold_ratio = cold.median / floor_import.median
    NOTES.append(f"(1)-(3), (5) use the default --jobs ({os.cpu_count()} here)")
    noop_ratio = the_noop.median / floor_pass.median
    hashed_ratio = hashed.median / floor_pass.median
    rows = [
        measured("python -c pass (floor)", floor_pass),
        measured(f"import floor: {FLOOR_WHAT[0]}", floor_import),
        measured(
            "(1) cold build, mali-2013, all its outputs",
            cold,
            compare="import floor",
            compare_value=ms(floor_import.median),
            ratio=f"{cold_ratio:.2f}x",
            target=f"<= {COLD_MAX}x",
            verdict=verdict(cold_ratio <= COLD_MAX),
        ),
        *(
            [
                measured(
                    f"(1b) cold build, mali-2013, the default outputs ({', '.join(defaults)})",
                    cold_defaults[0],
                    compare="import floor",
                    compare_value=ms(floor_import.median),
                    ratio=f"{cold_defaults[0].median / floor_import.median:.2f}x",
                    target=f"<= {COLD_MAX}x",
                    verdict=verdict(cold_defaults[0].median / floor_import.median <= COLD_MAX),
                )
            ]
            if cold_defaults
            else []
        ),
        measured(
            "(2) no-op rebuild, same out dir",
            the_noop,
            compare="python -c pass",
            compare_value=ms(floor_pass.median),
            ratio=f"{noop_ratio:.2f}x",
            target=f"<= {NOOP_MAX:g}x",
            verdict=verdict(noop_ratio <= NOOP_MAX),
        ),
        measured(
            "(2b) no-op rebuild, artifacts' times changed (each hashed)",
            hashed,
            compare="python -c pass",
            compare_value=ms(floor_pass.median),
            ratio=f"{hashed_ratio:.2f}x",
            target=f"<= {NOOP_MAX:g}x",
            verdict=verdict(hashed_ratio <= NOOP_MAX),
        ),
    ]
    return rows, cold


def retimed_noop_step(out: Path, noop: Sequence[str | Path]) -> Callable[[], Timed]:
    """(2b): the no-op rebuild after every artifact's modification time changed (a CI cache
    restored, a `touch`): briefgen then hashes each artifact to compare it with the manifest."""

    def step() -> Timed:
        stamp = time.time_ns() - 10**9
        for f in out.rglob("*"):
            if f.suffix in (".pdf", ".pptx"):
                os.utime(f, ns=(stamp, stamp))
        t = timed(noop)
        if "unchanged" not in t.out:
            raise SystemExit(f"no-op rebuild rebuilt something: {t.out}")
        return t

    return step


CHART_TIMER = """\
import sys, time
from pathlib import Path
from briefgen.blocks import Chart
from briefgen.load import check
from briefgen.plan import plan
from briefgen.render import pdfcharts
from briefgen.render.flow import register_fonts
try:
    from briefgen.template_set import TemplateSet as Templates
except ImportError:  # a revision before the template set (--rev)
    from briefgen.templates import Templates
register_fonts()
folder = Path(sys.argv[1])
doc = plan(check(folder / "brief.yaml").brief, folder, "handout", Templates())
specs = [b.spec for s in doc.sections for b in s.blocks if isinstance(b, Chart)]
start = time.perf_counter()
for i, spec in enumerate(specs):
    pdfcharts.drawing(spec, 500.0 + i, 9.0)  # a width never drawn before: no memo
print(len(specs), time.perf_counter() - start)
"""


def bench_one_word(tmp: Path, repeat: int, cold: Sample) -> list[Row]:
    """(3): edit one word of the summary in a copy of the Mali brief, rebuild it.

    PDF charts are vector drawings laid out in milliseconds (and once per build for a given
    spec, width and size); the row under it measures that, so a disk cache would not pay."""
    briefs = fresh(tmp, "edit-briefs-")
    brief = briefs / MALI.name
    shutil.copytree(MALI, brief)
    yaml = brief / "brief.yaml"
    if WORD_A not in yaml.read_text("utf-8"):
        raise SystemExit(f"cannot find {WORD_A!r} in {yaml}")
    out = fresh(tmp, "edit-out-")
    cmd = [*BRIEFGEN, "build", brief, "-o", out]
    run(cmd)
    runs = Sample()
    for i in range(repeat):
        old, new = (WORD_A, WORD_B) if i % 2 == 0 else (WORD_B, WORD_A)
        yaml.write_text(yaml.read_text("utf-8").replace(old, new), "utf-8")
        status = runs.add(timed(cmd)).out
        if "1 rebuilt" not in status:
            raise SystemExit(f"one-word change did not rebuild the brief: {status}")
    ratio = runs.median / cold.median
    draws = [run([PY, "-c", CHART_TIMER, MALI]).split() for _ in range(repeat)]
    chart_ms = statistics.median(float(d[1]) for d in draws) * 1000
    return [
        measured(
            "(3) rebuild after a one-word summary edit",
            runs,
            compare="(1) cold build",
            compare_value=ms(cold.median),
            ratio=f"{ratio:.2f}x",
        ),
        Row(f"    laying out its {draws[0][0]} PDF charts (in process)", f"{chart_ms:,.1f} ms"),
    ]


def generate_briefs(dest: Path, count: int) -> list[str]:
    """`count` distinct briefs from the Mali brief and the good fixtures: titles and numbers vary."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    bases = [MALI, *sorted(p for p in FIXTURES.iterdir() if (p / "brief.yaml").is_file())]
    numbers = {
        "key_figures": ("value",),
        "commitments": ("troops", "troops_in_place"),
        "displacement": ("figure",),
    }
    for i in range(count):
        base = bases[i % len(bases)]
        data = yaml.load((base / "brief.yaml").read_text("utf-8"))
        factor = 0.5 + (i * 37 % 100) / 100
        data["title"] = f"{data['title']} ({i + 1})"
        for section, keys in numbers.items():
            for item in data.get(section) or []:
                for key in keys:
                    if isinstance(item.get(key), int):
                        item[key] = max(1, round(item[key] * factor))
        folder = dest / f"{base.name}-{i + 1:03d}"
        shutil.copytree(base, folder)
        with (folder / "brief.yaml").open("w", encoding="utf-8") as f:
            yaml.dump(data, f)
    return [b.name for b in bases]


def bench_many(tmp: Path, repeat: int, count: int) -> list[Row]:
    """(4): `count` generated briefs with --jobs 1 and --jobs 2, fresh output folders."""
    briefs = fresh(tmp, "many-briefs-")
    bases = generate_briefs(briefs, count)

    def step(jobs: int) -> Callable[[], Timed]:
        def go() -> Timed:
            out = fresh(tmp, f"many-out-j{jobs}-")
            try:
                done = timed([*BRIEFGEN, "build", briefs, "-o", out, "--jobs", str(jobs)])
            finally:
                shutil.rmtree(out, ignore_errors=True)
            if f"{count} rebuilt" not in done.out:
                raise SystemExit(f"--jobs {jobs}: not every brief was built: {done.out}")
            return done

        return go

    one, two = interleaved(repeat, step(1), step(2))
    speedup = one.median / two.median
    NOTES.append(
        f"(4) briefs generated round-robin from {', '.join(bases)}; per brief: "
        f"{one.median / count * 1000:.0f} ms with --jobs 1, {two.median / count * 1000:.0f} ms "
        "with --jobs 2"
    )
    return [
        measured(f"(4) {count} briefs, --jobs 1", one),
        measured(
            f"(4) {count} briefs, --jobs 2",
            two,
            compare="--jobs 1",
            compare_value=ms(one.median),
            ratio=f"{speedup:.2f}x faster",
            target=f">= {JOBS_MIN}x",
            verdict=verdict(speedup >= JOBS_MIN),
        ),
    ]


@dataclass
class Peak:
    largest_kib: int = 0  # largest single process, from rusage (exact)
    rss_sum: int = 0  # bytes, all processes of the build at one sample (shared pages counted twice)
    pss_sum: int = 0  # bytes, proportional set size summed (shared pages split)
    most_processes: int = 0
    samples: int = 0


def sampled_memory(pid: int, peak: Peak, stop: threading.Event) -> None:
    """Poll the process tree under `pid` (the wrapper itself excluded) until told to stop."""
    import psutil

    try:
        wrapper = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        rss = pss = n = 0
        try:
            tree = wrapper.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        for proc in tree:
            try:
                info = proc.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            rss, pss, n = rss + info.rss, pss + getattr(info, "pss", info.rss), n + 1
        peak.rss_sum, peak.pss_sum = max(peak.rss_sum, rss), max(peak.pss_sum, pss)
        peak.most_processes = max(peak.most_processes, n)
        peak.samples += 1
        stop.wait(0.005)


def bench_memory(tmp: Path, repeat: int) -> list[Row]:
    """(5): peak memory of a single-brief cold build (default --jobs: worker processes)."""
    try:
        import psutil  # noqa: F401

        have_psutil = True
    except ImportError:
        have_psutil = False
    peaks = []
    for _ in range(repeat):
        out = fresh(tmp, "mem-")
        peak = Peak()
        cmd = [PY, "-c", RUSAGE_WRAPPER, *BRIEFGEN, "build", str(MALI), "-o", str(out)]
        proc = subprocess.Popen(cmd, cwd=WORKDIR[0], env=ENV, stdout=subprocess.PIPE, text=True)
        stop = threading.Event()
        sampler = None
        if have_psutil:
            sampler = threading.Thread(target=sampled_memory, args=(proc.pid, peak, stop))
            sampler.start()
        stdout, _ = proc.communicate()
        stop.set()
        if sampler is not None:
            sampler.join()
        shutil.rmtree(out, ignore_errors=True)
        if proc.returncode != 0:
            raise SystemExit(f"memory run failed ({proc.returncode})")
        peak.largest_kib = int(stdout.split()[-1])
        peaks.append(peak)
    largest = max(p.largest_kib for p in peaks) * 1024 / MB
    rows = [Row("(5) peak memory, largest single process", f"{largest:.0f} MB")]
    if not have_psutil:
        rows[0].target = f"< {MEMORY_MAX_MB:g} MB"
        rows[0].verdict = verdict(largest < MEMORY_MAX_MB) + " (no psutil: sum not measured)"
        return rows
    rss = max(p.rss_sum for p in peaks) / MB
    pss = max(p.pss_sum for p in peaks) / MB
    procs = max(p.most_processes for p in peaks)
    samples = min(p.samples for p in peaks)
    rows += [
        Row(
            f"(5) peak memory, all {procs} processes summed (RSS)",
            f"{rss:.0f} MB",
            target=f"< {MEMORY_MAX_MB:g} MB",
            verdict=verdict(rss < MEMORY_MAX_MB),
        ),
        Row(f"(5) peak memory, all {procs} processes summed (PSS)", f"{pss:.0f} MB"),
    ]
    NOTES.append(
        "(5) largest process: exact (ru_maxrss of the tree, max over runs); sums: psutil "
        f"polled every 5 ms (>= {samples} samples a run), max over runs. RSS counts pages the "
        "forked workers share with the main process once per process; PSS splits them."
    )
    return rows


def bench_scaling(tmp: Path, sizes: Sequence[int]) -> list[Row]:
    """(7): each output of a brief with n commitments, built alone (-j 1): time and peak RSS."""
    sys.path.insert(0, str(ROOT))
    from tests.scaled import write_scaled

    rows: list[Row] = []
    found: dict[str, dict[int, tuple[float, float]]] = {}
    for n in sizes:
        folder = write_scaled(fresh(tmp, f"scaled-{n}-") / f"scaled-{n}", n)
        for output in ("handout", "one-pager", "deck"):
            out = fresh(tmp, "scaled-out-")
            cmd = [PY, "-c", RUSAGE_WRAPPER, *BRIEFGEN, "build", folder, "-o", out]
            try:
                done = timed([*cmd, "--only", output, "-j", "1"])
            finally:
                shutil.rmtree(out, ignore_errors=True)
            peak = int(done.out.split()[-1]) * 1024 / MB
            found.setdefault(output, {})[n] = (done.cpu, peak)
            rows.append(
                Row(
                    f"(7) {n:,} commitments, {output}",
                    ms(done.wall),
                    cpu=ms(done.cpu),
                    compare="peak memory",
                    compare_value=f"{peak:.0f} MB",
                )
            )
    small, large = min(sizes), max(sizes)
    for output, by_size in found.items():
        (t1, m1), (t2, m2) = by_size[small], by_size[large]
        grow, linear = t2 / t1, large / small
        rows.append(
            Row(
                f"(7) {output}: {large:,} / {small:,} commitments",
                f"{grow:.1f}x cpu",
                compare="memory",
                compare_value=f"{m2 / m1:.1f}x",
                ratio=f"linear: {linear:.0f}x",
                target=f"<= {SCALING_MAX * linear / 8:g}x",
                verdict=verdict(grow <= SCALING_MAX * linear / 8),
            )
        )
    NOTES.append(
        "(7) each figure is one build of one output (check included: reading the YAML is "
        "about a third of it); peak memory is the build process's, from rusage; the growth "
        "rows compare CPU time, which other load on the machine moves far less than wall time"
    )
    return rows


def find_pandoc() -> tuple[str | None, str]:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path(), "pypandoc_binary"
    except (ImportError, OSError):
        return shutil.which("pandoc"), "PATH"


@contextmanager
def typst_on_path(tmp: Path) -> Iterator[dict[str, str] | None]:
    """An environment whose PATH has a `typst` executable (the real one, or the module's shim)."""
    env = dict(ENV)
    if shutil.which("typst") is None:
        try:
            import typst  # noqa: F401
        except ImportError:
            yield None
            return
        shim_dir = fresh(tmp, "typst-shim-")
        shim = shim_dir / "typst"
        shim.write_text(TYPST_SHIM.format(python=PY), "utf-8")
        shim.chmod(0o755)
        env["PATH"] = f"{shim_dir}{os.pathsep}{env.get('PATH', '')}"
        NOTES.append(
            "(6) typst runs through a shim script calling typst.compile (the PyPI package has no "
            "executable): md->pdf includes one Python start-up and `import typst`"
        )
    yield env


def bench_route(tmp: Path, repeat: int, cold: Sample) -> list[Row]:
    """(6): the hand route: chart script, then pandoc to PPTX and to PDF (typst), in turn."""
    name = "(6) pandoc route: chart.py + md->pptx + md->pdf (typst)"
    pandoc, _ = find_pandoc()
    with typst_on_path(tmp) as env:
        if pandoc is None or env is None:
            missing = "pypandoc_binary" if pandoc is None else "typst"
            return [Row(name, "skipped", target=f"pip install {missing}")]
        work = fresh(tmp, "route-")
        shutil.copy(BENCH / "mali.md", work)
        shutil.copy(MALI / "map.png", work)
        chart = [PY, BENCH / "mali_chart.py", "mali_chart.png"]
        to_pptx = [pandoc, "mali.md", "-o", "mali.pptx"]
        to_pdf = [pandoc, "mali.md", "--pdf-engine=typst", "-o", "mali.pdf"]
        steps = [(chart, "chart"), (to_pptx, "md->pptx"), (to_pdf, "md->pdf")]
        for cmd, _ in steps:  # warm-up, and a check that the route works at all
            run(cmd, cwd=work, env=env)
        parts = [Sample() for _ in steps]
        total = Sample()
        for _ in range(repeat):
            for f in ("mali_chart.png", "mali.pptx", "mali.pdf"):
                (work / f).unlink(missing_ok=True)
            done = [
                sample.add(timed(cmd, cwd=work, env=env))
                for sample, (cmd, _) in zip(parts, steps, strict=True)
            ]
            total.add(Timed(sum(t.wall for t in done), sum(t.cpu for t in done)))
    ratio = total.median / cold.median
    NOTES.append("(6) the three steps run one after another; the total is their sum per run")
    rows = [
        measured(
            name,
            total,
            compare="(1) cold build",
            compare_value=ms(cold.median),
            ratio=f"{ratio:.2f}x",
            target=f"route >= {ROUTE_MIN}x (1)",
            verdict=verdict(ratio >= ROUTE_MIN),
        )
    ]
    for sample, (_, label) in zip(parts, steps, strict=True):
        rows.append(measured(f"    {label}", sample))
    return rows


# ------------------------------------------------------------------------------------ reporting


FLOOR_WHAT: list[str] = [""]


def import_floor(tmp: Path) -> None:
    """The import floor: every module from outside the standard library (briefgen's own left
    out) that a cold build of the Mali brief has imported, imported in one fresh process."""
    out = fresh(tmp, "floor-")
    code = (
        "import sys; from briefgen.cli import main; "
        f"main(['build', {str(MALI)!r}, '-o', {str(out)!r}, '--jobs', '1']); "
        "std = sys.stdlib_module_names; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] not in std "
        "and not m.startswith(('briefgen', '_')) and '._' not in m)))"
    )
    modules = run([PY, "-c", code]).strip().split("\n")[-1].split()
    shutil.rmtree(out, ignore_errors=True)
    tops = sorted({m.split(".")[0] for m in modules})
    FLOOR_WHAT[0] = f"{len(modules)} modules of {', '.join(tops)}"
    IMPORT_FLOOR[:] = [
        PY,
        "-c",
        "import importlib\n"
        f"for m in {modules!r}:\n"
        "    try:\n        importlib.import_module(m)\n"
        "    except Exception:\n        pass",
    ]


def snapshot_source(tmp: Path, rev: str | None) -> str:
    """Copy src/ (of the work tree, or of a git revision) aside and point PYTHONPATH at it.

    Returns what is measured, for the heading.
    """
    src = tmp / "src"
    git = ["git", "-C", str(ROOT)]
    if rev is not None:
        commit = run([*git, "rev-parse", "--short", f"{rev}^{{commit}}"]).strip()
        archive = tmp / "src.tar"
        has_templates = run([*git, "ls-tree", "--name-only", commit, "templates"]).strip()
        parts = ["src", "briefs", "templates"] if has_templates else ["src", "briefs"]
        run([*git, "archive", "--format=tar", "-o", archive, commit, *parts])
        with tarfile.open(archive) as tar:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(tmp, **safe)  # type: ignore[arg-type]
        archive.unlink()
        what = f"src/ at commit {commit} (--rev {rev})"
        global MALI  # the brief as it was at that revision: the format grows
        MALI = tmp / "briefs" / "mali-2013"
    else:
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
        shutil.copytree(ROOT / "src", src, ignore=ignore)
        shutil.copytree(ROOT / "templates", tmp / "templates")  # the shipped templates
        try:
            head = run([*git, "rev-parse", "--short", "HEAD"]).strip()
            dirty = run([*git, "status", "--porcelain", "--", "src"]).strip()
            what = f"src/ of the work tree: {head}" + (" plus uncommitted changes" if dirty else "")
        except (OSError, SystemExit):
            what = "src/ of the work tree"
    ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))
    # Bytecode, as an installed briefgen has it (pip compiles at install; the libraries in the
    # import floor have theirs): without it every run would compile briefgen's modules anew,
    # and PYTHONDONTWRITEBYTECODE (set on some machines) would keep it that way.
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    run([PY, "-m", "compileall", "-q", src])
    found = run([PY, "-c", "import briefgen; print(briefgen.__file__)"]).strip()
    if not Path(found).is_relative_to(src):
        raise SystemExit(f"the copy of src/ is not the briefgen imported: {found}")
    return what


def versions() -> str:
    bits = [f"python {sys.version.split()[0]}"]
    pandoc, origin = find_pandoc()
    if pandoc:
        first = run([pandoc, "--version"]).splitlines()[0]
        bits.append(f"{first} ({origin})")
    try:
        import typst

        bits.append(f"typst (python module) {typst.__version__}")
    except ImportError:
        pass
    return "; ".join(bits)


def table(rows: list[Row]) -> str:
    head = Row(
        "figure",
        "median",
        "min-max ms",
        "cpu",
        "compared with",
        "its median",
        "ratio",
        "target",
        "result",
    )
    cols = list(vars(head))
    width = {c: max(len(getattr(r, c)) for r in [head, *rows]) for c in cols}
    right = {"value", "spread", "cpu", "compare_value", "ratio"}

    def line(r: Row) -> str:
        cells = [
            getattr(r, c).rjust(width[c]) if c in right else getattr(r, c).ljust(width[c])
            for c in cols
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width[c] for c in cols)
    return "\n".join([line(head), rule, *map(line, rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--quick", action="store_true", help="one run of everything")
    parser.add_argument("--briefs", type=int, default=200, help="briefs for (4) (default 200)")
    parser.add_argument(
        "--scaling",
        default="1000,2000,4000,8000",
        metavar="N,N",
        help="commitments in the briefs of (7) (default 1000,2000,4000,8000)",
    )
    parser.add_argument(
        "--only",
        default="1,2,3,4,5,6,7",
        metavar="N,N",
        help="figures to measure (default all); (1) and (2) come with (3) and (6)",
    )
    parser.add_argument(
        "--rev",
        metavar="REV",
        help="measure src/ of this git revision (default: the work tree as it is at start)",
    )
    args = parser.parse_args()
    picked = {n.strip() for n in args.only.split(",")} - {""}
    if not picked <= set("1234567"):
        parser.error("--only takes figure numbers 1 to 7, e.g. --only 4 or --only 1,5")
    only = {int(n) for n in picked}
    repeat = 1 if args.quick else max(1, args.repeat)
    few = 1 if args.quick else min(repeat, 3)  # (4) and (6)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as name:
        tmp = Path(name)
        WORKDIR[0] = tmp
        print(f"briefgen benchmarks of {snapshot_source(tmp, args.rev)}, copied aside at start")
        print(versions())
        print(
            f"{os.cpu_count()} cores; {repeat} runs per figure, {few} for (4) and (6); "
            f"load average at start {os.getloadavg()[0]:.2f}"
        )
        rows: list[Row] = []
        if only & {1, 2, 3, 6}:  # (3) and (6) are compared with (1)
            more, cold = bench_floors_cold_noop(tmp, repeat)
            rows += more
            if 3 in only:
                rows += bench_one_word(tmp, repeat, cold)
            if 6 in only:
                rows += bench_route(tmp, few, cold)
        if 5 in only:
            rows += bench_memory(tmp, repeat)
        if 4 in only:
            rows += bench_many(tmp, few, args.briefs)
        if 7 in only:
            sizes = [int(n) for n in args.scaling.split(",") if n.strip()]
            rows += bench_scaling(tmp, sizes)
    print()
    print(table(rows))
    print()
    print(
        "median: wall time (peak MB for (5)); cpu: median user+system time of the command's "
        "processes (other load on the machine moves wall time much more than cpu time)"
    )
    for note in sorted(NOTES):
        print(note)
    print(
        f"load average at end {os.getloadavg()[0]:.2f}; took {time.perf_counter() - started:.0f} s. "
        "A load well above 0 means other work shared the 2 cores: read the spreads."
    )


if __name__ == "__main__":
    main()
