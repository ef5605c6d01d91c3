"""The command line: parse arguments, call one function, print, return an exit code."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from briefgen import __version__
from briefgen.annotations import on_github, workflow_command
from briefgen.errors import BriefError, BriefgenError, Finding, OutputError, Severity, UsageError

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from briefgen.build import Options as BuildOptions
    from briefgen.model import Brief
    from briefgen.template_set import TemplateSet

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # what a shell reports for a command ended by SIGPIPE
BRIEFS_DIR = Path("briefs")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="briefgen",
        description="Turn briefs (briefs/<slug>/brief.yaml) into a handout, a one-page brief and a deck.",
    )
    p.add_argument("--version", action="version", version=f"briefgen {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    # --debug is accepted after the command too (`briefgen build --debug`); SUPPRESS keeps a
    # --debug given before it when it is not repeated after
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("check", help="load and check briefs; render nothing", parents=[common])
    c.add_argument(
        "dirs",
        nargs="*",
        type=Path,
        metavar="DIR",
        help="brief folders, brief.yaml files or folders of briefs (default: ./briefs)",
    )
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _templates_option(c)
    c.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json: the findings for editors and other tools",
    )
    c.add_argument(
        "--shard",
        type=_shard,
        default=(1, 1),
        metavar="I/N",
        help="check only the I-th of N stable subsets of the briefs (as `build --shard`)",
    )

    b = sub.add_parser(
        "build",
        help="check briefs, then render their handout, one-page brief and deck",
        parents=[common],
    )
    b.add_argument(
        "dirs",
        nargs="*",
        type=Path,
        metavar="DIR",
        help="brief folders, brief.yaml files or folders of briefs (default: ./briefs)",
    )
    b.add_argument(
        "-o", "--out", type=Path, default=Path("build"), help="output folder (default: ./build)"
    )
    b.add_argument(
        "--only",
        default=None,
        help="comma-separated outputs to build (default: each brief's own; `briefgen templates` "
        "lists them)",
    )
    _templates_option(b)
    b.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="worker processes (default: the number of cores; never more than helps)",
    )
    b.add_argument(
        "--force", action="store_true", help="rebuild everything, even what is up to date"
    )
    b.add_argument(
        "--keep-going",
        action="store_true",
        help="build the good briefs even when others fail (exit code is still 1)",
    )
    b.add_argument(
        "--prune",
        action="store_true",
        help="remove the artifacts of briefs that no longer exist (the report lists them)",
    )
    b.add_argument(
        "--shard",
        type=_shard,
        default=(1, 1),
        metavar="I/N",
        help="build only the I-th of N stable subsets of the briefs (for CI matrices)",
    )
    w = sub.add_parser(
        "watch",
        help="build, then rebuild what changed whenever a file is saved",
        parents=[],
        add_help=True,
    )
    for action in b._actions[1:]:
        w._add_action(action)

    sub.add_parser("schema", help="print the JSON Schema of brief.yaml", parents=[common])

    t = sub.add_parser(
        "templates",
        help="list the outputs and where each template file comes from; `copy` one to edit",
    )
    t.add_argument("action", nargs="?", choices=["list", "copy"], default="list")
    t.add_argument(
        "what",
        nargs="*",
        metavar="NAME",
        help="for copy: an output's name, theme or labels (default: everything)",
    )
    _templates_option(t)
    t.add_argument("--force", action="store_true", help="copy: replace files already there")
    m = sub.add_parser(
        "merge", help="join the output folders of a sharded build into one, with one report"
    )
    m.add_argument("shards", nargs="+", type=Path, metavar="SHARD", help="output folders of shards")
    m.add_argument(
        "-o", "--out", type=Path, default=Path("build"), help="merged folder (default: ./build)"
    )
    m.add_argument(
        "--briefs",
        type=Path,
        action="append",
        metavar="DIR",
        help="briefs that must each be in exactly one shard (default: ./briefs)",
    )

    d = sub.add_parser("diff", help="list the figures that changed between two versions of briefs")
    d.add_argument(
        "old",
        metavar="OLD",
        help="a brief, a folder of briefs, a manifest (or its folder), or a git revision",
    )
    d.add_argument(
        "new",
        metavar="NEW",
        nargs="?",
        default=str(BRIEFS_DIR),
        help="the same (default: ./briefs)",
    )
    d.add_argument(
        "--briefs",
        type=Path,
        default=BRIEFS_DIR,
        metavar="DIR",
        help="where a git revision's briefs are (default: briefs)",
    )
    d.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="default: text"
    )

    n = sub.add_parser("new", help="write a new brief to fill in", parents=[common])
    n.add_argument("slug", help="folder name: lowercase letters, digits and hyphens")
    n.add_argument(
        "--dir", type=Path, default=BRIEFS_DIR, help="where briefs live (default: ./briefs)"
    )
    return p


def _templates_option(parser: argparse.ArgumentParser) -> None:
    """`--templates DIR`, as every command that reads the templates takes it."""
    parser.add_argument(
        "--templates",
        type=Path,
        default=None,
        help="folder whose files override the shipped templates (default: ./templates if present)",
    )


def find_briefs(dirs: Sequence[Path]) -> list[Path]:
    """brief.yaml files named by the arguments (default: every folder under ./briefs)."""
    targets = list(dirs) or [BRIEFS_DIR]
    found: list[Path] = []
    for target in targets:
        # A brief.yaml that is a link, a pipe or a device is found too: loading it then says
        # what is wrong with it (safeio), rather than "no briefs found".
        if target.is_file() or (target.name == "brief.yaml" and os.path.lexists(target)):
            found.append(target)
        elif os.path.lexists(target / "brief.yaml"):
            found.append(target / "brief.yaml")
        elif target.is_dir():
            # Hidden folders (.git, .cache, an editor's) are never briefs.
            found.extend(
                sorted(
                    p / "brief.yaml"
                    for p in target.iterdir()
                    if not p.name.startswith(".")
                    and p.is_dir()
                    and os.path.lexists(p / "brief.yaml")
                )
            )
        elif not dirs:  # the default, ./briefs, is not there
            raise UsageError(
                f"no {BRIEFS_DIR}/ folder in {Path.cwd()}; run briefgen from the folder that "
                f"holds {BRIEFS_DIR}/, name brief folders (briefgen check path/to/brief), "
                "or start one with `briefgen new SLUG`"
            )
        else:
            raise UsageError(f"no such brief or folder: {target}{_did_you_mean(target)}")
    if not found:
        raise UsageError(
            f"no briefs found in {', '.join(map(str, targets))} (try `briefgen new SLUG`)"
        )
    return found


def _did_you_mean(target: Path) -> str:
    """'; did you mean briefs/mali-2013?' for a misspelt brief folder, from its would-be siblings."""
    import difflib

    parent = target.parent
    if not parent.is_dir():
        return ""
    try:
        names = sorted(p.name for p in parent.iterdir() if p.is_dir() or p.name == "brief.yaml")
    except OSError:
        return ""
    close = difflib.get_close_matches(target.name, names, n=1, cutoff=0.6)
    return (
        f"; did you mean {parent / close[0] if str(parent) != '.' else close[0]}?" if close else ""
    )


def _shown(path: Path) -> str:
    """A path as a person would type it (`template_set.shown`, light to import)."""
    from briefgen.template_set import shown

    return shown(path)


def _template_set(args: argparse.Namespace) -> TemplateSet:
    """The template set: --templates DIR, then ./templates, over the shipped ones."""
    from briefgen.template_set import TemplateSet, user_roots

    if args.templates is not None and not args.templates.is_dir():
        raise UsageError(f"no such templates folder: {args.templates}")
    return TemplateSet(user_roots(args.templates))


def _print_finding(finding: Finding, file: TextIO | None = None) -> None:
    """As a compiler prints it; on GitHub Actions also as a workflow command (an annotation)."""
    print(finding.format(), file=file)
    if on_github():
        print(workflow_command(finding), file=file)


def cmd_check(args: argparse.Namespace) -> int:
    from briefgen.build import in_shard
    from briefgen.checks import reading_findings
    from briefgen.load import check
    from briefgen.template_set import outputs_findings

    templates = _template_set(args)
    problems = templates.check()  # the templates first: every problem once, located
    known = templates.output_names()
    files = [f for f in find_briefs(args.dirs) if in_shard(f.parent.name, args.shard)]
    results = []
    levels: dict[str, str] = {}
    for f in files:
        loaded = check(f, _shown(f))
        if loaded.brief is not None:
            more = outputs_findings(loaded, known) + loaded.place(reading_findings(loaded.brief))
            loaded.findings = sorted(loaded.findings + more, key=lambda x: x.sort_key)
            levels[loaded.display] = _reading_line(loaded.brief)
        results.append(loaded)
    if args.format == "json":
        from briefgen.annotations import json_report

        findings = problems + [f for loaded in results for f in loaded.findings]
        failed = int(bool(problems)) + sum(
            any(f.severity is Severity.ERROR or args.strict for f in loaded.findings)
            for loaded in results
        )
        print(json_report(findings, len(results), failed))
        return EXIT_CONTENT if failed else EXIT_OK
    for finding in problems:
        _print_finding(finding)
    errors = sum(f.severity is Severity.ERROR for f in problems)
    warnings = len(problems) - errors
    failed = int(bool(errors))
    for loaded in results:
        for finding in loaded.findings:
            _print_finding(finding)
        if levels.get(loaded.display):
            print(f"{loaded.display}: {levels[loaded.display]}")
        e = sum(f.severity is Severity.ERROR for f in loaded.findings)
        w = len(loaded.findings) - e
        errors, warnings = errors + e, warnings + w
        failed += bool(e or (args.strict and w))
    n = len(results)
    summary = (
        f"checked {n} brief{'s' * (n != 1)}{' and the templates' * bool(problems)}: "
        f"{errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}"
    )
    if failed:
        summary += f" ({failed} failed{', warnings count as errors' if args.strict else ''})"
    print(summary, file=sys.stderr if failed else sys.stdout)
    return EXIT_CONTENT if failed else EXIT_OK


def _reading_line(brief: Brief) -> str:
    """'reading level: about grade 8 (target grade 9)', or '' where it cannot be measured."""
    from briefgen.readability import brief_level

    measured = brief_level(brief) if brief.target_grade is not None else None
    if measured is None:  # reported for briefs written for a grade: their `audience`
        return ""
    target = f" (target grade {brief.target_grade})" if brief.target_grade is not None else ""
    return f"reading level: about grade {measured.grade:.0f}{target}"


def _shard(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)/(\d+)", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise argparse.ArgumentTypeError(f"expected i/n with 1 <= i <= n, e.g. 2/3 (got '{text}')")
    return int(m.group(1)), int(m.group(2))


def _build_options(args: argparse.Namespace) -> BuildOptions:
    from briefgen.build import Options

    templates = _template_set(args)
    only = None
    if args.only is not None:
        known = templates.output_names()
        only = tuple(o.strip() for o in args.only.split(",") if o.strip())
        if not only or any(o not in known for o in only):
            raise UsageError(f"--only takes outputs among {', '.join(known)} (got '{args.only}')")
    from briefgen.inputs import source_date_epoch

    source_date_epoch()  # a bad SOURCE_DATE_EPOCH is a usage error, before anything is read
    jobs = args.jobs if args.jobs is not None else os.cpu_count() or 1
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {jobs})")
    for folder in (args.out, *args.out.parents):
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"cannot build into {args.out}: {folder} is a file, not a folder")
    return Options(
        args.out,
        only,
        jobs,
        args.force,
        args.keep_going,
        args.shard,
        tuple(templates.users),
        args.prune,
    )


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on a terminal; in CI (CI set) or a pipe, a plain line per brief."""
    if os.environ.get("CI") or not sys.stdout.isatty():

        def line(message: str, done: int, total: int) -> None:
            try:
                print(f"[{done}/{total}] rendered {message}", flush=True)
            except BrokenPipeError:  # nobody reads any more: the build goes on all the same
                _mute_broken_streams()

        yield line
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    # Redrawn on each update rather than by a thread of its own: build workers are forked, and
    # forking a process that runs other threads is unsafe.
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=True,
        auto_refresh=False,
    ) as bar:
        task = bar.add_task("rendering", total=None)

        def update(message: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"rendering {message}")
            bar.refresh()

        yield update


