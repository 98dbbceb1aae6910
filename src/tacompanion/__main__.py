"""`python -m tacompanion` runs the command line."""

from tacompanion.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
