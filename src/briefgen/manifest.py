"""Content hashes of what shapes each artifact, and OUT/manifest.json that remembers them.

Light on purpose: the no-op path of `briefgen build` runs only this module (hashlib, json, os),
so it imports neither the model nor any rendering library. Never file timestamps.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefgen import OUTPUTS, __version__
from briefgen.inputs import epoch_key

MANIFEST = "manifest.json"
FORMAT = 1
SUFFIX = {"handout": "handout.pdf", "one-pager": "brief.pdf", "deck": "deck.pptx"}
# The libraries whose version changes the bytes of an output.
LIBRARIES = {
    "handout": ("reportlab", "PIL"),
    "one-pager": ("reportlab", "PIL"),
    "deck": ("pptx", "PIL"),  # Pillow measures the deck's text and reads its pictures
}
# Module → the distribution that installs it (its *.dist-info folder's name).
DISTRIBUTIONS = {"reportlab": "reportlab", "PIL": "pillow", "pptx": "python_pptx"}


def artifact_name(slug: str, output: str) -> str:
    return f"{slug}-{SUFFIX[output]}"


def _files(folder: Path) -> list[Path]:
    """Every file in a folder, recursively, in a stable order; hidden files are ignored."""
    out = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
    return out


def digest_folder(folder: Path) -> str:
    """Hash of a brief folder: names and bytes of its regular files.

    Symbolic links count by their target's name and are never followed, and pipes or devices
    are never opened: hashing runs before any check, so it must not read outside the folder.
    """
    h = hashlib.sha256()
    for path in _files(folder):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            h.update(b"link:" + os.readlink(path).encode(errors="surrogateescape"))
        elif stat.S_ISREG(info.st_mode):
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """briefgen itself: its version, the bytes of its code and the fingerprints of the fonts it
    embeds (so an edit to either rebuilds)."""
    from briefgen.fonts import fingerprint

    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for path in sorted((package / "assets").rglob("*.ttf")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + fingerprint(path))
    return h.hexdigest()


@lru_cache(maxsize=8)
def library_versions(output: str) -> str:
    """'reportlab-4.2.5.dist-info,...': read from folder names (egg-info too, as Debian's
    packages have), without importing anything."""
    import importlib.util

    parts = []
    for module in LIBRARIES[output]:
        spec = importlib.util.find_spec(module)
        found = "?"
        if spec is not None and spec.origin is not None:
            site = Path(spec.origin).parent.parent
            prefix = DISTRIBUTIONS[module].lower() + "-"
            names = [
                n
                for n in os.listdir(site)
                if n.lower().startswith(prefix) and n.endswith((".dist-info", ".egg-info"))
            ]
            found = ",".join(sorted(names)) or "?"
        parts.append(f"{module}:{found}")
    return ";".join(parts)


def template_digest(output: str, shipped: Path, user: Path | None) -> str:
    """The templates an output uses: theme and labels (shared) and its own folder."""
    h = hashlib.sha256()
    for root in (shipped, user):
        if root is None or not root.is_dir():
            continue
        for path in _files(root):
            rel = path.relative_to(root).as_posix()
            if rel == "theme.yaml" or rel.startswith(("labels/", f"{output}/")):
                h.update(f"{root == user}:{rel}".encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def input_keys(
    folder: Path, shipped: Path, user: Path | None, brief: str | None = None
) -> dict[str, str]:
    """Output → the hash of everything that shapes it (`brief`: the folder's digest, if known)."""
    brief = brief if brief is not None else digest_folder(folder)
    keys = {}
    for output in OUTPUTS:
        h = hashlib.sha256()
        for part in (
            brief,
            template_digest(output, shipped, user),
            code_digest(),
            library_versions(output),
            output,
            epoch_key(),  # SOURCE_DATE_EPOCH dates every output
        ):
            h.update(part.encode() + b"\0")
        keys[output] = h.hexdigest()
    return keys


def entry_check(brief: str, outputs: list[str]) -> str:
    """Binds a brief's recorded list of outputs to the digest of the brief folder it was read
    from: an entry whose list was edited by hand (`outputs: []`) no longer matches, and its
    brief is rebuilt."""
    text = json.dumps([brief, outputs])
    return hashlib.sha256(text.encode()).hexdigest()


def _intact(out: Path, art: dict[str, Any]) -> bool:
    """The artifact on disk is the one recorded: same size, and same modification time or,
    when that differs (a restored CI cache, a hand edit), same sha256. A matching hash
    updates the recorded time, so the next no-op build does not hash it again."""
    try:
        info = (out / art["path"]).stat()
    except OSError:
        return False
    if info.st_size != art["size"]:
        return False
    if art.get("mtime_ns") == info.st_mtime_ns:
        return True
    if sha256_file(out / art["path"]) != art["sha256"]:
        return False
    art["mtime_ns"] = info.st_mtime_ns
    return True


_ARTIFACT_TYPES: dict[str, type | tuple[type, ...]] = {
    "path": str,
    "input": str,
    "sha256": str,
    "size": int,
    "pages": int,
    "warnings": list,
}


def _well_formed(slug: Any, entry: Any) -> bool:
    """A manifest entry of the shape briefgen writes: every type checked, every artifact path
    the one briefgen names (never a path elsewhere), every output one briefgen makes."""
    if not (isinstance(slug, str) and isinstance(entry, dict)):
        return False
    outputs, artifacts = entry.get("outputs"), entry.get("artifacts")
    if not (isinstance(outputs, list) and all(o in OUTPUTS for o in outputs)):
        return False
    if not isinstance(artifacts, dict) or not all(
        isinstance(entry.get(k), str) for k in ("status", "source")
    ):
        return False
    for output, art in artifacts.items():
        if output not in OUTPUTS or not isinstance(art, dict):
            return False
        for key, kind in _ARTIFACT_TYPES.items():
            if not isinstance(art.get(key), kind) or isinstance(art.get(key), bool):
                return False
        if art["path"] != f"{slug}/{artifact_name(slug, output)}":
            return False
        if not all(isinstance(w, str) for w in art["warnings"]):
            return False
        if "mtime_ns" in art and not isinstance(art["mtime_ns"], int):
            return False
    return "errors" not in entry or (
        isinstance(entry["errors"], list) and all(isinstance(e, str) for e in entry["errors"])
    )


def sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class Manifest:
    """OUT/manifest.json: per brief and artifact, the input hash, output sha256, pages, warnings."""

    briefs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, out: Path) -> Manifest:
        try:
            data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return cls()
        briefs = data.get("briefs")
        if not isinstance(briefs, dict):
            return cls()
        # A damaged entry (a hand edit, wrong types) is dropped: its brief is rebuilt.
        return cls({s: e for s, e in briefs.items() if _well_formed(s, e)})

    def stale(
        self,
        slug: str,
        source: str,
        keys: dict[str, str],
        only: tuple[str, ...],
        out: Path,
        brief: str = "",
    ) -> list[str] | None:
        """The wanted outputs whose inputs changed or whose file is gone or differs from what was
        written; None when unknown (all of them)."""
        entry = self.briefs.get(slug)
        if not entry or entry.get("status") != "ok" or entry.get("source") != source:
            return None
        if entry.get("check") != entry_check(brief, entry["outputs"]):
            return None  # the list of outputs was not written by a build of these inputs
        artifacts = entry["artifacts"]
        stale = []
        for output in (o for o in entry["outputs"] if o in only):
            art = artifacts.get(output)
            if art is None or art.get("input") != keys[output] or not _intact(out, art):
                stale.append(output)
        return stale

    def record(
        self,
        slug: str,
        source: str,
        outputs: list[str],
        artifacts: dict[str, Any],
        brief: str = "",
    ) -> None:
        """A brief built: its new artifacts replace the old ones of the same output."""
        old = self.briefs.get(slug, {}).get("artifacts", {})
        self.briefs[slug] = {
            "status": "ok",
            "source": source,
            "outputs": outputs,
            "check": entry_check(brief, outputs),
            "artifacts": {**old, **artifacts},
        }

    def mark_failed(self, slug: str, source: str, errors: list[str]) -> None:
        """A brief failed: its last good artifacts stay listed (and on disk)."""
        entry = self.briefs.setdefault(slug, {"artifacts": {}, "outputs": []})
        entry.update(status="failed", source=source, errors=errors)

    def to_json(self) -> str:
        data = {"format": FORMAT, "briefgen": __version__, "briefs": self.briefs}
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