def run_build(args: argparse.Namespace, workers: Executor | None = None) -> int:
    """One build; prints findings like `check`, then what was written."""
    from briefgen.build import build

    opts = _build_options(args)
    briefs = _checked_briefs(args, opts)
    opts = _capped(args, opts, len(briefs))
    with _progress() as progress:
        result = build(briefs, opts, progress, workers)
    for slug, count in result.pruned:
        print(f"pruned {slug} ({count} file{'s' * (count != 1)})")
    for finding in sorted(result.findings, key=lambda f: f.sort_key):
        _print_finding(finding, sys.stderr if finding.severity is Severity.ERROR else sys.stdout)
    counts = {
        s: sum(j.status == s for j in result.jobs)
        for s in ("rebuilt", "unchanged", "failed", "skipped")
    }
    parts = [f"{n} {s}" for s, n in counts.items() if n]
    summary = (
        f"{len(result.jobs)} brief{'s' * (len(result.jobs) != 1)}: {', '.join(parts) or 'none'}"
    )
    summary += f"; wrote {len(result.written)} file{'s' * (len(result.written) != 1)} to {_shown(opts.out)}"
    if not result.ok:
        print(f"build failed: {summary}", file=sys.stderr)
        return EXIT_CONTENT
    print(summary)
    return EXIT_OK


