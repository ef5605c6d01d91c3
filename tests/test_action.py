"""The reusable action (action.yml) and the project's workflow: the action's steps run as a
script, as GitHub's runner would run them, in temporary repositories of a sharded build and the
job that merges it; actionlint on both; `pip install .` leaves build/ to briefgen."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefgen.build import in_shard
from tests.conftest import FIXTURES, ROOT

ACTION = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
WORKFLOW = YAML(typ="safe").load((ROOT / ".github/workflows/briefs.yml").read_text())
BIN = Path(sys.executable).parent  # where this test run's briefgen is installed
EXPRESSION = re.compile(r"\$\{\{\s*(inputs|github)\.([\w-]+)\s*\}\}")


def evaluate(value: str, inputs: dict[str, str]) -> str:
    """The only expressions the scripts' environments may use: inputs and the action's path."""

    def one(m: re.Match[str]) -> str:
        context, name = m.groups()
        if context == "inputs":
            return inputs[name]
        assert name == "action_path", f"unexpected expression {m.group(0)}"
        return str(ROOT)

    out = EXPRESSION.sub(one, value)
    assert "${{" not in out, f"an expression the test cannot evaluate: {value}"
    return out


def run_action(repo: Path, runner: Path, **given: str) -> dict[str, str]:
    """Run the action's `run` steps in order, as GitHub would (bash -e, pipefail, the step's
    env, GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY files). The `uses` steps (setup
    Python, caches) are GitHub's own; the install step is replaced by this test's briefgen,
    already installed. Returns the action's outputs."""
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    assert set(given) <= set(defaults), set(given) - set(defaults)
    inputs = {**defaults, **given}
    runner.mkdir(parents=True, exist_ok=True)
    files = {
        "GITHUB_OUTPUT": runner / "output",
        "GITHUB_PATH": runner / "path",
        "GITHUB_STEP_SUMMARY": runner / "summary.md",
    }
    outputs: dict[str, dict[str, str]] = {}
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            continue
        assert "${{" not in step["run"], "inputs reach scripts through env, never pasted in"
        assert step["shell"] == "bash"
        if step.get("id") == "install":
            continue
        files["GITHUB_OUTPUT"].write_text("")
        env = {
            **os.environ,
            **{k: str(v) for k, v in files.items()},
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(repo),
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(runner),
            **{k: evaluate(str(v), inputs) for k, v in step.get("env", {}).items()},
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"step {step.get('name')!r}:\n{done.stdout}\n{done.stderr}"
        if "id" in step:
            lines = files["GITHUB_OUTPUT"].read_text().splitlines()
            outputs[step["id"]] = dict(line.split("=", 1) for line in lines)
    return {
        name: evaluate_output(spec["value"], outputs) for name, spec in ACTION["outputs"].items()
    }


def evaluate_output(value: str, outputs: dict[str, dict[str, str]]) -> str:
    m = re.fullmatch(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}", value)
    assert m is not None, value
    return outputs[m.group(1)][m.group(2)]


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A user's repository: three briefs (two on shard 1 of 2, one on shard 2) and nothing else."""
    repo = tmp_path / "repo"
    for name, fixture in (("alpha", "minimal"), ("beta", "french"), ("delta", "required-only")):
        shutil.copytree(FIXTURES / "good" / fixture, repo / "briefs" / name)
    assert [in_shard(n, (1, 2)) for n in ("alpha", "beta", "delta")] == [True, False, True]
    return repo


def test_the_action_builds_two_shards_and_merges_them(tmp_path, repository):
    """The workflow's two jobs: each shard on a runner of its own (its own checkout, its own
    build/), uploaded; then one runner downloads them into shards/ and merges."""
    shards = tmp_path / "merge-runner" / "shards"
    for i in (1, 2):
        checkout = tmp_path / f"shard-runner-{i}"
        shutil.copytree(repository, checkout)
        got = run_action(checkout, tmp_path / f"runner-temp-{i}", shard=f"{i}/2", strict="true")
        assert got == {"report": "build/report.md", "manifest": "build/manifest.json"}
        manifest = json.loads((checkout / "build/manifest.json").read_text())
        assert sorted(manifest["briefs"]) == (["alpha", "delta"] if i == 1 else ["beta"])
        shutil.copytree(checkout / "build", shards / f"briefs-shard-{i}")  # download-artifact
    merger = tmp_path / "merge-runner"
    shutil.copytree(repository / "briefs", merger / "briefs")
    got = run_action(merger, tmp_path / "runner-temp-merge", merge="shards/*")
    assert got == {"report": "build/report.md", "manifest": "build/manifest.json"}

    merged = json.loads((merger / "build/manifest.json").read_text())
    assert sorted(merged["briefs"]) == ["alpha", "beta", "delta"]
    for entry in merged["briefs"].values():
        assert entry["status"] == "ok"
        assert sorted(entry["artifacts"]) == ["deck", "handout", "one-pager"]
        for art in entry["artifacts"].values():
            assert (merger / "build" / art["path"]).stat().st_size == art["size"]
    figures = {s: len(e["figures"]["figures"]) for s, e in merged["briefs"].items()}
    from briefgen.facts import brief_figures
    from briefgen.load import check

    french = check(FIXTURES / "good" / "french").brief
    assert french is not None
    beta = len(brief_figures(french)["figures"])
    assert beta >= 5
    assert figures == {"alpha": 2, "beta": beta, "delta": 0}  # required-only has no figures
    report = (merger / "build/report.md").read_text()
    assert report.splitlines()[:4] == [
        "## briefgen build (2 shards)",
        "",
        "| brief | artifacts | pages | reading level | warnings | status |",
        "|---|---|---|---|---|---|",
    ]
    assert [row.split(" | ")[0] for row in report.splitlines()[4:]] == [
        "| alpha",
        "| beta",
        "| delta",
    ]
    assert (tmp_path / "runner-temp-merge/summary.md").read_text() == report


def test_a_bad_brief_fails_the_check_step_with_annotations(tmp_path, repository):
    (repository / "briefs/alpha/brief.yaml").write_text(
        (FIXTURES / "bad/wrong-type/brief.yaml").read_text()
    )
    with pytest.raises(AssertionError) as failed:
        run_action(repository, tmp_path / "runner", shard="1/2", strict="true")
    assert (
        "::error file=briefs/alpha/brief.yaml,line=14,col=13,title=briefgen::"
        "commitments[0].troops: expected a whole number (got 'about 500')"
    ) in str(failed.value)
    assert "Check the briefs" in str(failed.value)
    assert not (repository / "build").exists()


def test_actionlint_passes_on_the_workflow_and_the_action():
    lint = ROOT / "scripts/lint_action.py"
    for command in (
        [str(BIN / "actionlint"), ".github/workflows/briefs.yml"],
        [sys.executable, str(lint)],
    ):
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_workflow_uses_the_action_in_a_matrix_then_merges():
    shard, report = WORKFLOW["jobs"]["shard"], WORKFLOW["jobs"]["report"]
    n = len(shard["strategy"]["matrix"]["shard"])
    assert shard["strategy"]["matrix"]["shard"] == list(range(1, n + 1))
    used = [s for s in shard["steps"] if s.get("uses") == "./"]
    assert used[0]["with"]["shard"] == "${{ matrix.shard }}/${{ strategy.job-total }}"
    assert report["needs"] == "shard" and report["if"] == "always()"
    assert [s["with"] for s in report["steps"] if s.get("uses") == "./"] == [{"merge": "shards/*"}]
    for paths in (WORKFLOW["on"]["push"]["paths"], WORKFLOW["on"]["pull_request"]["paths"]):
        assert {"briefs/**", "templates/**", "action.yml"} <= set(paths)


def test_pip_install_leaves_build_to_briefgen(tmp_path):
    """setuptools builds in the source tree; its files go to .setuptools-build, not to build/
    (briefgen's outputs, which CI caches and uploads). Before: build/lib/briefgen/..."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "src", "templates"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, project / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(tmp_path / "w")],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / "w").iterdir()] == ["briefgen-0.1.0-py3-none-any.whl"]
    assert not (project / "build").exists()
    assert (project / ".setuptools-build/lib/briefgen/cli.py").is_file()
