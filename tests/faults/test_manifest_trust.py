"""Item 10: a damaged or hand-edited manifest means "rebuild", never a crash; an output whose
bytes do not match the recorded sha256 is rebuilt; `outputs: []` does not hide missing files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from briefgen.build import Options, build
from tests.faults._util import briefgen, copy_good


def _build(briefs: Path, out: Path, **kw: object):
    files = sorted((f, f"briefs/{f.parent.name}/brief.yaml") for f in briefs.glob("*/brief.yaml"))
    return build(files, Options(out=out, jobs=1, **kw))  # type: ignore[arg-type]


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    briefs = copy_good(tmp_path, "minimal")
    out = tmp_path / "out"
    assert _build(briefs, out).ok
    return briefs, out


def test_a_same_size_hand_edit_of_an_output_is_rebuilt(built):
    briefs, out = built
    deck = out / "minimal/minimal-deck.pptx"
    good = deck.read_bytes()
    edited = bytearray(good)
    edited[len(edited) // 2] ^= 0xFF  # same size, different bytes
    deck.write_bytes(bytes(edited))
    result = _build(briefs, out)
    assert [j.status for j in result.jobs] == ["rebuilt"]
    assert deck.read_bytes() == good


def test_a_restored_cache_with_new_timestamps_is_still_up_to_date(built):
    """CI caches restore files with new mtimes: the bytes match, so nothing is rebuilt."""
    briefs, out = built
    for f in (out / "minimal").iterdir():
        os.utime(f, ns=(1_000_000_000, 1_000_000_000))
    result = _build(briefs, out)
    assert [j.status for j in result.jobs] == ["unchanged"]


def _tamper(out: Path, change) -> None:
    path = out / "manifest.json"
    data = json.loads(path.read_text())
    change(data["briefs"]["minimal"])
    path.write_text(json.dumps(data))


TAMPERS = {
    "artifacts-a-list": lambda e: e.update(artifacts=[]),
    "artifact-a-string": lambda e: e["artifacts"].update(deck="x"),
    "size-a-string": lambda e: e["artifacts"]["deck"].update(size="12"),
    "path-a-number": lambda e: e["artifacts"]["deck"].update(path=7),
    "path-outside": lambda e: e["artifacts"]["deck"].update(path="../../etc/passwd"),
    "outputs-a-string": lambda e: e.update(outputs="deck"),
    "outputs-unknown": lambda e: e.update(outputs=["poster"]),
    "entry-emptied": lambda e: e.clear(),
    "warnings-a-number": lambda e: e["artifacts"]["deck"].update(warnings=3),
    "pages-a-string": lambda e: e["artifacts"]["deck"].update(pages="1"),
}


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_manifest_with_wrong_types_means_rebuild(built, tamper, force):
    _, out = built
    _tamper(out, TAMPERS[tamper])
    p = briefgen(["build", "-o", "out", "-j", "1", *(["--force"] if force else [])], out.parent)
    assert p.code == 0, (p.code, p.both[-2000:])
    assert "1 rebuilt" in p.out, p.both
    data = json.loads((out / "manifest.json").read_text())
    assert data["briefs"]["minimal"]["artifacts"]["deck"]["path"] == "minimal/minimal-deck.pptx"


def test_outputs_emptied_by_hand_does_not_hide_a_missing_artifact(built):
    briefs, out = built
    _tamper(out, lambda e: e.update(outputs=[]))
    (out / "minimal/minimal-deck.pptx").unlink()
    result = _build(briefs, out)
    assert [j.status for j in result.jobs] == ["rebuilt"]
    assert (out / "minimal/minimal-deck.pptx").is_file()


def test_a_manifest_that_is_not_an_object_means_rebuild(built):
    _, out = built
    (out / "manifest.json").write_text('{"format": 1, "briefs": {"minimal": 5}}')
    p = briefgen(["build", "-o", "out", "-j", "1"], out.parent)
    assert p.code == 0, p.both
    assert "1 rebuilt" in p.out
