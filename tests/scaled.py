"""Generated briefs of any size (commitments, parties, events), for the scaling test and bench.

`scaled_brief(n)` has `n` commitments from `n // 4` parties (four reports each, the latest
current), `n // 10` timeline events and `n // 50` displacement figures: everything a deck
lays out grows with `n`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

REPORTS = 4  # commitments per party


def scaled_brief(n: int) -> dict[str, Any]:
    """A valid brief with `n` commitments (a multiple of REPORTS)."""
    parties = max(1, n // REPORTS)
    src = ["src-1"]
    names = [f"Contingent {i:05d}" for i in range(parties)]
    commitments = []
    for report in range(REPORTS):
        for i, name in enumerate(names):
            entry: dict[str, Any] = {
                "party": name,
                "support": ["troops", "logistics"] if i % 3 else ["funding"],
                "status": "pledged" if report < REPORTS - 1 else "deployed",
                "as_of": f"2013-01-{10 + report:02d}",
                "sources": [*src],
            }
            if i % 3:  # a third of the parties report no number
                entry["troops"] = 50 + i * 7 + report * 10
                entry["troops_in_place"] = 20 + i
            if i % 5 == 0:
                entry["note"] = f"Report {report + 1} of {name}, with a short caveat."
            commitments.append(entry)
    return {
        "title": f"A brief with {n:,} commitments",
        "date": "2013-01-23",
        "summary": "Many parties sent troops; each reported several times.",
        "key_figures": [
            {
                "value": 1000 + n,
                "label": "troops pledged",
                "as_of": "2013-01-13",
                "sources": [*src],
            },
            {"value": parties, "label": "parties", "as_of": "2013-01-13", "sources": [*src]},
        ],
        "background": ["It began earlier.", "Then it grew."],
        "timeline": [
            {
                "date": (dt.date(2010, 1, 1) + dt.timedelta(days=i)).isoformat(),
                "event": f"Event {i} happened somewhere.",
                "sources": [*src],
            }
            for i in range(max(1, min(n // 10, 1000)))
        ],
        "actors": [
            {"name": name, "kind": "other", "role": "Sent troops.", "sources": [*src]}
            for name in names
        ],
        "commitments": commitments,
        "displacement": [
            {
                "figure": 1000 + i,
                "kind": "idp",
                "where": f"Region {i}",
                "as_of": "2013-01-12",
                "sources": [*src],
            }
            for i in range(max(1, n // 50))
        ],
        "sources": [{"id": "src-1", "title": "A source", "date": "2013-01-20"}],
    }


def write_scaled(folder: Path, n: int) -> Path:
    """Write `folder/brief.yaml` (block style, as people write it) for `scaled_brief(n)`."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "brief.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(scaled_brief(n), fh)
    return folder
