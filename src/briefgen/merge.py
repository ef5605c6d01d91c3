"""`briefgen merge`: the output folders of a sharded build (`build --shard i/N`, one per CI
runner) joined into one folder, with one manifest.json and one report.md.

Every brief must be in exactly one shard: one that is in none, or in two, is an error, and
then nothing is written. Artifacts are hard-linked into the merged folder when the file system
allows (copied when not), each beside its target and renamed into place. Light: reads JSON and
links files, importing neither the model nor any renderer.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.atomic import write_atomic
from briefgen.errors import BriefgenError
from briefgen.manifest import FORMAT, MANIFEST, Manifest


class MergeError(BriefgenError):
    """The shards do not make one whole build: every problem, one per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Merged:
    manifest: Manifest
    shards: int
    linked: int = 0
    dropped: list[str] = field(default_factory=list)  # in a shard, but not a brief any more

    @property
    def failed(self) -> list[str]:
        return sorted(s for s, e in self.manifest.briefs.items() if e.get("status") != "ok")


def _read(shard: Path) -> dict[str, Any]:
    file = shard / MANIFEST
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as e:
        raise MergeError(
            [f"{file}: cannot read it ({e.strerror}); did this shard's build run?"]
        ) from None
    except ValueError as e:
        raise MergeError([f"{file}: not JSON ({e})"]) from None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("briefs"), dict)
    ):
        raise MergeError([f"{file}: not a briefgen manifest of format {FORMAT}"])
    for slug, entry in data["briefs"].items():
        arts = entry.get("artifacts") if isinstance(entry, dict) else None
        if not isinstance(arts, dict) or not all(
            isinstance(a, dict) and isinstance(a.get("path"), str) for a in arts.values()
        ):
            raise MergeError([f"{file}: brief '{slug}': not a manifest entry with artifacts"])
    return data


def merge(shards: Sequence[Path], out: Path, expected: Sequence[str] | None) -> Merged:
    """Join the shards' manifests (and artifacts) into `out`; `expected`: the slugs that must
    each be in exactly one shard (None: whatever the shards hold, still each once)."""
    read = [(shard, _read(shard)) for shard in shards]
    problems: list[str] = []
    owner: dict[str, Path] = {}
    briefs: dict[str, dict[str, Any]] = {}
    dropped: list[str] = []
    wanted = set(expected) if expected is not None else None
    for shard, data in read:
        for slug, entry in sorted(data["briefs"].items()):
            if wanted is not None and slug not in wanted:
                dropped.append(slug)
                continue
            if slug in owner:
                problems.append(f"brief '{slug}' is in two shards: {owner[slug]} and {shard}")
                continue
            owner[slug] = shard
            briefs[slug] = entry
    for slug in sorted((wanted or set()) - set(owner)):
        problems.append(f"brief '{slug}' is in no shard")
    problems += _shard_numbers(read)
    if problems:
        raise MergeError(problems)
    changes = [
        c
        for _, data in read
        for c in data.get("changes") or []
        if isinstance(c, dict) and c.get("brief") in briefs
    ]
    changes.sort(key=lambda c: str(c["brief"]))  # stable: each brief's own order is kept
    merged = Merged(Manifest(briefs, changes), len(read), dropped=sorted(set(dropped)))
    out.mkdir(parents=True, exist_ok=True)
    for slug, entry in briefs.items():
        merged.linked += _bring(owner[slug], out, entry)
    write_atomic(out / MANIFEST, merged.manifest.to_json().encode())
    return merged


def _shard_numbers(read: Sequence[tuple[Path, dict[str, Any]]]) -> list[str]:
    """Shards that say which they are ([i, n]) must be 1..n of one n, each once."""
    numbers = [(shard, data.get("shard")) for shard, data in read]
    known = [(s, n) for s, n in numbers if isinstance(n, list) and len(n) == 2]
    if not known:
        return []
    totals = {n[1] for _, n in known}
    if len(totals) > 1:
        return [
            f"the shards are of different builds: {', '.join(f'{s} is {n[0]}/{n[1]}' for s, n in known)}"
        ]
    (total,) = totals
    problems = []
    seen: dict[int, Path] = {}
    for shard, n in known:
        if n[0] in seen:
            problems.append(f"shard {n[0]}/{total} is given twice: {seen[n[0]]} and {shard}")
        seen[n[0]] = shard
    if len(known) == len(read):  # every shard says which it is: none may be missing
        problems += [f"shard {i}/{total} is missing" for i in range(1, total + 1) if i not in seen]
    return problems


def _bring(shard: Path, out: Path, entry: dict[str, Any]) -> int:
    """A brief's artifacts from its shard into `out`; how many files."""
    if shard.resolve() == out.resolve():
        return 0
    count = 0
    for art in entry.get("artifacts", {}).values():
        rel = Path(art["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise MergeError([f"{shard / MANIFEST}: artifact path outside the folder: {rel}"])
        source, target = shard / rel, out / rel
        try:
            size = source.stat().st_size
        except OSError as e:
            raise MergeError([f"{source}: listed in {shard / MANIFEST} but {e.strerror}"]) from None
        if size != art.get("size"):
            raise MergeError([f"{source}: {size} bytes, but its manifest says {art.get('size')}"])
        _link(source, target)
        count += 1
    return count


def _link(source: Path, target: Path) -> None:
    """`target` becomes `source`'s file: a hard link, or a copy, renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Named like atomic.write_atomic's temporary files, so a later build sweeps a stray one.
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        try:
            os.link(source, tmp)
        except OSError:  # another file system, or links not allowed: copy the bytes
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
