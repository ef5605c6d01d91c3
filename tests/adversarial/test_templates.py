"""Template syntax in content is shown literally, never evaluated; a user templates folder that
tries to escape Jinja's sandbox fails with a clean error and never runs anything."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from briefgen.build import Options, build
from briefgen.errors import TemplateError
from tests.adversarial._util import full_brief, jpeg_bytes, write_brief
from tests.adversarial.conftest import PayloadBuild, build_payload, not_shown_literally

SHIPPED = Path(__file__).resolve().parents[2] / "templates"

CONTENT = {
    "arithmetic": "{{ 7*7 }}",
    "for-loop": "{% for i in range(3) %}L{% endfor %}",
    "dunder": "{{ ''.__class__.__mro__ }}",
    "comment": "{# hidden #}",
    "label-variables": "{{ n }} of {{ total }} {{ value }} {{ title }}",
    "raw-block": "{% raw %}R{% endraw %}{{ '%s'|format(7*7) }}",
    # one `*` only: a pair of them is `*emphasis*`, which the format allows
    "other-engines": "${7*7} #{7+7} <%= 7-7 %> %{7/7}",
}


@pytest.fixture(scope="module")
def content_builds(adv_root: Path) -> dict[str, PayloadBuild]:
    root = adv_root / "template-content"
    return {name: build_payload(root, name, p) for name, p in CONTENT.items()}


@pytest.mark.parametrize("case", list(CONTENT))
def test_template_syntax_in_content_is_literal(case, content_builds, reference):
    pb = content_builds[case]
    assert pb.ok, f"the brief did not build: {pb.error}"
    missing = not_shown_literally(pb, reference)
    assert not missing, f"payload {pb.payload!r} not shown literally in: {missing}"
    for output, text in pb.texts.items():
        assert "49" not in text, f"7*7 was evaluated in the {output}"
        assert "<class" not in text and "object'" not in text, output


# ---- a user templates folder (Options(templates=...)) with hostile labels ----

MARKER = "PWNED-BY-TEMPLATE"


def hostile(marker: Path, secret: Path) -> dict[str, str]:
    touch = f"touch {marker}"
    return {
        "mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "cycler-globals-os": "{{ cycler.__init__.__globals__.os.popen('" + touch + "').read() }}",
        "lipsum-globals": "{{ lipsum.__globals__['os'].system('" + touch + "') }}",
        "format-string": "{{ '{0.__class__.__mro__}'.format(value) }}",
        "attr-filter": "{{ value|attr('__class__')|attr('__mro__') }}",
        "range-dos": "{% for i in range(10**9) %}x{% endfor %}",
        "include-local-file": "{% include '" + str(secret / "secret.txt") + "' %}",
        "import": "{% import 'os' as os %}{{ os }}",
        "syntax-error": "{{ value ",
        "undefined-name": "{{ nope }}",
    }


HOSTILE = list(hostile(Path("/m"), Path("/s")))


def _labels_folder(root: Path, approx: str | None, raw: str | None = None) -> Path:
    """A templates folder whose labels/en.yaml is the shipped one with `approx` replaced."""
    user = root / "templates"
    (user / "labels").mkdir(parents=True, exist_ok=True)
    if raw is not None:
        (user / "labels" / "en.yaml").write_text(raw, encoding="utf-8")
        return user
    lines = (SHIPPED / "labels" / "en.yaml").read_text(encoding="utf-8").splitlines()
    quoted = '"' + str(approx).replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = [f"approx: {quoted}" if ln.startswith("approx:") else ln for ln in lines]
    (user / "labels" / "en.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return user


def _build_with(root: Path, user: Path) -> tuple[object, Path]:
    """Build a valid brief (its key figure is approximate, so the `approx` label is used)."""
    brief = write_brief(root / "briefs" / "t", full_brief())
    out = root / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result: object = build([(brief, "t")], Options(out, jobs=1, templates=(user,)))
        except TemplateError as e:
            result = e
    return result, out


def _assert_clean_failure(result: object, out: Path, marker: Path) -> None:
    assert not marker.exists(), "a template ran a shell command"
    if isinstance(result, TemplateError):
        assert str(result).strip()
    else:
        assert not result.ok, "a hostile template built without an error"  # type: ignore[attr-defined]
        errors = [f.format() for f in result.findings if f.severity == "error"]  # type: ignore[attr-defined]
        assert errors and any("approx" in e or "label" in e or "templates" in e for e in errors), (
            errors
        )
    assert not list(out.glob("t/*")), "artifacts were written from a hostile template"


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_label_fails_cleanly(case, tmp_path, secret_dir):
    marker = tmp_path / MARKER
    snippet = hostile(marker, secret_dir)[case]
    user = _labels_folder(tmp_path, snippet)
    result, out = _build_with(tmp_path, user)
    _assert_clean_failure(result, out, marker)
    for path in out.rglob("*"):
        if path.is_file():
            assert b"ADVERSARIAL-SECRET" not in path.read_bytes()


def test_python_tag_in_labels_file_fails_cleanly(tmp_path):
    marker = tmp_path / MARKER
    text = (SHIPPED / "labels" / "en.yaml").read_text(encoding="utf-8")
    text = text.replace(
        'approx: "about {{ value }}"', f'approx: !!python/object/apply:os.system ["touch {marker}"]'
    )
    assert "python/object" in text
    user = _labels_folder(tmp_path, None, raw=text)
    result, out = _build_with(tmp_path, user)
    _assert_clean_failure(result, out, marker)


def test_labels_file_that_is_not_a_mapping_fails_cleanly(tmp_path):
    user = _labels_folder(tmp_path, None, raw="- approx\n- page\n")
    result, out = _build_with(tmp_path, user)
    assert isinstance(result, TemplateError) or not result.ok  # type: ignore[attr-defined]
    assert not list(out.glob("t/*"))


def test_deck_master_that_is_not_a_pptx_fails_cleanly(tmp_path):
    user = tmp_path / "templates"
    (user / "deck").mkdir(parents=True)
    (user / "deck" / "output.yaml").write_text("master: master.pptx\n", encoding="utf-8")
    (user / "deck" / "master.pptx").write_bytes(jpeg_bytes(b"not a deck"))
    result, out = _build_with(tmp_path, user)
    assert isinstance(result, TemplateError) or not result.ok  # type: ignore[attr-defined]
    assert not (out / "t" / "t-deck.pptx").exists()


def test_theme_with_a_bad_colour_fails_cleanly(tmp_path):
    user = tmp_path / "templates"
    user.mkdir()
    theme = (SHIPPED / "theme.yaml").read_text(encoding="utf-8")
    (user / "theme.yaml").write_text(theme.replace('ink: "#1A1A1A"', 'ink: "javascript:x"'))
    result, out = _build_with(tmp_path, user)
    assert isinstance(result, TemplateError) or not result.ok  # type: ignore[attr-defined]
    assert not list(out.glob("t/*"))
