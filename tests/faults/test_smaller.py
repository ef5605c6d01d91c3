"""Item 16: an ASCII stdout and a non-ASCII slug, `new` into an unusable folder, hidden folders,
artifacts of deleted briefs (orphans, --prune), an unwritable $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from tests.faults._util import briefgen, copy_good


def test_an_ascii_stdout_and_a_non_ascii_slug(tmp_path):
    copy_good(tmp_path, "minimal")
    (tmp_path / "briefs/minimal").rename(tmp_path / "briefs/café")
    for command in (["check"], ["build", "-j", "1"]):
        p = briefgen(command, tmp_path, env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
        assert p.code == 0, (command, p.code, p.both[-2000:])
        assert "Traceback" not in p.both and "internal error" not in p.both
    assert (tmp_path / "build/café/café-handout.pdf").is_file()
    assert "rendered caf\\xe9" in p.out, p.out


def test_new_into_a_folder_that_cannot_be_made(tmp_path):
    (tmp_path / "afile").write_text("not a folder\n")
    p = briefgen(["new", "topic", "--dir", "afile"], tmp_path)
    assert p.code == 1, (p.code, p.both)
    assert p.err == "briefgen: cannot write afile/topic/brief.yaml: Not a directory\n", p.err


def test_hidden_folders_are_not_briefs(tmp_path):
    copy_good(tmp_path, "minimal")
    shutil.copytree(tmp_path / "briefs/minimal", tmp_path / "briefs/.snapshot")
    (tmp_path / "briefs/.snapshot/brief.yaml").write_text("title: [broken\n")
    p = briefgen(["check"], tmp_path)
    assert p.code == 0, p.both
    assert "checked 1 brief: 0 errors" in p.out, p.out
    p = briefgen(["build", "-j", "1"], tmp_path)
    assert p.code == 0 and not (tmp_path / "build/.snapshot").exists(), p.both


def test_orphans_are_reported_and_pruned_on_request(tmp_path):
    copy_good(tmp_path, "minimal", "french")
    assert briefgen(["build", "-j", "1"], tmp_path).code == 0
    shutil.rmtree(tmp_path / "briefs/french")
    p = briefgen(["build", "-j", "1"], tmp_path)
    assert p.code == 0, p.both
    report = (tmp_path / "build/report.md").read_text()
    names = "french-handout.pdf, french-brief.pdf, french-deck.pptx, french.html"
    assert re.search(
        rf"^\| french \| {re.escape(names)} \| .* \| orphan: its brief is gone \(--prune "
        r"removes it\) \|$",
        report,
        re.M,
    ), report
    assert (tmp_path / "build/french/french-deck.pptx").is_file()
    p = briefgen(["build", "-j", "1", "--prune"], tmp_path)
    assert p.code == 0, p.both
    assert "pruned french (4 files)" in p.out, p.out
    assert not (tmp_path / "build/french").exists()
    assert "french" not in json.loads((tmp_path / "build/manifest.json").read_text())["briefs"]
    assert (tmp_path / "build/minimal/minimal-deck.pptx").is_file()


def test_prune_keeps_briefs_only_left_out_of_this_build(tmp_path):
    copy_good(tmp_path, "minimal", "french")
    assert briefgen(["build", "-j", "1"], tmp_path).code == 0
    p = briefgen(["build", "briefs/minimal", "-j", "1", "--prune"], tmp_path)
    assert p.code == 0, p.both
    assert (tmp_path / "build/french/french-deck.pptx").is_file()


def test_an_unwritable_step_summary_is_a_warning(tmp_path):
    copy_good(tmp_path, "minimal")
    summary = tmp_path / "no-such-folder/summary.md"
    p = briefgen(["build", "-j", "1"], tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert p.code == 0, (p.code, p.both)
    assert (
        f"briefgen: warning: cannot append to GITHUB_STEP_SUMMARY ({summary}): "
        "No such file or directory" in p.err
    ), p.err
    assert (tmp_path / "build/report.md").is_file()


def _ends_quietly_on_ctrl_c(code: str, cwd: Path) -> None:
    """`python -c CODE check`, where CODE presses Ctrl-C at some moment: exit 130, one line."""
    import subprocess

    from tests.faults._util import PYTHON, env_for

    p = subprocess.run(
        [PYTHON, "-c", code, "check"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env_for(),
        timeout=30,
    )
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 130 and p.stderr == "briefgen: interrupted\n", (p.returncode, p.stderr)


def test_ctrl_c_while_the_arguments_are_parsed(tmp_path):
    """Ctrl-C landing before `main` handles it (here: while argparse runs) ends quietly."""
    code = (
        "import os, signal, briefgen.cli as c\n"
        "real = c._parser\n"
        "def parser():\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real()\n"
        "c._parser = parser\n"
        "c.run()\n"
    )
    _ends_quietly_on_ctrl_c(code, tmp_path)


def test_ctrl_c_while_the_command_line_loads(tmp_path):
    """The `briefgen` script imports only the package (`briefgen:run`), which loads the command
    line itself: a Ctrl-C while it loads ends quietly, as one at any later moment does."""
    import tomllib

    root = Path(__file__).resolve().parents[2]
    scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["briefgen"] == "briefgen:run"
    code = (
        "import importlib.abc, os, signal, sys\n"
        "class Press(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'briefgen.cli':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Press())\n"
        "from briefgen import run\n"
        "run()\n"
    )
    _ends_quietly_on_ctrl_c(code, tmp_path)


def test_a_template_that_fails_with_one_brief_is_blamed_on_the_template(tmp_path):
    """A slot that passes the template check (sample values) and fails with a real brief's is
    reported at the template's line, naming the brief, not as a problem of brief.yaml."""
    copy_good(tmp_path, "minimal")
    (tmp_path / "templates/handout").mkdir(parents=True)
    (tmp_path / "templates/handout/output.yaml").write_text(
        "# a kicker that only fails for a real brief\n"
        "kicker: \"{% if brief.slug != 'slug' %}{{ 1 // 0 }}{% endif %}\"\n"
    )
    for jobs in ("1", "2"):
        p = briefgen(["build", "-j", jobs, "--only", "handout,one-pager"], tmp_path)
        assert p.code == 1, p.both
        assert p.err.splitlines()[0] == (
            "templates/handout/output.yaml:2:9: kicker: ZeroDivisionError: integer division or "
            "modulo by zero (filling the handout of briefs/minimal/brief.yaml)"
        ), p.err
        manifest = json.loads((tmp_path / "build/manifest.json").read_text())
        assert manifest["briefs"]["minimal"]["errors"] == [p.err.splitlines()[0]]
