"""Labels and slots are filled by Jinja's sandbox: brief values stay literal, a missing value or a
runaway template is a clean TemplateError, never a hang or a traceback."""

from __future__ import annotations

import re

import pytest

from briefgen.errors import TemplateError
from briefgen.slots import Words, env_for
from briefgen.template_set import TemplateSet


def words(table: dict[str, str]) -> Words:
    return Words(table, env_for(TemplateSet()), "labels/en.yaml")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_shipped_snippet_fills_with_literal_values(language):
    table = TemplateSet().labels(language)
    w = words(table)
    filled = 0
    for key, source in table.items():
        names = sorted(set(re.findall(r"\{\{\s*(\w+)\s*\}\}", source)))
        values = {name: f"<{name} & {{{{x}}}}>" for name in names}  # content stays literal
        out = w.fill(key, **values)
        for value in values.values():
            assert value in out, key
        filled += bool(names)
    assert filled >= 15


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Page {{n}} of {{  total  }}", "Page 3 of 7"),
        ("trailing newline {{ n }}\n", "trailing newline 3"),
        ("{{ n | string | upper }}", "3"),
        ("{% if n > 2 %}many{% endif %}", "many"),
        ("{{ labels.k2 }}", "other label"),
    ],
)
def test_snippets_are_jinja(source, expected):
    assert words({"k": source, "k2": "other label"}).fill("k", n=3, total=7) == expected


def test_a_missing_value_is_a_located_template_error():
    with pytest.raises(TemplateError) as e:
        words({"k": "Hello {{ who }}"}).fill("k")
    assert str(e.value) == "labels/en.yaml: label 'k': UndefinedError: 'who' is undefined"


def test_a_missing_label_is_named():
    with pytest.raises(TemplateError) as e:
        words({})["nope"]
    assert str(e.value) == "labels/en.yaml: no label 'nope'"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
            "took more than 2 s to fill",
        ),
        ("{% for i in range(99999) %}{{ 'x' * 50 }}{% endfor %}", "printed more than 200,000"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself without end"),
        ("{{ ''.__class__.__mro__ }}", "SecurityError: access to attribute '__class__'"),
        ("{{ labels.update({}) }}", "has no attribute 'update'"),  # read-only
    ],
)
def test_runaway_or_unsafe_snippets_end_in_a_template_error(source, message):
    with pytest.raises(TemplateError) as e:
        words({"k": source}).fill("k")
    assert message in str(e.value)