def _checked_briefs(args: argparse.Namespace, opts: BuildOptions) -> list[tuple[Path, str]]:
    """The briefs to build, each once, when no output folder lies inside an input and no two
    briefs share one (inputs.check_layout)."""
    from briefgen.inputs import check_layout

    briefs = [(f, _shown(f)) for f in find_briefs(args.dirs)]
    return check_layout(briefs, opts.out, opts.templates)


_SAID: set[str] = set()  # notes printed once per command (watch builds many times)


def _capped(args: argparse.Namespace, opts: BuildOptions, briefs: int) -> BuildOptions:
    """--jobs capped at what helps (inputs.useful_jobs); said once when the user asked for more."""
    from dataclasses import replace

    from briefgen.inputs import useful_jobs

    jobs, why = useful_jobs(opts.jobs, briefs)
    if jobs < opts.jobs and args.jobs is not None and "jobs" not in _SAID:
        _SAID.add("jobs")
        print(
            f"briefgen: --jobs {opts.jobs} is more than useful here; using {jobs} ({why})",
            file=sys.stderr,
        )
    return replace(opts, jobs=jobs)


def cmd_build(args: argparse.Namespace) -> int:
    return run_build(args)


def cmd_watch(args: argparse.Namespace) -> int:
    """Rebuild on save: the same build, run again whenever a brief or template changes.

    The worker processes are started once, before the file watcher, and kept warm: a rebuild
    imports nothing. Should one stop (killed, out of memory), new ones are started."""
    from concurrent.futures.process import BrokenProcessPool

    import watchfiles  # noqa: F401  # imported before the first build: armed sooner after it

    from briefgen.build import keep_workers

    roots = [p for p in (args.dirs or [BRIEFS_DIR]) if p.exists()]
    roots += [p for p in _template_set(args).users if p.is_dir()]
    start = True
    while True:
        opts = _build_options(args)
        briefs = len(_checked_briefs(args, opts))
        opts = _capped(args, opts, briefs)  # not N workers for 1 brief
        with keep_workers(opts, briefs) as workers:
            try:
                if start:
                    run_build(args, workers)  # an error here (an unusable -o) ends the command
                    print(f"watching {', '.join(map(str, roots))} (Ctrl-C to stop)", flush=True)
                else:  # new workers: build again what the stopped one left undone
                    _rebuild(args, workers)
                start = False
                while True:  # each turn: watch until a root is replaced, then watch it anew
                    _watch_until_replaced(roots, args, workers)
            except BrokenProcessPool:
                print("briefgen: a worker process stopped; starting new ones", file=sys.stderr)
                continue
        return EXIT_OK


