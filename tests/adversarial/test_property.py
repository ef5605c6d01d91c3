"""Property: arbitrary text (hypothesis `st.text()`) in every text field of a valid brief never
escapes load, check or build as an exception: it builds, or it fails with findings or a typed
briefgen error."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from briefgen.build import Options, build
from briefgen.errors import BriefgenError
from briefgen.load import check
from tests.adversarial._util import FIELDS, full_brief, to_yaml, write_brief

CODES = list(FIELDS)
# Non-blank, so that most examples pass `check` and reach the renderers (a blank field is a
# plain "must not be empty" finding, already covered by the checks' own tests).
texts = st.fixed_dictionaries(
    {code: st.text(min_size=1, max_size=30).filter(lambda s: s.strip()) for code in CODES}
)


def _brief(values: dict[str, str]) -> dict:
    data = full_brief(lambda code: values[code])
    # commitments[1].party names actors[1]; keep that link whatever the text is
    data["commitments"][1]["party"] = data["actors"][1]["name"]
    return data


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: the suite stays deterministic
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: one build per example keeps it bounded
)
@given(values=texts, raw=st.booleans())
def test_arbitrary_text_never_escapes_as_an_exception(values, raw):
    root = Path(tempfile.mkdtemp(prefix="briefgen-prop-"))
    try:
        brief = write_brief(root / "briefs" / "p", to_yaml(_brief(values), raw=raw))
        loaded = check(brief, "p")  # must not raise
        if not loaded.ok:
            assert loaded.findings, "a brief that is not ok must say why"
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # matplotlib's missing-glyph notices
            try:
                result = build([(brief, "p")], Options(root / "out", jobs=1))
            except BriefgenError:
                return
        if not result.ok:
            assert [f for f in result.findings if f.severity == "error"], "failed without a finding"
        else:
            assert len(result.written) == 3
    finally:
        shutil.rmtree(root, ignore_errors=True)
