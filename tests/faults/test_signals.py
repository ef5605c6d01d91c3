"""Item 4: SIGTERM, SIGHUP and SIGINT to `build --jobs 2` and to `watch`, at several moments:
the command ends, no process of its session is left, stdout is released, nothing is
half-written; and a worker whose parent is killed outright (SIGKILL) exits too."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.faults._util import PYTHON, alive_in_session, copy_good, env_for, kill_group, wait_until

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

NAMES = ("minimal", "french", "many-parties", "required-only")


def _start(args: list[str], cwd: Path, out_file: Path) -> subprocess.Popen[bytes]:
    with out_file.open("wb") as fh:
        return subprocess.Popen(
            [PYTHON, "-m", "briefgen", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env_for({"PYTHONFAULTHANDLER": "1"}),  # SIGABRT prints every thread's stack
            start_new_session=True,
        )


def _workers_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(c) for c in path.read_text().split()]
    except OSError:
        return []


def _stop_and_check(proc: subprocess.Popen[bytes], sig: int, log: Path) -> str:
    """Send `sig` to the main process only (as `kill PID` or a CI runner does); then the
    command ends in bounded time and nothing of its session is alive."""
    proc.send_signal(sig)
    try:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # where it hangs, for whoever reads the failure
            alive = alive_in_session(proc.pid)
            for pid in alive:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGABRT)
            time.sleep(3)
            pytest.fail(
                f"briefgen did not end within 30 s of {signal.Signals(sig).name}; alive: "
                f"{alive}; its output and stacks:\n{log.read_text(errors='replace')[-20000:]}"
            )
        assert wait_until(lambda: not alive_in_session(proc.pid), 10), (
            f"left alive after {signal.Signals(sig).name}: {alive_in_session(proc.pid)}"
        )
    finally:
        kill_group(proc.pid)
    output = log.read_text(errors="replace")
    assert "Traceback" not in output and "internal error" not in output, output
    assert proc.returncode != 3, output
    return output


def _whole(out: Path) -> None:
    """No temporary file, every artifact complete, and the manifest names only whole files."""
    assert not list(out.rglob("*.tmp"))
    for f in out.rglob("*"):
        if f.suffix == ".pdf":
            assert f.read_bytes().rstrip().endswith(b"%%EOF"), f
        elif f.suffix == ".pptx":
            assert f.read_bytes()[-22:-18] == b"PK\x05\x06", f
    manifest = out / "manifest.json"
    if manifest.exists():
        data = json.loads(manifest.read_text())
        for entry in data["briefs"].values():
            for art in entry["artifacts"].values():
                path = out / art["path"]
                assert path.is_file(), art["path"]


@pytest.mark.parametrize("delay", [0.4, 1.2, 2.5])
@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name
)
def test_a_signal_to_build_ends_every_process(tmp_path, sig, delay):
    copy_good(tmp_path, *NAMES)
    log = tmp_path / "log"
    proc = _start(["build", "--jobs", "2", "--force", "-o", "out"], tmp_path, log)
    wait_until(lambda: len(_workers_of(proc.pid)) == 2, 10)
    time.sleep(delay)
    _stop_and_check(proc, sig, log)
    _whole(tmp_path / "out")


@pytest.mark.parametrize("delay", [0.5, 2.0])
@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name
)
def test_a_signal_to_watch_ends_every_process(tmp_path, sig, delay):
    copy_good(tmp_path, "minimal", "french")
    log = tmp_path / "log"
    proc = _start(["watch", "--jobs", "2", "-o", "out"], tmp_path, log)
    assert wait_until(lambda: "watching" in log.read_text(errors="replace"), 40), log.read_text()
    brief = tmp_path / "briefs/minimal/brief.yaml"
    brief.write_text(brief.read_text() + "\n# an edit\n")  # a rebuild under way or done
    time.sleep(delay)
    assert len(_workers_of(proc.pid)) == 2
    _stop_and_check(proc, sig, log)
    _whole(tmp_path / "out")


def test_workers_of_a_killed_build_exit_and_release_stdout(tmp_path):
    """SIGKILL cannot be caught: the workers notice their parent is gone and exit, so a reader
    of the output (a CI step) sees its end."""
    copy_good(tmp_path, *NAMES)
    proc = subprocess.Popen(
        [PYTHON, "-m", "briefgen", "build", "--jobs", "2", "--force", "-o", "out"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env_for(),
        start_new_session=True,
    )
    try:
        assert wait_until(lambda: len(_workers_of(proc.pid)) == 2, 10)
        time.sleep(0.5)
        proc.kill()
        try:
            proc.communicate(timeout=20)  # returns only when every holder of stdout is gone
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"stdout still held after the build was killed: {alive_in_session(proc.pid)}"
            )
        assert wait_until(lambda: not alive_in_session(proc.pid), 10)
    finally:
        kill_group(proc.pid)
    _whole(tmp_path / "out")


def test_the_manifest_agrees_with_the_files_after_a_late_signal(tmp_path):
    """A signal during the write phase is held until the manifest is written."""
    copy_good(tmp_path, *NAMES)
    for delay in (1.5, 2.0, 2.5, 3.0):
        log = tmp_path / "log"
        proc = _start(["build", "--jobs", "2", "--force", "-o", "out"], tmp_path, log)
        time.sleep(delay)
        _stop_and_check(proc, signal.SIGTERM, log)
        manifest = tmp_path / "out/manifest.json"
        if manifest.exists():
            for entry in json.loads(manifest.read_text())["briefs"].values():
                for art in entry["artifacts"].values():
                    data = (tmp_path / "out" / art["path"]).read_bytes()
                    assert hashlib.sha256(data).hexdigest() == art["sha256"], (delay, art["path"])


@pytest.mark.parametrize("delay", [0.5, 2.0])
def test_ctrl_c_in_a_terminal_ends_a_build_whose_workers_are_busy(tmp_path, delay):
    """Ctrl-C in a terminal reaches every process of the foreground group: the workers leave it
    to the command, which ends them and itself, quietly, with 130."""
    copy_good(tmp_path, *NAMES)
    log = tmp_path / "log"
    proc = _start(["build", "--jobs", "2", "--force", "-o", "out"], tmp_path, log)
    wait_until(lambda: len(_workers_of(proc.pid)) == 2, 10)
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        pytest.fail(f"Ctrl-C did not end the build: {log.read_text(errors='replace')}")
    assert wait_until(lambda: not alive_in_session(proc.pid), 10), alive_in_session(proc.pid)
    output = log.read_text(errors="replace")
    if proc.returncode != 0:  # it may have finished first
        assert proc.returncode == 130, output
        assert output.rstrip().endswith("briefgen: interrupted"), output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    _whole(tmp_path / "out")
