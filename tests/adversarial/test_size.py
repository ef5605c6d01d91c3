"""Size: huge inputs finish within 60 s with artifacts or a clear error, never a traceback, never
ReportLab's "Flowable ... too large", and under 2 GB of memory.

All cases run at module setup, three at a time (the two slowest hold a slot each), each as
`python -m briefgen build DIR -j 1` in its own subprocess with a 60-second timeout; each test
then reads its own result. Peak memory is the child's own (os.wait4), plus RUSAGE_CHILDREN.
"""

from __future__ import annotations

import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial._util import (
    MEMORY_LIMIT_KB,
    TRACEBACK,
    Proc,
    build_each,
    full_brief,
    pdf_text,
    write_brief,
)


def _huge_paragraph() -> dict[str, Any]:
    d = full_brief()
    d["background"] = ["lorem ipsum dolor sit amet consectetur " * 55_000]  # ~2.1 MB, one paragraph
    return d


def _three_thousand_parties() -> dict[str, Any]:
    d = full_brief()
    names = [f"Contingent {i:04d}" for i in range(3_000)]
    d["actors"] += [
        {"name": n, "kind": "other", "role": "Sent troops.", "sources": ["src-1"]} for n in names
    ]
    d["commitments"] = [
        {
            "party": n,
            "support": ["troops"],
            "troops": 10 + i,
            "as_of": "2013-01-16",
            "sources": ["src-1"],
        }
        for i, n in enumerate(names)
    ]
    return d


def _long_word_in_table_cells() -> dict[str, Any]:
    d = full_brief()
    word = "W" * 3_000
    d["actors"][1]["name"] = word  # actors table, commitments table (as a party), chart notes
    d["commitments"][1]["party"] = word
    d["actors"][0]["role"] = "R" * 3_000
    return d


def _long_titles() -> dict[str, Any]:
    d = full_brief()
    d["title"] = ("A very long title " * 120)[:2_000]
    d["subtitle"] = ("and an equally long subtitle " * 80)[:2_000]
    return d


def _huge_numbers() -> dict[str, Any]:
    d = full_brief()
    d["commitments"][0]["troops"] = 10**40
    d["commitments"][0]["troops_in_place"] = 10**39
    d["key_figures"][0]["value"] = 10**30
    return d


def _many_timeline_events() -> dict[str, Any]:
    d = full_brief()
    d["timeline"] = [
        {
            "date": f"2012-{1 + i % 12:02d}",
            "event": f"Event number {i} happened.",
            "sources": ["src-1"],
        }
        for i in range(2_000)
    ]
    return d


CASES: dict[str, Callable[[], dict[str, Any]]] = {
    "huge-paragraph-2MB": _huge_paragraph,
    "3000-parties-with-numbers": _three_thousand_parties,
    "3000-char-word-in-table-cells": _long_word_in_table_cells,
    "2000-char-title-and-subtitle": _long_titles,
    "40-digit-troop-numbers": _huge_numbers,
    "2000-timeline-events": _many_timeline_events,
}
# the slowest first, so the two cores stay busy
ORDER = [
    "huge-paragraph-2MB",
    "3000-parties-with-numbers",
    *(c for c in CASES if c not in ("huge-paragraph-2MB", "3000-parties-with-numbers")),
]


RUSAGE: dict[str, int] = {}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Proc | None]]:
    root = tmp_path_factory.mktemp("size")
    RUSAGE["before"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    for name, make in CASES.items():
        write_brief(root / "briefs" / name, make())

    # Three slots: the two slowest cases each hold one, the fast ones share the third.
    done = build_each(root, ORDER, threads=3)
    RUSAGE["after"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return done


@pytest.mark.parametrize("case", list(CASES))
def test_huge_input_finishes_cleanly(case, results):
    out, p = results[case]
    assert p is not None, f"{case}: `briefgen build` did not finish within 60 s"
    assert TRACEBACK not in p.both, p.both[-3000:]
    assert "internal error" not in p.both, p.err[-3000:]
    assert "Flowable" not in p.both, p.both[-3000:]
    assert p.maxrss_kb < MEMORY_LIMIT_KB, f"peak memory {p.maxrss_kb // 1024} MB"
    assert p.code in (0, 1), (p.code, p.both[-2000:])
    if p.code == 0:
        for pdf in (out / case).glob("*.pdf"):
            assert pdf_text(pdf).strip()
        assert len(list((out / case).glob(f"{case}-*"))) == 3
    else:
        errors = [ln for ln in p.err.splitlines() if ln.startswith(f"briefs/{case}/brief.yaml")]
        assert errors, p.err[-2000:]
        assert not (out / case).exists() or not list((out / case).iterdir()), "partial artifacts"


def test_peak_memory_of_all_size_builds(results):
    """RUSAGE_CHILDREN after the size builds: the largest peak of any child waited for. When it
    rose during the size builds, the new maximum is one of theirs (earlier children of this
    session, such as other families' subprocesses, are not counted against these cases)."""
    assert results
    before, after = RUSAGE["before"], RUSAGE["after"]
    if after > before:
        assert after < MEMORY_LIMIT_KB, f"a size build peaked at {after // 1024} MB"
    worst = max((p.maxrss_kb for _, p in results.values() if p is not None), default=0)
    assert worst < MEMORY_LIMIT_KB, f"a size build peaked at {worst // 1024} MB"
