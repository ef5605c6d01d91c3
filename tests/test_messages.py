"""Every problem at once, and messages a person can act on: each asserted as `check` prints it,
with its file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

GOOD = """\
title: A test brief
date: 2013-01-23
summary: Something happened.
background:
  - It began earlier.
actors:
  - name: Example Group
    kind: armed-group
    role: Took part.
    sources: [src-1]
commitments:
  - party: France
    support: [troops]
    troops: 500
    as_of: 2013-01-20
    sources: [src-1]
sources:
  - id: src-1
    title: A source
    date: 2013-01-20
"""

# Nine mistakes: five in the shape (pydantic's), three across fields, one in the YAML.
NINE = """\
title: A test brief
date: 2013-01-23
background:
  - It began earlier.
actors:
  - name: Example Group
    kind: militia
    role: Took part.
    sources: [src-1]
commitments:
  - party: France
    support: [troops, money]
    troops: lots
    as_of: 2013-01-20
    sources: [src-1]
  - party: Frnace
    support: [troops]
    troops: 500
    troops_in_place: 800
    as_of: 2013-01-20
    sources: [src-9]
sources:
  - id: src-1
    title: A source
    date: Jan 2013
title: Again
"""


def check(cli, tmp_path: Path, text: str) -> tuple[int, list[str]]:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "brief.yaml").write_text(text, encoding="utf-8")
    result = cli("check", str(folder))
    prefix = f"{folder / 'brief.yaml'}:"
    lines = [ln.removeprefix(prefix) for ln in result.out.splitlines()]
    return result.code, lines


def test_nine_mistakes_are_reported_at_once(cli, tmp_path):
    code, lines = check(cli, tmp_path, NINE)
    assert code == 1
    assert lines == [
        "1:1: summary: required key is missing",
        "7:11: actors[0].kind: expected one of state, government, armed-group, "
        "international-organisation, other (got 'militia')",
        "12:23: commitments[0].support[1]: expected one of troops, air-strikes, logistics, "
        "transport, funding, training, intelligence, medical, other (got 'money'); "
        "did you mean 'funding'?",
        "13:13: commitments[0].troops: expected a whole number (got 'lots')",
        "16:12: commitments[1].party: 'Frnace' is neither a country nor an actor; "
        "did you mean 'France'?",
        "19:22: commitments[1].troops_in_place: troops_in_place (800) is more than troops (500)",
        "21:15: commitments[1].sources[0]: source 'src-9' is not listed in sources; "
        "did you mean 'src-1'?",
        "25:11: sources[0].date: expected a date like 2013-01-17, 2013-01 or 2013 "
        "(got 'Jan 2013'); did you mean 2013-01?",
        "26:1: title: duplicate key 'title' (first given on line 1)",
    ]


def test_a_duplicate_key_does_not_stop_other_checks(cli, tmp_path):
    text = GOOD.replace("    troops: 500\n", "    troops: 500\n    troops_in_place: 900\n")
    code, lines = check(cli, tmp_path, text + "date: 2013-01-24\n")
    assert code == 1
    assert lines == [
        "15:22: commitments[0].troops_in_place: troops_in_place (900) is more than troops (500)",
        "22:1: date: duplicate key 'date' (first given on line 2)",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("  - It began earlier.\n", "\t- It began earlier.\n"),
            "5:1: YAML syntax error: a tab indents this line; YAML indents with spaces only: "
            "replace the tab with spaces",
        ),
        (
            ("summary: Something happened.\n", "summary: The bottom line: France acts.\n"),
            "3:25: YAML syntax error: the text of 'summary' holds ': ', which YAML reads as a "
            'new key; put the text in quotes: summary: "The bottom line: France acts."',
        ),
        (
            ("  - It began earlier.\n", "  - It began: earlier.\n"),
            "5:5: background[0]: expected text (got a mapping); the ': ' in the text made it "
            "a key: put the text in quotes",
        ),
        (
            ("    troops: 500\n", "    troops: about 500\n"),
            "14:13: commitments[0].troops: expected a whole number (got 'about 500'); "
            "write 500 and add approximate: true",
        ),
        (
            ("    troops: 500\n", "    troops: 1,500\n"),
            "14:13: commitments[0].troops: expected a whole number (got '1,500'); "
            "write 1500, digits only",
        ),
        (
            ("    date: 2013-01-20\n", "    date: 17 January 2013\n"),
            "20:11: sources[0].date: expected a date like 2013-01-17, 2013-01 or 2013 "
            "(got '17 January 2013'); did you mean 2013-01-17?",
        ),
        (
            ("    support: [troops]\n", "    support: [air strikes]\n"),
            "13:15: commitments[0].support[0]: expected one of troops, air-strikes, logistics, "
            "transport, funding, training, intelligence, medical, other (got 'air strikes'); "
            "did you mean 'air-strikes'?",
        ),
    ],
    ids=["tab", "colon-in-text", "colon-in-list-item", "about", "comma", "date", "support"],
)
def test_messages_say_what_to_do(cli, tmp_path, change, expected):
    code, lines = check(cli, tmp_path, GOOD.replace(*change))
    assert code == 1
    assert lines == [expected]
