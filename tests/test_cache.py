"""The parsed-template cache (cache.py): a hit gives exactly what parsing gives, a changed file
or a damaged entry is parsed again, and a cache that cannot be used changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen import cache, template_set
from briefgen.template_set import TemplateSet
from briefgen.yamlsource import read_yaml
from tests.conftest import ROOT

THEME = (ROOT / "templates/theme.yaml").read_bytes()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path / "cache"))
    template_set._parsed.cache_clear()  # this process's own memory of parsed files
    return tmp_path / "cache"


def _parsed() -> tuple[object, object]:
    template_set._parsed.cache_clear()
    data, locs = template_set._parsed("templates/theme.yaml", THEME)
    return data, (locs.values, locs.keys)


def test_a_hit_is_what_parsing_gives(folder: Path) -> None:
    data, locs = read_yaml(THEME)
    assert _parsed() == (data, (locs.values, locs.keys))  # parsed, then kept
    assert len(list(folder.glob("yaml-*.marshal"))) == 1
    assert _parsed() == (data, (locs.values, locs.keys))  # read back


def test_a_changed_file_is_parsed_again(folder: Path) -> None:
    template_set._parsed("templates/theme.yaml", THEME)
    changed = THEME.replace(b"paper: Letter", b"paper: A4")
    assert changed != THEME
    data, _ = template_set._parsed("templates/theme.yaml", changed)
    assert data["paper"] == "A4"
    assert len(list(folder.glob("yaml-*.marshal"))) == 2


def test_a_damaged_entry_is_passed_over(folder: Path) -> None:
    expected = _parsed()
    for entry in folder.glob("yaml-*.marshal"):
        entry.write_bytes(b"\x00damaged")
    assert _parsed() == expected
    for entry in folder.glob("yaml-*.marshal"):
        entry.write_bytes(b"")  # empty
    assert _parsed() == expected


def test_an_entry_of_the_wrong_shape_is_passed_over(folder: Path) -> None:
    import marshal

    expected = _parsed()
    for entry in folder.glob("yaml-*.marshal"):
        entry.write_bytes(marshal.dumps({"paper": "A0"}))
    assert _parsed() == expected


def test_a_cache_folder_in_the_way_changes_nothing(folder: Path) -> None:
    folder.write_text("a file where the folder would be")
    assert TemplateSet().check() == []
    assert folder.read_text() == "a file where the folder would be"


def test_an_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() is None
    template_set._parsed.cache_clear()
    assert TemplateSet().check() == []
    assert not (tmp_path / "xdg").exists()


def test_the_default_folder_follows_xdg(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("BRIEFGEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg/briefgen"


def test_the_folder_keeps_at_most_max_entries(folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for n in range(6):
        cache.put(b"paper: A%d\n" % n, ({"n": n}, {}, {}))
    kept = sorted(folder.glob("yaml-*.marshal"))
    assert len(kept) == 3
    assert cache.get(b"paper: A5\n") == ({"n": 5}, {}, {})
    assert not list(folder.glob("*.tmp"))


def test_no_home_folder_means_no_cache(monkeypatch) -> None:
    monkeypatch.delenv("BRIEFGEN_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(cache.os.path, "expanduser", lambda path: path)  # as with no HOME
    assert cache.folder() is None


def _syllables_of_every_word() -> list[int]:
    import re

    import pyphen

    from briefgen import readability

    readability._hyphenator.cache_clear()
    pyphen.hdcache.clear()  # Pyphen's own memory of parsed dictionaries
    words = re.findall(r"[^\W\d_]+", (ROOT / "briefs/mali-2013/brief.yaml").read_text())
    return [readability.syllables(w, lang) for lang in ("en", "fr") for w in words]


def test_kept_hyphenation_patterns_count_the_same_syllables(folder: Path) -> None:
    parsed = _syllables_of_every_word()  # parsed by Pyphen, then kept
    assert len(list(folder.glob("pyphen-*.marshal"))) == 2  # English and French
    assert _syllables_of_every_word() == parsed  # read back
    for entry in folder.glob("pyphen-*.marshal"):
        entry.write_bytes(b"\x00damaged")
    assert _syllables_of_every_word() == parsed


def test_a_sound_template_set_is_checked_once_until_a_byte_of_it_changes(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build remembers that the template set it checked was sound: the next build, even
    into a new folder, does not check it again. A set with a problem is checked (and the
    problem reported) every time; back as it was, the set is known to be sound again."""
    import shutil

    from briefgen.build import Options, build
    from tests.conftest import FIXTURES

    checks: list[int] = []
    real = TemplateSet.check
    monkeypatch.setattr(
        TemplateSet, "check", lambda self, outputs=None: checks.append(1) or real(self, outputs)
    )
    shutil.copytree(FIXTURES / "good/minimal", tmp_path / "briefs/minimal")
    brief = tmp_path / "briefs/minimal/brief.yaml"
    user = tmp_path / "templates"
    (user / "labels").mkdir(parents=True)
    (user / "theme.yaml").write_text("paper: Letter\n")

    def built(n: int) -> object:
        opts = Options(tmp_path / f"out{n}", ("one-pager",), templates=(user,), jobs=1)
        return build([(brief, "briefs/minimal/brief.yaml")], opts)

    assert built(1).ok and built(2).ok  # type: ignore[attr-defined]
    assert len(checks) == 1
    assert len(list(folder.glob("checked-*.marshal"))) == 1

    broken = user / "labels/en.yaml"
    broken.write_text('page: "Page {{ n }} of {{ total"\n')
    for n in (3, 4):
        result = built(n)
        assert [f.format() for f in result.findings] == [  # type: ignore[attr-defined]
            f"{broken}:1:7: page: Jinja syntax error: unexpected end of template, expected "
            "'end of print statement'. (line 1 of the slot)"
        ]
    assert len(checks) == 3

    broken.unlink()
    assert built(5).ok  # type: ignore[attr-defined]
    assert len(checks) == 3  # the set of the first build: known to be sound

    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", "")  # no cache: every build checks
    assert built(6).ok and built(7).ok  # type: ignore[attr-defined]
    assert len(checks) == 5


