"""The Mali brief, the schema, party resolution, commitment history and the CLI's other commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import jsonschema
import pytest

from briefgen.countries import resolve_party
from briefgen.dates import PartialDate
from briefgen.load import check
from briefgen.model import json_schema
from briefgen.yamlsource import read_yaml
from tests.conftest import MALI, ROOT


def test_mali_brief_checks_clean(cli):
    result = cli("check", "--strict", str(MALI))
    lines = result.out.strip().splitlines()
    assert lines[-1] == "checked 1 brief: 0 errors, 0 warnings"
    assert re.fullmatch(
        r".*brief\.yaml: reading level: about grade \d+ \(target grade 9\)", lines[0]
    )
    assert len(lines) == 2 and result.code == 0


def test_default_check_finds_every_brief_under_briefs(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = cli("check")
    assert result.code == 0
    assert result.out.splitlines()[-1].startswith("checked 1 brief")


def test_schema_validates_the_mali_brief(cli):
    result = cli("schema")
    schema = json.loads(result.out)
    data, _ = read_yaml((MALI / "brief.yaml").read_bytes())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def test_schema_rejects_what_check_rejects():
    data, _ = read_yaml((MALI / "brief.yaml").read_bytes())
    data["commitments"][0]["troop"] = 5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema(), cls=jsonschema.Draft202012Validator)


def test_committed_schema_is_current():
    """schema/brief.schema.json is what editors load; regenerate: briefgen schema > schema/brief.schema.json"""
    committed = json.loads((ROOT / "schema" / "brief.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema()


def test_schema_fields_carry_descriptions():
    props = json_schema()["$defs"]["Commitment"]["properties"]  # type: ignore[index]
    assert "never 0" in props["troops"]["description"]


def test_checking_imports_no_heavy_library():
    code = (
        "import sys; from pathlib import Path; from briefgen.load import check; "
        f"r = check(Path({str(MALI)!r})); assert r.ok, r.findings; "
        "heavy = [m for m in ('matplotlib', 'reportlab', 'pptx') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_commitment_history_current_is_latest_as_of():
    brief = check(MALI).brief
    assert brief is not None
    parties = {p.name: p for p in brief.parties}
    france = parties["France"]
    assert (france.current.troops, france.current.troops_in_place) == (2500, 1400)
    assert [c.troops for c in france.history] == [1700]
    assert parties["Togo"].current.troops == 730
    assert [c.troops for c in parties["Togo"].history] == [540]
    assert parties["Benin"].current.troops == 650
    assert parties["Nigeria"].current.troops_in_place == 200
    assert parties["Chad"].history == ()
    assert parties["ECOWAS"].country is None
    assert parties["France"].country == "FR"
    assert parties["United States"].current.troops is None  # not reported, never 0


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("DR Congo", "CD"),
        ("FRA", "FR"),
        ("FR", "FR"),
        ("NO", "NO"),
        ("Tchad", "TD"),
        ("Saint Vincent and the Grenadines", "VC"),
        ("United States of America", "US"),
        ("burkina faso", "BF"),
    ],
)
def test_countries_resolve(name, code):
    assert resolve_party(name, {}).country == code


def test_codes_print_as_country_names():
    assert resolve_party("TCD", {}).name == "Chad"
    assert resolve_party("TCD", {}, "fr").name == "Tchad"
    assert resolve_party("COD", {}).name == "DR Congo"
    assert resolve_party("Ivory Coast", {}).name == "Ivory Coast"  # the author's spelling stays


def test_unknown_party_gets_a_suggestion():
    party = resolve_party("Nigerria", {})
    assert not party.known
    assert party.suggestions[0] == "Nigeria"


@pytest.mark.parametrize(
    ("text", "precision", "iso"),
    [("2013-01-17", "day", "2013-01-17"), ("2013-01", "month", "2013-01"), (2012, "year", "2012")],
)
def test_dates_keep_their_precision(text, precision, iso):
    d = PartialDate.parse(text)
    assert (d.precision, d.isoformat()) == (precision, iso)


def test_partial_dates_order_by_start_of_period():
    assert PartialDate.parse("2013-01") < PartialDate.parse("2013-01-11")
    assert PartialDate.parse("2012") < PartialDate.parse("2012-03")


def test_new_brief_passes_check(cli, tmp_path):
    result = cli("new", "floods-2024", "--dir", str(tmp_path))
    assert result.code == 0
    assert (tmp_path / "floods-2024" / "brief.yaml").is_file()
    checked = cli("check", str(tmp_path / "floods-2024"))  # --strict fails: see test_new.py
    assert checked.code == 0, checked.out


def test_new_refuses_an_existing_brief_and_bad_slugs(cli, tmp_path):
    assert cli("new", "x", "--dir", str(tmp_path)).code == 0
    again = cli("new", "x", "--dir", str(tmp_path))
    assert again.code == 2
    assert "already exists" in again.err
    assert cli("new", "Bad Slug", "--dir", str(tmp_path)).code == 2


def test_usage_errors_exit_2(cli, tmp_path):
    result = cli("check", str(tmp_path / "nope"))
    assert result.code == 2
    assert result.err.strip() == f"briefgen: no such brief or folder: {tmp_path / 'nope'}"
    with pytest.raises(SystemExit) as e:
        cli("frobnicate")
    assert e.value.code == 2


def test_version(cli):
    with pytest.raises(SystemExit) as e:
        cli("--version")
    assert e.value.code == 0


def test_strict_turns_warnings_into_errors(cli, tmp_path):
    folder = tmp_path / "w"
    folder.mkdir()
    text = (ROOT / "tests/fixtures/good/minimal/brief.yaml").read_text()
    text += "  - id: unused\n    title: Never cited\n"
    (folder / "brief.yaml").write_text(text)
    lenient = cli("check", str(folder))
    assert lenient.code == 0
    assert lenient.out.splitlines()[0].endswith(
        "brief.yaml:22:9: warning: sources[1].id: source 'unused' is never cited"
    )
    assert cli("check", "--strict", str(folder)).code == 1


def test_characters_the_font_cannot_draw_are_named(cli, tmp_path):
    folder = tmp_path / "cjk"
    folder.mkdir()
    text = (ROOT / "tests/fixtures/good/minimal/brief.yaml").read_text()
    (folder / "brief.yaml").write_text(text.replace("Took part.", "Took part in 北京 talks. مرحبا"))
    result = cli("check", str(folder))
    assert result.code == 0
    assert result.out.splitlines()[0] == (
        f"{folder / 'brief.yaml'}:9:11: warning: actors[0].role: the PDF font cannot draw "
        "U+4EAC 京, U+5317 北; they would print as empty boxes"
    )
    assert "U+0645" not in result.out  # Arabic is covered by DejaVu Sans
    assert cli("check", "--strict", str(folder)).code == 1