def _identities(roots: Sequence[Path]) -> list[tuple[int, int] | None]:
    """Which folder each root is (device, inode), or None where it is gone."""
    out: list[tuple[int, int] | None] = []
    for root in roots:
        try:
            info = root.stat()
            out.append((info.st_dev, info.st_ino))
        except OSError:
            out.append(None)
    return out


def _watch_until_replaced(
    roots: Sequence[Path], args: argparse.Namespace, workers: Executor | None
) -> None:
    """Rebuild on every change, until a watched folder is deleted or replaced (a `git
    checkout`): the file watcher then watches nothing, so this returns once every folder is
    back, to be watched anew.

    The watcher is armed first and a build runs at its first turn: a save made before it was
    armed (while the last build ran, or during a checkout) is built then, and one made during
    that build is seen by the armed watcher."""
    import time

    from watchfiles import watch

    known = _identities(roots)
    first = True
    try:
        for changes in watch(
            *roots,
            watch_filter=lambda _, p: not Path(p).name.startswith("."),
            rust_timeout=1000,
            yield_on_timeout=True,  # a turn each second, to notice a replaced folder
        ):
            if _identities(roots) != known:
                break
            if changes or first:
                first = False
                _rebuild(args, workers)
    except FileNotFoundError:  # the watcher's own way of saying a root is gone
        pass
    if None in _identities(roots):
        gone = ", ".join(
            str(r) for r, i in zip(roots, _identities(roots), strict=True) if i is None
        )
        print(f"briefgen: {gone} is gone; waiting for it to come back", file=sys.stderr, flush=True)
        while None in _identities(roots):
            time.sleep(0.2)
    time.sleep(0.3)  # let a checkout finish writing before building


