"""briefgen: structured briefs about current events → handout, one-page brief and deck."""

from typing import NoReturn

# Static, so that `briefgen --version` and the up-to-date check need no package metadata lookup.
__version__ = "0.1.0"


def run() -> NoReturn:
    """The `briefgen` command (and `python -m briefgen`): the command line, loaded here so that a
    Ctrl-C while it loads ends quietly too, as one at any later moment does."""
    try:
        from briefgen.cli import run as command
    except KeyboardInterrupt:
        import sys

        print("briefgen: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    command()
