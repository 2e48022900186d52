"""A `watcher check` in which every source fails: how long a network outage holds a cycle.

    .venv/bin/python -m benchmarks.failing [N] [RUNS]

N pages (default 1,000) at a local port where nothing listens, so every fetch is refused and
retried with back-off; fresh SQLite database per run; prints each run's wall time and the
median. Measures the cost of failing checks (back-off waits, failure records, notices).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REFUSING = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback


def _config(folder: Path, size: int) -> Path:
    lines = [
        "[watcher]",
        f'database = "sqlite:///{folder / "watcher.db"}"',
        'user_agent = "watcher-bench (+mailto:bench@example.org)"',
        "host_delay = 0",
        "host_concurrency = 64",
        "[[topics]]",
        'name = "Mokom"',
        'terms = ["Mokom"]',
    ]
    for number in range(size):
        lines += ["[[sources]]", f'name = "s{number}"', f'url = "{REFUSING}/p{number}"']
        lines.append('kind = "page"')
    path = folder / "sources.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    walls: list[float] = []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            config = _config(Path(folder), size)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "watcher", "check", "--config", str(config)],
                capture_output=True,
                text=True,
                check=False,
            )
            walls.append(time.perf_counter() - started)
        summary = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
        print(f"run {run + 1}: exit {done.returncode} wall {walls[-1]:.2f}s  {summary}")
    print(f"N={size}: median wall {statistics.median(walls):.2f}s over {runs} runs")


if __name__ == "__main__":
    main()
