"""`python -m briefgen` runs the command line."""

from briefgen.cli import run

if __name__ == "__main__":  # not when a spawned worker (macOS) imports the main module
    run()
