"""One farm cycle of each kind run inside this process, for profiling watcher check.

    .venv/bin/python -m benchmarks.farm.inprocess [N]   # wall time of cold, steady, changed
    PROFILE=1 .venv/bin/python -m benchmarks.farm.inprocess N
        # also cProfile each cycle into benchmarks/out/{cold,steady,changed}.prof
    WORKERS=n .venv/bin/python -m benchmarks.farm.inprocess N   # force n extraction workers

Timings here are single runs for finding hot spots; comparisons belong to benchmarks.farm.run.
"""

from __future__ import annotations

import cProfile
import os
import shutil
import sys
import time
from pathlib import Path

from benchmarks.farm import pages
from benchmarks.farm.peers import Watcher
from benchmarks.farm.run import OUT
from benchmarks.farm.server import Nginx


def _cycle(name: str, config: Path) -> None:
    from watcher.cli import main

    profiler = cProfile.Profile() if os.environ.get("PROFILE") else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    code = main(["check", "--config", str(config)])
    if profiler:
        profiler.disable()
        profiler.dump_stats(OUT / f"{name}.prof")
    print(f"{name:8} exit {code} wall {time.perf_counter() - started:.2f}s", flush=True)


def _force_workers() -> None:
    if not os.environ.get("WORKERS"):
        return
    import watcher.pipeline

    count = int(os.environ["WORKERS"])
    watcher.pipeline.workers_for = lambda _sources, cpus=None: count  # type: ignore[assignment]


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    _force_workers()
    root = OUT / "farm"
    pages.build(root, size)
    docs = pages.docs(size)
    pages.reset(root, docs)
    state = OUT / "state" / f"inprocess-{size}"
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    with Nginx(root, OUT / "nginx-inprocess") as server:
        Watcher().prepare(state, server.base, docs)
        config = state / "sources.toml"
        _cycle("cold", config)
        _cycle("steady", config)
        pages.change(root, docs)
        _cycle("changed", config)
    pages.reset(root, docs)


if __name__ == "__main__":
    main()
