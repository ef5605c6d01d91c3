"""Every figure's date right: a key figure without a date of its own takes the date of the
figure it repeats, in every output, and `check` asks for one when it repeats none."""

from __future__ import annotations

from pathlib import Path

from briefgen.build import Options, build
from tests.adversarial._util import pdf_text, pptx_texts

BRIEF = """\
title: Dates
date: 2013-01-23
summary: Something happened.
key_figures:
  - value: 230000
    label: people displaced
    approximate: true
    sources: [src-1]
  - value: 1700
    label: troops
    sources: [src-1]
background: [It began earlier.]
actors:
  - name: France
    kind: state
    role: Sent troops.
    sources: [src-1]
commitments:
  - party: France
    support: [troops]
    troops: 1700
    as_of: 2013-01-17
    sources: [src-1]
displacement:
  - figure: 230000
    kind: displaced
    approximate: true
    as_of: 2013-01-22
    sources: [src-1]
sources:
  - id: src-1
    title: A source
    date: 2013-01-22
"""


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "brief.yaml").write_text(text, encoding="utf-8")
    return folder / "brief.yaml"


def test_key_figure_takes_the_date_of_the_figure_it_repeats(tmp_path):
    brief = _write(tmp_path / "dates", BRIEF)
    result = build([(brief, str(brief))], Options(tmp_path / "out", ("handout", "deck"), 1))
    assert result.ok, [f.format() for f in result.findings]
    assert not result.findings, [f.format() for f in result.findings]
    out = tmp_path / "out" / "dates"
    for text in (pdf_text(out / "dates-handout.pdf"), pptx_texts(out / "dates-deck.pptx")):
        assert "[1] 22 Jan 2013" in text  # the displacement figure's date, on the card
        assert "[1] 17 Jan 2013" in text  # the commitment's
        assert "23 Jan 2013" not in text  # the brief's date is on no figure


def test_check_asks_for_the_date_of_a_key_figure_that_repeats_nothing(cli, tmp_path):
    text = BRIEF.replace("  - value: 1700\n", "  - value: 1800\n")
    brief = _write(tmp_path / "undated", text)
    result = cli("check", "--strict", str(brief.parent))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{brief}:9:5: warning: key_figures[1]: no as_of, and no dated displacement figure or "
        "commitment has this number; give the date it was true (the brief date 2013-01-23 is "
        "printed until then)"
    ]


def test_check_asks_when_the_repeated_figures_differ_in_date(cli, tmp_path):
    text = BRIEF.replace("    troops: 1700\n", "    troops: 230000\n")
    brief = _write(tmp_path / "ambiguous", text)
    result = cli("check", str(brief.parent))
    assert result.code == 0
    assert (
        f"{brief}:5:5: warning: key_figures[0]: no as_of, and the figures it repeats differ in "
        "date (displacement[0] 2013-01-22, commitments[0] 2013-01-17); give its as_of"
    ) in result.out.splitlines()


def test_a_displacement_figure_without_a_date_is_pointed_out(cli, tmp_path):
    text = BRIEF.replace("    as_of: 2013-01-22\n", "")
    brief = _write(tmp_path / "nodate", text)
    result = cli("check", str(brief.parent))
    lines = result.out.splitlines()
    assert (
        f"{brief}:25:5: warning: displacement[0]: figure has no as_of; give the date it was "
        "true (the brief date 2013-01-23 is printed until then)"
    ) in lines


def test_one_key_figure_is_singular(cli, tmp_path):
    text = BRIEF.replace("  - value: 1700\n    label: troops\n    sources: [src-1]\n", "")
    brief = _write(tmp_path / "one", text)
    result = cli("check", str(brief.parent))
    assert f"{brief}:5:3: warning: key_figures: 1 key figure; the 'at a glance' box holds 2-5" in (
        result.out.splitlines()
    )


def test_a_commitment_without_a_date_is_pointed_out(cli, tmp_path):
    text = BRIEF.replace(
        "displacement:\n",
        "  - party: Chad\n    support: [logistics]\n    sources: [src-1]\ndisplacement:\n",
    )
    brief = _write(tmp_path / "nodate", text)
    result = cli("check", str(brief.parent))
    assert (
        f"{brief}:24:5: warning: commitments[1]: no as_of; give the date this was true (the "
        "brief date 2013-01-23 is printed until then)"
    ) in result.out.splitlines()
