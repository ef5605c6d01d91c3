"""Reading an input file safely: a regular file inside its folder, of bounded size, never a link
followed out of the folder, never a pipe or a device (which would hang or read without end).

The rule pictures already followed, as one function for every file briefgen reads from a folder a
user (or a pull request) controls: `brief.yaml` now, template files next.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from briefgen.errors import BriefgenError


class UnsafeFile(BriefgenError):
    """A file that must not be read: outside its folder, not a regular file, or too large.

    `problem` says what is wrong without the file's content (which may be a secret)."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}")


_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def kind_of(mode: int) -> str:
    """'a named pipe', 'a folder'...: what a file that is not a regular file is."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def read_inside(path: Path, root: Path, cap: int) -> bytes:
    """The bytes of `path`, a regular file whose real location is inside `root`, at most `cap`
    bytes; else UnsafeFile (naming `path` as given, never printing what the file holds).

    A symbolic link is followed only while it stays inside `root`. The file is opened without
    following a last link (O_NOFOLLOW) and without blocking (O_NONBLOCK: a pipe never hangs),
    its type and size are checked on the open descriptor (fstat), and no more than `cap` + 1
    bytes are ever read, so a file that grows meanwhile is still refused."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root:
        raise UnsafeFile(path, f"is a link to a file outside {root}; briefgen never reads it")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:  # the last part became a link after realpath: refused
            raise UnsafeFile(path, "is a symbolic link that changed while being read") from None
        raise UnsafeFile(path, f"cannot read: {e.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile(path, f"is {kind_of(info.st_mode)}, not a regular file")
        if info.st_size > cap:
            raise UnsafeFile(path, f"is too large ({info.st_size:,} bytes; at most {cap:,})")
        chunks, total = [], 0
        while total <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > cap:
            raise UnsafeFile(path, f"is too large (over {cap:,} bytes)")
        return b"".join(chunks)
    except OSError as e:
        raise UnsafeFile(path, f"cannot read: {e.strerror}") from None
    finally:
        os.close(fd)
