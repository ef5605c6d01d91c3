"""Item 2: brief.yaml that is a link out of its folder, a pipe, a device or too large is a clear,
located error; nothing outside the folder is read, nothing hangs. And `read_inside` itself, the
rule the template files will use too."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from briefgen.safeio import UnsafeFile, read_inside
from tests.faults._util import briefgen, copy_good

SECRET = "CI-SECRET-TOKEN-5b1e"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy_good(tmp_path, "minimal")
    return tmp_path


def _replace_brief(project: Path, make) -> Path:
    brief = project / "briefs/minimal/brief.yaml"
    brief.unlink()
    make(brief)
    return brief


def test_a_link_to_a_file_outside_is_never_read(project):
    secret = project / "secret.yaml"
    secret.write_text(f"{SECRET}\n")  # 'expected a mapping (got ...)' would quote it
    _replace_brief(project, lambda b: b.symlink_to(secret))
    for command in (["check", "briefs/minimal"], ["build", "briefs/minimal", "-j", "1"]):
        p = briefgen(command, project, timeout=30)
        assert p.code == 1, (p.code, p.both)
        assert SECRET not in p.both
        assert (
            "briefs/minimal/brief.yaml: is a link to a file outside briefs/minimal; "
            "briefgen never reads it"
        ) in p.both, p.both


def test_a_link_inside_the_folder_is_read(project):
    brief = project / "briefs/minimal/brief.yaml"
    (project / "briefs/minimal/real.yaml").write_bytes(brief.read_bytes())
    _replace_brief(project, lambda b: b.symlink_to("real.yaml"))
    p = briefgen(["check", "briefs/minimal"], project, timeout=30)
    assert p.code == 0, p.both


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_named_pipe_is_refused_at_once(project, jobs):
    _replace_brief(project, lambda b: os.mkfifo(b))
    p = briefgen(["build", "briefs", "-j", jobs], project, timeout=30)
    assert p.code == 1, (p.code, p.both)
    assert "briefs/minimal/brief.yaml: is a named pipe, not a regular file" in p.err, p.both


def test_a_link_to_dev_zero_is_refused_without_reading(project):
    _replace_brief(project, lambda b: b.symlink_to("/dev/zero"))
    p = briefgen(["check", "briefs/minimal"], project, timeout=30)
    assert p.code == 1, (p.code, p.both[-2000:])
    assert "briefs/minimal/brief.yaml: is a link to a file outside briefs/minimal" in p.out


def test_a_too_large_brief_is_refused_before_reading(project):
    """(Refused before this change too, after reading it whole; now without reading it.)"""
    brief = project / "briefs/minimal/brief.yaml"
    with brief.open("ab") as fh:
        fh.truncate(17 * 1024 * 1024)
    p = briefgen(["check", "briefs/minimal"], project, timeout=30)
    assert p.code == 1
    assert (
        "briefs/minimal/brief.yaml:1:1: file is too large (17,825,792 bytes; at most 16,777,216)"
        in p.out
    ), p.both


# ---- read_inside, for reuse with template files ----


def test_read_inside_reads_a_regular_file(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"x: 1\n")
    assert read_inside(tmp_path / "a.yaml", tmp_path, 100) == b"x: 1\n"


def test_read_inside_follows_a_link_that_stays_inside(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub/real").write_bytes(b"ok")
    (tmp_path / "link").symlink_to("sub/real")
    assert read_inside(tmp_path / "link", tmp_path, 100) == b"ok"


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d, f: f.symlink_to(d.parent / "outside"), "is a link to a file outside"),
        (lambda d, f: f.symlink_to("../outside"), "is a link to a file outside"),
        (lambda d, f: f.symlink_to("/dev/zero"), "is a link to a file outside"),
        (lambda d, f: os.mkfifo(f), "is a named pipe, not a regular file"),
        (lambda d, f: f.mkdir(), "is a folder, not a regular file"),
        (lambda d, f: f.write_bytes(b"x" * 101), "is too large (101 bytes; at most 100)"),
        (lambda d, f: None, "cannot read: No such file or directory"),
    ],
    ids=["abs-link-out", "rel-link-out", "dev-zero", "fifo", "folder", "too-large", "missing"],
)
def test_read_inside_refuses(tmp_path, make, problem):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").write_bytes(SECRET.encode())
    target = root / "t.yaml"
    make(root, target)
    with pytest.raises(UnsafeFile) as e:
        read_inside(target, root, 100)
    assert str(e.value).startswith(f"{target}: {problem}"), str(e.value)
    assert SECRET not in str(e.value)


def test_read_inside_never_reads_past_its_cap_from_a_growing_file(tmp_path, monkeypatch):
    """A file that grows between fstat and read is still cut at the cap."""
    f = tmp_path / "grow"
    f.write_bytes(b"a" * 10)
    real_fstat = os.fstat

    def fstat_then_grow(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        with f.open("ab") as fh:
            fh.write(b"b" * 1000)
        return info

    monkeypatch.setattr(os, "fstat", fstat_then_grow)
    with pytest.raises(UnsafeFile, match="is too large \\(over 100 bytes\\)"):
        read_inside(f, tmp_path, 100)


def test_read_inside_does_not_block_on_a_pipe_with_a_writer(tmp_path):
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    result: list[object] = []

    def read() -> None:
        try:
            read_inside(fifo, tmp_path, 100)
        except UnsafeFile as e:
            result.append(e)

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(5)
    assert not t.is_alive() and result, "read_inside blocked on a named pipe"
