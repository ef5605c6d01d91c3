"""Item 9: a full disk mid-write replaces a brief's artifacts all together or not at all, names
the file, and leaves the manifest in agreement with the files."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from briefgen import atomic
from briefgen.build import Options, build
from tests.faults._util import briefgen, copy_good


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix in (".pdf", ".pptx")
    }


def _agrees(out: Path) -> None:
    """Every artifact the manifest lists is on disk with the recorded sha256."""
    data = json.loads((out / "manifest.json").read_text())
    for entry in data["briefs"].values():
        for art in entry["artifacts"].values():
            digest = hashlib.sha256((out / art["path"]).read_bytes()).hexdigest()
            assert digest == art["sha256"], art["path"]


def _edit(briefs: Path) -> None:
    f = briefs / "minimal/brief.yaml"
    f.write_text(f.read_text().replace("\nsources:", "\nquestions: [Why now?]\nsources:", 1))


def test_a_write_failing_on_the_third_file_keeps_all_three_old_ones(tmp_path, monkeypatch):
    briefs = copy_good(tmp_path, "minimal", "french")
    out = tmp_path / "out"
    files = sorted((f, f"briefs/{f.parent.name}/brief.yaml") for f in briefs.glob("*/brief.yaml"))
    assert build(files, Options(out, jobs=1)).ok
    before = _files(out)
    _edit(briefs)
    real = atomic._temporary

    def full_on_deck(path: Path, data: bytes) -> str:
        if path.name == "minimal-deck.pptx":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, data)

    monkeypatch.setattr(atomic, "_temporary", full_on_deck)
    result = build(files, Options(out, jobs=1, force=True))
    assert not result.ok
    assert _files(out)["minimal/minimal-handout.pdf"] == before["minimal/minimal-handout.pdf"]
    assert _files(out) == {**before, **{k: v for k, v in _files(out).items() if "french" in k}}
    errors = [f.format() for f in result.findings]
    assert errors == [
        f"briefs/minimal/brief.yaml: cannot write {out}/minimal/minimal-deck.pptx: "
        "No space left on device; its previous artifacts are kept"
    ]
    assert {j.slug: j.status for j in result.jobs} == {"french": "rebuilt", "minimal": "failed"}
    assert not [p for p in out.rglob("*.tmp")]
    _agrees(out)
    monkeypatch.setattr(atomic, "_temporary", real)
    again = build(files, Options(out, jobs=1))  # space again: the failed brief is rebuilt
    assert {j.slug: j.status for j in again.jobs} == {"french": "unchanged", "minimal": "rebuilt"}


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.mark.skipif(not _can_mount(), reason="mounting a small tmpfs needs root (.ci/run has it)")
def test_a_really_full_disk(tmp_path):
    briefs = copy_good(tmp_path, "minimal")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)]).returncode:
        pytest.skip("this container cannot mount a tmpfs")
    try:
        out = mnt / "out"
        p = briefgen(["build", "-o", str(out), "-j", "1"], tmp_path, timeout=60)
        assert p.code == 0, p.both
        before = _files(out)
        # Room for the smaller artifacts, one page short of the largest: a writer that
        # replaces files one by one puts some new artifacts beside the old others.
        page = 4096
        sizes = sorted(len(v) for k, v in before.items() if k.startswith("minimal/"))
        leave = sizes[-1] // page * page
        assert leave >= -(-sizes[0] // page) * page  # the smallest fits
        (mnt / "filler").write_bytes(b"\0" * (shutil.disk_usage(mnt).free - leave))
        _edit(briefs)
        p = briefgen(["build", "-o", str(out), "-j", "1"], tmp_path, timeout=60)
        assert p.code == 1, p.both
        assert "Traceback" not in p.both
        assert "No space left on device" in p.err and "minimal/minimal-" in p.err, p.err
        assert _files(out) == before
        assert not [q for q in out.rglob("*.tmp")]
        _agrees(out)
    finally:
        subprocess.run(["umount", "-l", str(mnt)])
