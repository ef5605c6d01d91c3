"""The `briefgen` command as a shell runs it: exit codes, streams, a reader that goes away."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MALI

BRIEFGEN = [sys.executable, "-m", "briefgen"]
# Buffered output, as on a user's machine: PYTHONUNBUFFERED (set on some) would hide how a
# broken pipe shows itself only when a buffer is flushed.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def test_exit_codes_survive_the_quick_exit(tmp_path):
    ok = subprocess.run([*BRIEFGEN, "check", str(MALI)], capture_output=True, text=True, env=ENV)
    assert ok.returncode == 0 and "0 errors" in ok.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "brief.yaml").write_text("title: [\n", encoding="utf-8")
    wrong = subprocess.run([*BRIEFGEN, "check", str(bad)], capture_output=True, text=True, env=ENV)
    assert wrong.returncode == 1 and "brief.yaml:2:1" in wrong.stdout + wrong.stderr
    usage = subprocess.run([*BRIEFGEN, "bogus"], capture_output=True, text=True, env=ENV)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    version = subprocess.run([*BRIEFGEN, "--version"], capture_output=True, text=True, env=ENV)
    assert version.returncode == 0 and version.stdout.startswith("briefgen ")


def closed_stdout(args: list[str]) -> tuple[int, str]:
    """Run briefgen with a stdout pipe its reader closes at once (`briefgen ... | head -c0`)."""
    proc = subprocess.Popen(
        [*BRIEFGEN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the command has started up
    with proc.stderr:
        err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


def test_a_reader_that_goes_away_ends_check_quietly():
    """As for SIGPIPE: exit 141, and no traceback or "internal error" on stderr."""
    assert closed_stdout(["check", str(MALI)]) == (141, "")


def test_a_build_whose_reader_goes_away_still_writes_everything(tmp_path):
    briefs = tmp_path / "briefs"
    shutil.copytree(MALI, briefs / MALI.name)
    code, err = closed_stdout(["build", str(briefs / MALI.name), "-o", str(tmp_path / "out")])
    assert (code, err) == (141, "")
    built = sorted(p.name for p in (tmp_path / "out" / MALI.name).iterdir())
    assert built == sorted(
        f"{MALI.name}{suffix}"
        for suffix in (
            "-brief.pdf",
            "-deck.pptx",
            "-handout.pdf",
            "-teacher.pdf",
            "-worksheet.pdf",
            ".html",
        )
    )


@pytest.mark.parametrize("fd", [1, 2])
def test_a_closed_stream_is_not_an_error(fd, tmp_path):
    """`briefgen check b >&-` or `2>&-`: nothing to print to, but the check still decides."""
    done = subprocess.run(
        [*BRIEFGEN, "check", str(MALI)],
        env=ENV,
        capture_output=False,
        preexec_fn=lambda: os.close(fd),  # the test runs no threads of its own
        stdout=None if fd == 1 else subprocess.DEVNULL,
        stderr=None if fd == 2 else subprocess.DEVNULL,
    )
    assert done.returncode == 0


def test_output_to_a_file_survives_a_broken_stderr(tmp_path):
    """Findings go to stdout; when only stderr's reader is gone, stdout still gets them."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "brief.yaml").write_text("title: [\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    with out.open("w") as fh:
        proc = subprocess.Popen(
            [*BRIEFGEN, "check", str(bad)], stdout=fh, stderr=subprocess.PIPE, env=ENV
        )
        assert proc.stderr is not None
        proc.stderr.close()
        proc.wait(timeout=60)
    assert "brief.yaml:2:1" in Path(out).read_text()
