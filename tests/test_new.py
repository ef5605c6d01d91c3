"""`briefgen new` writes a brief that shows the format, passes `check`, fails `check --strict`
until its placeholders are replaced, and points editors at a schema that exists."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

from ruamel.yaml import YAML

from briefgen.model import json_schema
from briefgen.reference import END, START, field_reference
from tests.conftest import ROOT


def _new(cli, where: Path) -> Path:
    result = cli("new", "my-topic", "--dir", str(where))
    assert result.code == 0, result.err
    return where / "my-topic" / "brief.yaml"


def test_new_brief_shows_the_format_with_comments(cli, tmp_path):
    text = _new(cli, tmp_path / "briefs").read_text(encoding="utf-8")
    data = YAML(typ="safe").load(text)
    troops = [c for c in data["commitments"] if "troops" in c]
    without = [c for c in data["commitments"] if "troops" not in c and "aircraft" not in c]
    assert troops and without
    assert data["displacement"][0]["figure"] and data["key_figures"][0]["value"]
    assert data["timeline"][0]["event"] and data["sources"][0]["id"]
    commented = [ln for ln in text.splitlines() if "#" in ln and not ln.startswith("#")]
    assert len(commented) >= 10  # the keys explain themselves where they are written


def test_new_brief_passes_check_but_not_strict(cli, tmp_path):
    brief = _new(cli, tmp_path / "briefs")
    plain = cli("check", str(brief.parent))
    assert plain.code == 0, plain.out
    strict = cli("check", "--strict", str(brief.parent))
    assert strict.code == 1
    placeholders = [ln for ln in strict.out.splitlines() if "still the placeholder text" in ln]
    todo_lines = [
        n
        for n, ln in enumerate(brief.read_text(encoding="utf-8").splitlines(), 1)
        if "TODO" in ln.split("#")[0]
    ]
    assert sorted(int(ln.split(":")[1]) for ln in placeholders) == todo_lines
    assert f"{brief}:10:10: warning: summary: still the placeholder text" in strict.out


def test_schema_line_inside_a_project_is_relative_and_exists(cli, tmp_path):
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "brief.schema.json").write_text("{}")
    brief = _new(cli, tmp_path / "briefs")
    first = brief.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/brief.schema.json"
    assert (brief.parent / "../../schema/brief.schema.json").resolve().is_file()


def test_schema_line_outside_a_project_points_at_the_installed_schema(cli, tmp_path):
    brief = _new(cli, tmp_path / "briefs")
    first = brief.read_text(encoding="utf-8").splitlines()[0]
    url = first.removeprefix("# yaml-language-server: $schema=")
    assert url.startswith("file://")
    shipped = Path(unquote(urlparse(url).path))
    assert json.loads(shipped.read_text(encoding="utf-8")) == json_schema()


def test_shipped_schema_is_current():
    shipped = ROOT / "src" / "briefgen" / "brief.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == json_schema()


def test_readme_field_reference_is_generated_from_the_model():
    """After changing the model: python -m briefgen.reference."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{START}\n{field_reference()}{END}" in readme
    for key in ("troops_in_place", "approximate", "as_of", "kind", "support"):
        assert f"| `{key}` |" in readme
