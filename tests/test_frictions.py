"""Small frictions: --debug anywhere, a missing briefs/ folder, a misspelt brief folder."""

from __future__ import annotations

import pytest

from briefgen import cli as cli_module
from briefgen.cli import main
from tests.conftest import MALI


def _boom(args: object) -> int:
    raise RuntimeError("boom")


@pytest.mark.parametrize("argv", [["--debug", "check"], ["check", "--debug"]])
def test_debug_before_or_after_the_command_shows_the_traceback(argv, monkeypatch):
    monkeypatch.setitem(cli_module.COMMANDS, "check", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        main([*argv, str(MALI)])


def test_without_debug_an_internal_error_is_a_message(monkeypatch, cli):
    monkeypatch.setitem(cli_module.COMMANDS, "check", _boom)
    result = cli("check", str(MALI))
    assert result.code == 3 and "run again with --debug" in result.err


@pytest.mark.parametrize("command", ["build", "new", "schema"])
def test_every_command_takes_debug_after_it(command, capsys):
    args = {"build": ["--help"], "new": ["--help"], "schema": []}[command]
    try:
        code = main([command, "--debug", *args])
    except SystemExit as e:  # --help
        code = e.code
    assert code == 0, capsys.readouterr().err


def test_no_briefs_folder_says_where_it_looked_and_what_to_do(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("check")
    assert result.code == 2
    assert result.err.strip() == (
        f"briefgen: no briefs/ folder in {tmp_path}; run briefgen from the folder that holds "
        "briefs/, name brief folders (briefgen check path/to/brief), or start one with "
        "`briefgen new SLUG`"
    )


def test_a_misspelt_brief_folder_gets_a_did_you_mean(cli, tmp_path, monkeypatch):
    (tmp_path / "briefs" / "mali-2013").mkdir(parents=True)
    (tmp_path / "briefs" / "mali-2013" / "brief.yaml").write_text("title: x\n")
    monkeypatch.chdir(tmp_path)
    result = cli("build", "briefs/mali-2031")
    assert result.code == 2
    assert result.err.strip() == (
        "briefgen: no such brief or folder: briefs/mali-2031; did you mean briefs/mali-2013?"
    )
