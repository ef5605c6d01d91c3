"""end_workers, the way a stopped command ends its pool: it returns, and the process exits,
even when a worker is killed in the middle of sending a large result (a rendered PDF). Python
3.11's pool then waits forever for the rest of that message, so nothing may wait on it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.faults._util import PYTHON, env_for, kill_group

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forked workers (Linux)")

SCRIPT = textwrap.dedent(
    """
    import atexit, multiprocessing, os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path
    from briefgen.lifecycle import end_workers

    MARK = Path(sys.argv[1])

    class Mark:
        def __reduce__(self):  # pickled last, just before the result is sent
            MARK.touch()
            return (str, ())

    def big(_):
        return [b"%" * 150_000_000, Mark()]  # far more than a pipe holds: many writes

    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(big, 0)
    while not MARK.exists():
        time.sleep(0.001)
    # the result is being sent, and the pool is reading it
    end_workers(pool)
    print("ended", future.done() or future.running(), flush=True)
    atexit._run_exitfuncs()  # as `briefgen` itself ends (cli.run)
    os._exit(0)
    """
)


def test_a_pool_killed_while_a_result_is_sent_lets_the_command_end(tmp_path: Path) -> None:
    (tmp_path / "end.py").write_text(SCRIPT)
    for attempt in range(3):
        mark = tmp_path / f"mark{attempt}"
        proc = subprocess.Popen(
            [PYTHON, str(tmp_path / "end.py"), str(mark)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env_for(),
            start_new_session=True,
        )
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            proc.communicate()
            pytest.fail("the process did not end after end_workers: something waits on the pool")
        finally:
            kill_group(proc.pid)
        assert proc.returncode == 0, out.decode()
        assert out.decode().startswith("ended"), out.decode()
