"""What a build remembers and tells: each brief's warnings and figures in the manifest, the
figures that changed since the restored manifest, and OUT/report.md over every brief there.

The report and the printed findings come from the same records, so they agree: a brief's
warnings are those of its check plus those of each of its artifacts, printed (and counted)
whether the brief was rendered now or is up to date. Light like manifest.py: the no-op path
runs it, so it imports neither the model nor Babel.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.atomic import write_atomic
from briefgen.errors import Finding, Severity

if TYPE_CHECKING:
    from briefgen.build import BuildResult
    from briefgen.load import Loaded
    from briefgen.manifest import Manifest

STATUS = {
    "ok": "up to date",
    "failed": "failed",
}  # a brief not in this build, by its manifest entry


def finding_to_json(f: Finding) -> dict[str, Any]:
    return {"line": f.line, "column": f.column, "path": list(f.path), "message": f.message}


def finding_from_json(data: Mapping[str, Any], file: str) -> Finding:
    path = tuple(p for p in data.get("path", []) if isinstance(p, str | int))
    return Finding(
        Severity.WARNING,
        str(data.get("message", "")),
        path,
        file,
        data.get("line"),
        data.get("column"),
    )


def checked(loaded: Loaded) -> dict[str, Any]:
    """What a build keeps of a brief it checked: its warnings, and its figures when it loaded."""
    from briefgen.facts import brief_figures

    kept: dict[str, Any] = {
        "check_warnings": [
            finding_to_json(f) for f in loaded.findings if f.severity is Severity.WARNING
        ]
    }
    if loaded.ok and loaded.brief is not None:
        kept["figures"] = brief_figures(loaded.brief)
    return kept


def check_warnings(entry: Mapping[str, Any]) -> list[Finding]:
    """The warnings of a manifest entry's last check."""
    file = str(entry.get("source", ""))
    return [finding_from_json(w, file) for w in entry.get("check_warnings", [])]


def artifact_warnings(entry: Mapping[str, Any], outputs: Iterable[str]) -> list[Finding]:
    """The warnings of a manifest entry's artifacts of these outputs (when they are current),
    as the build printed them."""
    if entry.get("status") != "ok":
        return []
    file = str(entry.get("source", ""))
    artifacts = entry.get("artifacts", {})
    wanted = set(outputs)
    return [
        Finding(Severity.WARNING, f"{output}: {w}", (), file)
        for output in _ordered(entry)
        if output in wanted
        for w in artifacts[output].get("warnings", [])
    ]


def _ordered(entry: Mapping[str, Any]) -> list[str]:
    """A manifest entry's artifacts: its outputs in the brief's order, then any others."""
    artifacts = entry.get("artifacts", {})
    order = [*entry.get("outputs", []), *sorted(artifacts)]
    return [o for o in dict.fromkeys(order) if o in artifacts]


def settle(
    result: BuildResult,
    previous: Mapping[str, Any],
    only: Sequence[str] | None,
    shard: tuple[int, int],
) -> None:
    """After the artifacts are written: keep each checked brief's warnings and figures in the
    manifest, print the stored warnings of what was not rendered now, and note what figures
    changed since `previous` (slug → figures of the restored manifest)."""
    from briefgen.diff import compare

    manifest = result.manifest
    changes: list[dict[str, Any]] = []
    for job in result.jobs:
        entry = manifest.briefs.get(job.slug)
        kept = job.checked
        if entry is None:  # failed before it was ever built: nothing to remember
            continue
        if kept is not None and job.status in ("rebuilt", "failed"):
            entry["check_warnings"] = kept["check_warnings"]
            if job.status == "rebuilt":
                entry["figures"] = kept.get("figures")
                if previous and previous.get(job.slug, {}) is not None:
                    changes += compare(job.slug, previous.get(job.slug), entry["figures"])
        wanted = entry.get("outputs", [])
        chosen = wanted if only is None else [o for o in only if o in wanted]
        if job.status == "unchanged":
            result.findings += check_warnings(entry) + artifact_warnings(entry, chosen)
        elif job.status == "rebuilt":  # artifacts kept from before, not rendered now
            kept_outputs = [o for o in chosen if o not in job.outputs]
            result.findings += artifact_warnings(entry, kept_outputs)
    manifest.changes = changes
    manifest.shard = list(shard)


def counted(result: BuildResult) -> dict[str, int]:
    """Each brief of this build → the warnings printed for it."""
    by_file: dict[str, int] = {}
    for f in result.findings:
        if f.severity is Severity.WARNING:
            by_file[f.file] = by_file.get(f.file, 0) + 1
    return {job.slug: by_file.get(job.display, 0) for job in result.jobs}


def table(
    manifest: Manifest,
    statuses: Mapping[str, str] | None = None,
    warnings: Mapping[str, int] | None = None,
) -> list[str]:
    """A row per brief of the manifest: this build's status and warnings where given, else
    the manifest's."""
    lines = [
        "| brief | artifacts | pages | reading level | warnings | status |",
        "|---|---|---|---|---|---|",
    ]
    for slug in sorted(manifest.briefs):
        entry = manifest.briefs[slug]
        found = entry.get("artifacts", {})
        arts = {o: found[o] for o in _ordered(entry)}
        names = ", ".join(Path(a["path"]).name for a in arts.values()) or "—"
        pages = ", ".join(f"{o} {a['pages']}" for o, a in arts.items()) or "—"
        grades = [a["reading_grade"] for a in arts.values() if a.get("reading_grade") is not None]
        level = f"grade {grades[0]:.0f}" if grades else "—"
        count = (warnings or {}).get(slug)
        if count is None:
            count = len(check_warnings(entry) + artifact_warnings(entry, list(arts)))
        status = (statuses or {}).get(slug) or STATUS.get(entry.get("status", ""), "unknown")
        lines.append(f"| {slug} | {names} | {pages} | {level} | {count} | {status} |")
    return lines


def render(
    manifest: Manifest,
    statuses: Mapping[str, str] | None = None,
    warnings: Mapping[str, int] | None = None,
    title: str = "briefgen build",
) -> str:
    """report.md: the figures that changed, then the table of every brief."""
    from briefgen.diff import markdown

    return (
        f"## {title}\n\n"
        + markdown(manifest.changes)
        + "\n".join(table(manifest, statuses, warnings))
        + "\n"
    )


def publish(out: Path, text: str) -> None:
    """Write OUT/report.md; append it to $GITHUB_STEP_SUMMARY when that is set."""
    write_atomic(out / "report.md", text.encode())
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as e:  # the artifacts and report are written: a warning, not a failure
            print(
                f"briefgen: warning: cannot append to GITHUB_STEP_SUMMARY ({summary}): "
                f"{e.strerror}",
                file=sys.stderr,
            )


def write_report(result: BuildResult, out: Path) -> None:
    """OUT/report.md of a build: every brief in OUT, this build's briefs as they went."""
    statuses = {job.slug: job.status for job in result.jobs}
    for slug in result.orphans:
        statuses[slug] = "orphan: its brief is gone (--prune removes it)"
    publish(out, render(result.manifest, statuses, counted(result)))
