"""A Ctrl-C while the models are imported waits for the import to end (lifecycle.import_held):
pydantic-core cannot pass on an exception raised inside its validator building, and would leave
a broken validator behind (a good theme colour then "badly formed", as CI once saw)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from tests.faults._util import PYTHON, env_for

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, sys.argv[1])
    from briefgen.lifecycle import import_held
    try:
        import_held("pressed_midway")
    except KeyboardInterrupt:
        import pressed_midway
        print("interrupted after the import, which finished:", pressed_midway.FINISHED)
    """
)

MODULE = textwrap.dedent(
    """
    import os, signal
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, halfway through
    FINISHED = sum(range(100_000)) > 0  # more work after it: runs, not interrupted
    """
)


def test_a_ctrl_c_during_a_held_import_comes_after_it(tmp_path: Path) -> None:
    (tmp_path / "pressed_midway.py").write_text(MODULE)
    p = subprocess.run(
        [PYTHON, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env_for(),
        timeout=60,
    )
    assert p.stdout == "interrupted after the import, which finished: True\n", (p.stdout, p.stderr)
    assert p.stderr == ""


def test_the_models_are_imported_held() -> None:
    root = Path(__file__).resolve().parents[2] / "src/briefgen"
    assert 'import_held("briefgen.model")' in (root / "load.py").read_text()
    assert (root / "template_set.py").read_text().count(
        'import_held("briefgen.template_model")'
    ) == 2
