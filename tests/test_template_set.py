"""The template set: found by every kind of install, merged key by key over the shipped one,
checked like a brief (every problem once, located, before anything is rendered), and driving
the plan and the renderers without any branch on an output's or a section's name."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.template_set import TemplateSet, shipped_root
from tests.conftest import MALI, ROOT


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder as a user has it: briefs/mali-2013 and an empty templates/ to write into."""
    shutil.copytree(MALI, tmp_path / "briefs" / "mali-2013")
    (tmp_path / "templates").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_editable_install_reads_the_repository_templates():
    assert shipped_root() == ROOT / "templates"
    assert {"handout", "one-pager", "deck", "worksheet"} <= set(TemplateSet().output_names())


def test_a_wheel_packs_the_templates_and_builds_from_them(tmp_path):
    """`pip install .` puts templates/ inside the package; briefgen then reads it from there."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(wheel_dir), str(ROOT)],
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )  # fmt: skip
    (wheel,) = wheel_dir.glob("briefgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("theme.yaml", "labels/fr.yaml", "handout/output.yaml", "worksheet/output.yaml"):
        assert f"briefgen/templates/{name}" in names, name
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    shutil.copytree(MALI, tmp_path / "briefs" / "mali-2013")
    code = (
        "import sys; from briefgen.template_set import shipped_root; print(shipped_root()); "
        "from briefgen.cli import main; sys.exit(main(['build', '--jobs', '1', '-o', 'out']))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == str(site / "briefgen" / "templates")
    assert (tmp_path / "out" / "mali-2013" / "mali-2013-handout.pdf").is_file()


def test_paper_letter_alone_is_a_whole_theme(project, cli):
    write(project / "templates" / "theme.yaml", "paper: Letter\n")
    assert cli("build", "--jobs", "1", "-o", "out").code == 0
    for name in ("mali-2013-handout.pdf", "mali-2013-brief.pdf"):
        box = PdfReader(project / "out" / "mali-2013" / name).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_a_one_line_labels_file_changes_that_label_only(project, cli):
    write(project / "templates" / "labels" / "en.yaml", "glossary: Words to know\n")
    assert cli("build", "--jobs", "1", "-o", "out", "--only", "handout").code == 0
    text = " ".join(
        p.extract_text() for p in PdfReader(project / "out/mali-2013/mali-2013-handout.pdf").pages
    )
    assert "Words to know" in text and "Glossary" not in text
    assert "Foreign commitments" in text and "Questions for discussion" in text


BROKEN = {
    "templates/theme.yaml": "papr: Letter\ncolours:\n  ink: blue\n",
    "templates/handout/output.yaml": (
        "sections:\n"
        "  - part: sumary\n"
        '  - part: summary\n    heading: "{{ labels.summary "\n'
        '  - part: glossary\n    heading: "{{ labels.nope }}"\n'
        "  - block: picture\n    file: stamp.png\n    alt: A stamp\n"
    ),
}
EXPECTED = [
    "templates/handout/output.yaml:2:11: sections[0].part: expected one of content_note, "
    "summary, key_figures, background, pictures, timeline, actors, commitments, displacement, "
    "quotes, perspectives, glossary, questions, sources, trend, objectives, essential_question, "
    "warm_up, key_judgments, watch (got 'sumary'); did you mean "
    "'summary'?",
    "templates/theme.yaml:1:1: papr: unknown key 'papr'; did you mean 'paper'?",
    "templates/theme.yaml:3:8: colours.ink: expected a colour as #RRGGBB (got 'blue')",
]
EXPECTED_AFTER = [  # once the shape is right, the slots and files are checked
    "templates/handout/output.yaml:3:14: sections[0].heading: Jinja syntax error: unexpected "
    "end of template, expected 'end of print statement'. (line 1 of the slot)",
    "templates/handout/output.yaml:5:14: sections[1].heading: UndefinedError: "
    "'briefgen.template_set.ReadOnly object' has no attribute 'nope'",
    "templates/handout/output.yaml:7:11: sections[2].file: no such file 'stamp.png' in the "
    "templates folders",
]


def _lines(run) -> list[str]:
    return [ln for ln in (run.out + run.err).splitlines() if ln.startswith("templates/")]


def test_a_broken_template_set_is_every_problem_once_located_before_anything(project, cli):
    for name, text in BROKEN.items():
        write(project / name, text)
    checked = cli("check")
    assert checked.code == 1
    assert _lines(checked) == EXPECTED
    built = cli("build", "--jobs", "2", "-o", "out")
    assert built.code == 1
    assert _lines(built) == EXPECTED
    assert not (project / "out" / "mali-2013").exists(), "nothing is rendered"
    # the shape fixed: the slots and the files each named once, check and build alike
    write(project / "templates" / "theme.yaml", "paper: Letter\n")
    text = BROKEN["templates/handout/output.yaml"].replace("  - part: sumary\n", "")
    write(project / "templates" / "handout" / "output.yaml", text)
    for run in (cli("check"), cli("build", "--jobs", "1", "-o", "out")):
        assert run.code == 1
        assert _lines(run) == EXPECTED_AFTER
    assert not (project / "out" / "mali-2013").exists()


def test_a_hidden_file_named_by_a_template_is_a_located_error(project, cli):
    """Hidden files and `__` folders are no part of a template set (nor of what decides a
    rebuild): a template naming one is told so, where it names it, before anything renders."""
    write(project / "templates" / ".art" / "logo.png", "not read")
    write(project / "templates" / "theme.yaml", "logo: .art/logo.png\n")
    for run in (cli("check"), cli("build", "--jobs", "1", "-o", "out")):
        assert run.code == 1
        assert _lines(run) == [
            "templates/theme.yaml:1:7: logo: '.art/logo.png' is hidden (a name starting with "
            "'.'): move it"
        ]
    assert not (project / "out" / "mali-2013").exists()


def test_a_brief_asking_for_an_unknown_output_is_a_located_error(project, cli):
    brief = project / "briefs" / "mali-2013" / "brief.yaml"
    text = re.sub(r"(?m)^outputs:.*$", "outputs: [handout, worksheat]", brief.read_text("utf-8"))
    brief.write_text(text, "utf-8")
    run = cli("check")
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("outputs:"))
    assert run.code == 1
    assert (
        f"briefs/mali-2013/brief.yaml:{line}:20: outputs[1]: no output called 'worksheat'; "
        "did you mean 'worksheet'?"
    ) in run.out


def test_templates_lists_outputs_and_origins_and_copies(project, cli):
    write(project / "templates" / "theme.yaml", "paper: Letter\n")
    listed = cli("templates")
    assert listed.code == 0
    assert re.search(r"^worksheet\s+pdf\s+on request\s+Student worksheet", listed.out, re.M)
    assert re.search(r"^deck\s+pptx\s+default", listed.out, re.M)
    assert re.search(r"^theme\.yaml\s+templates$", listed.out, re.M)
    assert re.search(r"^labels/en\.yaml\s+shipped$", listed.out, re.M)
    copied = cli("templates", "copy", "worksheet")
    assert copied.code == 0
    assert (project / "templates" / "worksheet" / "output.yaml").read_bytes() == (
        ROOT / "templates" / "worksheet" / "output.yaml"
    ).read_bytes()
    again = cli("templates", "copy", "theme")
    assert "kept templates/theme.yaml (already there; --force replaces it)" in again.out
    assert (project / "templates" / "theme.yaml").read_text() == "paper: Letter\n"
    assert cli("templates", "copy", "nothing-like-this").code == 2


def test_no_branch_on_an_output_or_section_name_in_the_planner_or_renderers():
    names = set(TemplateSet().output_names()) | {
        "content_note", "summary", "key_figures", "background", "pictures", "timeline",
        "actors", "commitments", "displacement", "quotes", "perspectives", "glossary",
        "questions", "sources", "trend", "map", "situation", "one_pager",
    }  # fmt: skip
    files = [ROOT / "src/briefgen/plan.py", *sorted((ROOT / "src/briefgen/render").glob("*.py"))]
    for path in files:
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if not re.search(r"\b(if|elif|while)\b|==|!=|\bin\s*\(", code) or ".kind" in code:
                continue  # (a chart's kind, "timeline" among them, is not a section)
            for name in names:
                assert f'"{name}"' not in code and f"'{name}'" not in code, (
                    f"{path.name}:{n} branches on {name!r}: {line.strip()}"
                )


def test_every_slot_is_filled_by_jinja(project):
    """A build imports Jinja, and a slot can use what only Jinja can do."""
    write(
        project / "templates" / "handout" / "output.yaml",
        'kicker: "{{ labels.handout | upper }} {% if brief.authors %}· {{ brief.authors }}'
        '{% endif %}"\n',
    )
    code = (
        "import sys; from briefgen.cli import main; "
        "c = main(['build', '--jobs', '1', '-o', 'out', '--only', 'handout']); "
        "print('jinja2' in sys.modules); sys.exit(c)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "True"
    text = PdfReader(project / "out/mali-2013/mali-2013-handout.pdf").pages[0].extract_text()
    assert "CLASSROOM HANDOUT · BRIEFGEN EXAMPLE" in text.upper()
    assert not re.search(r"re\.(sub|compile)\(.*\{\{", (ROOT / "src/briefgen/slots.py").read_text())


def test_the_worksheet_of_mali(tmp_path):
    from briefgen.load import check
    from briefgen.plan import plan
    from briefgen.render import renderer

    loaded = check(MALI / "brief.yaml")
    assert loaded.brief is not None
    doc = plan(loaded.brief, MALI, "worksheet", TemplateSet())
    out = renderer(doc.spec.renderer)(doc)
    assert doc.file_name == "mali-2013-worksheet.pdf"
    assert 2 <= out.pages <= 3
    path = tmp_path / doc.file_name
    path.write_bytes(out.data)
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Name" in text and "Class" in text and "Date" in text
    for question in loaded.brief.question_items:
        assert " ".join(question.text.split()[:5]) in " ".join(text.split())
        assert not question.answer or question.answer.split()[0] + " " not in text[:0]
    assert "Suggested answer" not in text
    assert "Who is involved" not in text  # not a part of the worksheet


def test_the_deck_measures_text_with_the_metrics_of_its_own_font(tmp_path):
    """With the deck font's files in the theme, text is measured with them, not DejaVu."""
    import reportlab
    from PIL import ImageFont

    from briefgen.load import check
    from briefgen.plan import plan
    from briefgen.render import measure, renderer

    vera = Path(reportlab.__file__).parent / "fonts"
    user = tmp_path / "templates"
    (user / "fonts").mkdir(parents=True)
    shutil.copy(vera / "Vera.ttf", user / "fonts" / "Deck.ttf")
    write(user / "theme.yaml", "fonts:\n  deck: Vera\n  deck_metrics: {regular: fonts/Deck.ttf}\n")
    loaded = check(MALI / "brief.yaml")
    assert loaded.brief is not None
    try:
        doc = plan(loaded.brief, MALI, "deck", TemplateSet([user]))
        renderer("pptx")(doc)
        expected = ImageFont.truetype(str(user / "fonts" / "Deck.ttf"), 1000).getlength("Mali")
        assert measure.text_width("Mali", 10) == pytest.approx(expected / 100)
    finally:
        measure.use_metrics({})
    dejavu = ImageFont.truetype(str(ROOT / "src/briefgen/assets/fonts/DejaVuSans.ttf"), 1000)
    assert measure.text_width("Mali", 10) == pytest.approx(dejavu.getlength("Mali") / 100)
