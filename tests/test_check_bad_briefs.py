"""Every bad brief exits 1 with the exact file:line:column, key path and message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES

BAD = FIXTURES / "bad"

EXPECTED = {
    "wrong-type": "14:13: commitments[0].troops: expected a whole number (got 'about 500'); "
    "write 500 and add approximate: true",
    "unknown-key": "14:5: commitments[0].troop: unknown key 'troop'; did you mean 'troops'?",
    "dangling-source": "17:22: commitments[0].sources[1]: source 'src-9' is not listed in "
    "sources; did you mean 'src-1'?",
    "future-as-of": "16:12: commitments[0].as_of: 2013-02-01 is after the brief date 2013-01-23",
    "in-place-above-total": "15:22: commitments[0].troops_in_place: troops_in_place (800) is "
    "more than troops (500)",
    "negative-number": "14:13: commitments[0].troops: must not be negative (got -500)",
    "yaml-syntax-error": "6:7: YAML syntax error: expected ',' or ']', but got ':'",
    "missing-required-key": "1:1: summary: required key is missing",
    "unknown-country": "12:12: commitments[0].party: 'Frnace' is neither a country nor an actor; "
    "did you mean 'France'?",
    "impossible-date": "2:7: date: no such date (got '2013-02-30')",
    "duplicate-source-id": "22:9: sources[1].id: duplicate source id 'src-1'",
    "empty-file": "1:1: the file is empty; a brief is a mapping of keys (see `briefgen new`)",
    "bad-bytes": "9:25: not valid UTF-8 (byte e9); save the file as UTF-8",
    "image-outside-folder": "23:11: images[0].path: '../outside.png' is outside the brief "
    "folder; keep images beside brief.yaml",
    "image-missing": "23:11: images[0].path: 'map.png' does not exist in the brief folder",
    "image-not-png": "23:11: images[0].path: 'fake.png' is not a PNG or JPEG file",
    "unknown-enum": "8:11: actors[0].kind: expected one of state, government, armed-group, "
    "international-organisation, other (got 'armed group'); did you mean 'armed-group'?",
    "yaml-python-tag": "1:8: title: YAML tag '!!python/object/apply:os.system' is not allowed "
    "in a brief; write plain values",
    "duplicate-key": "3:1: title: duplicate key 'title' (first given on line 1)",
    "not-a-mapping": "1:1: expected a mapping of keys (got a list)",
}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_bad_brief_is_located(cli, scenario, monkeypatch):
    monkeypatch.chdir(BAD.parent.parent.parent)  # the project root, so paths print relative
    result = cli("check", f"tests/fixtures/bad/{scenario}")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines == [f"tests/fixtures/bad/{scenario}/brief.yaml:{EXPECTED[scenario]}"]
    assert result.err.strip() == "checked 1 brief: 1 error, 0 warnings (1 failed)"


def test_every_fixture_has_an_expectation():
    assert sorted(p.name for p in BAD.iterdir() if p.is_dir()) == sorted([*EXPECTED, "many-errors"])


def test_all_errors_in_a_file_are_reported_at_once(cli, monkeypatch):
    monkeypatch.chdir(BAD.parent.parent.parent)
    result = cli("check", "tests/fixtures/bad/many-errors")
    assert result.code == 1
    prefix = "tests/fixtures/bad/many-errors/brief.yaml:"
    assert result.out.splitlines() == [
        prefix + "1:1: summary: required key is missing",
        prefix + "7:11: actors[0].kind: expected one of state, government, armed-group, "
        "international-organisation, other (got 'militia')",
        prefix + "13:13: commitments[0].troops: expected a whole number (got 'lots')",
    ]


def test_findings_are_grouped_per_file_with_one_summary(cli, monkeypatch):
    monkeypatch.chdir(BAD.parent.parent.parent)
    result = cli(
        "check",
        "tests/fixtures/bad/wrong-type",
        "tests/fixtures/good/minimal",
        "tests/fixtures/bad/negative-number",
    )
    assert result.code == 1
    assert [line.split(":")[0] for line in result.out.splitlines()] == [
        "tests/fixtures/bad/wrong-type/brief.yaml",
        "tests/fixtures/bad/negative-number/brief.yaml",
    ]
    assert result.err.strip() == "checked 3 briefs: 2 errors, 0 warnings (2 failed)"


@pytest.mark.parametrize("scenario", ["bad-bytes", "yaml-python-tag", "empty-file", "many-errors"])
def test_no_traceback_from_the_real_command(scenario):
    proc = subprocess.run(
        [sys.executable, "-m", "briefgen", "check", str(BAD / scenario)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout.startswith(
        str(BAD / scenario / "brief.yaml") + ":"
    ) or proc.stdout.startswith(os.path.relpath(BAD / scenario / "brief.yaml"))
