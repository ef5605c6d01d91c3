"""A master deck (`templates/deck/master.pptx`), checked before python-pptx opens it.

A master gives the deck its slide masters, layouts, theme and pictures, nothing else. Refused,
each as a TemplateError naming the file and the part:
- a file too large, an entry that unpacks too far (a zip bomb), duplicate entries;
- any relationship to a target outside the file (`http://`, `file:///etc/passwd`, UNC paths);
- a relationship to a part that is not in the file (python-pptx would fail later, exit 3);
- a master or layout that refers to anything but masters, layouts, themes and pictures (a
  slide of the master would be carried into every deck, under a name ours then take again).
The master's own slides are dropped.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from briefgen.errors import TemplateError
from briefgen.safeio import UnsafeFile, read_inside

MAX_BYTES = 20 * 1024 * 1024  # the master file itself
MAX_UNPACKED = 100 * 1024 * 1024  # all its entries together, unpacked
MAX_RATIO = 100  # unpacked / packed, for entries over MIN_RATIO_CHECK
MIN_RATIO_CHECK = 1024 * 1024
MAX_ENTRIES = 2000

_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
# What a master or a layout may refer to: its master, its layouts, a theme, pictures.
_ALLOWED = {"slideMaster", "slideLayout", "theme", "image", "themeOverride", "tags"}
_GIVERS = ("ppt/slideMasters/", "ppt/slideLayouts/", "ppt/theme/")


def open_master(path: Path) -> Any:
    """The master at `path`, validated, as a python-pptx Presentation without its slides."""
    try:
        data = read_inside(path, path.parent, MAX_BYTES)
    except UnsafeFile as e:
        raise TemplateError(str(e)) from None
    try:
        check_master(data)
    except _Refused as e:
        raise TemplateError(f"{path}: {e}") from None
    from pptx import Presentation

    try:
        prs = Presentation(io.BytesIO(data))
    except Exception as e:  # bad XML, a part python-pptx cannot read: it says which
        raise TemplateError(f"{path}: not a PowerPoint deck ({e})") from None
    for sld in list(prs.slides._sldIdLst):  # its layouts and branding, not its slides
        prs.part.drop_rel(sld.rId)
        prs.slides._sldIdLst.remove(sld)
    return prs


class _Refused(Exception):
    pass


def check_master(data: bytes) -> None:
    """Raise _Refused with what is wrong with a master deck's bytes (see the module's list)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise _Refused(f"not a PowerPoint deck ({e})") from None
    if len(infos) > MAX_ENTRIES:
        raise _Refused(f"has {len(infos):,} entries; at most {MAX_ENTRIES:,}")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise _Refused(f"holds {twice[0]} twice; a malformed file")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MIN_RATIO_CHECK and ratio > MAX_RATIO:
            raise _Refused(
                f"{info.filename} unpacks to {info.file_size:,} bytes, {ratio:,.0f} times its "
                f"packed size; at most {MAX_RATIO} times"
            )
        if total > MAX_UNPACKED:
            raise _Refused(f"unpacks to over {MAX_UNPACKED:,} bytes; at most that")
    present = set(names)
    for name in names:
        if name.endswith(".rels"):
            _check_rels(archive, name, present)


def _check_rels(archive: zipfile.ZipFile, rels: str, present: set[str]) -> None:
    folder, file = posixpath.split(rels)
    source = posixpath.join(posixpath.dirname(folder), file[: -len(".rels")])  # ppt/x.xml
    try:
        root = ElementTree.fromstring(archive.read(rels))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError) as e:
        raise _Refused(f"{rels} is not readable XML ({e})") from None
    for rel in root.iter(_RELS):
        target = rel.get("Target", "")
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        if rel.get("TargetMode") == "External" or "://" in target or target.startswith("\\\\"):
            raise _Refused(f"{source} links outside the file ({target}); a master may not")
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
        if part.startswith("../") or part == "..":
            raise _Refused(f"{source} refers to {target}, outside the file; a master may not")
        if part not in present:
            raise _Refused(f"{source} refers to {part}, which is not in the file")
        if source.startswith(_GIVERS) and kind not in _ALLOWED:
            raise _Refused(
                f"{source} refers to {part} (a {kind}); a master may give only slide masters, "
                "layouts, themes and pictures"
            )
