"""Image paths: `..`, absolute paths, symlinks out of the folder, missing files, fakes, and
decompression bombs are clear errors, and nothing outside the brief folder is ever opened.

An audit hook records every file Python opens while `briefgen check` and `briefgen build` run
in-process; no opened path may lie in the folder of files outside the brief.
"""

from __future__ import annotations

import os
import resource
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.adversarial._util import (
    assert_no_traceback,
    full_brief,
    jpeg_bytes,
    png_bytes,
    run_briefgen,
    to_yaml,
)

# ---- crafted image files ----


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, idat: bytes | None = None) -> bytes:
    """A PNG whose IHDR (with a correct CRC) claims any size; the pixel data is tiny or bogus."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = idat if idat is not None else zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
    )


def jpeg_with_sof(width: int, height: int, truncate_scan: bool = False) -> bytes:
    """A real JPEG whose SOF0 frame header is rewritten to claim another size."""
    data = bytearray(jpeg_bytes(size=(16, 16)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    if truncate_scan:
        sos = data.index(b"\xff\xda")
        data = data[: sos + 20]
    return bytes(data)


# ---- recording what is opened ----

_RECORD: list[str] | None = None


def _hook(event: str, args: tuple[object, ...]) -> None:
    if (
        _RECORD is not None
        and event == "open"
        and args
        and isinstance(args[0], str | bytes | os.PathLike)
    ):
        _RECORD.append(os.fsdecode(args[0]))


_INSTALLED: list[bool] = []


def _install_hook() -> None:
    if not _INSTALLED:
        sys.addaudithook(_hook)
        _INSTALLED.append(True)


def _opened_during(fn: Callable[[], object], fifos: list[Path] = ()) -> list[str]:
    """Paths opened while fn runs. A FIFO that briefgen opens for reading is fed EOF at once
    (and recorded), so a product bug shows as a failure instead of a hang."""
    global _RECORD
    _install_hook()
    _RECORD = []
    stop = threading.Event()
    fed: list[str] = []

    def unblock() -> None:
        while not stop.is_set():
            for fifo in fifos:
                try:
                    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # succeeds only with a reader
                except OSError:
                    continue
                os.close(fd)
                fed.append(f"{fifo} (a FIFO, opened for reading)")
            stop.wait(0.02)

    feeder = threading.Thread(target=unblock, daemon=True)
    feeder.start()
    try:
        fn()
    finally:
        stop.set()
        feeder.join()
        seen, _RECORD = _RECORD, None
    return seen + fed


# ---- cases: (setup(folder, outside) → image path in the brief, words the error must contain) ----


def _dotdot(folder: Path, outside: Path) -> str:
    return os.path.relpath(outside / "outside.png", folder)


def _absolute(folder: Path, outside: Path) -> str:
    return str(outside / "outside.png")


def _symlink_file(folder: Path, outside: Path) -> str:
    (folder / "map-link.png").symlink_to(outside / "outside.png")
    return "map-link.png"


def _symlink_dir(folder: Path, outside: Path) -> str:
    (folder / "pictures").symlink_to(outside, target_is_directory=True)
    return "pictures/outside.png"


def _symlink_to_device(folder: Path, outside: Path) -> str:
    (folder / "zero.png").symlink_to("/dev/zero")
    return "zero.png"


def _nul_in_path(folder: Path, outside: Path) -> str:
    return "map.png\x00../../outside.png"


def _missing(folder: Path, outside: Path) -> str:
    return "nowhere.png"


def _text_named_png(folder: Path, outside: Path) -> str:
    (folder / "notes.png").write_text("just some text, not a picture\n")
    return "notes.png"


def _bomb_png(folder: Path, outside: Path) -> str:
    (folder / "bomb.png").write_bytes(png_claiming(100_000, 100_000))
    return "bomb.png"


def _jpeg_zero_sof(folder: Path, outside: Path) -> str:
    (folder / "zero.jpg").write_bytes(jpeg_with_sof(0, 0))
    return "zero.jpg"


def _jpeg_huge_sof(folder: Path, outside: Path) -> str:
    (folder / "huge.jpg").write_bytes(jpeg_with_sof(65_535, 65_535))
    return "huge.jpg"


def _fifo(folder: Path, outside: Path) -> str:
    os.mkfifo(folder / "pipe.png")
    return "pipe.png"


REJECTED: dict[str, tuple[Callable[[Path, Path], str], tuple[str, ...]]] = {
    "dotdot": (_dotdot, ("outside",)),
    "absolute": (_absolute, ("outside",)),
    "symlink-file-outside": (_symlink_file, ("outside",)),
    "symlink-dir-outside": (_symlink_dir, ("outside",)),
    "nul-in-path": (_nul_in_path, ("U+0000", "not allowed")),  # refused when read, before paths
    "missing": (_missing, ("does not exist",)),
    "text-named-png": (_text_named_png, ("not a png",)),
    "png-ihdr-100000x100000": (_bomb_png, ("100000x100000",)),
    "jpeg-sof-0x0": (_jpeg_zero_sof, ("0x0",)),
    "jpeg-sof-65535x65535": (_jpeg_huge_sof, ("65535x65535",)),
    "fifo-named-png": (_fifo, ("not a regular file",)),  # a reader would block: see _unblock_fifos
}


def _make(tmp_path: Path, setup: Callable[[Path, Path], str]) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "outside.png").write_bytes(png_bytes(20, 20, (9, 9, 9)))
    folder = tmp_path / "briefs" / "pics"
    folder.mkdir(parents=True)
    image = setup(folder, outside)
    (folder / "brief.yaml").write_text(to_yaml(full_brief(image=image)), encoding="utf-8")
    return folder, outside


@pytest.mark.parametrize("case", list(REJECTED))
def test_bad_image_path_is_a_clear_error_and_nothing_outside_is_read(
    case, tmp_path, capsys, monkeypatch
):
    setup, words = REJECTED[case]
    folder, outside = _make(tmp_path, setup)
    monkeypatch.chdir(tmp_path)
    codes: list[int] = []
    opened = _opened_during(
        lambda: codes.extend(
            [main(["check", "briefs/pics"]), main(["build", "briefs/pics", "-o", "out", "-j", "1"])]
        ),
        fifos=[p for p in folder.iterdir() if p.is_fifo()],
    )
    out = capsys.readouterr()
    text = out.out + out.err
    assert "internal error" not in text, text
    assert codes == [1, 1], (codes, text)
    located = [ln for ln in out.out.splitlines() if ln.startswith("briefs/pics/brief.yaml:")]
    assert len(located) == 1 and ": images[0].path: " in located[0], out.out
    assert all(w.lower() in located[0].lower() for w in words), located[0]
    leaked = [p for p in opened if Path(p).resolve().is_relative_to(outside.resolve())]
    leaked += [p for p in opened if "FIFO" in p]
    assert not leaked, f"opened outside the brief folder: {leaked}"
    assert not (tmp_path / "out" / "pics").exists() or not list(
        (tmp_path / "out" / "pics").iterdir()
    )


def _limit_memory() -> None:
    """In the child: reading an endless file fails quickly instead of eating the host."""
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024**2, 1536 * 1024**2))


def test_symlink_to_dev_zero_is_a_clear_error_and_never_read(tmp_path):
    """A symlink to an endless device in the brief folder: never read (it is outside the folder).

    Run as a subprocess with a 1.5 GB address-space limit, so an attempt to read it ends quickly.
    """
    _make(tmp_path, _symlink_to_device)
    env = {**os.environ, "CI": "1"}
    try:
        p = subprocess.run(
            [sys.executable, "-m", "briefgen", "build", "briefs/pics", "-o", "out", "-j", "1"],
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
            env=env,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("`briefgen build` hung on a symlink to /dev/zero")
    text = (p.stdout + p.stderr).decode("utf-8", "replace")
    assert "Traceback" not in text, text[-2000:]
    assert "internal error" not in text, text[-2000:]
    assert "MemoryError" not in text, text[-2000:]
    assert p.returncode == 1, (p.returncode, text[-2000:])
    assert "images[0].path" in text and "outside" in text, text[-2000:]


def test_dotdot_that_stays_inside_is_accepted(tmp_path, capsys, monkeypatch):
    """`sub/../map.png` is inside the folder: not every `..` is an escape."""
    folder, _ = _make(tmp_path, lambda f, o: (f / "sub").mkdir() or "sub/../map.png")
    (folder / "map.png").write_bytes(png_bytes())
    monkeypatch.chdir(tmp_path)
    assert main(["check", "briefs/pics"]) == 0, capsys.readouterr().out


# ---- a header that passes the check, with pixel data that cannot be decoded ----

UNDECODABLE: dict[str, Callable[[Path], str]] = {
    "png-good-ihdr-corrupt-idat": lambda f: (
        (f / "bad.png").write_bytes(
            png_claiming(800, 600, idat=b"\x78\x9c" + b"\xde\xad\xbe\xef" * 64)
        )
        and "bad.png"
    ),
    "png-ihdr-5000x5000-tiny-data": lambda f: (
        (f / "short.png").write_bytes(png_claiming(5_000, 5_000)) and "short.png"
    ),
    "jpeg-truncated-scan": lambda f: (
        (f / "cut.jpg").write_bytes(jpeg_with_sof(16, 16, truncate_scan=True)) and "cut.jpg"
    ),
}


def test_jpeg_whose_sof_lies_about_its_size_builds_or_fails_cleanly(tmp_path):
    """SOF claims 4000x3000 for 16x16 of data: libjpeg decodes it (grey fill) without an error,
    so a build is acceptable; a crash is not."""
    folder = tmp_path / "briefs" / "pics"
    folder.mkdir(parents=True)
    (folder / "liar.jpg").write_bytes(jpeg_with_sof(4_000, 3_000))
    (folder / "brief.yaml").write_text(to_yaml(full_brief(image="liar.jpg")), encoding="utf-8")
    p = run_briefgen(["build", "briefs/pics", "-o", "out", "-j", "1"], tmp_path, timeout=60)
    assert_no_traceback(p)
    assert p.code in (0, 1), (p.code, p.both[-2000:])
    if p.code == 1:
        assert "liar.jpg" in p.err


@pytest.mark.parametrize("case", list(UNDECODABLE))
def test_undecodable_image_is_a_clear_error(case, tmp_path):
    folder = tmp_path / "briefs" / "pics"
    folder.mkdir(parents=True)
    image = UNDECODABLE[case](folder)
    (folder / "brief.yaml").write_text(to_yaml(full_brief(image=image)), encoding="utf-8")
    p = run_briefgen(["build", "briefs/pics", "-o", "out", "-j", "1"], tmp_path, timeout=60)
    assert_no_traceback(p)
    assert p.code == 1, (p.code, p.both[-2000:])
    assert image in p.err, p.err[-2000:]
    assert not (tmp_path / "out" / "pics").exists() or not list(
        (tmp_path / "out" / "pics").iterdir()
    )
