"""build/report.md and manifest.json tell the truth: every brief in the output folder, the
warnings the build printed, and the figures that changed since the previous build."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES

GOOD = FIXTURES / "good"
UNCITED = "  - id: src-2\n    title: Another source\n"  # a source nobody cites: a warning


def briefs_in(root: Path, *names: str) -> Path:
    briefs = root / "briefs"
    for name in names:
        shutil.copytree(GOOD / name, briefs / name)
    return briefs


def rows(report: str) -> dict[str, list[str]]:
    """The report's table: brief → its cells."""
    out = {}
    for line in report.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and cells[0] not in ("brief", "---"):
            out[cells[0]] = cells
    return out


def test_the_report_covers_every_brief_in_the_output_folder(tmp_path, cli):
    """Before: a build of one brief reported that brief only, though three were in build/."""
    briefs = briefs_in(tmp_path, "minimal", "required-only", "french")
    out = tmp_path / "out"
    assert cli("build", str(briefs), "-o", str(out), "-j", "1").code == 0
    edited = briefs / "minimal/brief.yaml"
    edited.write_text(edited.read_text().replace("Something happened.", "Something else."))
    assert cli("build", str(briefs / "minimal"), "-o", str(out), "-j", "1").code == 0
    table = rows((out / "report.md").read_text())
    assert {b: cells[-1] for b, cells in table.items()} == {
        "french": "up to date",
        "minimal": "rebuilt",
        "required-only": "up to date",
    }
    assert (
        table["french"][1] == "french-handout.pdf, french-brief.pdf, french-deck.pptx, french.html"
    )


def test_the_warnings_counted_are_the_warnings_printed(tmp_path, cli):
    """Before: the build printed a warning, and report.md and manifest.json said 0."""
    briefs = briefs_in(tmp_path, "minimal", "required-only")
    file = briefs / "minimal/brief.yaml"
    file.write_text(file.read_text() + UNCITED)
    out = tmp_path / "out"
    warning = f"{file}:22:9: warning: sources[1].id: source 'src-2' is never cited"
    for status in ("rebuilt", "unchanged"):  # the up-to-date brief says it again
        done = cli("build", str(briefs), "-o", str(out), "-j", "1")
        assert done.code == 0
        assert [line for line in done.out.splitlines() if ": warning: " in line] == [warning]
        table = rows((out / "report.md").read_text())
        assert (table["minimal"][4], table["required-only"][4]) == ("1", "0")
        assert table["minimal"][3].startswith("grade ")  # the reading level, from the deck
        assert status in done.out
    entry = json.loads((out / "manifest.json").read_text())["briefs"]["minimal"]
    assert entry["check_warnings"] == [
        {
            "line": 22,
            "column": 9,
            "path": ["sources", 1, "id"],
            "message": "source 'src-2' is never cited",
        }
    ]


def test_the_report_lists_the_figures_that_changed_above_the_table(tmp_path, cli):
    briefs = briefs_in(tmp_path, "minimal", "french")
    out = tmp_path / "out"
    cli("build", str(briefs), "-o", str(out), "-j", "1")
    first = (out / "report.md").read_text()
    assert "Changed figures" not in first  # nothing to compare a first build with
    file = briefs / "french/brief.yaml"
    file.write_text(file.read_text().replace("troops: 1700", "troops: 2500"))
    cli("build", str(briefs), "-o", str(out), "-j", "1")
    report = (out / "report.md").read_text()
    assert report.startswith(
        "## briefgen build\n\n### Changed figures\n\n**french**\n\n"
        "- changed: France troops 1\u202f700 → 2\u202f500 (inContext, 17 janv. 2013)\n\n"
        "| brief | artifacts |"
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(c["brief"], c["kind"], c["label"]) for c in manifest["changes"]] == [
        ("french", "changed", "France troops")
    ]
    france = manifest["briefs"]["french"]["figures"]["figures"][0]
    assert (france["label"], france["value"], france["as_of"], france["sources"]) == (
        "France troops",
        2500,
        "2013-01-17",
        ["inContext"],
    )
    cli("build", str(briefs), "-o", str(out), "-j", "1")  # nothing changed since
    assert "Changed figures" not in (out / "report.md").read_text()


def test_a_new_brief_beside_built_ones_has_its_figures_added(tmp_path, cli):
    briefs = briefs_in(tmp_path, "french")
    out = tmp_path / "out"
    cli("build", str(briefs), "-o", str(out), "-j", "1")
    shutil.copytree(GOOD / "minimal", briefs / "minimal")
    cli("build", str(briefs), "-o", str(out), "-j", "1")
    report = (out / "report.md").read_text()
    assert (
        "**minimal**\n\n"
        "- added: France troops 500 (A source, 20 Jan 2013)\n"
        "- added: France troops in place 100 (A source, 20 Jan 2013)\n\n"
    ) in report


def test_the_no_op_build_with_figures_imports_neither_model_nor_babel(tmp_path, cli):
    briefs = briefs_in(tmp_path, "minimal")
    out = tmp_path / "out"
    cli("build", str(briefs), "-o", str(out), "-j", "1")
    code = (
        "import sys; from briefgen.cli import main; "
        f"assert main(['build', {str(briefs)!r}, '-o', {str(out)!r}]) == 0; "
        "print(sorted(m for m in ('pydantic', 'briefgen.model', 'babel', 'briefgen.facts', "
        "'reportlab', 'pptx') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"
