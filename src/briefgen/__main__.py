"""`python -m briefgen` runs the command line."""

if __name__ == "__main__":  # not when a spawned worker (macOS) imports the main module
    from briefgen import run

    run()
