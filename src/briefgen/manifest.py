"""Content hashes of what shapes each artifact, and OUT/manifest.json that remembers them.

Light on purpose: the no-op path of `briefgen build` runs only this module (hashlib, json, os),
so it imports neither the model nor any rendering library. Never file timestamps.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen import __version__
from briefgen.inputs import epoch_key

if TYPE_CHECKING:
    from briefgen.template_set import TemplateSet

MANIFEST = "manifest.json"
FORMAT = 2
# The libraries whose version changes the bytes of some output. Every output's key holds them
# all: which renderer an output uses is written in its output.yaml, and the no-op path reads
# no YAML. (A library upgrade is rare; rebuilding every output then is cheap insurance.)
LIBRARIES = ("reportlab", "PIL", "pptx", "jinja2")
# Module → the distribution that installs it (its *.dist-info folder's name).
DISTRIBUTIONS = {
    "reportlab": "reportlab",
    "PIL": "pillow",
    "pptx": "python_pptx",
    "jinja2": "jinja2",
    "pydantic": "pydantic",  # judges the template set (not a rendering library)
}


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


@lru_cache(maxsize=4)
def library_versions(modules: tuple[str, ...] = LIBRARIES) -> str:
    """'reportlab-4.2.5.dist-info,...': read from folder names (egg-info too, as Debian's
    packages have), without importing anything."""
    import importlib.util

    parts = []
    for module in modules:
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


def template_digests(templates: TemplateSet, outputs: list[str]) -> tuple[dict[str, str], str]:
    """Output → the hash of the template files it uses: its own folder and every shared file
    (theme, labels, a logo, fonts), from every folder of the lookup order; and the hash of the
    set of outputs itself (their names and descriptions: which are built by default)."""
    shared, own = hashlib.sha256(), {o: hashlib.sha256() for o in outputs}
    outputs_set = hashlib.sha256()
    for i, (rel, path) in enumerate(templates.files()):
        top = rel.split("/", 1)[0]
        record = f"{i}:{rel}".encode() + b"\0" + _file_bytes(path) + b"\0"
        if top in own:
            own[top].update(record)
            if rel == f"{top}/output.yaml":
                outputs_set.update(record)
        elif "/" not in rel or top not in templates.output_names():
            shared.update(record)
    common = shared.hexdigest()
    return {
        o: hashlib.sha256((common + h.hexdigest()).encode()).hexdigest() for o, h in own.items()
    }, (outputs_set.hexdigest())


def _file_bytes(path: Path) -> bytes:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return b"link:" + os.readlink(path).encode(errors="surrogateescape")
    if not stat.S_ISREG(info.st_mode):
        return b"special"
    return path.read_bytes()


def input_keys(folder: Path, digests: dict[str, str], brief: str | None = None) -> dict[str, str]:
    """Output → the hash of everything that shapes it, given the outputs' template digests
    (`brief`: the folder's digest, if known)."""
    brief = brief if brief is not None else digest_folder(folder)
    keys = {}
    for output, templates in digests.items():
        h = hashlib.sha256()
        for part in (
            brief,
            templates,
            code_digest(),
            library_versions(),
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


def _intact(out: Path, slug: str, art: dict[str, Any]) -> bool:
    """The artifact on disk is the one recorded: same size, and same modification time or,
    when that differs (a restored CI cache, a hand edit), same sha256. A matching hash
    updates the recorded time, so the next no-op build does not hash it again. An artifact
    of several files (chart pictures) is checked file by file."""
    files = art.get("files")
    if isinstance(files, dict) and files:
        return all(
            _intact(out, slug, {**meta, "path": f"{slug}/{name}"}) for name, meta in files.items()
        )
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
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")  # an output's name (a template folder)


def _well_formed(slug: Any, entry: Any) -> bool:
    """A manifest entry of the shape briefgen writes: every type checked, every artifact path
    inside the brief's own folder (never a path elsewhere), every output a template folder's
    name."""
    if not (isinstance(slug, str) and isinstance(entry, dict)):
        return False
    outputs, artifacts = entry.get("outputs"), entry.get("artifacts")
    if not (
        isinstance(outputs, list)
        and all(isinstance(o, str) and _NAME.fullmatch(o) for o in outputs)
    ):
        return False
    if not isinstance(artifacts, dict) or not all(
        isinstance(entry.get(k), str) for k in ("status", "source")
    ):
        return False
    for output, art in artifacts.items():
        if not (isinstance(output, str) and _NAME.fullmatch(output)) or not isinstance(art, dict):
            return False
        for key, kind in _ARTIFACT_TYPES.items():
            if not isinstance(art.get(key), kind) or isinstance(art.get(key), bool):
                return False
        if not _inside(slug, art["path"]):
            return False
        files = art.get("files", {})
        if not isinstance(files, dict) or not all(
            _inside(slug, f"{slug}/{name}")
            and isinstance(meta, dict)
            and isinstance(meta.get("size"), int)
            and isinstance(meta.get("sha256"), str)
            for name, meta in files.items()
        ):
            return False
        if not all(isinstance(w, str) for w in art["warnings"]):
            return False
        if "mtime_ns" in art and not isinstance(art["mtime_ns"], int):
            return False
    return "errors" not in entry or (
        isinstance(entry["errors"], list) and all(isinstance(e, str) for e in entry["errors"])
    )


def _inside(slug: str, path: str) -> bool:
    """A path briefgen could have written: in the brief's folder, no way out of it."""
    parts = path.split("/")
    return (
        len(parts) in (2, 3)
        and parts[0] == slug
        and all(p and p not in (".", "..") and "\\" not in p for p in parts[1:])
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
    changes: list[dict[str, Any]] = field(default_factory=list)  # this build's (report.py)
    shard: list[int] | None = None  # [i, n] of the build that wrote it

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
        only: tuple[str, ...] | None,
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
        for output in (o for o in entry["outputs"] if only is None or o in only):
            art = artifacts.get(output)
            if (
                art is None
                or output not in keys
                or art.get("input") != keys[output]
                or not _intact(out, slug, art)
            ):
                stale.append(output)
        return stale

    def same_outputs(self, slug: str, outputs_set: str) -> bool:
        """Whether the template set's outputs (names, descriptions) are those of the last build:
        when not, the brief is read again, as a new default output may now apply to it."""
        return bool(self.briefs.get(slug, {}).get("set") == outputs_set)

    def recorded(self, slug: str) -> list[str]:
        """The outputs the brief had at its last good build."""
        outputs = self.briefs.get(slug, {}).get("outputs", [])
        return [str(o) for o in outputs] if isinstance(outputs, list) else []

    def record(
        self,
        slug: str,
        source: str,
        outputs: list[str],
        artifacts: dict[str, Any],
        outputs_set: str = "",
        brief: str = "",
    ) -> None:
        """A brief built: its new artifacts replace the old ones of the same output."""
        old = self.briefs.get(slug, {}).get("artifacts", {})
        self.briefs[slug] = {
            "status": "ok",
            "source": source,
            "outputs": outputs,
            "set": outputs_set,
            "check": entry_check(brief, outputs),
            "artifacts": {**old, **artifacts},
        }

    def mark_failed(self, slug: str, source: str, errors: list[str]) -> None:
        """A brief failed: its last good artifacts stay listed (and on disk)."""
        entry = self.briefs.setdefault(slug, {"artifacts": {}, "outputs": []})
        entry.update(status="failed", source=source, errors=errors)

    def to_json(self) -> str:
        data = {"format": FORMAT, "briefgen": __version__, "briefs": self.briefs}
        data.update(changes=self.changes, shard=self.shard)
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
