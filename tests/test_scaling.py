"""Size: a brief's outputs grow linearly with its commitments, parties and events.

Linearity is asserted by counting work, not by timing it: the Python calls made while a deck
is laid out (a deterministic count) for n and 2n commitments. A quadratic step doubles its
share of the count twice over, so the ratio, 1.6 now (fixed costs), was 3.0 when pagination was quadratic.
A 5,000-commitment brief then builds, all three outputs, within a bounded peak memory.
"""

from __future__ import annotations

import sys
from pathlib import Path

from briefgen.load import load
from briefgen.plan import plan
from briefgen.render.measure import Planner
from briefgen.render.pptx import Deck
from briefgen.template_set import TemplateSet
from tests.adversarial._util import pdf_text, pptx_texts, run_measured
from tests.scaled import REPORTS, write_scaled

MEMORY_BOUND_MB = 600  # a 5,000-commitment build peaks near 300 MB; the old deck took 3 GB


def _deck_layout_calls(folder: Path) -> int:
    """Python and built-in calls made while the deck's sections are laid out onto slides."""
    loaded = load(folder)
    assert loaded.brief is not None, loaded.findings
    deck = Deck(plan(loaded.brief, folder, "deck", TemplateSet()))
    planner = Planner(deck.labels, deck.inner, deck.avail, deck.body, deck.min_body, [])
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        planner.plan(deck.doc.sections)
    finally:
        sys.setprofile(None)
    return calls


def test_deck_layout_work_grows_linearly(tmp_path):
    small = _deck_layout_calls(write_scaled(tmp_path / "small", 1000))
    large = _deck_layout_calls(write_scaled(tmp_path / "large", 2000))
    assert large / small < 2.4, (small, large)


def test_5000_commitments_build_with_bounded_memory(tmp_path):
    n = 5000
    write_scaled(tmp_path / "briefs" / "big", n)
    proc = run_measured(["build", "briefs/big", "-j", "1", "-o", "out"], tmp_path, timeout=600)
    assert proc is not None, "the build did not finish in 10 minutes"
    assert proc.code == 0, proc.both[-2000:]
    assert proc.maxrss_kb < MEMORY_BOUND_MB * 1024, f"peak {proc.maxrss_kb // 1024} MB"
    out = tmp_path / "out" / "big"
    last = f"Contingent {n // REPORTS - 1:05d}"  # the last party is in every output
    deck = pptx_texts(out / "big-deck.pptx")
    assert last in deck and "Event 499 happened" in deck
    assert last in pdf_text(out / "big-handout.pdf")
