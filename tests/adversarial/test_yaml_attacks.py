"""YAML attacks are rejected fast with one compiler-style line: `path:line:col: message`.

Each case runs the real entry point, `python -m briefgen check DIR`, in a subprocess with a
60-second timeout (a hang fails the test) and expects exit code 1, exactly one located error on
stdout, no traceback, and nothing executed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.adversarial._util import assert_located_error, full_brief, run_briefgen, to_yaml

MARKER = "PWNED-BY-YAML"
VALID = to_yaml(full_brief(image=None))


def _python_apply(marker: Path) -> str:
    return VALID.replace(
        "summary: ", f'summary: !!python/object/apply:os.system ["touch {marker}"]\nx_summary: ', 1
    )


def _python_name(marker: Path) -> str:
    return f"title: !!python/name:os.system\n{VALID.split(chr(10), 1)[1]}"


def _python_new(marker: Path) -> str:
    return VALID + f"quotes_extra: !!python/object/new:subprocess.Popen [[touch, {marker}]]\n"


def _custom_tags(marker: Path) -> str:
    return VALID.replace("summary: ", "summary: !exec ", 1)


def _verbatim_tag(marker: Path) -> str:
    return VALID.replace("summary: ", "summary: !<tag:evil.example,2024:run> ", 1)


def _set_tag(marker: Path) -> str:
    return VALID + "questions_extra: !!set {a, b}\n"


def _billion_laughs(marker: Path) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return (
        "\n".join(lines)
        + "\n"
        + VALID.replace("questions:", "questions_unused:", 1)
        + "title2: *i\n"
    )


def _recursive_alias(marker: Path) -> str:
    return VALID + "loop: &loop [*loop]\n"


def _deep_flow_sequences(marker: Path) -> str:
    return "title: " + "[" * 10_000 + "]" * 10_000 + "\n"


def _deep_flow_mappings(marker: Path) -> str:
    return "title: " + "{a: " * 10_000 + "b" + "}" * 10_000 + "\n"


def _deep_block_mappings(marker: Path) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(2_000)) + " " * 2_000 + "end: 1\n"


def _duplicate_top_key(marker: Path) -> str:
    return VALID + "summary: A second summary.\n"


def _duplicate_nested_key(marker: Path) -> str:
    text = VALID.replace("role: ", 'role: "first", role: ', 1)
    assert text != VALID
    return text


def _twenty_megabytes(marker: Path) -> str:
    filler = "# " + "x" * 98 + "\n"
    return VALID + filler * (20 * 1024 * 1024 // len(filler) + 1)


def _merge_key(marker: Path) -> str:
    text = VALID.replace("{name: ", "{<<: *base, name: ", 1)
    assert text != VALID
    return text.replace("actors:\n", "actors:\n  - &base {name: B, kind: other, role: r}\n", 1)


def _two_documents(marker: Path) -> str:
    return VALID + "---\n" + VALID


CASES: dict[str, Callable[[Path], str]] = {
    "python-object-apply": _python_apply,
    "python-name": _python_name,
    "python-object-new": _python_new,
    "custom-local-tag": _custom_tags,
    "custom-verbatim-tag": _verbatim_tag,
    "set-tag": _set_tag,
    "billion-laughs": _billion_laughs,
    "recursive-alias": _recursive_alias,
    "deep-flow-sequences-10000": _deep_flow_sequences,
    "deep-flow-mappings-10000": _deep_flow_mappings,
    "deep-block-mappings-2000": _deep_block_mappings,
    "duplicate-top-level-key": _duplicate_top_key,
    "duplicate-nested-key": _duplicate_nested_key,
    "twenty-megabytes": _twenty_megabytes,
    "merge-key": _merge_key,
    "two-documents": _two_documents,
}

EXPECTED_WORDS = {  # a word the one error line must contain
    "python-object-apply": "tag",
    "python-name": "tag",
    "python-object-new": "tag",
    "custom-local-tag": "tag",
    "custom-verbatim-tag": "tag",
    "set-tag": "tag",
    "billion-laughs": "alias",
    "recursive-alias": "",
    "deep-flow-sequences-10000": "",
    "deep-flow-mappings-10000": "",
    "deep-block-mappings-2000": "",
    "duplicate-top-level-key": "duplicate key 'summary'",
    "duplicate-nested-key": "duplicate key 'role'",
    "twenty-megabytes": "too large",
    "merge-key": "merge",
    "two-documents": "document",
}


@pytest.mark.parametrize("case", list(CASES))
def test_yaml_attack_is_one_located_error(case, tmp_path):
    marker = tmp_path / MARKER
    folder = tmp_path / "briefs" / "attack"
    folder.mkdir(parents=True)
    (folder / "brief.yaml").write_bytes(CASES[case](marker).encode("utf-8"))
    try:
        p = run_briefgen(["check", "briefs/attack"], tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: `briefgen check` did not finish within 60 s")
    assert not marker.exists(), "YAML ran a command"
    m = assert_located_error(p, "briefs/attack/brief.yaml")
    assert EXPECTED_WORDS[case].lower() in m.group("msg").lower(), m.group(0)
    assert "checked 1 brief: 1 error" in p.err


def test_the_valid_base_passes(tmp_path):
    """The brief the attacks start from is itself valid, so each error is the attack's."""
    folder = tmp_path / "briefs" / "ok"
    folder.mkdir(parents=True)
    (folder / "brief.yaml").write_text(VALID, encoding="utf-8")
    p = run_briefgen(["check", "briefs/ok"], tmp_path)
    assert p.code == 0, p.both


DEEP = ["deep-flow-sequences-10000", "deep-flow-mappings-10000", "deep-block-mappings-2000"]


@pytest.mark.parametrize("case", DEEP)
def test_deep_nesting_error_names_the_problem(case, tmp_path):
    """The product has its own limit ("nested too deeply (over 40 levels)"): that is the message
    a user should see, at the place the limit is crossed, not Python's recursion limit at 1:1."""
    folder = tmp_path / "briefs" / "deep"
    folder.mkdir(parents=True)
    (folder / "brief.yaml").write_text(CASES[case](tmp_path), encoding="utf-8")
    p = run_briefgen(["check", "briefs/deep"], tmp_path, timeout=60)
    m = assert_located_error(p, "briefs/deep/brief.yaml")
    assert "nested too deeply" in m.group("msg"), m.group(0)
    assert "recursion" not in m.group("msg"), m.group(0)
