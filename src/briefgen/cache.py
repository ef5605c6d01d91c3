"""Parsed files kept between runs, as Python keeps compiled modules in __pycache__.

Templates change rarely and are read by every build, and parsing their YAML (ruamel.yaml is pure
Python) costs a build about a tenth of its time. So the result of parsing a template file is
kept in the user's cache folder, under a name made of everything that decides it: the file's
bytes, the parser's own source, and the Python and ruamel.yaml versions. A changed file, a
changed parser or another Python simply finds no entry; nothing is ever judged by timestamps.
A hyphenation dictionary (the reading level's syllables) is kept the same way (`kept`).

The cache is a convenience, never a dependency: an entry that cannot be read or written, or is
damaged, is passed over in silence, and the file is parsed. The folder is
`$BRIEFGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/briefgen`, else `~/.cache/briefgen`;
`BRIEFGEN_CACHE_DIR=` (empty) turns it off. Entries are `marshal` data (plain values only, as
in a .pyc file), written atomically; the folder keeps at most MAX_ENTRIES of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

MAX_ENTRIES = 256
MAX_ENTRY_BYTES = 8 * 1024 * 1024


def folder() -> Path | None:
    """Where entries are kept, or None when the cache is off."""
    chosen = os.environ.get("BRIEFGEN_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home.startswith("~"):  # no home folder known: no cache (never one in the cwd)
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "briefgen"


@lru_cache(maxsize=1)
def parser_identity() -> bytes:
    """What else decides a parse: the parser's source, Python's and ruamel.yaml's versions."""
    from ruamel.yaml import __version__ as ruamel_version

    from briefgen import yamlsource

    source = Path(yamlsource.__file__).read_bytes()
    return b"\0".join([source, sys.version.encode(), str(ruamel_version).encode()])


def _entry(data: bytes, kind: str = "yaml", identity: bytes | None = None) -> Path | None:
    where = folder()
    if where is None:
        return None
    decides = parser_identity() if identity is None else identity
    key = hashlib.sha256(decides + b"\0" + data).hexdigest()
    return where / f"{kind}-{key}.marshal"


def get(data: bytes, kind: str = "yaml", identity: bytes | None = None) -> Any:
    """The value kept for these bytes, or None. `kind` and `identity` (what else decides the
    value) are the YAML parser's unless given."""
    try:
        path = _entry(data, kind, identity)
        if path is None:
            return None
        with open(path, "rb") as fh:
            blob = fh.read(MAX_ENTRY_BYTES + 1)
        if len(blob) > MAX_ENTRY_BYTES:
            return None
        return marshal.loads(blob)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def put(data: bytes, value: Any, kind: str = "yaml", identity: bytes | None = None) -> None:
    """Keep `value` (plain data: dicts, lists, tuples, text, numbers) for these bytes."""
    try:
        blob = marshal.dumps(value)
    except ValueError:  # not plain data: not kept
        return
    if len(blob) > MAX_ENTRY_BYTES:
        return
    path = _entry(data, kind, identity)
    if path is None:
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _trim(path.parent)
        with open(tmp, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _trim(where: Path) -> None:
    """At most MAX_ENTRIES - 1 entries before one is added: the least recently written go."""
    entries = []
    with os.scandir(where) as found:
        for entry in found:
            if entry.name.endswith(".marshal") and entry.is_file(follow_symlinks=False):
                entries.append((entry.stat().st_mtime_ns, entry.path))
    if len(entries) < MAX_ENTRIES:
        return
    entries.sort()
    for _, path in entries[: len(entries) - MAX_ENTRIES + 1]:
        with contextlib.suppress(OSError):
            os.unlink(path)
