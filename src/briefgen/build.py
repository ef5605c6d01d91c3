"""`briefgen build`: find, decide what is outdated, check, render (in parallel), write, report.

Gather, then write: every outdated brief is loaded and checked before any artifact is written,
so one bad brief stops the run with nothing half-done (unless --keep-going). Up-to-date briefs
are decided from content hashes alone (manifest.py), without loading the model or any renderer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen import report
from briefgen.atomic import sweep_temporary_files, write_atomic, write_together
from briefgen.errors import Finding, OutputError, Severity, TemplateError, has_errors
from briefgen.inputs import slug_of
from briefgen.lifecycle import held_signals
from briefgen.manifest import Manifest, digest_folder, input_keys, template_digests
from briefgen.template_set import OUTPUT_FILE, TemplateProblems, TemplateSet

if TYPE_CHECKING:
    from briefgen.load import Loaded
    from briefgen.model import Brief
    from briefgen.render import Rendered

Progress = Callable[[str, int, int], None]  # message, done, total


@dataclass(frozen=True)
class Options:
    out: Path = Path("build")
    only: tuple[str, ...] | None = (
        None  # None: each brief's outputs (its own list, or the defaults)
    )
    jobs: int = 1
    force: bool = False
    keep_going: bool = False
    shard: tuple[int, int] = (1, 1)  # (i, n): build the i-th of n stable subsets
    templates: tuple[Path, ...] = ()  # user folders over the shipped templates, first wins
    prune: bool = False  # remove the artifacts of briefs that no longer exist


@dataclass
class Job:
    """One brief: where it is, what shapes each output, and what became of it."""

    file: Path
    display: str
    keys: dict[str, str]  # output → input hash
    digest: str = ""  # the brief folder's digest (binds the manifest's list of its outputs)
    status: str = "unchanged"  # unchanged | outdated → rebuilt | failed | skipped
    brief: Brief | None = None
    stale: list[str] | None = None  # outputs known to be out of date; None = all of them
    outputs_set: str = ""  # hash of the template set's outputs when decided
    outputs: list[str] = field(default_factory=list)  # the outputs to render now
    wanted: list[str] = field(default_factory=list)  # the brief's outputs
    recorded: list[str] = field(default_factory=list)  # its outputs at the last good build
    checked: dict[str, Any] | None = None  # its warnings and figures, for the manifest (report.py)
    failures: list[Finding] = field(default_factory=list)  # its outputs' problems in templates

    @property
    def slug(self) -> str:
        return slug_of(self.file)


@dataclass
class BuildResult:
    findings: list[Finding] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    templates: TemplateSet = field(default_factory=TemplateSet)
    written: list[Path] = field(default_factory=list)
    manifest: Manifest = field(default_factory=Manifest)
    orphans: list[str] = field(default_factory=list)  # slugs whose brief is gone
    pruned: list[tuple[str, int]] = field(default_factory=list)  # (slug, files removed)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings) and all(j.status != "failed" for j in self.jobs)


def build(
    briefs: Sequence[tuple[Path, str]],
    opts: Options,
    progress: Progress | None = None,
    workers: Executor | None = None,
) -> BuildResult:
    """The pipeline of DESIGN.md, top to bottom; a file-system failure is an OutputError.

    `workers`: a pool the caller keeps from build to build (`briefgen watch`, see
    `keep_workers`); without one, a build starts its own when that helps."""
    try:
        return _build(briefs, opts, progress, workers)
    except OSError as e:
        where = e.filename if e.filename is not None else opts.out
        raise OutputError(f"cannot use {where}: {e.strerror or e}") from None


def _build(
    briefs: Sequence[tuple[Path, str]],
    opts: Options,
    progress: Progress | None,
    workers: Executor | None,
) -> BuildResult:
    result = BuildResult(templates=TemplateSet(list(opts.templates)))
    opts.out.mkdir(parents=True, exist_ok=True)
    with _locked(opts.out):
        result.manifest = Manifest.read(opts.out)
        previous = {slug: e.get("figures") for slug, e in result.manifest.briefs.items()}
        # Where briefgen writes: the output folder and its briefs' folders, never deeper.
        slugs = {*result.manifest.briefs, *(slug_of(file) for file, _ in briefs)}
        slugs = {s for s in slugs if isinstance(s, str) and s.strip(".") and "/" not in s}
        sweep_temporary_files([opts.out, *(opts.out / s for s in sorted(slugs))])
        digests = template_digests(result.templates, result.templates.output_names())
        result.jobs = decide(briefs, result.manifest, opts, digests)
        result.orphans = orphans(result.manifest, {slug_of(file) for file, _ in briefs})
        outdated = [j for j in result.jobs if j.status == "outdated"]
        renderers, defaults = _at_a_glance(result.templates) if outdated else ({}, ())
        likely = tuple(opts.only or defaults)
        # Workers start now and import the renderers while this process checks the templates
        # and the briefs. A lone brief's outputs are split in two: one part renders here, the
        # other in a worker.
        if len(outdated) > 1:
            count, warm = len(outdated), tuple(sorted(set(renderers.values())))
        elif outdated:
            apart = _split(likely, renderers)[1]
            warm = tuple(sorted({renderers[o] for o in apart if o in renderers}))
            count = 1 if warm else 0
        else:
            count, warm = 0, ()
        # A lone brief: which renderers the worker needs is known once the brief is checked.
        decided = _Decided.made() if workers is None and count and len(outdated) == 1 else None
        pool_for_this_build = (
            _workers(opts, count, warm, decided) if workers is None else nullcontext(workers)
        )
        try:
            with decided or nullcontext(), pool_for_this_build as pool:  # the pipe outlives it
                if outdated:  # the templates are checked before any brief or render, at once
                    result.findings += _check_templates(result.templates, digests)
                    if has_errors(result.findings):
                        raise _TemplatesWrong  # the workers are ended, not waited for
                told = decided.told(renderers) if decided is not None else None
                check_all(outdated, opts, result, pool, told)  # the worker stops guessing
                if has_errors(result.findings) and not opts.keep_going:
                    for job in outdated:
                        job.status = "failed" if job.brief is None else "skipped"
                    return result
                rendered = render_all(
                    [j for j in outdated if j.brief is not None], opts, progress, pool, renderers
                )
        except _TemplatesWrong:
            for job in outdated:
                job.status = "skipped"
            return result
        with held_signals():  # a signal now waits until the manifest agrees with the files
            write_all(rendered, opts, result)
            for job in result.jobs:
                if job.status == "failed":
                    result.manifest.mark_failed(job.slug, job.display, _errors_of(job, result))
            if opts.prune:
                prune(result, opts.out)
            report.settle(result, previous, opts.only, opts.shard)
            write_atomic(opts.out / "manifest.json", result.manifest.to_json().encode())
        report.write_report(result, opts.out)
    return result


def _check_templates(templates: TemplateSet, digests: tuple[dict[str, str], str]) -> list[Finding]:
    """The template set's problems, as `TemplateSet.check` finds them. A set found sound is
    remembered in the user's cache (cache.py) under what decides the verdict: the bytes of
    every template file in lookup order (`digests`), briefgen's code, and the versions of the
    libraries that judge it (Jinja, pydantic, the YAML parser). A build whose templates did not
    change does not check them again; a changed byte anywhere finds no verdict, and a set with
    any problem is checked every time."""
    from briefgen import cache
    from briefgen.manifest import code_digest, library_versions

    key = json.dumps([sorted(digests[0].items()), digests[1]]).encode()
    identity = b"\0".join(
        [
            code_digest().encode(),
            library_versions(("jinja2", "pydantic")).encode(),
            cache.parser_identity(),
        ]
    )
    if cache.get(key, kind="checked", identity=identity) == "sound":
        return []
    findings = templates.check()
    # Kept only if no file changed while it was checked (an editor saving, under `watch`).
    if not findings and template_digests(templates, templates.output_names()) == digests:
        cache.put(key, "sound", kind="checked", identity=identity)
    return findings


class _TemplatesWrong(Exception):
    """The template set has errors: nothing is checked or rendered."""


def orphans(manifest: Manifest, building: set[str]) -> list[str]:
    """Briefs the manifest lists whose brief.yaml is gone: not among the briefs of this
    command, and not at the path it was built from (relative to here, as it was recorded)."""
    return sorted(
        slug
        for slug, entry in manifest.briefs.items()
        if slug not in building and not os.path.lexists(entry["source"])
    )


def prune(result: BuildResult, out: Path) -> None:
    """Remove the orphans' artifacts (only the files the manifest names, each checked to be
    OUT/<slug>/<slug>-<output>), their folder when it is left empty, and their entries."""
    for slug in result.orphans:
        entry = result.manifest.briefs.pop(slug)
        removed = 0
        for art in entry["artifacts"].values():
            names = [f"{slug}/{n}" for n in art.get("files", {})] or [art["path"]]
            for name in names:
                try:
                    (out / name).unlink()
                    removed += 1
                except FileNotFoundError:
                    pass
            if art.get("files"):
                with contextlib.suppress(OSError):
                    (out / art["path"]).rmdir()
        with contextlib.suppress(OSError):  # other files in it: the folder stays
            (out / slug).rmdir()
        result.pruned.append((slug, removed))
    result.orphans = []


def in_shard(slug: str, shard: tuple[int, int]) -> bool:
    """A stable subset: a brief's shard depends on its name only, never on the other briefs."""
    i, n = shard
    return int(hashlib.sha256(slug.encode()).hexdigest(), 16) % n == i - 1


