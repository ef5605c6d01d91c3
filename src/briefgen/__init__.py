"""briefgen: structured briefs about current events → handout, one-page brief and deck."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("briefgen")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
