"""`briefgen check` imports only what checking needs: country names come from a table made
from pycountry and Babel (CLDR), not from those libraries at each run."""

from __future__ import annotations

import subprocess
import sys

from briefgen.countries import name_table
from briefgen.country_table import NAMES
from tests.conftest import MALI

PROBE = """
import sys
from briefgen.cli import main
code = main(["check", sys.argv[1]])
heavy = ("babel", "pycountry", "reportlab", "pptx", "jinja2", "matplotlib")
print(sorted({m.split(".")[0] for m in sys.modules} & set(heavy)), code)
"""


def test_check_imports_no_country_or_rendering_library():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(MALI)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[-2] == "[] 0", done.stdout + done.stderr


def test_country_table_is_current():
    """After updating pycountry or Babel: python -m briefgen.countries."""
    assert name_table() == NAMES
