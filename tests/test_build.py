"""The build for CI: incremental by content, byte-identical, atomic, parallel, sharded."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.build import Options, build, in_shard
from tests.conftest import FIXTURES, MALI

GOOD = FIXTURES / "good"


def make_briefs(
    root: Path, names: tuple[str, ...] = ("minimal", "required-only", "french")
) -> Path:
    """A briefs/ folder with copies of test briefs."""
    briefs = root / "briefs"
    for name in names:
        shutil.copytree(GOOD / name, briefs / name)
    return briefs


def run(briefs: Path, out: Path, **kw: object) -> object:
    files = sorted((f, str(f)) for f in briefs.glob("*/brief.yaml"))
    return build(files, Options(out=out, **kw))  # type: ignore[arg-type]


def snapshot(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix in (".pdf", ".pptx", ".html", ".svg", ".png")
    }


def test_second_build_renders_nothing(tmp_path):
    briefs = make_briefs(tmp_path)
    first = run(briefs, tmp_path / "out")
    assert {j.status for j in first.jobs} == {"rebuilt"}
    second = run(briefs, tmp_path / "out")
    assert {j.status for j in second.jobs} == {"unchanged"}
    assert second.written == []


def test_touching_one_brief_rebuilds_only_its_artifacts(tmp_path):
    briefs = make_briefs(tmp_path)
    run(briefs, tmp_path / "out")
    text = (briefs / "minimal/brief.yaml").read_text()
    (briefs / "minimal/brief.yaml").write_text(
        text.replace("Something happened.", "Something else happened.")
    )
    again = run(briefs, tmp_path / "out")
    assert {j.slug: j.status for j in again.jobs} == {
        "french": "unchanged",
        "minimal": "rebuilt",
        "required-only": "unchanged",
    }
    assert sorted(p.name for p in again.written) == [
        "minimal-brief.pdf",
        "minimal-deck.pptx",
        "minimal-handout.pdf",
        "minimal.html",
    ]


def test_a_template_change_rebuilds_what_uses_it(tmp_path):
    briefs = make_briefs(tmp_path)
    user = tmp_path / "templates"
    (user / "deck").mkdir(parents=True)
    run(briefs, tmp_path / "out", templates=(user,))
    (user / "deck/output.yaml").write_text("# a comment only: merged over the shipped one\n{}\n")
    again = run(briefs, tmp_path / "out", templates=(user,))
    assert {j.status for j in again.jobs} == {"rebuilt"}
    assert {p.suffix for p in again.written} == {".pptx"}  # only decks use deck/output.yaml


def test_force_rebuilds_everything(tmp_path):
    briefs = make_briefs(tmp_path, ("minimal",))
    run(briefs, tmp_path / "out")
    assert len(run(briefs, tmp_path / "out", force=True).written) == 4  # the default outputs


def test_manifest_is_readable_and_matches_the_files(tmp_path):
    import hashlib

    briefs = make_briefs(tmp_path, ("minimal",))
    run(briefs, tmp_path / "out")
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    arts = manifest["briefs"]["minimal"]["artifacts"]
    assert set(arts) == {"handout", "one-pager", "deck", "html"}
    for art in arts.values():
        data = (tmp_path / "out" / art["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == art["sha256"]
        assert art["pages"] >= 1 and len(art["input"]) == 64
    report = (tmp_path / "out/report.md").read_text()
    row = "| minimal | minimal-handout.pdf, minimal-brief.pdf, minimal-deck.pptx, minimal.html |"
    assert row in report


def test_a_bad_brief_stops_the_run_before_anything_is_written(tmp_path):
    briefs = make_briefs(tmp_path, ("minimal",))
    shutil.copytree(FIXTURES / "bad/wrong-type", briefs / "wrong-type")
    result = run(briefs, tmp_path / "out")
    assert not result.ok
    assert result.written == []
    assert not (tmp_path / "out/minimal").exists()
    kept = run(briefs, tmp_path / "out", keep_going=True)
    assert not kept.ok
    assert {j.slug: j.status for j in kept.jobs} == {"minimal": "rebuilt", "wrong-type": "failed"}


def test_a_failed_brief_keeps_its_last_good_artifacts(tmp_path):
    briefs = make_briefs(tmp_path, ("minimal",))
    run(briefs, tmp_path / "out")
    before = snapshot(tmp_path / "out")
    (briefs / "minimal/brief.yaml").write_text("title: [broken\n")
    result = run(briefs, tmp_path / "out", keep_going=True)
    assert not result.ok
    assert snapshot(tmp_path / "out") == before
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    assert manifest["briefs"]["minimal"]["status"] == "failed"
    assert (
        manifest["briefs"]["minimal"]["artifacts"]["handout"]["path"]
        == "minimal/minimal-handout.pdf"
    )


def test_jobs_2_gives_the_same_bytes_as_jobs_1(tmp_path):
    briefs = make_briefs(tmp_path)
    run(briefs, tmp_path / "one", jobs=1)
    run(briefs, tmp_path / "two", jobs=2)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert len(snapshot(tmp_path / "one")) == 12  # three briefs, four default outputs each


@pytest.mark.parametrize(
    "only",
    [
        ("handout", "one-pager", "deck"),
        ("handout", "one-pager"),
        ("one-pager", "deck"),
        ("html", "deck", "worksheet"),
    ],
)
def test_a_lone_brief_split_between_two_processes_gives_the_same_bytes(tmp_path, only):
    """A lone brief renders part of its outputs in this process and the rest in a worker."""
    briefs = tmp_path / "briefs"
    shutil.copytree(MALI, briefs / MALI.name)
    one = run(briefs, tmp_path / "one", jobs=1, only=only)
    two = run(briefs, tmp_path / "two", jobs=2, only=only)
    assert one.ok and two.ok  # type: ignore[attr-defined]
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert len(snapshot(tmp_path / "two")) == len(only)


@pytest.mark.parametrize(
    ("only", "told"),
    [
        (("handout", "one-pager", "deck"), ["pptx"]),
        (("handout", "deck", "html"), ["html", "pptx"]),
        (("handout", "one-pager"), ["pdf"]),  # two PDFs: the first here, the second there
    ],
)
def test_a_lone_brief_s_worker_is_told_which_renderers_its_part_needs(
    tmp_path, monkeypatch, only, told
):
    """The worker imports renderers on a guess while the brief is checked; once it is, the
    worker hears which it needs, so a deck does not wait for matplotlib (the web page's)."""
    from briefgen.build import _Decided

    heard: list[list[str]] = []
    tell = _Decided.tell
    monkeypatch.setattr(
        _Decided,
        "tell",
        lambda self, renderers: tell(self, heard.append(sorted(renderers)) or renderers),
    )
    briefs = tmp_path / "briefs"
    shutil.copytree(MALI, briefs / MALI.name)
    assert run(briefs, tmp_path / "out", jobs=2, only=only).ok  # type: ignore[attr-defined]
    assert heard == [told]


def test_a_deck_rendered_in_a_worker_does_not_wait_for_matplotlib(tmp_path):
    """End to end, in a fresh process (this one has imported matplotlib): the worker of a
    lone brief that asks for no web page (while the default outputs have one) renders its
    deck without ever importing matplotlib; with a web page asked for, it does."""
    shutil.copytree(MALI, tmp_path / "with-page")
    shutil.copytree(MALI, tmp_path / "no-page")
    brief = tmp_path / "no-page/brief.yaml"  # what it asks for is known once it is checked
    text = re.sub(r"(?m)^outputs:.*$", "outputs: [handout, one-pager, deck]", brief.read_text())
    brief.write_text(text)
    code = f"""
import sys
from pathlib import Path
import briefgen.render_task as render_task
from briefgen.build import Options, build
render_task.WAIT_FOR_DECISION = 60.0  # the answer, however slow this machine is
real = render_task.run_task
def run_task(task):
    rendered = real(task)
    print(task.file.parent.name, task.outputs, "matplotlib" in sys.modules, flush=True)
    return rendered
render_task.run_task = run_task
for name in ("no-page", "with-page"):
    brief = Path({str(tmp_path)!r}) / name / "brief.yaml"
    out = Path({str(tmp_path)!r}) / "out" / name
    assert build([(brief, str(brief))], Options(out, ("handout", "deck", "html"), jobs=2)).ok
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.splitlines()) == {
        "no-page ('handout',) False",  # this process never imports it
        "no-page ('deck',) False",  # the worker: no web page asked for, no matplotlib
        "with-page ('handout',) False",
        "with-page ('deck', 'html') True",
    }


def test_a_worker_imports_matplotlib_only_when_its_part_needs_it(monkeypatch):
    from briefgen import render_task
    from briefgen.build import _Decided

    with _Decided() as decided:
        decided.tell({"pdf", "pptx"})
        assert render_task._needed(decided.read, "html") is False
        decided.tell({"html", "pptx"})
        assert render_task._needed(decided.read, "html") is True
        # Nothing said within the wait: a long brief is still being checked; guess yes.
        monkeypatch.setattr(render_task, "WAIT_FOR_DECISION", 0.01)
        assert render_task._needed(decided.read, "html") is True
    assert render_task._needed(None, "html") is True  # no pipe (not forked): the guess


def test_an_edited_picture_is_drawn_anew_in_the_same_process(tmp_path):
    """Pictures are decoded once per process (check and render share them): an edit between two
    builds in one process (as `briefgen watch` does) must not draw the old pixels."""
    from PIL import Image

    briefs = tmp_path / "briefs"
    shutil.copytree(MALI, briefs / MALI.name)
    picture = briefs / MALI.name / "map.png"
    run(briefs, tmp_path / "out", only=("handout",))
    first = snapshot(tmp_path / "out")
    Image.new("RGB", (800, 700), "#D55E00").save(picture)
    run(briefs, tmp_path / "out", only=("handout",))
    second = snapshot(tmp_path / "out")
    # The same edited brief built by a fresh process: what the second build must equal.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "briefgen",
            "build",
            str(briefs / MALI.name),
            "-o",
            str(tmp_path / "fresh"),
            "--only",
            "handout",
        ],
        check=True,
        capture_output=True,
    )
    assert second != first
    assert second == snapshot(tmp_path / "fresh")


@pytest.mark.parametrize("names", [("minimal",), ("minimal", "french")])
def test_a_broken_user_template_is_a_finding_with_workers_too(tmp_path, names):
    """Workers parse the templates as they warm up; a broken one must still come back as the
    same clean error as with --jobs 1, never as a broken pool (an internal error)."""
    briefs = make_briefs(tmp_path, names)
    user = tmp_path / "templates"
    user.mkdir()
    (user / "theme.yaml").write_text("colours: [\n", encoding="utf-8")
    results = [
        run(briefs, tmp_path / f"out{jobs}", templates=(user,), jobs=jobs) for jobs in (1, 2)
    ]
    messages = [sorted({f.format() for f in r.findings}) for r in results]  # type: ignore[attr-defined]
    assert not any(r.ok for r in results)  # type: ignore[attr-defined]
    assert messages[0] == messages[1] and messages[0]
    assert all("theme.yaml:2:1: YAML syntax error" in m for m in messages[1]), messages[1]


def test_shards_cover_every_brief_exactly_once():
    slugs = [f"brief-{i}" for i in range(60)]
    seen = [s for i in (1, 2, 3) for s in slugs if in_shard(s, (i, 3))]
    assert sorted(seen) == sorted(slugs)
    assert all(sum(in_shard(s, (i, 3)) for s in slugs) > 10 for i in (1, 2, 3))


def test_sharded_builds_together_build_everything_once(tmp_path):
    briefs = make_briefs(tmp_path, ("minimal", "required-only", "french", "many-parties"))
    built = []
    for i in (1, 2, 3):
        result = run(briefs, tmp_path / f"shard{i}", shard=(i, 3), only=("handout",))
        built += [j.slug for j in result.jobs]
    assert sorted(built) == ["french", "many-parties", "minimal", "required-only"]


def _cli_build(cwd: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "-o", str(out), "--jobs", "1"],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_same_bytes_across_runs_and_time_zones(tmp_path):
    make_briefs(tmp_path, ("minimal",))
    shutil.copytree(MALI, tmp_path / "briefs/mali-2013")
    a = _cli_build(tmp_path, tmp_path / "a", {"TZ": "UTC"})
    b = _cli_build(tmp_path, tmp_path / "b", {"TZ": "Asia/Kolkata"})
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    # minimal: handout, one-pager, deck, web page; Mali: those, the worksheet and teacher copy
    assert len(snapshot(tmp_path / "a")) == 10


def test_source_date_epoch_is_honoured(tmp_path):
    from pptx import Presentation
    from pypdf import PdfReader

    make_briefs(tmp_path, ("minimal",))
    plain = _cli_build(tmp_path, tmp_path / "a", {})
    dated = _cli_build(tmp_path, tmp_path / "b", {"SOURCE_DATE_EPOCH": "1700000000"})
    assert plain.returncode == 0 and dated.returncode == 0
    assert (
        PdfReader(tmp_path / "a/minimal/minimal-handout.pdf")
        .metadata["/CreationDate"]
        .startswith("D:20130123")
    )
    assert (
        PdfReader(tmp_path / "b/minimal/minimal-handout.pdf")
        .metadata["/CreationDate"]
        .startswith("D:20231114")
    )
    core = Presentation(str(tmp_path / "b/minimal/minimal-deck.pptx")).core_properties
    assert core.created.year == 2023 and core.modified.year == 2023


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6])
def test_a_killed_build_leaves_previous_artifacts_intact(tmp_path, delay):
    briefs = make_briefs(tmp_path, ("minimal", "french", "many-parties"))
    out = tmp_path / "out"
    assert _cli_build(tmp_path, out, {}).returncode == 0
    before = snapshot(out)
    for f in briefs.glob("*/brief.yaml"):  # every brief changes, so everything is rebuilt
        f.write_text(
            f.read_text().replace("\nsources:", "\nquestions: [Why?]\nsources:", 1)
            if "questions:" not in f.read_text()
            else f.read_text() + "\n"
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "build", "-o", str(out), "--jobs", "1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = snapshot(out)
    assert set(after) == set(before)  # every artifact is still there...
    for name, data in after.items():  # ...and whole: the old bytes or a complete new file
        assert data == before[name] or (
            data.startswith((b"%PDF", b"PK", b"<!DOCTYPE html>"))
            and (data.rstrip().endswith((b"%%EOF", b"</html>")) or data[-22:-18] == b"PK\x05\x06")
        )
    assert _cli_build(tmp_path, out, {}).returncode == 0  # the next build finishes the job...
    assert not list(out.rglob("*.tmp"))  # ...and leaves no temporary files


def test_watch_rebuilds_on_save(tmp_path):
    briefs = make_briefs(tmp_path, ("required-only",))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "briefgen",
            "watch",
            "-o",
            str(out),
            "--only",
            "handout",
            "--jobs",
            "1",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        handout = out / "required-only/required-only-handout.pdf"
        deadline = time.monotonic() + 30
        while not handout.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        first = handout.read_bytes()
        brief = briefs / "required-only/brief.yaml"
        brief.write_text(brief.read_text().replace("Only what is required", "Changed on save"))
        while handout.read_bytes() == first and time.monotonic() < deadline:
            time.sleep(0.2)
        assert handout.read_bytes() != first
        brief.write_text("title: [broken\n")  # an error is printed, and watching goes on
        time.sleep(2)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=20)[0]
    assert (
        "brief.yaml:1:8: YAML syntax error" in output
        or "brief.yaml:2:1: YAML syntax error" in output
    ), output
    assert "Traceback" not in output


def test_the_no_op_build_imports_no_model_and_no_renderer(tmp_path):
    briefs = make_briefs(tmp_path, ("minimal",))
    run(briefs, tmp_path / "out")
    code = (
        "import sys; from pathlib import Path; from briefgen.build import Options, build; "
        f"f = Path({str(briefs / 'minimal/brief.yaml')!r}); r = build([(f, str(f))], "
        f"Options(Path({str(tmp_path / 'out')!r}))); "
        "assert [j.status for j in r.jobs] == ['unchanged'], [j.status for j in r.jobs]; "
        "print(sorted(m for m in ('pydantic', 'briefgen.model', 'matplotlib', 'reportlab', 'pptx', "
        "'jinja2', 'ruamel') "
        "if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_the_manifest_records_every_rendering_library_and_the_fonts():
    """An upgrade of ReportLab, python-pptx or Pillow (which measures the deck's text and reads
    pictures) or a new font must rebuild: each is part of the artifacts' input keys."""
    from briefgen.fonts import FOLDER, fingerprint
    from briefgen.manifest import library_versions

    versions = library_versions()
    assert "?" not in versions and "pillow-" in versions and "reportlab-" in versions, versions
    assert "python_pptx-" in versions and "jinja2-" in versions, versions
    prints = {fingerprint(path) for path in FOLDER.glob("*.ttf")}
    assert len(prints) == 4  # each face its own
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    assert fingerprint(vera) not in prints


def test_caches_follow_the_bytes_not_the_timestamps(tmp_path):
    """A same-size edit that keeps the old timestamp (`cp -p`, a coarse file system) must still
    be seen by a long-lived process such as `briefgen watch`: templates and pictures are
    cached by their content."""
    from PIL import Image

    from briefgen.images import decoded
    from briefgen.template_set import TemplateSet

    user = tmp_path / "templates"
    user.mkdir()
    theme = (Path(__file__).parents[1] / "templates/theme.yaml").read_text("utf-8")
    picture = tmp_path / "p.png"

    def write(colour: str) -> None:
        (user / "theme.yaml").write_text(theme.replace("#1F3A5F", colour), encoding="utf-8")
        Image.new("RGB", (4, 4), colour).save(picture)
        for path in (user / "theme.yaml", picture):
            os.utime(path, ns=(1_000_000_000, 1_000_000_000))

    write("#112233")
    first = (TemplateSet([user]).theme.colours.band, decoded(picture)[1].getpixel((0, 0)))
    write("#445566")
    second = (TemplateSet([user]).theme.colours.band, decoded(picture)[1].getpixel((0, 0)))
    assert first == ("#112233", (0x11, 0x22, 0x33))
    assert second == ("#445566", (0x44, 0x55, 0x66))


@pytest.mark.parametrize("names", [("minimal",), ("minimal", "french", "required-only")])
def test_progress_counts_briefs_as_they_are_done(tmp_path, names):
    briefs = make_briefs(tmp_path, names)
    files = sorted((f, str(f)) for f in briefs.glob("*/brief.yaml"))
    calls: list[tuple[str, int, int]] = []
    build(files, Options(out=tmp_path / "out", jobs=2), lambda *c: calls.append(c))
    assert [(n, total) for _, n, total in calls] == [
        (i, len(names)) for i in range(1, len(names) + 1)
    ]
    assert sorted(slug for slug, *_ in calls) == sorted(names)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_watch_keeps_its_workers_and_replaces_one_that_stops(tmp_path):
    """With --jobs 2, watch starts its worker once and every rebuild uses it; when it is
    killed, a new one is started and the build it left undone is done."""
    briefs = make_briefs(tmp_path, ("required-only",))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "watch", "-o", str(out), "--jobs", "2"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    handout = out / "required-only/required-only-handout.pdf"
    brief = briefs / "required-only/brief.yaml"
    text = brief.read_text()

    def rebuilt_after(change: str, before: bytes) -> bytes:
        brief.write_text(text.replace("Only what is required", change))
        deadline = time.monotonic() + 30
        while handout.read_bytes() == before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert handout.read_bytes() != before, change
        return handout.read_bytes()

    try:
        deadline = time.monotonic() + 30
        while not handout.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = _children(proc.pid)
        assert len(workers) == 1  # a lone brief: this process and one worker
        now = rebuilt_after("First edit", handout.read_bytes())
        now = rebuilt_after("Second edit", now)
        assert _children(proc.pid) == workers  # the same processes, kept warm
        os.kill(workers[0], signal.SIGKILL)
        time.sleep(0.5)
        rebuilt_after("Third edit", now)
        assert proc.poll() is None
        new = _children(proc.pid)
        assert len(new) == 1 and set(new).isdisjoint(workers), (workers, new)
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=20)[0]
    assert "Traceback" not in output and "internal error" not in output, output
    assert "a worker process stopped; starting new ones" in output
