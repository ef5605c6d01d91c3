"""Benchmarks (not tests): print wall-clock figures beside their floors, measured in one run.

.venv/bin/python bench/run.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BRIEFGEN = [PY, "-m", "briefgen"]


def timed(cmd: list[str], repeat: int) -> float:
    """Median wall time of a command, in seconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    rows.append(("python -c pass (floor for check)", timed([PY, "-c", "pass"], args.repeat)))
    rows.append(
        (
            "briefgen check briefs/mali-2013",
            timed([*BRIEFGEN, "check", "briefs/mali-2013"], args.repeat),
        )
    )
    floor = [PY, "-c", "import matplotlib.pyplot, reportlab.platypus, pptx"]
    rows.append(
        ("import floor (matplotlib.pyplot, reportlab.platypus, pptx)", timed(floor, args.repeat))
    )
    with tempfile.TemporaryDirectory() as out:
        cold = [*BRIEFGEN, "build", "briefs/mali-2013", "-o", out]
        rows.append(("briefgen build briefs/mali-2013 (all three)", timed(cold, args.repeat)))
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
