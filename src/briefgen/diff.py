"""What changed in the facts: figures added, removed, or changed in value, source or as-of date.

Works on the plain figures of `facts.py`, so the two sides can come from anywhere: brief files,
two git revisions, or a manifest (which stores each brief's figures). Comparing and printing
need neither the model nor Babel (the shown text is stored with each figure); only reading a
brief does (`read_side`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

from briefgen.errors import BriefError, UsageError, has_errors

Figures = Mapping[str, Any]  # {"language": ..., "figures": [figure, ...]} (facts.brief_figures)
Change = dict[str, Any]  # brief, kind (added | removed | changed), label, old, new, what
ARROW = "→"


def compare(brief: str, old: Figures | None, new: Figures | None) -> list[Change]:
    """One brief's changes, in the new version's order (removed figures last). A brief that
    is new has every figure added; a brief that is gone, every figure removed."""
    before = {f["id"]: f for f in (old or {}).get("figures", [])}
    after = {f["id"]: f for f in (new or {}).get("figures", [])}
    changes: list[Change] = []
    for ident, f in after.items():
        was = before.get(ident)
        if was is None:
            changes.append(_change(brief, "added", None, f))
            continue
        what = [
            part
            for part, keys in (
                ("value", ("value", "approximate")),
                ("sources", ("sources",)),
                ("as_of", ("as_of",)),
            )
            if any(was.get(k) != f.get(k) for k in keys)
        ]
        if what:
            changes.append(_change(brief, "changed", was, f, what))
    changes += [_change(brief, "removed", f, None) for i, f in before.items() if i not in after]
    return changes


def compare_all(
    old: Mapping[str, Figures | None], new: Mapping[str, Figures | None]
) -> list[Change]:
    """Every brief's changes, briefs by name. A side whose figures are None (unknown, as in a
    manifest older than figures) is left out rather than reported as all added or removed."""
    out: list[Change] = []
    for slug in sorted(set(old) | set(new)):
        if (slug in old and old[slug] is None) or (slug in new and new[slug] is None):
            continue
        out += compare(slug, old.get(slug), new.get(slug))
    return out


def _change(brief: str, kind: str, old: Any, new: Any, what: Sequence[str] = ()) -> Change:
    return {
        "brief": brief,
        "kind": kind,
        "label": (new or old)["label"],
        "old": old,
        "new": new,
        "what": list(what),
    }


def _sources(f: Any) -> str:
    return " / ".join(f["sources"]) or "no source"


def describe(change: Change) -> str:
    """'France troops 1,700 → 2,500 (AFP, 17 Jan 2013)': the figure as it now is, and what it
    was where that changed; an added or removed figure as it is (or was)."""
    old, new = change["old"], change["new"]
    if change["kind"] != "changed":
        f = new or old
        when = f", {f['shown_as_of']}" if f.get("shown_as_of") else ""
        return f"{f['label']} {f['shown_value']} ({_sources(f)}{when})"
    what = change["what"]

    def part(old_text: str | None, new_text: str | None, changed: bool) -> str | None:
        if changed:
            return f"{old_text or 'none'} {ARROW} {new_text or 'none'}"
        return new_text

    value = part(old["shown_value"], new["shown_value"], "value" in what)
    details = [
        part(_sources(old), _sources(new), "sources" in what),
        part(old.get("shown_as_of"), new.get("shown_as_of"), "as_of" in what),
    ]
    inside = ", ".join(d for d in details if d)
    return f"{new['label']} {value}" + (f" ({inside})" if inside else "")


def text(changes: Sequence[Change]) -> str:
    """For a terminal: a heading per brief, then a line per change."""
    lines: list[str] = []
    brief = None
    for c in changes:
        if c["brief"] != brief:
            brief = c["brief"]
            lines.append(f"{brief}:")
        lines.append(f"  {c['kind']:<8} {describe(c)}")
    n, briefs = len(changes), len({c["brief"] for c in changes})
    if n:
        lines.append(f"{n} figure{'s' * (n != 1)} changed in {briefs} brief{'s' * (briefs != 1)}")
    else:
        lines.append("no figures changed")
    return "\n".join(lines) + "\n"


def markdown(changes: Sequence[Change]) -> str:
    """For the job summary: a section of changed figures (empty when nothing changed)."""
    if not changes:
        return ""
    lines = ["### Changed figures", ""]
    brief = None
    for c in changes:
        if c["brief"] != brief:
            if brief is not None:
                lines.append("")
            brief = c["brief"]
            lines += [f"**{_md(brief)}**", ""]
        lines.append(f"- {c['kind']}: {_md(describe(c))}")
    return "\n".join(lines) + "\n\n"


def _md(s: str) -> str:
    """Text as itself in Markdown: the characters that would start markup are escaped."""
    for ch in "\\`*_[]<>|#~":  # ~ too: GitHub strikes through text between tildes
        s = s.replace(ch, "\\" + ch)
    return s


# --- reading the two sides -------------------------------------------------------------------


def read_side(spec: str, briefs_dir: Path) -> tuple[dict[str, Figures | None], bool]:
    """OLD or NEW of `briefgen diff` → (slug → figures, whether it named one brief).

    A manifest (a .json file, or a folder holding manifest.json), a brief (its folder or
    brief.yaml) or a folder of briefs, or else a git revision (its briefs under `briefs_dir`).
    A brief that does not load is a BriefError with every finding."""
    path = Path(spec)
    if path.is_file() and path.suffix == ".json":
        return _from_manifest(path), False
    if path.is_dir() and (path / "manifest.json").is_file():
        return _from_manifest(path / "manifest.json"), False
    if path.exists():
        from briefgen.cli import _shown, find_briefs

        files = find_briefs([path])
        single = path.is_file() or (path / "brief.yaml").is_file()
        return {f.parent.name: _figures(f, _shown(f)) for f in files}, single
    return _from_git(spec, briefs_dir), False


def _from_manifest(file: Path) -> dict[str, Figures | None]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        briefs = data["briefs"]
        out = {slug: entry.get("figures") for slug, entry in briefs.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise UsageError(f"{file}: not a briefgen manifest ({type(e).__name__}: {e})") from None
    for slug, figures in out.items():
        if figures is not None and not _well_formed(figures):
            raise UsageError(f"{file}: brief '{slug}': its figures are not as briefgen writes them")
    return out


def _well_formed(figures: Any) -> bool:
    keys = ("id", "label", "shown_value")
    return (
        isinstance(figures, dict)
        and isinstance(figures.get("figures"), list)
        and all(
            isinstance(f, dict) and all(isinstance(f.get(k), str) for k in keys)
            for f in figures["figures"]
        )
    )


def _figures(file: Path, display: str) -> Figures:
    """A brief's figures, after the checks that bear on them (pictures are not looked at: a
    revision's brief is read without its folder)."""
    from briefgen.checks import run_checks
    from briefgen.facts import brief_figures
    from briefgen.load import load

    loaded = load(file, display)
    if loaded.brief is not None:
        loaded.findings += loaded.place(run_checks(loaded.brief))
    errors = sorted((f for f in loaded.findings if has_errors([f])), key=lambda f: f.sort_key)
    if loaded.brief is None or errors:
        raise BriefError(errors)
    return brief_figures(loaded.brief)


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    import subprocess

    try:
        return subprocess.run(["git", *args], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise UsageError(f"cannot run git: {e}") from None


def _from_git(rev: str, briefs_dir: Path) -> dict[str, Figures | None]:
    """The briefs of a revision, each read from git into a temporary folder (its brief.yaml
    only: figures do not depend on the pictures beside it)."""
    if (
        rev.startswith("-")
        or _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode
    ):
        raise UsageError(
            f"'{rev}' is neither a brief, a folder of briefs, a manifest nor a git revision"
        )
    listed = _git("ls-tree", "-r", "--name-only", rev, "--", f"{briefs_dir.as_posix()}/")
    names = [
        n
        for n in listed.stdout.decode(errors="surrogateescape").splitlines()
        if n.endswith("/brief.yaml") and Path(n).parent.parent == Path(os.path.normpath(briefs_dir))
    ]
    import tempfile

    out: dict[str, Figures | None] = {}
    with tempfile.TemporaryDirectory(prefix="briefgen-diff-") as tmp:
        for name in names:
            shown = _git("show", f"{rev}:./{name}")
            if shown.returncode:
                raise UsageError(f"cannot read {rev}:{name}: {shown.stderr.decode().strip()}")
            file = Path(tmp) / Path(name).parent.name / "brief.yaml"
            file.parent.mkdir()
            file.write_bytes(shown.stdout)
            out[file.parent.name] = _figures(file, f"{rev}:{name}")
    return out