def _at_a_glance(templates: TemplateSet) -> tuple[dict[str, str], tuple[str, ...]]:
    """Each output's renderer and the default outputs, read from the YAML as it is, before the
    check validates it (and without importing the models): what the workers import, and, once
    the check has passed (every output then reads as its model), how a brief's outputs are
    split. What cannot be read here is left out; the check says what is wrong with it."""
    renderers: dict[str, str] = {}
    defaults: list[tuple[int, str]] = []
    for name in templates.output_names():
        try:
            data = templates.merged(f"{name}/{OUTPUT_FILE}").data
        except (TemplateProblems, TemplateError):
            continue
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("renderer"), str):
            renderers[name] = data["renderer"]
        if data.get("default") is True:
            order = data.get("order", 50)
            defaults.append((order if isinstance(order, int) else 50, name))
    return renderers, tuple(name for _, name in sorted(defaults))


def decide(
    briefs: Sequence[tuple[Path, str]],
    manifest: Manifest,
    opts: Options,
    templates: tuple[dict[str, str], str],
) -> list[Job]:
    """Which briefs are outdated: any wanted artifact whose input hash changed, or that is gone,
    given the template set's digests (`template_digests`). Content hashes only: no YAML is
    parsed and no model or renderer is imported here."""
    digests, outputs_set = templates
    jobs = []
    for file, display in briefs:
        if not in_shard(slug_of(file), opts.shard):
            continue
        digest = digest_folder(file.parent)
        job = Job(
            file, display, input_keys(file.parent, digests, digest), digest, outputs_set=outputs_set
        )
        job.stale = (
            None
            if opts.force
            else manifest.stale(job.slug, display, job.keys, opts.only, opts.out, digest)
        )
        job.recorded = manifest.recorded(job.slug)
        same = manifest.same_outputs(job.slug, outputs_set)
        job.status = "unchanged" if job.stale == [] and same else "outdated"
        jobs.append(job)
    return jobs


