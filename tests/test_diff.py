"""`briefgen diff OLD NEW`: the figures that changed, in English and French briefs, between brief
files, git revisions, or a build's manifest and the briefs."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

EN = (FIXTURES / "good/minimal/brief.yaml").read_text(encoding="utf-8")
FR = (FIXTURES / "good/french/brief.yaml").read_text(encoding="utf-8")
NNBSP = "\u202f"  # French groups digits with a narrow no-break space


def add_commitment(text: str, party: str, troops: int, as_of: str, source: str) -> str:
    entry = (
        f"  - party: {party}\n    troops: {troops}\n    as_of: {as_of}\n    sources: [{source}]\n"
    )
    start = text.index("\ncommitments:\n") + len("\ncommitments:\n")
    end = re.compile(r"\n(?=[a-z_]+:)").search(text, start)  # the next top-level key
    at = end.start() + 1 if end else len(text)
    return text[:at] + entry + text[at:]


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "brief.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def diff(tmp_path, cli):
    """old text, new text → what `briefgen diff OLD NEW` prints (the two are different
    folders: one brief against one brief is compared whatever the folders are called)."""

    def run(old: str, new: str, *options: str) -> str:
        n = len(list(tmp_path.iterdir()))
        a, b = write(tmp_path / f"{n}/old", old), write(tmp_path / f"{n}/new", new)
        done = cli("diff", str(a), str(b / "brief.yaml"), *options)
        assert done.code == 0, done.err
        return done.out

    return run


def test_a_changed_value(diff):
    assert diff(EN, EN.replace("troops: 500", "troops: 800")) == (
        "new:\n  changed  France troops 500 → 800 (A source, 20 Jan 2013)\n"
        "1 figure changed in 1 brief\n"
    )


def test_a_changed_value_in_french(diff):
    assert diff(FR, FR.replace("troops: 1700", "troops: 2500")) == (
        f"new:\n  changed  France troops 1{NNBSP}700 → 2{NNBSP}500 (inContext, 17 janv. 2013)\n"
        "1 figure changed in 1 brief\n"
    )


def test_an_added_and_a_removed_commitment(diff):
    with_chad = add_commitment(EN, "Chad", 2000, "2013-01-21", "src-1")
    added = "  added    Chad troops 2,000 (A source, 21 Jan 2013)\n"
    assert diff(EN, with_chad) == f"new:\n{added}1 figure changed in 1 brief\n"
    removed = "  removed  Chad troops 2,000 (A source, 21 Jan 2013)\n"
    assert diff(with_chad, EN) == f"new:\n{removed}1 figure changed in 1 brief\n"


def test_an_added_and_a_removed_commitment_in_french(diff):
    with_niger = add_commitment(FR, "Niger", 500, "2013-01-18", "incontext")
    line = "Niger troops 500 (inContext, 18 janv. 2013)"
    assert diff(FR, with_niger) == f"new:\n  added    {line}\n1 figure changed in 1 brief\n"
    assert diff(with_niger, FR) == f"new:\n  removed  {line}\n1 figure changed in 1 brief\n"


def test_a_changed_source(diff):
    afp = EN + "  - id: afp\n    title: Troops arrive\n    publisher: AFP\n"
    cited = afp.replace(
        "    as_of: 2013-01-20\n    sources: [src-1]", "    as_of: 2013-01-20\n    sources: [afp]"
    )
    assert diff(afp, cited) == (
        "new:\n"
        "  changed  France troops 500 (A source → AFP, 20 Jan 2013)\n"
        "  changed  France troops in place 100 (A source → AFP, 20 Jan 2013)\n"
        "2 figures changed in 1 brief\n"
    )


def test_a_changed_as_of_date_in_french(diff):
    later = FR.replace(
        "troops: 2000\n    status: pledged\n    as_of: 2013-01-17",
        "troops: 2000\n    status: pledged\n    as_of: 2013-01-20",
    )
    assert diff(FR, later) == (
        f"new:\n  changed  Tchad troops 2{NNBSP}000 (inContext, 17 janv. 2013 → 20 janv. 2013)\n"
        "1 figure changed in 1 brief\n"
    )


def test_key_figures_and_displacement(diff):
    refugees = (
        "displacement:\n  - kind: refugees\n    where: Mauritania\n    figure: 54000\n"
        "    as_of: 2013-01-21\n    sources: [src-1]\n"
    )
    key = "key_figures:\n  - value: 230000\n    label: people displaced\n    approximate: true\n    sources: [src-1]\n"
    old = EN.replace("background:", key + refugees + "background:")
    new = old.replace("value: 230000", "value: 250000").replace("figure: 54000", "figure: 60000")
    assert diff(old, new) == (
        "new:\n"
        "  changed  refugees in Mauritania 54,000 → 60,000 (A source, 21 Jan 2013)\n"
        "  changed  people displaced ~230,000 → ~250,000 (A source, 23 Jan 2013)\n"
        "2 figures changed in 1 brief\n"
    )
    assert diff(old, old) == "no figures changed\n"


def test_key_figures_in_french(diff):
    new = FR.replace("value: 230000", "value: 250000\n    approximate: false").replace(
        "    approximate: true\n", "", 1
    )
    assert diff(FR, new) == (
        f"new:\n  changed  personnes déplacées depuis mars 2012 ~230{NNBSP}000 → 250{NNBSP}000 "
        "(inContext, 16 janv. 2013)\n1 figure changed in 1 brief\n"
    )


def test_json_and_markdown(diff):
    new = EN.replace("troops: 500", "troops: 800")
    [change] = json.loads(diff(EN, new, "--format", "json"))
    assert (change["kind"], change["label"], change["what"]) == (
        "changed",
        "France troops",
        ["value"],
    )
    assert (change["old"]["value"], change["new"]["value"]) == (500, 800)
    assert diff(EN, new, "--format", "markdown") == (
        "### Changed figures\n\n**new**\n\n- changed: France troops 500 → 800 (A source, 20 Jan 2013)\n\n"
    )


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_two_git_revisions(tmp_path, cli, monkeypatch):
    write(tmp_path / "briefs/en", EN)
    write(tmp_path / "briefs/fr", FR)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "one")
    (tmp_path / "briefs/en/brief.yaml").write_text(EN.replace("troops: 500", "troops: 800"))
    (tmp_path / "briefs/fr/brief.yaml").write_text(
        add_commitment(FR, "Niger", 500, "2013-01-18", "incontext")
    )
    git(tmp_path, "commit", "-qam", "two")
    monkeypatch.chdir(tmp_path)
    done = cli("diff", "HEAD~1", "HEAD")
    assert (done.code, done.err) == (0, "")
    assert done.out == (
        "en:\n  changed  France troops 500 → 800 (A source, 20 Jan 2013)\n"
        "fr:\n  added    Niger troops 500 (inContext, 18 janv. 2013)\n"
        "2 figures changed in 2 briefs\n"
    )
    # The working tree against a revision: NEW defaults to ./briefs.
    (tmp_path / "briefs/en/brief.yaml").write_text(EN.replace("troops: 500", "troops: 900"))
    assert cli("diff", "HEAD").out.startswith("en:\n  changed  France troops 800 → 900 (")


def test_the_previous_manifest_against_the_briefs(tmp_path, cli):
    briefs = tmp_path / "briefs"
    write(briefs / "en", EN)
    write(briefs / "fr", FR)
    out = tmp_path / "out"
    assert cli("build", str(briefs), "-o", str(out), "-j", "1", "--only", "one-pager").code == 0
    (briefs / "fr/brief.yaml").write_text(FR.replace("troops: 1700", "troops: 2500"))
    expected = (
        f"fr:\n  changed  France troops 1{NNBSP}700 → 2{NNBSP}500 (inContext, 17 janv. 2013)\n"
        "1 figure changed in 1 brief\n"
    )
    assert cli("diff", str(out), str(briefs)).out == expected
    assert cli("diff", str(out / "manifest.json"), str(briefs)).out == expected


def test_a_bad_brief_is_a_located_error(tmp_path, cli):
    good = write(tmp_path / "good", EN)
    bad = write(tmp_path / "bad", EN.replace("troops: 500", "troops: lots"))
    done = cli("diff", str(good), str(bad))
    assert done.code == 1
    assert done.err == (
        f"{bad / 'brief.yaml'}:14:13: commitments[0].troops: expected a whole number (got 'lots')\n"
    )


def test_neither_a_brief_nor_a_revision_is_a_usage_error(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = cli("diff", "nope", str(write(tmp_path / "good", EN)))
    assert done.code == 2
    assert done.err == (
        "briefgen: 'nope' is neither a brief, a folder of briefs, a manifest nor a git revision\n"
    )
    (tmp_path / "broken.json").write_text("{")
    broken = cli("diff", "broken.json", "good")
    assert broken.code == 2 and broken.err.startswith(
        "briefgen: broken.json: not a briefgen manifest"
    )


def test_markdown_escapes_what_github_would_format(diff):
    """'~230,000 → ~250,000' between tildes would be struck through in a job summary."""
    old = EN.replace("troops: 500", "troops: 500\n    approximate: true")
    new = old.replace("troops: 500", "troops: 600").replace("title: A source", "title: A *source*")
    assert diff(old, new, "--format", "markdown").splitlines()[4] == (
        r"- changed: France troops \~500 → \~600 (A source → A \*source\*, 20 Jan 2013)"
    )


def test_a_manifest_with_mangled_figures_is_a_usage_error(tmp_path, cli):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"format": 1, "briefs": {"en": {"figures": {"figures": [3]}}}}))
    done = cli("diff", str(manifest), str(write(tmp_path / "en", EN)))
    assert (done.code, done.err) == (
        2,
        f"briefgen: {manifest}: brief 'en': its figures are not as briefgen writes them\n",
    )
