"""Item 13: `watch` keeps hearing after its folder is deleted and re-created (a `git checkout`)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

from tests.faults._util import PYTHON, alive_in_session, copy_good, env_for, kill_group, wait_until


def test_watch_hears_again_after_its_folder_is_replaced(tmp_path):
    briefs = copy_good(tmp_path, "required-only")
    log = tmp_path / "log"
    handout = tmp_path / "out/required-only/required-only-handout.pdf"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [PYTHON, "-m", "briefgen", "watch", "-o", "out", "--only", "handout", "-j", "1"],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env_for(),
            start_new_session=True,
        )
    try:
        assert wait_until(lambda: "watching" in log.read_text(), 40), log.read_text()
        first = handout.read_bytes()
        saved = tmp_path / "saved"
        shutil.copytree(briefs, saved)
        shutil.rmtree(briefs)  # `git checkout` of another branch, then back
        time.sleep(1.5)
        shutil.copytree(saved, briefs)
        brief = briefs / "required-only/brief.yaml"
        brief.write_text(brief.read_text().replace("Only what is required", "After checkout"))
        assert wait_until(lambda: handout.read_bytes() != first, 30), log.read_text()
        second = handout.read_bytes()
        brief.write_text(brief.read_text().replace("After checkout", "Edited once more"))
        assert wait_until(lambda: handout.read_bytes() != second, 30), log.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        finally:
            kill_group(proc.pid)
    output = log.read_text()
    assert "Traceback" not in output, output
    assert not alive_in_session(proc.pid)
