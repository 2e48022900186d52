"""`python -m watcher`."""

from __future__ import annotations

from watcher.cli import entry_point

entry_point()
