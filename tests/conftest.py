"""Shared helpers: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MALI = ROOT / "briefs" / "mali-2013"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests' parsed-template cache (cache.py) is their own, for them and every command
    they start, never the user's."""
    import os

    os.environ["BRIEFGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def _not_on_github(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see briefgen as on a developer's machine, even when they run on GitHub Actions
    (which would add workflow commands to the output and append to its job summary); the tests
    of that behaviour set these themselves."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session", autouse=True)
def every_pdf_is_tagged(tmp_path_factory: pytest.TempPathFactory):
    """After the whole run, every PDF briefgen built for any test (under pytest's temporary
    folders, the adversarial suite's included) passes the PDF/UA structure check of
    tests/accessibility.py and the `pdfua` package's checks."""
    yield
    from pdfua import validate

    from tests.accessibility import pdf_problems

    failures = []
    checked = 0
    for path in sorted(tmp_path_factory.getbasetemp().rglob("*.pdf")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        # Only what briefgen built (not a test's stand-in file or a bare ReportLab drawing).
        if not data.startswith(b"%PDF") or b"/Creator (briefgen)" not in data:
            continue
        checked += 1
        problems = pdf_problems(data)
        problems += [f"pdfua {f.rule_id}: {f.message}" for f in validate(str(path)).findings]
        if problems:
            failures.append(f"{path}: {problems[:5]}")
    assert not failures, f"untagged or badly tagged PDFs ({len(failures)} of {checked}):\n" + (
        "\n".join(failures)
    )
