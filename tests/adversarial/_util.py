"""Shared helpers for the adversarial suite: write briefs, run briefgen, read artifacts back."""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
MEMORY_LIMIT_KB = 2 * 1024 * 1024  # ru_maxrss is in KiB on Linux
TRACEBACK = "Traceback"

# ---- YAML writing: every string double-quoted, with escapes where YAML needs them ----

_SAFE = re.compile(r"[\x20-\x7e]")


def yq(text: str, raw: bool = True) -> str:
    """A YAML double-quoted scalar. `raw`: printable non-ASCII characters stay as typed."""
    out = ['"']
    for ch in text:
        cp = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif _SAFE.fullmatch(ch) or (
            raw
            and cp > 0xA0
            and ch.isprintable()
            and cp not in (0xFEFF,)
            and not 0xD800 <= cp <= 0xDFFF
        ):
            out.append(ch)
        elif cp <= 0xFF:
            out.append(f"\\x{cp:02x}")
        elif cp <= 0xFFFF:
            out.append(f"\\u{cp:04x}")
        else:
            out.append(f"\\U{cp:08x}")
    out.append('"')
    return "".join(out)


def _flow(value: Any, raw: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return yq(value, raw)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v, raw)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v, raw) for v in value) + "]"
    raise TypeError(type(value))


def to_yaml(data: dict[str, Any], raw: bool = True) -> str:
    """Block mapping at the top, one key per line; list items one per line, each in flow style."""
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            lines.append(f"{key}:")
            lines += [f"  - {_flow(item, raw)}" for item in value]
        else:
            lines.append(f"{key}: {_flow(value, raw)}")
    return "\n".join(lines) + "\n"


# ---- images ----


def png_bytes(
    width: int = 40, height: int = 30, colour: tuple[int, int, int] = (30, 60, 90)
) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_bytes(comment: bytes = b"", size: tuple[int, int] = (16, 16)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, format="JPEG", comment=comment)
    return buf.getvalue()


# ---- a complete valid brief, every text field filled by a function of its field code ----

Text = Callable[[str], str]

# field code → human description (used in assertion messages)
FIELDS = {
    "TI": "title",
    "ST": "subtitle",
    "AU": "authors[0]",
    "CN": "content_note",
    "SM": "summary",
    "K1": "key_figures[0].label",
    "K2": "key_figures[1].label",
    "B1": "background[0]",
    "B2": "background[1]",
    "E1": "timeline[0].event",
    "E2": "timeline[1].event",
    "A1": "actors[0].name",
    "AL": "actors[0].aliases[0]",
    "R1": "actors[0].role",
    "A2": "actors[1].name (also commitments[1].party)",
    "R2": "actors[1].role",
    "N1": "commitments[0].note",
    "N2": "commitments[1].note",
    "W1": "displacement[0].where (chart category)",
    "W2": "displacement[1].where (chart category)",
    "DN": "displacement[0].note",
    "QT": "quotes[0].text",
    "QS": "quotes[0].speaker",
    "QR": "quotes[0].role",
    "PL": "perspectives[0].label",
    "PT": "perspectives[0].text",
    "QU": "questions[0]",
    "GT": "glossary[0].term",
    "GD": "glossary[0].definition",
    "S1": "sources[0].title",
    "SP": "sources[0].publisher",
    "SA": "sources[0].author",
    "SN": "sources[0].note",
    "IA": "images[0].alt",
    "IC": "images[0].caption",
    "IK": "images[0].credit",
}


