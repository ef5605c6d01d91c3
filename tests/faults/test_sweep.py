"""Item 1: the start-of-build sweep removes only the temporary files briefgen itself names, only
where it writes; a user's hidden `*.tmp` files (editor swap files, journals) are never deleted."""

from __future__ import annotations

from pathlib import Path

from briefgen.atomic import write_atomic
from briefgen.build import Options, build
from tests.faults._util import copy_good


def test_a_build_into_a_busy_folder_deletes_nothing_that_is_not_ours(tmp_path):
    briefs = copy_good(tmp_path, "minimal")
    out = tmp_path / "home"  # `-o ~`: a folder full of other programs' files
    theirs = [
        out / ".notes.txt.swp.tmp",
        out / ".db-journal.tmp",
        out / "minimal" / ".minimal-handout.pdf.a1b2c3d4.tmp",  # shaped like ours, not ours
        out / "project" / "deep" / ".cache.tmp",
    ]
    for f in theirs:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"precious")
    ours = [
        out / ".briefgen.manifest.json.k2j4h1x9.tmp",
        out / "minimal" / ".briefgen.x.pdf.abcd1234.tmp",
    ]
    for f in ours:
        f.write_bytes(b"left by a killed build")
    result = build([(briefs / "minimal/brief.yaml", "minimal")], Options(out, jobs=1))
    assert result.ok
    assert [f.read_bytes() for f in theirs] == [b"precious"] * len(theirs)
    assert not any(f.exists() for f in ours)


def test_temporary_files_carry_briefgens_prefix(tmp_path, monkeypatch):
    seen: list[str] = []
    import os

    real = os.replace

    def spy(src: str, dst: object) -> None:
        seen.append(Path(src).name)
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", spy)
    write_atomic(tmp_path / "a.pdf", b"x")
    assert len(seen) == 1 and seen[0].startswith(".briefgen.a.pdf.") and seen[0].endswith(".tmp")
