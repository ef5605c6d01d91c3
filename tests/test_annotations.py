"""Findings where they belong: workflow commands on GitHub Actions, JSON for editors and tools."""

from __future__ import annotations

import json
import shutil

import pytest

from briefgen.annotations import workflow_command
from briefgen.errors import Finding, Severity
from tests.conftest import FIXTURES

ERRORS = [
    "::error file=briefs/many-errors/brief.yaml,line=1,col=1,title=briefgen::"
    "summary: required key is missing",
    "::error file=briefs/many-errors/brief.yaml,line=7,col=11,title=briefgen::"
    "actors[0].kind: expected one of state, government, armed-group, "
    "international-organisation, other (got 'militia')",
    "::error file=briefs/many-errors/brief.yaml,line=13,col=13,title=briefgen::"
    "commitments[0].troops: expected a whole number (got 'lots')",
]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A checked-out repository with a bad brief and a good one with a warning."""
    shutil.copytree(FIXTURES / "bad/many-errors", tmp_path / "briefs/many-errors")
    shutil.copytree(FIXTURES / "good/minimal", tmp_path / "briefs/minimal")
    with (tmp_path / "briefs/minimal/brief.yaml").open("a") as fh:
        fh.write("  - id: src-2\n    title: Another source\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_on_github_check_prints_each_finding_as_a_workflow_command(repo, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    done = cli("check", "briefs/many-errors")
    assert done.code == 1
    assert [line for line in done.out.splitlines() if line.startswith("::")] == ERRORS
    # The compiler-style line stays, each followed by its workflow command.
    assert done.out.splitlines()[:2] == [
        "briefs/many-errors/brief.yaml:1:1: summary: required key is missing",
        ERRORS[0],
    ]


def test_the_file_is_named_from_the_repository_root(repo, cli, monkeypatch):
    """Run from a subfolder, the finding says where the file is from there, the annotation
    from the repository root (GITHUB_WORKSPACE), where GitHub looks for it."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    monkeypatch.chdir(repo / "briefs")
    done = cli("check", "many-errors")
    assert done.out.splitlines()[0].startswith("many-errors/brief.yaml:1:1: ")
    assert [line for line in done.out.splitlines() if line.startswith("::")] == ERRORS


def test_without_github_there_are_no_workflow_commands(repo, cli):
    done = cli("check", "briefs/many-errors")
    assert done.code == 1 and "::" not in done.out + done.err


def test_on_github_build_annotates_errors_and_warnings(repo, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    warning = (
        "::warning file=briefs/minimal/brief.yaml,line=22,col=9,title=briefgen::"
        "sources[1].id: source 'src-2' is never cited"
    )
    failed = cli("build", "-o", "out", "-j", "1")
    assert failed.code == 1
    assert [line for line in failed.err.splitlines() if line.startswith("::")] == ERRORS
    assert [line for line in failed.out.splitlines() if line.startswith("::")] == [warning]
    shutil.rmtree(repo / "briefs/many-errors")
    for _ in range(2):  # built, then up to date: the warning is shown each time
        done = cli("build", "-o", "out", "-j", "1")
        assert done.code == 0
        assert [line for line in done.out.splitlines() if line.startswith("::")] == [warning]


def test_workflow_commands_escape_what_would_end_them():
    f = Finding(Severity.WARNING, "50% of 1,000\nnext: line", ("a",), "dir,x/b:c.yaml", 3, None)
    assert workflow_command(f) == (
        "::warning file=dir%2Cx/b%3Ac.yaml,line=3,title=briefgen::a: 50%25 of 1,000%0Anext: line"
    )


def test_check_format_json_lists_every_finding(repo, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # JSON stays JSON: no workflow commands in it
    done = cli("check", "briefs/many-errors", "briefs/minimal", "--format", "json")
    assert done.code == 1
    data = json.loads(done.out)
    assert {k: data[k] for k in ("briefs", "errors", "warnings", "failed")} == {
        "briefs": 2,
        "errors": 3,
        "warnings": 1,
        "failed": 1,
    }
    assert data["findings"][1] == {
        "file": "briefs/many-errors/brief.yaml",
        "line": 7,
        "column": 11,
        "key": "actors[0].kind",
        "path": ["actors", 0, "kind"],
        "severity": "error",
        "message": "expected one of state, government, armed-group, "
        "international-organisation, other (got 'militia')",
    }
    assert data["findings"][3] == {
        "file": "briefs/minimal/brief.yaml",
        "line": 22,
        "column": 9,
        "key": "sources[1].id",
        "path": ["sources", 1, "id"],
        "severity": "warning",
        "message": "source 'src-2' is never cited",
    }
    assert done.err == ""  # JSON only: no text summary to mix in


def test_check_format_json_strict_fails_on_warnings(repo, cli):
    assert json.loads(cli("check", "briefs/minimal", "--format", "json").out)["failed"] == 0
    strict = cli("check", "briefs/minimal", "--format", "json", "--strict")
    assert strict.code == 1 and json.loads(strict.out)["failed"] == 1


def test_check_takes_a_shard_like_build(repo, cli):
    from briefgen.build import in_shard

    names = {"many-errors", "minimal"}
    for i in (1, 2):
        done = cli("check", "briefs", "--format", "json", "--shard", f"{i}/2")
        checked = {f["file"].split("/")[1] for f in json.loads(done.out)["findings"]}
        assert checked == {n for n in names if in_shard(n, (i, 2))}
