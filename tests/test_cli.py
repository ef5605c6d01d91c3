"""The `briefgen` command as a shell runs it: exit codes, streams, a reader that goes away."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import MALI

BRIEFGEN = [sys.executable, "-m", "briefgen"]


def test_exit_codes_survive_the_quick_exit(tmp_path):
    ok = subprocess.run([*BRIEFGEN, "check", str(MALI)], capture_output=True, text=True)
    assert ok.returncode == 0 and "0 errors" in ok.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "brief.yaml").write_text("title: [\n", encoding="utf-8")
    wrong = subprocess.run([*BRIEFGEN, "check", str(bad)], capture_output=True, text=True)
    assert wrong.returncode == 1 and "brief.yaml:2:1" in wrong.stdout + wrong.stderr
    usage = subprocess.run([*BRIEFGEN, "bogus"], capture_output=True, text=True)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    version = subprocess.run([*BRIEFGEN, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("briefgen ")


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """`briefgen check | head -0`: the pipe closes before anything is written. As for SIGPIPE:
    exit 141, and no traceback or "internal error" on stderr."""
    proc = subprocess.Popen(
        [*BRIEFGEN, "check", str(MALI)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the command has started up
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""