def check_all(
    jobs: list[Job],
    opts: Options,
    result: BuildResult,
    pool: Executor | None = None,
    outputs_known: Callable[[list[Job]], None] | None = None,
) -> None:
    """Load and check every outdated brief (in the workers, when there are) before any render.
    `outputs_known` is called as soon as each brief's outputs are, before its figures are gathered
    for the report."""
    if not jobs:
        return
    from briefgen.render_task import check_task

    known = tuple(result.templates.output_names())
    defaults = result.templates.default_outputs()
    items = [(job.file, job.display, known) for job in jobs]
    # Several briefs are checked in the workers; a lone one here, while a worker warms up.
    checked: Iterator[Loaded] = map(check_task, items)
    if pool is not None and len(items) > 1:
        checked = pool.map(check_task, items)
    done = list(zip(jobs, checked, strict=True))
    for job, loaded in done:
        result.findings += loaded.findings
        if loaded.ok and loaded.brief is not None:
            job.brief = loaded.brief
            job.wanted = list(loaded.brief.outputs or defaults)
            job.outputs = [
                o
                for o in job.wanted
                if (opts.only is None or o in opts.only)
                and (job.stale is None or o in job.stale or o not in job.recorded)
            ]
        else:
            job.status = "failed"
    if outputs_known is not None:
        outputs_known(jobs)
    for job, loaded in done:
        job.checked = report.checked(loaded)


