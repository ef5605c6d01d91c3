"""Write files so that a reader (or a killed build) never leaves a half-written one behind.

Temporary files are named `.briefgen.NAME.XXXXXXXX.tmp`: the prefix is how the start-of-build
sweep knows a file is briefgen's own, so it never deletes another program's hidden `*.tmp`
(an editor's swap file, a database journal) in an output folder such as `-o ~`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

PREFIX = ".briefgen."
_OURS = re.compile(r"\.briefgen\..+\.[a-z0-9_]{8}\.tmp")  # what mkstemp makes of our prefix


def _temporary(path: Path, data: bytes) -> str:
    """`data` in a new temporary file beside `path`, flushed to disk; its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{PREFIX}{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place."""
    write_together([(path, data)])


def write_together(items: Sequence[tuple[Path, bytes]]) -> None:
    """Several files replaced all together or not at all: every one is written to its temporary
    file first (a full disk or any failure stops here, with every target untouched), then all
    are renamed into place. An OSError names the file it was writing (`filename`)."""
    written: list[tuple[str, Path]] = []
    try:
        for path, data in items:
            try:
                written.append((_temporary(path, data), path))
            except OSError as e:
                if e.filename is None or str(e.filename).endswith(".tmp"):
                    e.filename = str(path)  # the artifact, not our temporary name
                raise
        for tmp, path in written:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in written:
            Path(tmp).unlink(missing_ok=True)
        raise


def sweep_temporary_files(folders: Iterable[Path]) -> None:
    """Remove what a killed writer of ours left, in the folders we write to (not below them):
    only names briefgen itself makes; finished files and other programs' files are untouched."""
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if _OURS.fullmatch(name):
                (folder / name).unlink(missing_ok=True)