def _rebuild(args: argparse.Namespace, workers: Executor | None) -> None:
    """A build in `watch`: a problem is printed, and watching goes on."""
    try:
        run_build(args, workers)
    except BriefgenError as e:
        print(f"briefgen: {e}", file=sys.stderr)


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from briefgen.model import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def schema_line(folder: Path) -> str:
    """The brief's `$schema` comment for editors: the project's schema/brief.schema.json when
    the brief is inside a project that has one, else the copy the installed package ships."""
    from importlib.resources import files

    for parent in folder.resolve().parents:
        found = parent / "schema" / "brief.schema.json"
        if found.is_file():
            where = os.path.relpath(found, folder.resolve())
            return f"# yaml-language-server: $schema={Path(where).as_posix()}"
    shipped = Path(str(files("briefgen") / "brief.schema.json")).resolve()
    return (
        f"# yaml-language-server: $schema={shipped.as_uri()}\n"
        "# (the schema of the installed briefgen; `briefgen schema > brief.schema.json` writes\n"
        "# a copy to keep beside your briefs, and the line above can point at it instead)"
    )


def cmd_new(args: argparse.Namespace) -> int:
    from importlib.resources import files

    slug = args.slug
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
        raise UsageError(f"'{slug}' is not a slug: use lowercase letters, digits and hyphens")
    folder = args.dir / slug
    if folder.exists():
        raise UsageError(f"{_shown(folder)} already exists; choose another slug")
    text = (files("briefgen") / "assets" / "new-brief.yaml").read_text(encoding="utf-8")
    text = text.replace("{schema_line}", schema_line(folder))
    text = text.replace("{title}", slug.replace("-", " ").capitalize())
    text = text.replace("{date}", dt.date.today().isoformat())
    try:
        folder.mkdir(parents=True)
        (folder / "brief.yaml").write_text(text, encoding="utf-8")
    except OSError as e:  # a file in the way, no permission, a read-only disk
        raise OutputError(f"cannot write {_shown(folder / 'brief.yaml')}: {e.strerror}") from None
    print(
        f"wrote {_shown(folder / 'brief.yaml')}; edit it, then run `briefgen check {_shown(folder)}`"
    )
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    """List the outputs and the origin of every template file, or copy shipped files to edit."""
    from briefgen.template_set import USER_DIR

    templates = _template_set(args)
    if args.action == "copy":
        return _copy_templates(templates, args.what, USER_DIR, args.force)
    for name in templates.output_names():
        try:
            spec = templates.output(name)
            about = f"{spec.renderer:5} {'default' if spec.default else 'on request':10}"
            about += f" {spec.description}"
        except BriefgenError:
            about = "(broken: run `briefgen check`)"
        print(f"{name:12} {about}")
    print()
    for rel, _ in sorted(templates.files_in_use()):
        print(f"{rel:34} {templates.origin(rel)}")
    return EXIT_OK