def render_all(
    jobs: list[Job],
    opts: Options,
    progress: Progress | None,
    pool: Executor | None = None,
    renderers: dict[str, str] | None = None,
) -> list[tuple[Job, str, Rendered | Finding]]:
    """Every brief's outputs, a brief per task, in the workers when there are; same bytes either way."""
    if not any(job.brief is not None and job.outputs for job in jobs):
        return []  # nothing to draw: the renderers (and the model) are never imported
    from briefgen.render_task import Task, run_task

    todo = [(job, job.brief) for job in jobs if job.brief is not None and job.outputs]
    out: list[tuple[Job, str, Rendered | Finding]] = []

    def done(n: int, job: Job, rendered: dict[str, Rendered | Finding]) -> None:
        out.extend((job, output, result) for output, result in rendered.items())
        if progress is not None:  # as each brief is done, in order
            progress(job.slug, n, len(todo))

    if pool is not None and len(todo) == 1:  # a lone brief: a part here, a part in the worker
        job, brief = todo[0]
        parts = [
            Task(job.file, brief, p, opts.templates)
            for p in _split(tuple(job.outputs), renderers or {})
            if p
        ]
        other = pool.submit(run_task, parts[1]) if len(parts) > 1 else None
        first = run_task(parts[0])
        done(1, job, {**first, **(other.result() if other is not None else {})})
    else:
        tasks = [Task(j.file, b, tuple(j.outputs), opts.templates) for j, b in todo]
        results = pool.map(run_task, tasks) if pool else map(run_task, tasks)
        for n, ((job, _), rendered) in enumerate(zip(todo, results, strict=True), 1):
            done(n, job, rendered)
    return out


