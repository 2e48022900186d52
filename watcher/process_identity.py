"""Who holds a claim: host, pid and the process's start time, so a reused pid is not mistaken
for the process that died (Linux hands out pids again after `pid_max`, often 32768, and
threads use the same numbers)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def start_ticks(pid: int) -> str | None:
    """The process's start time (clock ticks since boot) from /proc; None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # Field 22 counted from 1; the command name (field 2) may hold spaces and ")".
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def process_owner() -> str:
    """`host:pid` or, where the start time is known, `host:pid:start`."""
    pid = os.getpid()
    started = start_ticks(pid)
    base = f"{socket.gethostname()}:{pid}"
    return f"{base}:{started}" if started else base


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def owner_gone(owner: str, host: str) -> bool:
    """True if `owner` was a process on `host` that no longer runs (its pid may be reused)."""
    owner_host, pid, started = _parse(owner)
    if owner_host != host or pid is None:
        return False  # another host: only its lease expiry frees its claims
    if not pid_alive(pid):
        return True
    # The pid runs, but a different start time means another process got the number.
    return started is not None and start_ticks(pid) not in (None, started)


def owner_host(owner: str) -> str:
    """The host part of an owner string."""
    return _parse(owner)[0]


def _parse(owner: str) -> tuple[str, int | None, str | None]:
    parts = owner.split(":")
    # Host names have no ":"; an older `host:pid` owner has no start time.
    if len(parts) >= 3 and parts[-1].isdigit() and parts[-2].isdigit():
        return ":".join(parts[:-2]), int(parts[-2]), parts[-1]
    if len(parts) >= 2 and parts[-1].isdigit():
        return ":".join(parts[:-1]), int(parts[-1]), None
    return owner, None, None
