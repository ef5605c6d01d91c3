"""Benchmark (not a test): a sharded CI build of many briefs, one shard after another, then the
merge; prints the time of each shard and of the merge beside their floors.

.venv/bin/python bench/shards.py [--briefs 1000] [--shards 4] [--jobs N] [--only OUTPUTS]
                                 [--repeat 3]

Each shard is a fresh `briefgen build briefs --shard i/N -o shard-i` process, as on a CI runner
of its own (here the runners take turns on this machine). The merge is
`briefgen merge shard-1 ... shard-N -o build --briefs briefs`, timed --repeat times into a
fresh folder (median); its floor: under 2 s for 1,000 briefs, `python -c pass` beside it.
Briefs are generated as bench/run.py's figure (4) makes them (the Mali brief and the good test
fixtures, with their titles and numbers varied).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import generate_briefs  # bench/ is a folder of scripts, not a package

PY = sys.executable
MERGE_FLOOR = 2.0  # seconds, for 1,000 briefs


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout}{done.stderr}")
    return wall, (done.stdout.strip().splitlines() or [""])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="handout,one-pager,deck")
    parser.add_argument("--repeat", type=int, default=3, help="merges timed (median)")
    args = parser.parse_args()
    briefgen = [PY, "-m", "briefgen"]
    with tempfile.TemporaryDirectory(prefix="briefgen-shards-") as tmp:
        root = Path(tmp)
        (root / "briefs").mkdir()
        generate_briefs(root / "briefs", args.briefs)
        pass_floor = min(timed([PY, "-c", "pass"], root)[0] for _ in range(3))
        rows = []
        for i in range(1, args.shards + 1):
            build = [*briefgen, "build", "briefs", "-o", f"shard-{i}"]
            build += ["--shard", f"{i}/{args.shards}", "--jobs", str(args.jobs)]
            wall, said = timed([*build, "--only", args.only], root)
            count = len(json.loads((root / f"shard-{i}/manifest.json").read_text())["briefs"])
            rows.append(
                (
                    f"shard {i}/{args.shards}: {count} briefs",
                    f"{wall:.1f} s",
                    f"{wall / count * 1000:.0f} ms a brief ({said})",
                )
            )
        shards = [f"shard-{i}" for i in range(1, args.shards + 1)]
        merges = []
        for _ in range(args.repeat):
            shutil.rmtree(root / "build", ignore_errors=True)
            wall, said = timed(
                [*briefgen, "merge", *shards, "-o", "build", "--briefs", "briefs"], root
            )
            merges.append(wall)
        merge = statistics.median(merges)
        verdict = "ok" if merge < MERGE_FLOOR else "TOO SLOW"
        rows.append(
            (
                f"merge of {args.shards} shards ({said})",
                f"{merge:.2f} s",
                f"floor {MERGE_FLOOR:.0f} s for 1,000 briefs: {verdict}; "
                f"python -c pass: {pass_floor * 1000:.0f} ms",
            )
        )
        files = sum(1 for p in (root / "build").rglob("*") if p.is_file())
    print(
        f"{args.briefs} generated briefs, --only {args.only}, --jobs {args.jobs}, {os.cpu_count()} cores"
    )
    print("| what | time | beside |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"merged folder: {files} files (artifacts hard-linked from the shards)")


if __name__ == "__main__":
    main()
