"""`python -m watcher`."""

from __future__ import annotations

from watcher.cli import entry_point

# Guarded: extraction worker processes (watcher/parsing.py) import the main module again.
if __name__ == "__main__":
    entry_point()
