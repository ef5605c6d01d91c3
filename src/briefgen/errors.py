"""Findings (located problems in a brief) and the typed error tree the CLI maps to exit codes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

KeyPath = tuple[str | int, ...]


class Severity(StrEnum):
    """How bad a finding is: errors stop a build, warnings do not (unless --strict)."""

    ERROR = "error"
    WARNING = "warning"


def format_key_path(path: KeyPath) -> str:
    """Render ('commitments', 3, 'troops') as 'commitments[3].troops'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class Finding:
    """One problem in one brief, located by file, line, column and key path."""

    severity: Severity
    message: str
    path: KeyPath = ()
    file: str = ""
    line: int | None = None
    column: int | None = None

    def located(self, file: str, line: int | None, column: int | None) -> Finding:
        """The same finding, placed in a file."""
        return Finding(self.severity, self.message, self.path, file, line, column)

    def format(self) -> str:
        """Compiler style: `file:line:col: key.path: message` (warnings say so)."""
        where = self.file or "<brief>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        label = "warning: " if self.severity is Severity.WARNING else ""
        key = format_key_path(self.path)
        return f"{where}: {label}{key + ': ' if key else ''}{self.message}"

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line or 0, self.column or 0, self.message)


def error(message: str, *path: str | int) -> Finding:
    """An unlocated error at a key path (the loader places it in the file)."""
    return Finding(Severity.ERROR, message, tuple(path))


def warning(message: str, *path: str | int) -> Finding:
    """An unlocated warning at a key path (the loader places it in the file)."""
    return Finding(Severity.WARNING, message, tuple(path))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


class BriefgenError(Exception):
    """Base of every error briefgen reports to a user (never with a traceback)."""

    exit_code = 1


class BriefError(BriefgenError):
    """A brief is wrong: carries every finding, errors and warnings."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("\n".join(f.format() for f in self.findings))


class TemplateError(BriefgenError):
    """A template (shipped or user-supplied) is wrong; `at`, when known, is the problem located
    in the template file that caused it (a slot that fails only with one brief's values)."""

    at: Finding | None = None


class RenderError(BriefgenError):
    """An output could not be produced from a valid brief (for example, it does not fit)."""


class OutputError(BriefgenError):
    """An output folder or file cannot be written (permissions, a file in the way, a full disk)."""


class UsageError(BriefgenError):
    """The command line is wrong."""

    exit_code = 2