def _copy_templates(templates: TemplateSet, what: list[str], dest: Path, force: bool) -> int:
    """Copy shipped files (an output's folder, theme.yaml, labels/) into ./templates."""
    import shutil

    names = [rel for rel, _ in templates.files_in_use(shipped_only=True)]
    chosen = [
        rel
        for rel in names
        if not what or any(rel == f"{w}.yaml" or rel.startswith(f"{w}/") for w in what)
    ]
    if not chosen:
        known = sorted({rel.split("/")[0].removesuffix(".yaml") for rel in names})
        raise UsageError(f"nothing to copy for {' '.join(what)} (choose among {', '.join(known)})")
    copied = 0
    for rel in chosen:
        target = dest / rel
        if target.exists() and not force:
            print(f"kept {_shown(target)} (already there; --force replaces it)")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(templates.shipped / rel, target)
        copied += 1
        print(f"copied {_shown(target)}")
    print(f"{copied} file{'s' * (copied != 1)} copied; edit them, then run `briefgen check`")
    return EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    """Join shards; every brief in exactly one of them, else nothing is written."""
    from briefgen.merge import MergeError, merge
    from briefgen.report import publish, render

    for shard in args.shards:
        if not shard.is_dir():
            raise UsageError(f"no such shard folder: {shard}")
    dirs = args.briefs or ([BRIEFS_DIR] if BRIEFS_DIR.is_dir() else [])
    expected = [f.parent.name for f in find_briefs(dirs)] if dirs else None
    try:
        merged = merge(args.shards, args.out, expected)
    except MergeError as e:
        for problem in e.problems:
            print(f"briefgen merge: {problem}", file=sys.stderr)
        print(f"merge failed: nothing written to {_shown(args.out)}", file=sys.stderr)
        return EXIT_CONTENT
    n = merged.shards
    publish(args.out, render(merged.manifest, title=f"briefgen build ({n} shard{'s' * (n != 1)})"))
    briefs = len(merged.manifest.briefs)
    summary = (
        f"merged {briefs} brief{'s' * (briefs != 1)} from {n} shard{'s' * (n != 1)} "
        f"into {_shown(args.out)}"
    )
    if merged.dropped:
        summary += f" (left out {len(merged.dropped)} no longer in the briefs: {', '.join(merged.dropped)})"
    if merged.failed:
        print(f"{summary}; failed: {', '.join(merged.failed)}", file=sys.stderr)
        return EXIT_CONTENT
    print(summary)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """The figures that changed from OLD to NEW; exit 0 whether or not any did."""
    import json

    from briefgen import diff

    try:
        old, old_single = diff.read_side(args.old, args.briefs)
        new, new_single = diff.read_side(args.new, args.briefs)
    except BriefError as e:
        for finding in e.findings:
            _print_finding(finding, sys.stderr)
        return EXIT_CONTENT
    if old_single and new_single:  # two versions of one brief, whatever their folders' names
        (only_new,) = new
        old = {only_new: next(iter(old.values()))}
    changes = diff.compare_all(old, new)
    if args.format == "json":
        print(json.dumps(changes, indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(diff.markdown(changes) or "No figures changed.", end="")
    else:
        print(diff.text(changes), end="")
    return EXIT_OK


COMMANDS = {
    "check": cmd_check,
    "templates": cmd_templates,
    "build": cmd_build,
    "watch": cmd_watch,
    "schema": cmd_schema,
    "new": cmd_new,
    "merge": cmd_merge,
    "diff": cmd_diff,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: every error a user can cause ends in a message and an exit code."""
    from briefgen.lifecycle import Stopped

    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BriefgenError as e:
        print(f"briefgen: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("briefgen: interrupted", file=sys.stderr)
        return 130
    except Stopped as e:  # SIGTERM, SIGHUP: its workers are ended, nothing is half-written
        print(f"briefgen: stopped by {e}", file=sys.stderr)
        return 128 + e.signum
    except BrokenPipeError:  # the reader went away (`briefgen check | head`): as for SIGPIPE
        _mute_broken_streams()
        return EXIT_BROKEN_PIPE
    except Exception as e:  # a bug in briefgen, not in the brief
        if args.debug:
            raise
        print(
            f"briefgen: internal error ({type(e).__name__}: {e}).\n"
            "This is a bug in briefgen. Please report it with the brief attached; "
            "run again with --debug for the traceback.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


_PIPE_BROKE = False  # a reader of stdout or stderr went away during this command


def _mute_broken_streams() -> None:
    """Flush stdout and stderr; one whose reader went away (or that was closed) is pointed at
    the null device, so nothing later fails on it, and the command still finishes its work."""
    global _PIPE_BROKE
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            _PIPE_BROKE = True
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115  # lives to the end
        except (OSError, ValueError):  # closed, or otherwise unusable: nothing can reach it
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115


def run() -> NoReturn:
    """The `briefgen` command: `main`, then a quick exit.

    A build leaves ReportLab, pydantic, python-pptx and their objects in memory, and tearing
    them down (module by module, object by object) takes Python about 60 ms, a tenth of a cold
    build, to free memory the operating system frees at once. So once `main` has returned,
    everything is written and closed: the exit handlers run (logging's and the worker pool's
    still do), the output streams are flushed, and the process ends there. Under a tracer or
    coverage, which save their data as Python finishes, the ordinary exit is kept."""
    try:
        from briefgen.lifecycle import install

        install()  # SIGTERM and SIGHUP end the command as Ctrl-C does, workers included
        for stream in (sys.stdout, sys.stderr):  # an ASCII terminal shows 'caf\xe9', not exit 3
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
        code = main()
    except KeyboardInterrupt:  # Ctrl-C before main's own handling (parsing the arguments)
        print("briefgen: interrupted", file=sys.stderr)
        code = 130
    except SystemExit as e:  # argparse's usage errors, --help, --version
        if e.code is None or isinstance(e.code, int):
            code = e.code or 0
        else:  # as Python does for SystemExit("message")
            print(e.code, file=sys.stderr)
            code = 1
    _mute_broken_streams()
    if _PIPE_BROKE and code == 0:  # all done, but the output did not all reach its reader
        code = EXIT_BROKEN_PIPE
    if sys.gettrace() is not None or sys.getprofile() is not None or "coverage" in sys.modules:
        raise SystemExit(code)
    import atexit

    atexit._run_exitfuncs()
    _mute_broken_streams()  # whatever the exit handlers printed
    os._exit(code)
