"""The README's quick start stays true: CI runs its test command word for word."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme)
    assert len(commands) == 2, "the quick start is exactly two commands"
    install_and_build, install_and_test = commands
    assert "briefgen build" in install_and_build
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert install_and_test in ci
