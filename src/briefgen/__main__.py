"""`python -m briefgen` runs the command line."""

if __name__ == "__main__":  # not when a spawned worker (macOS) imports the main module
    try:
        from briefgen.cli import run
    except KeyboardInterrupt:  # Ctrl-C while the command line loads: no traceback
        import sys

        print("briefgen: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    run()
