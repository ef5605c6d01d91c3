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
from typing import TYPE_CHECKING, NoReturn

from briefgen import OUTPUTS as ALL_OUTPUTS
from briefgen import __version__
from briefgen.errors import BriefgenError, Severity, UsageError

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from briefgen.build import Options as BuildOptions

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
        default=",".join(ALL_OUTPUTS),
        help="comma-separated outputs to build: handout,one-pager,deck",
    )
    b.add_argument(
        "--templates",
        type=Path,
        default=None,
        help="folder whose files override the shipped templates (default: ./templates if present)",
    )
    b.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: the number of cores)",
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

    n = sub.add_parser("new", help="write a new brief to fill in", parents=[common])
    n.add_argument("slug", help="folder name: lowercase letters, digits and hyphens")
    n.add_argument(
        "--dir", type=Path, default=BRIEFS_DIR, help="where briefs live (default: ./briefs)"
    )
    return p


def find_briefs(dirs: Sequence[Path]) -> list[Path]:
    """brief.yaml files named by the arguments (default: every folder under ./briefs)."""
    targets = list(dirs) or [BRIEFS_DIR]
    found: list[Path] = []
    for target in targets:
        if target.is_file():
            found.append(target)
        elif (target / "brief.yaml").is_file():
            found.append(target / "brief.yaml")
        elif target.is_dir():
            found.extend(sorted(target.glob("*/brief.yaml")))
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
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def cmd_check(args: argparse.Namespace) -> int:
    from briefgen.load import check

    results = [check(f, _shown(f)) for f in find_briefs(args.dirs)]
    errors = warnings = failed = 0
    for loaded in results:
        for finding in loaded.findings:
            print(finding.format())
        e = sum(f.severity is Severity.ERROR for f in loaded.findings)
        w = len(loaded.findings) - e
        errors, warnings = errors + e, warnings + w
        failed += bool(e or (args.strict and w))
    n = len(results)
    summary = (
        f"checked {n} brief{'s' * (n != 1)}: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}"
    )
    if failed:
        summary += f" ({failed} failed{', warnings count as errors' if args.strict else ''})"
    print(summary, file=sys.stderr if failed else sys.stdout)
    return EXIT_CONTENT if failed else EXIT_OK


def _shard(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)/(\d+)", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise argparse.ArgumentTypeError(f"expected i/n with 1 <= i <= n, e.g. 2/3 (got '{text}')")
    return int(m.group(1)), int(m.group(2))


def _build_options(args: argparse.Namespace) -> BuildOptions:
    from briefgen.build import Options
    from briefgen.templates import USER_DIR

    only = tuple(o.strip() for o in args.only.split(",") if o.strip())
    if not only or any(o not in ALL_OUTPUTS for o in only):
        raise UsageError(f"--only takes {', '.join(ALL_OUTPUTS)} (got '{args.only}')")
    user = (
        args.templates if args.templates is not None else (USER_DIR if USER_DIR.is_dir() else None)
    )
    if user is not None and not user.is_dir():
        raise UsageError(f"no such templates folder: {user}")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {args.jobs})")
    for folder in (args.out, *args.out.parents):
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"cannot build into {args.out}: {folder} is a file, not a folder")
    return Options(args.out, only, args.jobs, args.force, args.keep_going, args.shard, user)


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
    briefs = [(f, _shown(f)) for f in find_briefs(args.dirs)]
    with _progress() as progress:
        result = build(briefs, opts, progress, workers)
    for finding in sorted(result.findings, key=lambda f: f.sort_key):
        print(
            finding.format(), file=sys.stderr if finding.severity is Severity.ERROR else sys.stdout
        )
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


def cmd_build(args: argparse.Namespace) -> int:
    return run_build(args)


def cmd_watch(args: argparse.Namespace) -> int:
    """Rebuild on save: the same build, run again whenever a brief or template changes.

    The worker processes are started once, before the file watcher, and kept warm: a rebuild
    imports nothing. Should one stop (killed, out of memory), new ones are started."""
    from concurrent.futures.process import BrokenProcessPool

    from watchfiles import watch

    from briefgen.build import keep_workers

    roots = [p for p in (args.dirs or [BRIEFS_DIR]) if p.exists()]
    templates = args.templates or Path("templates")
    if templates.is_dir():
        roots.append(templates)
    start = True
    while True:
        with keep_workers(_build_options(args)) as workers:
            try:
                if start:
                    run_build(args, workers)  # an error here (an unusable -o) ends the command
                    print(f"watching {', '.join(map(str, roots))} (Ctrl-C to stop)", flush=True)
                else:  # new workers: build again what the stopped one left undone
                    _rebuild(args, workers)
                start = False
                for _ in watch(*roots, watch_filter=lambda _, p: not Path(p).name.startswith(".")):
                    _rebuild(args, workers)
            except BrokenProcessPool:
                print("briefgen: a worker process stopped; starting new ones", file=sys.stderr)
                continue
        return EXIT_OK


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
    text = (files("briefgen") / "templates" / "new" / "brief.yaml").read_text(encoding="utf-8")
    text = text.replace("{schema_line}", schema_line(folder))
    text = text.replace("{title}", slug.replace("-", " ").capitalize())
    text = text.replace("{date}", dt.date.today().isoformat())
    folder.mkdir(parents=True)
    (folder / "brief.yaml").write_text(text, encoding="utf-8")
    print(
        f"wrote {_shown(folder / 'brief.yaml')}; edit it, then run `briefgen check {_shown(folder)}`"
    )
    return EXIT_OK


COMMANDS = {
    "check": cmd_check,
    "build": cmd_build,
    "watch": cmd_watch,
    "schema": cmd_schema,
    "new": cmd_new,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: every error a user can cause ends in a message and an exit code."""
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
        code = main()
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
