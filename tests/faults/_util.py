"""Helpers of the fault suite: run briefgen in its own process group, with bounded waits and a
memory ceiling, and kill whatever it started when a wait runs out."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FIXTURES

PYTHON = sys.executable
MEMORY_CEILING = 1536 * 1024 * 1024  # address space per process: a runaway read fails fast


@dataclass
class Proc:
    code: int | None  # None: it did not finish in time (and was killed)
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))


def env_for(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "CI": "1", "PYTHONDONTWRITEBYTECODE": "1", **(extra or {})}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.pop("GITHUB_STEP_SUMMARY", None)
    return {**env, **(extra or {})}


def briefgen(
    args: Sequence[str],
    cwd: Path,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> Proc:
    """`python -m briefgen ARGS` in a new session; killed (with its group) after `timeout`."""
    p = subprocess.Popen(
        [PYTHON, "-m", "briefgen", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env_for(env),
        start_new_session=True,
        preexec_fn=_limits,
    )
    try:
        out, err = p.communicate(timeout=timeout)
        code: int | None = p.returncode
    except subprocess.TimeoutExpired:
        kill_group(p.pid)
        out, err = p.communicate(timeout=10)
        code = None
    return Proc(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def alive_in_session(sid: int) -> list[int]:
    """Pids of live (not zombie) processes whose session is `sid` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found.append(int(entry))
    return found


def wait_until(check: object, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(step)
    return bool(check())  # type: ignore[operator]


def copy_good(root: Path, *names: str) -> Path:
    """root/briefs/<name> copies of the good fixtures."""
    for name in names:
        shutil.copytree(FIXTURES / "good" / name, root / "briefs" / name)
    return root / "briefs"
