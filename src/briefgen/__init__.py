"""briefgen: structured briefs about current events → handout, one-page brief and deck."""

# Static, so that `briefgen --version` and the up-to-date check need no package metadata lookup.
__version__ = "0.1.0"