def test_a_template_set_edited_while_it_is_checked_is_not_remembered_as_sound(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verdict is kept under the bytes the build read before the check: if a file changes
    during the check (an editor saving under `watch`), nothing is kept, and the set as it
    was is checked again next time."""
    import shutil

    from briefgen.build import Options, build
    from tests.conftest import FIXTURES

    shutil.copytree(FIXTURES / "good/minimal", tmp_path / "briefs/minimal")
    brief = tmp_path / "briefs/minimal/brief.yaml"
    user = tmp_path / "templates"
    user.mkdir()
    labels = user / "labels/fr.yaml"
    labels.parent.mkdir()
    labels.write_text('page: "Page {{ n }} sur {{ total"\n')  # broken: French is not built here
    checks: list[int] = []
    real = TemplateSet.check

    def check_while_saved(self: TemplateSet, outputs: list[str] | None = None) -> object:
        checks.append(1)
        if len(checks) == 1:  # saved, fixed, just as the check starts
            labels.write_text('page: "Page {{ n }} sur {{ total }}"\n')
        return real(self, outputs)

    monkeypatch.setattr(TemplateSet, "check", check_while_saved)

    def built(n: int) -> object:
        opts = Options(tmp_path / f"out{n}", ("one-pager",), templates=(user,), jobs=1)
        return build([(brief, "briefs/minimal/brief.yaml")], opts)

    assert built(1).ok  # type: ignore[attr-defined]
    assert list(folder.glob("checked-*.marshal")) == []
    labels.write_text('page: "Page {{ n }} sur {{ total"\n')  # the broken file, back
    result = built(2)
    assert len(checks) == 2
    assert [f.format() for f in result.findings] == [  # type: ignore[attr-defined]
        f"{labels}:1:7: page: Jinja syntax error: unexpected end of template, expected "
        "'end of print statement'. (line 1 of the slot)"
    ]
