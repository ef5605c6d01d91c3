"""Environment: an output folder that cannot be written, an output path that is a file or lies
under one, an artifact path taken by a folder, and two builds at once on the same output folder.
A clear message and exit code, never a traceback, never a corrupted artifact."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.adversarial._util import (
    PYTHON,
    assert_no_traceback,
    full_brief,
    pptx_texts,
    run_briefgen,
    write_brief,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_brief(tmp_path / "briefs" / "env", full_brief())
    return tmp_path


def _assert_clear_failure(p, *names: str) -> None:
    assert_no_traceback(p)
    assert p.code in (1, 2), (p.code, p.both[-2000:])
    assert all(n in p.err for n in names), p.err[-2000:]


def test_output_folder_without_write_permission(project):
    out = project / "locked"
    out.mkdir()
    out.chmod(0o500)
    wrapper: list[str] = []
    try:
        probe = out / ".probe"
        try:
            probe.write_text("x")
        except PermissionError:
            pass
        else:  # root ignores file modes: run briefgen as root without the override capabilities
            probe.unlink()
            setpriv = shutil.which("setpriv")
            assert setpriv, "setpriv (Debian: util-linux) is needed to test this as root"
            wrapper = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
        p = run_briefgen(
            ["build", "briefs/env", "-o", "locked", "-j", "1"], project, wrapper=wrapper
        )
        _assert_clear_failure(p, "locked")
        assert p.code == 1
        assert not list(out.iterdir())
    finally:
        out.chmod(0o700)


def test_output_folder_under_a_regular_file(project):
    """Blocked for every user, root included: a path cannot continue below a file."""
    (project / "afile").write_text("not a folder\n")
    p = run_briefgen(["build", "briefs/env", "-o", "afile/out", "-j", "1"], project)
    _assert_clear_failure(p, "afile")
    assert (project / "afile").read_text() == "not a folder\n"


def test_output_path_that_is_an_existing_file(project):
    (project / "out.pdf").write_text("keep me\n")
    p = run_briefgen(["build", "briefs/env", "-o", "out.pdf", "-j", "1"], project)
    _assert_clear_failure(p, "out.pdf")
    assert p.code == 2
    assert (project / "out.pdf").read_text() == "keep me\n"


def test_artifact_path_taken_by_a_folder(project):
    (project / "out" / "env" / "env-handout.pdf").mkdir(parents=True)
    p = run_briefgen(["build", "briefs/env", "-o", "out", "-j", "1"], project)
    _assert_clear_failure(p, "env-handout.pdf")


def test_brief_yaml_that_is_a_folder(project):
    """brief.yaml is a folder: a located error, not a crash."""
    (project / "briefs" / "odd" / "brief.yaml").mkdir(parents=True)
    p = run_briefgen(["check", "briefs/odd"], project)
    assert_no_traceback(p)
    assert p.code in (1, 2), p.both


def _valid_artifacts(folder: Path, slug: str) -> None:
    for kind in ("handout", "brief"):
        pdf = folder / f"{slug}-{kind}.pdf"
        reader = PdfReader(pdf, strict=True)
        assert (
            len(reader.pages) >= 1 and "".join(p.extract_text() or "" for p in reader.pages).strip()
        )
    assert pptx_texts(folder / f"{slug}-deck.pptx").strip()


@pytest.mark.parametrize("same_brief", [True, False], ids=["same-brief", "different-briefs"])
def test_two_builds_at_once_on_one_output_folder(project, same_brief):
    write_brief(project / "briefs" / "other", full_brief(lambda c: f"Other text {c}."))
    second = "briefs/env" if same_brief else "briefs/other"
    env = {**os.environ, "CI": "1"}
    procs = [
        subprocess.Popen(
            [PYTHON, "-m", "briefgen", "build", brief, "-o", "out", "-j", "1", "--force"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for brief in ("briefs/env", second)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        outputs.append((proc.returncode, out.decode(), err.decode()))
    for code, out, err in outputs:
        assert "Traceback" not in out + err and "internal error" not in err, err[-2000:]
        assert code == 0, (code, out, err)
    _valid_artifacts(project / "out" / "env", "env")
    manifest = json.loads((project / "out" / "manifest.json").read_text())
    assert "env" in manifest["briefs"], manifest
    if not same_brief:
        _valid_artifacts(project / "out" / "other", "other")
        assert "other" in manifest["briefs"], "one build's manifest entry was lost"
    leftovers = [p.name for p in (project / "out").rglob("*.tmp")]
    assert not leftovers, leftovers