def _split(
    outputs: tuple[str, ...], renderers: dict[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A lone brief's outputs in two parts, (here, in a worker): the PDFs (ReportLab) here, the
    others (the deck's python-pptx, the web page's and chart pictures' matplotlib) in the
    worker, so that each process imports its own libraries and the two take about as long;
    with one renderer only, the first output apart from the others."""
    if len(outputs) < 2:
        return outputs, ()
    pdfs = tuple(o for o in outputs if renderers.get(o) == "pdf")
    rest = tuple(o for o in outputs if o not in pdfs)
    if pdfs and rest:
        return pdfs, rest
    return outputs[:1], outputs[1:]


def keep_workers(opts: Options, briefs: int) -> AbstractContextManager[Executor | None]:
    """Worker processes for a series of builds (`briefgen watch`), ready for any output: they
    import the renderers once, so a rebuild after an edit does not. As many as a build of
    `briefs` briefs uses: a lone brief renders in this process and one worker. Start them
    before any other thread (a file watcher's) is running: they are forked."""
    return _workers(opts, opts.jobs if briefs > 1 else 1, ("pdf", "pptx"))


class _Decided:
    """A pipe from this process to a lone brief's worker, which imports renderers on a guess
    while this process checks the brief: once it is checked, which of them the worker's part
    needs is written (a line of names), and the worker imports no more than those. Only for a
    forked worker, which inherits the pipe's end."""

    def __init__(self) -> None:
        self.read, self.write = os.pipe()

    @classmethod
    def made(cls) -> _Decided | None:
        return cls() if sys.platform == "linux" else None

    def tell(self, renderers: set[str]) -> None:
        os.write(self.write, (",".join(sorted(renderers)) + "\n").encode())

    def told(self, renderers: dict[str, str]) -> Callable[[list[Job]], None]:
        """What `check_all` calls once the lone brief's outputs are known: the renderers of
        the worker's part of them are told."""

        def known(jobs: list[Job]) -> None:
            apart = _split(tuple(jobs[0].outputs), renderers)[1]
            self.tell({renderers[o] for o in apart if o in renderers})

        return known

    def __enter__(self) -> _Decided:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.read)
        os.close(self.write)


@contextmanager
def _workers(
    opts: Options, count: int, warm: Sequence[str], decided: _Decided | None = None
) -> Iterator[Executor | None]:
    """`count` worker processes (at most --jobs), started at once, importing the `warm`
    renderers (until `decided` says what they are to render); or None."""
    count = min(opts.jobs, count)
    if opts.jobs < 2 or count < 1:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from briefgen.lifecycle import end_workers, worker_start
    from briefgen.render_task import warm_up

    # fork (Linux): a worker starts in a millisecond, with what this process has imported.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    # Each worker dies with this process, and this one ends them when it stops (lifecycle).
    pool = ProcessPoolExecutor(
        count,
        mp_context=context,
        initializer=worker_start,
        initargs=(
            os.getpid(),
            warm_up,
            (tuple(warm), opts.templates, decided.read if decided is not None else None),
        ),
    )
    try:
        with _no_interrupt():  # workers leave Ctrl-C to this process, from their first instant
            for _ in range(count):  # start the workers now, not at the first real task
                pool.submit(int)
        yield pool
        pool.shutdown(wait=True)  # every task is done: the workers finish and are joined
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP, an error, even during the shutdown above:
        end_workers(pool)  # no task is waited for, and nothing is joined that may never end
        raise


@contextmanager
def _no_interrupt() -> Iterator[None]:
    """SIGINT ignored for a moment: processes forked meanwhile start ignoring it (warm_up then
    keeps it so); this process holds a Ctrl-C pressed meanwhile and acts on it right after."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may change signal handlers
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda sig, frame: pressed.append(sig))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def write_all(
    rendered: list[tuple[Job, str, Rendered | Finding]], opts: Options, result: BuildResult
) -> None:
    """A brief's artifacts are written only when all of them rendered, and then all together or
    not at all (write_together): else it keeps its last good ones. A brief whose files cannot
    be written (a full disk) fails, named with the file; the other briefs go on."""
    per_brief: dict[str, list[tuple[str, Rendered | Finding]]] = {}
    jobs: dict[str, Job] = {}
    for job, output, done in rendered:
        per_brief.setdefault(job.slug, []).append((output, done))
        jobs[job.slug] = job
    for job in result.jobs:  # read again for a change in the outputs, and nothing to render
        if job.status == "outdated" and job.brief is not None and not job.outputs:
            result.manifest.record(
                job.slug, job.display, job.wanted, {}, job.outputs_set, job.digest
            )
            job.status = "unchanged"
    for slug, items in per_brief.items():
        job = jobs[slug]
        failures = [(output, done) for output, done in items if isinstance(done, Finding)]
        if failures:
            job.status = "failed"
            for output, failure in failures:  # a template's own problem is placed in its file
                if failure.file:
                    message = f"{failure.message} (filling the {output} of {job.display})"
                    job.failures.append(replace(failure, message=message))
                    result.findings.append(job.failures[-1])
                else:
                    result.findings.append(failure.located(job.display, None, None))
            continue
        # Every file of the brief (an artifact may be several files: chart pictures), then all
        # renamed into place together.
        to_write: list[tuple[Path, bytes]] = []
        for _, done in items:
            assert not isinstance(done, Finding)
            parts = done.files or {done.name: done.data}
            to_write += [(opts.out / slug / name, data) for name, data in sorted(parts.items())]
        try:
            write_together(to_write)
        except OSError as e:
            if isinstance(e, FileNotFoundError | NotADirectoryError | PermissionError):
                raise  # the output folder itself is unusable: the whole build says so
            job.status = "failed"
            where = e.filename if e.filename is not None else opts.out / slug
            message = f"cannot write {where}: {e.strerror or e}; its previous artifacts are kept"
            result.findings.append(Finding(Severity.ERROR, message, (), job.display))
            continue
        result.written += [path for path, _ in to_write]
        artifacts = {}
        for output, done in items:
            assert not isinstance(done, Finding)
            path = opts.out / slug / done.name
            result.findings += [
                Finding(Severity.WARNING, f"{output}: {w}", (), job.display) for w in done.warnings
            ]
            files: dict[str, dict[str, Any]] = {}
            for name, data in sorted(done.files.items()):
                files[name] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "mtime_ns": (opts.out / slug / name).stat().st_mtime_ns,
                }
            if files:  # the folder's record: its files' hashes and sizes together
                digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
                size, mtime = sum(f["size"] for f in files.values()), 0
            else:
                digest, size = hashlib.sha256(done.data).hexdigest(), len(done.data)
                mtime = path.stat().st_mtime_ns
            artifacts[output] = {
                "path": path.relative_to(opts.out).as_posix(),
                "input": job.keys[output],
                "sha256": digest,
                "size": size,
                "mtime_ns": mtime,
                "pages": done.pages,
                "warnings": done.warnings,
            }
            if files:
                artifacts[output]["files"] = files
            if done.reading_grade is not None:
                artifacts[output]["reading_grade"] = done.reading_grade
        assert job.brief is not None
        result.manifest.record(
            slug, job.display, job.wanted, artifacts, job.outputs_set, job.digest
        )
        job.status = "rebuilt"


def _errors_of(job: Job, result: BuildResult) -> list[str]:
    return [
        f.format()
        for f in result.findings
        if (f.file == job.display or f in job.failures) and f.severity is Severity.ERROR
    ]


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One build at a time per output folder: a second one waits for the first to finish.

    A POSIX record lock (lockf), not flock: forked workers do not inherit it, so a killed
    build's orphaned workers never keep the next build waiting.
    """
    import fcntl

    with open(out / ".lock", "w") as fh:
        try:
            fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print(f"briefgen: waiting for another build writing to {out} ...", flush=True)
            fcntl.lockf(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.lockf(fh, fcntl.LOCK_UN)
