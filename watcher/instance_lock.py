"""One daemon per SQLite database: an exclusive lock on a file next to it.

SQLite serves one writing process well; several daemons on one file would race for its
write lock and check every source twice. PostgreSQL needs no such lock: leases split the work.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from watcher.errors import WatcherError


class AlreadyRunning(WatcherError):
    """Another `watcher run` already uses this SQLite database."""


class InstanceLock:
    """Held for the daemon's lifetime; the kernel drops it when the process dies."""

    def __init__(self, database_file: Path) -> None:
        self.path = database_file.with_name(database_file.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> InstanceLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 100).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another `watcher run` (pid {holder}) is using the SQLite database "
                f"{self.path.with_suffix('')}; SQLite supports one daemon at a time. "
                "To run several, use PostgreSQL ([watcher] database or $WATCHER_DATABASE_URL)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None
