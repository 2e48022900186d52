"""The `watcher` command for end-to-end tests (runs and daemons), and a site that timestamps
every request."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.support.site import Site


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def run_watcher(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m watcher ARGS` to completion, output captured, extra environment added."""
    return subprocess.run(
        [sys.executable, "-m", "watcher", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
        cwd=cwd,
    )


def start_daemon(config: Path, *extra: str) -> subprocess.Popen[str]:
    """`python -m watcher run --config F` as a child process, logs as JSON on stderr."""
    return subprocess.Popen(
        [sys.executable, "-m", "watcher", "run", "--config", str(config), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def start_logged_daemon(config: Path, log: Path, *extra: str) -> subprocess.Popen[str]:
    """`watcher run` with stderr appended to the file `log`.

    A long-running daemon must not log into a pipe nobody reads: once the pipe's 64 KiB
    buffer is full, its next log line blocks the whole process.
    """
    with log.open("a") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "watcher", "run", "--config", str(config), *extra],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            text=True,
            env=os.environ.copy(),
        )


class TimedSite(Site):
    """A Site that also records when (monotonic seconds) each path was requested."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[str, float]] = []
        self._times_lock = threading.Lock()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        with self._times_lock:
            self.times.append((handler.path, time.monotonic()))
        super()._serve(handler)

    def hit_times(self, path: str) -> list[float]:
        with self._times_lock:
            return sorted(at for requested, at in self.times if requested == path)
