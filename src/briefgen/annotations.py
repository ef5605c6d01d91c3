"""Findings for machines: GitHub Actions workflow commands, and JSON for editors and tools.

On GitHub Actions (GITHUB_ACTIONS set), each finding is also printed as a workflow command,
`::error file=F,line=L,col=C,title=briefgen::key.path: message`, so the runner shows it on the
line of the pull request that caused it. The file is relative to the checked-out repository
(GITHUB_WORKSPACE), where GitHub looks for it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from briefgen.errors import Finding, format_key_path


def on_github() -> bool:
    return bool(os.environ.get("GITHUB_ACTIONS"))


def _data(text: str) -> str:
    """Escaped as GitHub's runner unescapes a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escaped as GitHub's runner unescapes a command's property values."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _repository_path(file: str) -> str:
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace or not file:
        return file
    path = os.path.relpath(os.path.abspath(file), os.path.abspath(workspace))
    return file if path.startswith("..") else path.replace(os.sep, "/")


def workflow_command(f: Finding) -> str:
    """`::error file=…,line=…,col=…,title=briefgen::message` (or ::warning)."""
    props = []
    if f.file:
        props.append(f"file={_property(_repository_path(f.file))}")
        if f.line is not None:
            props.append(f"line={f.line}")
            if f.column is not None:
                props.append(f"col={f.column}")
    props.append("title=briefgen")
    key = format_key_path(f.path)
    message = f"{key}: {f.message}" if key else f.message
    return f"::{f.severity.value} {','.join(props)}::{_data(message)}"


def as_json(f: Finding) -> dict[str, Any]:
    """file, line, column, key (path as text), path (its parts), severity, message."""
    return {
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "key": format_key_path(f.path),
        "path": list(f.path),
        "severity": f.severity.value,
        "message": f.message,
    }


def json_report(findings: Sequence[Finding], briefs: int, failed: int) -> str:
    """`briefgen check --format json`: every finding, and the counts of the text summary."""
    errors = sum(f.severity.value == "error" for f in findings)
    data = {
        "briefs": briefs,
        "errors": errors,
        "warnings": len(findings) - errors,
        "failed": failed,
        "findings": [as_json(f) for f in findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
