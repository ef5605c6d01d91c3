"""`briefgen merge`: the shards of a build joined into one folder, one manifest, one report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefgen.build import in_shard
from tests.conftest import FIXTURES

# Shard 1 of 2 holds alpha and delta, shard 2 beta (a brief's shard depends on its name only).
NAMES = {"alpha": "minimal", "beta": "french", "delta": "required-only"}


@pytest.fixture
def sharded(tmp_path, cli, monkeypatch):
    """A repository with three briefs, built as two shards, each in a folder of its own."""
    monkeypatch.chdir(tmp_path)
    for name, fixture in NAMES.items():
        shutil.copytree(FIXTURES / "good" / fixture, tmp_path / "briefs" / name)
    assert [n for n in NAMES if in_shard(n, (1, 2))] == ["alpha", "delta"]
    for i in (1, 2):
        assert cli("build", "-o", f"shard-{i}", "--shard", f"{i}/2", "-j", "1").code == 0
    return tmp_path


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_two_shards_make_one_folder_one_manifest_one_report(sharded, cli, monkeypatch):
    summary = sharded / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    done = cli("merge", "shard-1", "shard-2", "-o", "build")
    assert (done.code, done.out, done.err) == (0, "merged 3 briefs from 2 shards into build\n", "")
    merged = manifest(sharded / "build")
    one, two = manifest(sharded / "shard-1"), manifest(sharded / "shard-2")
    assert merged["briefs"] == {**one["briefs"], **two["briefs"]}
    assert sorted(merged["briefs"]) == ["alpha", "beta", "delta"]
    for entry in merged["briefs"].values():
        for art in entry["artifacts"].values():
            assert (sharded / "build" / art["path"]).stat().st_size == art["size"]
    report = (sharded / "build/report.md").read_text()
    assert report == summary.read_text()
    assert report.startswith("## briefgen build (2 shards)\n\n| brief |")
    assert [line.split(" | ")[0] for line in report.splitlines()[4:]] == [
        "| alpha",
        "| beta",
        "| delta",
    ]
    assert "| beta | beta-handout.pdf, beta-brief.pdf, beta-deck.pptx, beta.html |" in report


def test_a_missing_shard_is_an_error_and_nothing_is_written(sharded, cli):
    done = cli("merge", "shard-1", "-o", "build")
    assert done.code == 1
    assert done.err == (
        "briefgen merge: brief 'beta' is in no shard\n"
        "briefgen merge: shard 2/2 is missing\n"
        "merge failed: nothing written to build\n"
    )
    assert not (sharded / "build").exists()


def test_a_brief_in_two_shards_is_an_error(sharded, cli):
    shutil.copytree(sharded / "shard-1", sharded / "again")
    done = cli("merge", "shard-1", "shard-2", "again", "-o", "build")
    assert done.code == 1
    assert done.err == (
        "briefgen merge: brief 'alpha' is in two shards: shard-1 and again\n"
        "briefgen merge: brief 'delta' is in two shards: shard-1 and again\n"
        "briefgen merge: shard 1/2 is given twice: shard-1 and again\n"
        "merge failed: nothing written to build\n"
    )
    assert not (sharded / "build").exists()


def test_a_brief_deleted_since_a_shard_was_cached_is_left_out(sharded, cli):
    shutil.rmtree(sharded / "briefs/delta")
    done = cli("merge", "shard-1", "shard-2", "-o", "build")
    assert done.code == 0
    assert done.out == (
        "merged 2 briefs from 2 shards into build (left out 1 no longer in the briefs: delta)\n"
    )
    assert sorted(manifest(sharded / "build")["briefs"]) == ["alpha", "beta"]


def test_the_changed_figures_of_every_shard_are_in_the_merged_report(sharded, cli):
    for name, old, new in (
        ("alpha", "troops: 500", "troops: 800"),
        ("beta", "troops: 2000", "troops: 2100"),
    ):
        file = sharded / "briefs" / name / "brief.yaml"
        file.write_text(file.read_text().replace(old, new))
    for i in (1, 2):
        assert cli("build", "-o", f"shard-{i}", "--shard", f"{i}/2", "-j", "1").code == 0
    assert cli("merge", "shard-1", "shard-2", "-o", "build").code == 0
    report = (sharded / "build/report.md").read_text()
    assert (
        "### Changed figures\n\n"
        "**alpha**\n\n- changed: France troops 500 → 800 (A source, 20 Jan 2013)\n\n"
        "**beta**\n\n- changed: Tchad troops 2\u202f000 → 2\u202f100 (inContext, 17 janv. 2013)\n\n"
        "| brief |"
    ) in report


def test_a_failed_brief_is_reported_and_fails_the_merge(sharded, cli):
    """As the action builds: --keep-going, so a failed brief is marked so in its manifest."""
    (sharded / "briefs/beta/brief.yaml").write_text("title: [\n")
    failed = cli("build", "-o", "shard-2", "--shard", "2/2", "-j", "1", "--keep-going")
    assert failed.code == 1
    done = cli("merge", "shard-1", "shard-2", "-o", "build")
    assert done.code == 1
    assert done.err == "merged 3 briefs from 2 shards into build; failed: beta\n"
    assert (
        "| beta | beta-handout.pdf, beta-brief.pdf, beta-deck.pptx, beta.html |"
        in (sharded / "build/report.md").read_text()
    )
    assert "| failed |" in (sharded / "build/report.md").read_text()


def test_a_folder_that_is_not_a_shard_is_a_clear_error(sharded, cli):
    (sharded / "empty").mkdir()
    done = cli("merge", "shard-1", "empty", "-o", "build")
    assert done.code == 1
    assert done.err == (
        "briefgen merge: empty/manifest.json: cannot read it (No such file or directory); "
        "did this shard's build run?\n"
        "merge failed: nothing written to build\n"
    )
    assert cli("merge", "nowhere").code == 2


def test_a_malformed_manifest_is_a_clear_error(sharded, cli):
    file = sharded / "shard-2/manifest.json"
    data = json.loads(file.read_text())
    data["briefs"]["beta"]["artifacts"]["deck"] = {"size": 1}
    file.write_text(json.dumps(data))
    done = cli("merge", "shard-1", "shard-2", "-o", "build")
    assert (done.code, done.err) == (
        1,
        "briefgen merge: shard-2/manifest.json: brief 'beta': not a manifest entry with artifacts\n"
        "merge failed: nothing written to build\n",
    )
