"""Items 6, 7, 8, 12, 14: what decides "up to date" (SOURCE_DATE_EPOCH), where outputs may go
(never inside an input), briefs that would share an output folder, --jobs, long folder names."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.faults._util import briefgen, copy_good


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy_good(tmp_path, "minimal")
    return tmp_path


def _arts(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "minimal").glob("minimal-*"))}


# ---- item 6: SOURCE_DATE_EPOCH ----


def test_source_date_epoch_is_part_of_up_to_date(project):
    assert briefgen(["build", "-j", "1"], project).code == 0
    p = briefgen(["build", "-j", "1"], project, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert p.code == 0 and "1 rebuilt" in p.out, p.both
    dated = _arts(project / "build")
    clean = briefgen(
        ["build", "-j", "1", "-o", "clean"], project, env={"SOURCE_DATE_EPOCH": "1700000000"}
    )
    assert clean.code == 0
    assert dated == _arts(project / "clean")
    p = briefgen(["build", "-j", "1"], project)  # unset again: back to the brief's date
    assert "1 rebuilt" in p.out, p.both


@pytest.mark.parametrize("value", ["abc", "²", "253402300800", "-1", "1e9", " 12", "0x10"])
def test_a_bad_source_date_epoch_is_a_usage_error(project, value):
    p = briefgen(["build", "-j", "1"], project, env={"SOURCE_DATE_EPOCH": value})
    assert p.code == 2, (p.code, p.both[-1500:])
    assert p.err == (
        "briefgen: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, "
        f"from 0 to 253402300799 (got '{value}')\n"
    ), p.err
    assert not (project / "build/minimal").exists()


def test_the_largest_source_date_epoch_builds(project):
    p = briefgen(["build", "-j", "1"], project, env={"SOURCE_DATE_EPOCH": "253402300799"})
    assert p.code == 0, p.both


# ---- item 7: an output folder inside an input ----


def test_building_a_brief_folder_into_itself_is_refused(project):
    folder = project / "briefs/minimal"
    p = briefgen(["build", ".", "-j", "1"], folder)
    assert p.code == 2, p.both
    assert p.err == (
        "briefgen: cannot build into build: it is inside the brief folder . (every file there "
        "is an input); choose an output folder outside it with -o\n"
    ), p.err
    assert not (folder / "build").exists()


def test_an_output_folder_that_is_the_folder_of_briefs_is_refused(project):
    p = briefgen(["build", "-o", "briefs", "-j", "1"], project)
    assert p.code == 2, p.both
    assert (
        "briefgen: cannot build into briefs: it would write into the brief folder briefs/minimal"
        in p.err
    ), p.err
    assert sorted(os.listdir(project / "briefs/minimal")) == ["brief.yaml"]


def test_an_output_folder_inside_the_templates_folder_is_refused(project):
    (project / "templates").mkdir()
    p = briefgen(["build", "-o", "templates/out", "-j", "1"], project)
    assert p.code == 2, p.both
    assert "cannot build into templates/out: it is inside the templates folder templates" in p.err


def test_the_slug_comes_from_the_real_folder_name(project, tmp_path):
    folder = project / "briefs/minimal"
    p = briefgen(["build", ".", "-o", str(tmp_path / "elsewhere"), "-j", "1"], folder)
    assert p.code == 0, p.both
    assert sorted(os.listdir(tmp_path / "elsewhere/minimal")) == [
        "minimal-brief.pdf",
        "minimal-deck.pptx",
        "minimal-handout.pdf",
        "minimal.html",
    ]


# ---- item 8: two brief folders with the same name ----


def test_two_brief_folders_with_one_name_are_refused(project):
    shutil.copytree(project / "briefs/minimal", project / "other/minimal")
    p = briefgen(["build", "briefs/minimal", "other/minimal", "-j", "1"], project)
    assert p.code == 2, p.both
    assert p.err == (
        "briefgen: briefs/minimal and other/minimal would both be built into build/minimal; "
        "rename one of the folders\n"
    ), p.err
    assert not (project / "build/minimal").exists()


def test_one_brief_named_twice_is_built_once(project):
    p = briefgen(["build", "briefs/minimal", "briefs/minimal/brief.yaml", "-j", "1"], project)
    assert p.code == 0, p.both
    assert "1 brief: 1 rebuilt" in p.out


# ---- item 12: --jobs ----


def test_jobs_is_capped_at_the_useful_number_and_says_so(project):
    copy_good(project, "french")
    p = briefgen(["build", "--jobs", "1000"], project)
    assert p.code == 0, p.both
    cores = len(os.sched_getaffinity(0))
    useful = min(2, cores)
    assert f"briefgen: --jobs 1000 is more than useful here; using {useful}" in p.err, p.err


# ---- item 14: a folder name too long for the artifacts' names ----


def test_a_folder_name_too_long_for_its_artifacts_is_a_check_error(project):
    long = "x" * 230
    shutil.copytree(project / "briefs/minimal", project / "briefs" / long)
    p = briefgen(["check", f"briefs/{long}"], project)
    assert p.code == 1, p.both
    assert p.out == (
        f"briefs/{long}/brief.yaml: the folder name is 230 bytes long; at most 220, so that "
        "the names of its artifacts fit in the file system\n"
    ), p.out


def test_keep_going_builds_the_others_past_a_too_long_name(project):
    long = "é" * 120  # 240 bytes
    shutil.copytree(project / "briefs/minimal", project / "briefs" / long)
    p = briefgen(["build", "--keep-going", "-j", "1"], project)
    assert p.code == 1, p.both
    assert "Traceback" not in p.both
    assert "the folder name is 240 bytes long" in p.err
    assert (project / "build/minimal/minimal-deck.pptx").is_file()
    manifest = json.loads((project / "build/manifest.json").read_text())
    assert manifest["briefs"]["minimal"]["status"] == "ok"
    assert (project / "build/report.md").is_file()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_watch_does_not_start_n_workers_for_one_brief(project):
    import signal
    import subprocess

    from tests.faults._util import PYTHON, env_for, kill_group, wait_until

    log = project / "log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [PYTHON, "-m", "briefgen", "watch", "--jobs", "8", "--only", "handout"],
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env_for(),
            start_new_session=True,
        )
    try:
        assert wait_until(lambda: "watching" in log.read_text(), 40), log.read_text()
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert len(children) == 1, children  # a lone brief: this process and one worker
        assert "briefgen: --jobs 8 is more than useful here; using 2 (1 brief)" in log.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        finally:
            kill_group(proc.pid)