def full_brief(
    t: Text = lambda code: f"Plain text {code}.", image: str | None = "map.png"
) -> dict[str, Any]:
    """A valid brief using every text field of the format; `t(code)` gives each field's text."""
    src = ["src-1"]
    data: dict[str, Any] = {
        "title": t("TI"),
        "subtitle": t("ST"),
        "date": "2013-01-23",
        "authors": [t("AU")],
        "trend": "worsening",
        "content_note": t("CN"),
        "summary": t("SM"),
        "key_figures": [
            {
                "value": 230000,
                "label": t("K1"),
                "approximate": True,
                "as_of": "2013-01-16",
                "sources": src,
            },
            {"value": 1700, "label": t("K2"), "sources": src},
        ],
        "background": [t("B1"), t("B2")],
        "timeline": [
            {"date": "2012-03-22", "event": t("E1"), "sources": src},
            {"date": "2013-01-11", "event": t("E2"), "sources": src},
        ],
        "actors": [
            {
                "name": t("A1"),
                "kind": "armed-group",
                "aliases": [t("AL")],
                "role": t("R1"),
                "sources": src,
            },
            {
                "name": t("A2"),
                "kind": "international-organisation",
                "role": t("R2"),
                "sources": src,
            },
        ],
        "commitments": [
            {
                "party": "France",
                "support": ["troops", "air-strikes"],
                "troops": 1700,
                "troops_in_place": 800,
                "status": "deployed",
                "note": t("N1"),
                "as_of": "2013-01-16",
                "sources": src,
            },
            {
                "party": t("A2"),
                "support": ["troops"],
                "troops": 3300,
                "status": "pledged",
                "note": t("N2"),
                "as_of": "2013-01-19",
                "sources": src,
            },
            {
                "party": "Trinidad & Tobago",
                "support": ["troops"],
                "troops": 120,
                "status": "offered",
                "as_of": "2013-01-19",
                "sources": src,
            },
        ],
        "displacement": [
            {
                "figure": 150000,
                "kind": "refugees",
                "where": t("W1"),
                "as_of": "2013-01-16",
                "note": t("DN"),
                "sources": src,
            },
            {
                "figure": 80000,
                "kind": "idp",
                "where": t("W2"),
                "as_of": "2013-01-16",
                "sources": src,
            },
        ],
        "quotes": [
            {
                "text": t("QT"),
                "speaker": t("QS"),
                "role": t("QR"),
                "date": "2013-01-15",
                "sources": src,
            }
        ],
        "perspectives": [{"label": t("PL"), "text": t("PT"), "sources": src}],
        "questions": [t("QU")],
        "glossary": [{"term": t("GT"), "definition": t("GD")}],
        "sources": [
            {
                "id": "src-1",
                "title": t("S1"),
                "publisher": t("SP"),
                "author": t("SA"),
                "date": "2013-01",
                "note": t("SN"),
                "url": "https://example.org/a",
            }
        ],
    }
    if image:
        data["images"] = [{"path": image, "alt": t("IA"), "caption": t("IC"), "credit": t("IK")}]
    return data


