"""Fixtures of the adversarial suite: payload builds shared by every assertion about them."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from briefgen.build import Options, build
from tests.adversarial._util import (
    FIELDS,
    full_brief,
    jpeg_bytes,
    pdf_body_text,
    pptx_texts,
    squash,
    write_brief,
)

SECRET_TOKEN = b"ADVERSARIAL-SECRET-7f3c9e"


@dataclass
class PayloadBuild:
    """One brief whose every text field is `CODE + payload`, built into all three outputs."""

    name: str
    payload: str
    folder: Path
    out: Path
    ok: bool = False
    error: str = ""  # an exception that escaped build(), or the error findings
    findings: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # output → squashed text

    def artifact(self, output: str) -> Path:
        suffix = {"handout": "handout.pdf", "one-pager": "brief.pdf", "deck": "deck.pptx"}[output]
        return self.out / self.name / f"{self.name}-{suffix}"


def build_payload(root: Path, name: str, payload: str) -> PayloadBuild:
    folder = root / "briefs" / name
    write_brief(folder, full_brief(lambda code: code + payload))
    pb = PayloadBuild(name, payload, folder, root / "out")
    try:
        with warnings.catch_warnings():
            # Python warnings (matplotlib's missing-glyph notices) are not what is tested here.
            warnings.simplefilter("ignore")
            result = build([(folder / "brief.yaml", name)], Options(pb.out, jobs=1))
    except Exception as e:
        pb.error = f"{type(e).__name__}: {e}"
        return pb
    pb.findings = [f.format() for f in result.findings]
    pb.ok = result.ok
    if not result.ok:
        pb.error = "\n".join(pb.findings)
        return pb
    pb.texts = {
        "handout": squash(pdf_body_text(pb.artifact("handout"))),
        "one-pager": squash(pdf_body_text(pb.artifact("one-pager"))),
        "deck": squash(pptx_texts(pb.artifact("deck"))),
    }
    return pb


@pytest.fixture(scope="session")
def adv_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("adversarial")


@pytest.fixture(scope="session")
def secret_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files no brief may ever read: a JPEG (ReportLab would embed its bytes verbatim) and text."""
    d = tmp_path_factory.mktemp("secret")
    (d / "secret.jpg").write_bytes(jpeg_bytes(SECRET_TOKEN))
    (d / "secret.txt").write_bytes(SECRET_TOKEN + b"\n")
    from tests.adversarial._util import png_bytes

    (d / "outside.png").write_bytes(png_bytes(20, 20, (1, 2, 3)))
    return d


@pytest.fixture(scope="session")
def reference(adv_root: Path) -> PayloadBuild:
    """The same brief with plain text: where each field is expected to show in each output."""
    pb = build_payload(adv_root / "reference", "reference", " plain words")
    assert pb.ok, pb.error
    return pb


def expected_places(reference: PayloadBuild) -> dict[str, list[str]]:
    """field code → outputs whose text shows that field (learned from the plain build)."""
    places: dict[str, list[str]] = {}
    for code in FIELDS:
        needle = squash(code + reference.payload)
        places[code] = [o for o, text in reference.texts.items() if needle in text]
    return places


def not_shown_literally(pb: PayloadBuild, reference: PayloadBuild) -> list[str]:
    """'field in output' wherever the plain build shows a field and this one does not show
    `CODE + payload` exactly as typed."""
    return [
        f"{FIELDS[code]} in {output}"
        for code, outputs in expected_places(reference).items()
        for output in outputs
        if squash(code + pb.payload) not in pb.texts[output]
    ]
