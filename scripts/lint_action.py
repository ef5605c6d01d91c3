"""Lint action.yml with actionlint, which reads workflows only: its steps become a reusable
workflow's job (its inputs the workflow's inputs), so the expressions, the actions' inputs and
(with shellcheck installed) the scripts are checked as in a workflow.

Usage: .venv/bin/python scripts/lint_action.py   (exit status: actionlint's)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def as_workflow(action: dict) -> dict:
    inputs = {
        name: {"type": "string", "default": str(spec.get("default", ""))}
        for name, spec in action["inputs"].items()
    }
    return {
        "name": "action.yml",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


def main() -> int:
    yaml = YAML(typ="safe")
    action = yaml.load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or "actionlint"
    with tempfile.TemporaryDirectory() as tmp:
        workflows = Path(tmp) / ".github" / "workflows"
        workflows.mkdir(parents=True)
        file = workflows / "action.yml"
        with file.open("w", encoding="utf-8") as fh:
            YAML().dump(as_workflow(action), fh)
        done = subprocess.run([actionlint, str(file)], cwd=tmp, text=True, capture_output=True)
    print(
        (done.stdout + done.stderr).replace(
            ".github/workflows/action.yml", "action.yml (as a workflow)"
        ),
        end="",
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
