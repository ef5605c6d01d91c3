"""`python -m briefgen` runs the command line."""

from briefgen.cli import main

if __name__ == "__main__":  # not when a spawned worker (macOS) imports the main module
    raise SystemExit(main())
