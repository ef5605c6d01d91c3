"""What a build reads and where it writes, checked before anything is written.

- `SOURCE_DATE_EPOCH`, validated (a usage error, never exit 3) and part of every input hash;
- a brief's slug, from the real name of its folder (`briefgen build .` inside it);
- no output folder inside an input (a brief folder, the templates): it would be hashed as input
  and rebuild forever; no two briefs sharing an output folder;
- folder names short enough for the artifacts' names; `--jobs` capped at what helps.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from briefgen.errors import UsageError

# 9999-12-31T23:59:59Z: later dates have five-digit years, which no document format takes.
MAX_EPOCH = 253402300799
# The longest artifact suffix ("-handout.pdf", 12 bytes) and the temporary name around it
# (".briefgen." before, ".XXXXXXXX.tmp" after, 23 bytes) within a 255-byte file name.
MAX_SLUG_BYTES = 255 - 12 - 23
WORKER_MEMORY = 200 * 1024 * 1024  # what a rendering worker may take at its peak


def source_date_epoch() -> int | None:
    """`SOURCE_DATE_EPOCH` as seconds, None when unset or empty; else a UsageError."""
    text = os.environ.get("SOURCE_DATE_EPOCH")
    if text is None or text == "":
        return None
    # ASCII digits only: str.isdigit() takes '²', which int() then refuses.
    if not re.fullmatch(r"[0-9]{1,12}", text) or int(text) > MAX_EPOCH:
        raise UsageError(
            "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, "
            f"from 0 to {MAX_EPOCH} (got '{text}')"
        )
    return int(text)


def epoch_key() -> str:
    """What SOURCE_DATE_EPOCH contributes to the input hashes (the outputs' dates change)."""
    epoch = source_date_epoch()
    return "" if epoch is None else str(epoch)


def slug_of(file: Path) -> str:
    """The slug of a brief.yaml: the real name of its folder (`.` is the folder's own name)."""
    return Path(os.path.realpath(file.parent)).name


def slug_problem(slug: str) -> str | None:
    """Why a folder name cannot name its artifacts, or None."""
    size = len(slug.encode("utf-8", "surrogateescape"))
    if size > MAX_SLUG_BYTES:
        return (
            f"the folder name is {size} bytes long; at most {MAX_SLUG_BYTES}, so that the names "
            "of its artifacts fit in the file system"
        )
    return None


def shown(path: Path) -> str:
    """A path as a user would type it: relative to here when below it."""
    rel = os.path.relpath(os.path.abspath(path))
    return str(path) if rel.startswith("..") else rel


def _inside(inner: str, outer: str) -> bool:
    return os.path.commonpath([inner, outer]) == outer


def check_layout(
    briefs: Sequence[tuple[Path, str]], out: Path, templates: Sequence[Path] = ()
) -> list[tuple[Path, str]]:
    """The briefs, each once (a brief named twice is built once), after checking that no output
    folder (OUT, OUT/<slug>) is inside a brief folder or the templates folder, and that no two
    briefs share OUT/<slug>; else a UsageError naming both paths."""
    real_out = os.path.realpath(out)
    by_slug: dict[str, Path] = {}
    kept: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for file, display in briefs:
        folder = os.path.realpath(file.parent)
        if folder in seen:
            continue
        seen.add(folder)
        slug = slug_of(file)
        if slug in by_slug:
            first = by_slug[slug]
            raise UsageError(
                f"{shown(first)} and {shown(file.parent)} would both be built into "
                f"{shown(out / slug)}; rename one of the folders"
            )
        by_slug[slug] = file.parent
        kept.append((file, display))
        if _inside(real_out, folder):
            raise UsageError(
                f"cannot build into {out}: it is inside the brief folder {shown(file.parent)} "
                "(every file there is an input); choose an output folder outside it with -o"
            )
        if _inside(os.path.join(real_out, slug), folder):
            raise UsageError(
                f"cannot build into {out}: it would write into the brief folder "
                f"{shown(file.parent)} (every file there is an input); choose an output "
                "folder outside it with -o"
            )
    for tfolder in templates:
        if _inside(real_out, os.path.realpath(tfolder)):
            raise UsageError(
                f"cannot build into {out}: it is inside the templates folder {shown(tfolder)} "
                "(every file there is an input); choose an output folder outside it with -o"
            )
    return kept


def useful_jobs(requested: int, briefs: int) -> tuple[int, str]:
    """--jobs capped at what helps: no more processes than briefs (a lone brief still splits
    across two), cores this process may use, and memory available for rendering workers.
    Returns the number and, when capped, why."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    limits = [(max(2, briefs), f"{briefs} brief{'s' * (briefs != 1)}"), (cores, f"{cores} cores")]
    available = _available_memory()
    if available is not None:
        limits.append(
            (max(1, available // WORKER_MEMORY), f"{available // 2**20:,} MB of free memory")
        )
    jobs, why = requested, ""
    for limit, reason in limits:
        if limit < jobs:
            jobs, why = limit, reason
    return jobs, why


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
