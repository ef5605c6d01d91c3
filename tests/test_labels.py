"""Label snippets: those made only of text and {{ name }} are filled without Jinja, and must
print exactly what Jinja's sandbox prints; anything else still goes through the sandbox."""

from __future__ import annotations

import pytest

from briefgen.errors import TemplateError
from briefgen.templates import Labels, Templates, _compiled, _simple


def jinja(source: str, **values: object) -> str:
    return str(_compiled(source).render(**values))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_shipped_snippet_prints_what_jinja_prints(language):
    labels = Templates(None).labels(language)
    filled = 0
    for key, source in labels.table.items():
        names = _simple(source)
        assert names is not None, f"{key}: the shipped labels are all simple"
        values = {name: f"<{name} & {{{{x}}}}>" for name in names}  # content stays literal
        assert labels.fill(key, **values) == jinja(source, **values), key
        filled += bool(names)
    assert filled >= 15


@pytest.mark.parametrize(
    "source",
    [
        "Page {{n}} of {{  total  }}",
        "trailing newline {{ n }}\n",
        "two\n\nnewlines\n\n",
        "50% sure, {curly} but not Jinja",
        "{{ n }}{{ n }}",
    ],
)
def test_simple_snippets_match_jinja(source):
    assert _simple(source) is not None
    assert Labels({"k": source}, "w").fill("k", n=3, total=None) == jinja(source, n=3, total=None)


@pytest.mark.parametrize(
    "source",
    [
        "{{ n | upper }}",
        "{% if n %}x{% endif %}",
        "{# note #}{{ n }}",
        "{{ n.real }}",
        "{{ true }} {{ none }} {{ True }} {{ n }}",  # Jinja's literals are not names
        "{{ range }}",  # nor are the sandbox's globals
        "line\r\nend {{ n }}\r",  # Jinja normalises line ends
    ],
)
def test_anything_else_goes_through_the_sandbox(source):
    assert _simple(source) is None
    assert Labels({"k": source}, "w").fill("k", n=3) == jinja(source, n=3)


def test_a_missing_value_is_the_same_error_either_way():
    for source in ("Hello {{ who }}", "Hello {{ who | upper }}"):
        with pytest.raises(TemplateError) as e:
            Labels({"k": source}, "labels/en.yaml").fill("k")
        assert str(e.value) == "labels/en.yaml: label 'k': UndefinedError: 'who' is undefined"
