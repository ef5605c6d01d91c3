"""Item 11: rendering work is bounded. A slot has 2 s; a whole output has OUTPUT_SECONDS, and
running out of it ends that output in a message (the brief's other outputs still render); the
two deadlines share one timer without losing each other."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefgen import render_task, slots
from briefgen.errors import Finding
from briefgen.lifecycle import Deadline, TimeUp
from briefgen.load import check
from briefgen.render_task import Task, run_task
from tests.conftest import FIXTURES

# 27 billion turns: far past any deadline on any machine (two loops ended within 0.5 s on a fast one)
LOOP = "{% for i in range(3000) %}"
SLOW = LOOP * 3 + "{% endfor %}" * 3 + "x"


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_an_inner_deadline_ends_first_and_gives_the_timer_back():
    outer, inner = Deadline(0.6), Deadline(0.1)
    with pytest.raises(TimeUp) as e, outer:
        with pytest.raises(TimeUp) as first, inner:
            _spin(5)
        assert first.value.deadline is inner
        _spin(5)  # the outer one still runs out
    assert e.value.deadline is outer


def test_an_outer_deadline_ends_an_inner_one_that_outlasts_it():
    outer, inner = Deadline(0.1), Deadline(5)
    with pytest.raises(TimeUp) as e, outer, inner:
        _spin(3)
    assert e.value.deadline is outer


def test_a_deadline_that_is_not_reached_leaves_no_timer():
    import signal

    with Deadline(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_output_that_takes_too_long_ends_in_a_message_and_the_others_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    (templates / "handout").mkdir(parents=True)
    (templates / "handout/output.yaml").write_text(f'kicker: "{SLOW}"\n')
    file = FIXTURES / "good/minimal/brief.yaml"
    loaded = check(file)
    assert loaded.brief is not None
    run_task(Task(file, loaded.brief, ("one-pager",), (templates,)))  # imports done, fonts read
    monkeypatch.setattr(render_task, "OUTPUT_SECONDS", 0.5)
    monkeypatch.setattr(slots, "SLOT_SECONDS", 60)  # only the whole output's limit is at play
    start = time.monotonic()
    done = run_task(Task(file, loaded.brief, ("handout", "one-pager"), (templates,)))
    assert time.monotonic() - start < 20
    assert isinstance(done["handout"], Finding)
    assert done["handout"].message == (
        "handout: rendering stopped after 0.5 s; the templates ask for more work than an "
        "output may take (a slot or a long loop repeated in every section?)"
    )
    assert not isinstance(done["one-pager"], Finding), done["one-pager"]