def write_brief(
    folder: Path, data: dict[str, Any] | str, raw: bool = True, image: bool = True
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else to_yaml(data, raw)
    (folder / "brief.yaml").write_bytes(text.encode("utf-8"))
    if image and not (folder / "map.png").exists():
        (folder / "map.png").write_bytes(png_bytes())
    return folder / "brief.yaml"


# ---- running briefgen as a user does ----


@dataclass
class Proc:
    code: int
    out: str
    err: str
    maxrss_kb: int  # peak RSS of this child when it raised the running maximum, else 0

    @property
    def both(self) -> str:
        return self.out + self.err


def run_briefgen(
    args: Sequence[str],
    cwd: Path,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> Proc:
    """`python -m briefgen ARGS` in a subprocess (after WRAPPER, e.g. setpriv); raises
    TimeoutExpired if it hangs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    full_env = {**os.environ, "CI": "1", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    p = subprocess.run(
        [*wrapper, PYTHON, "-m", "briefgen", *args],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        env=full_env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Proc(
        p.returncode,
        p.stdout.decode("utf-8", "replace"),
        p.stderr.decode("utf-8", "replace"),
        after if after > before else 0,
    )


LOCATED = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")


def assert_no_traceback(p: Proc) -> None:
    assert TRACEBACK not in p.both, p.both[-3000:]
    assert "internal error" not in p.both, p.both[-3000:]


def assert_located_error(p: Proc, file_hint: str = "brief.yaml") -> re.Match[str]:
    """Exit 1 and exactly one compiler-style error line `path:line:col: message`."""
    assert_no_traceback(p)
    assert p.code == 1, (p.code, p.both[-2000:])
    lines = [ln for ln in p.out.splitlines() if ln.strip()]
    located = [m for ln in lines if (m := LOCATED.match(ln))]
    assert len(located) == 1 and len(lines) == 1, p.both[-2000:]
    m = located[0]
    assert m.group("file").endswith(file_hint), m.group(0)
    return m


# ---- reading artifacts back ----


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_body_text(path: Path) -> str:
    """The text of every page without its running footer (drawn in the bottom margin), so a
    paragraph split over two pages reads on as one."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        parts: list[str] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: object,
            size: float,
            parts: list[str] = parts,
        ) -> None:
            if text and (tm[5] * cm[3] + cm[5] >= 30 or not text.strip()):
                parts.append(text)

        page.extract_text(visitor_text=visit)
        pages.append("".join(parts))
    return "\n".join(pages)


def squash(text: str) -> str:
    """All whitespace removed: wrapping and justification cannot break a comparison."""
    return re.sub(r"\s+", "", text)


def pdf_uris(path: Path) -> list[str]:
    from pypdf import PdfReader

    uris = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            if action is not None:
                action = action.get_object()
                if "/URI" in action:
                    uris.append(str(action["/URI"]))
                elif "/S" in action:
                    uris.append(f"<{action['/S']}>")
    return uris


def pdf_streams(path: Path) -> bytes:
    """Every stream of the PDF, decoded (fonts, pages, images), concatenated."""
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    reader = PdfReader(path)
    out = []
    numbers = {n for table in reader.xref.values() for n in table} | set(reader.xref_objStm)
    for num in sorted(numbers):
        try:
            obj = reader.get_object(num)
        except Exception:
            continue
        if obj is None:
            continue
        if isinstance(obj, StreamObject):
            try:
                out.append(obj.get_data())
            except Exception:
                out.append(obj._data or b"")
    return b"\n".join(out)


def pptx_texts(path: Path) -> str:
    """Every visible text of a deck: shapes, table cells, chart categories and series, notes."""
    from pptx import Presentation

    prs = Presentation(str(path))
    parts: list[str] = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts += [p.text for p in shape.text_frame.paragraphs]
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    parts += [c.text for c in row.cells]
            if getattr(shape, "has_chart", False) and shape.has_chart:
                plot = shape.chart.plots[0]
                parts += [str(c) for c in plot.categories]
                parts += [s.name for s in plot.series]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


def pptx_hyperlinks(path: Path) -> list[str]:
    """Every hyperlink target in the deck: run hyperlinks and external relationships."""
    from pptx import Presentation

    prs = Presentation(str(path))
    found = []
    for slide in prs.slides:
        for rel in slide.part.rels.values():
            if rel.is_external:
                found.append(rel.target_ref)
    return found


def zip_blob(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return b"\n".join(z.read(n) for n in z.namelist())


# ---- measured subprocess runs (exact per-child peak memory, process group killed on timeout) ----


def run_measured(
    args: Sequence[str], cwd: Path, timeout: float = 60, env: dict[str, str] | None = None
) -> Proc | None:
    """Like run_briefgen, but the child's own peak RSS comes from os.wait4; None if it timed out.

    Safe to call from several threads at once (each child is waited for by its own pid).
    """
    import tempfile
    import time

    full_env = {**os.environ, "CI": "1", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(
            [PYTHON, "-m", "briefgen", *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            env=full_env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(p.pid, 9)  # the group this call started: the build and its workers
                os.wait4(p.pid, 0)
                p.returncode = -9
                return None
            time.sleep(0.05)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Proc(
            p.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            usage.ru_maxrss,
        )


def build_each(
    root: Path, names: Sequence[str], threads: int
) -> dict[str, tuple[Path, Proc | None]]:
    """Build `root/briefs/<name>` into `root/out-<name>` for each name, `threads` at a time, each
    in its own measured process: name → (output folder, the run or None if it timed out)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(name: str) -> tuple[str, tuple[Path, Proc | None]]:
        out = root / f"out-{name}"
        return name, (
            out,
            run_measured(["build", f"briefs/{name}", "-o", str(out), "-j", "1"], root, 60),
        )

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(pool.map(one, names))
