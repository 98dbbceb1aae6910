"""tacompanion: a terminal companion for qualitative interview research.

The package root stays empty on purpose: importing it must not pull in Textual
or SQLite, so that `tacompanion --help` and `guide check` start fast.
"""

__version__ = "0.1.0"
