"""The farm benchmark's launcher counts a tool's whole process tree, orphans included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.farm import launcher

HEAP_MB = 64
# The tool's main process forks a child that forks a grandchild and exits at once: nobody
# waits for either (as nobody waits for watcher's forkserver and its workers), and the
# grandchild holds HEAP_MB of heap while it burns 1 s of CPU.
TOOL = f"""
import os, time
if os.fork() == 0:
    if os.fork() == 0:
        heap = bytearray({HEAP_MB} * 2**20)
        for page in range(0, len(heap), 4096):
            heap[page] = 1
        start = time.process_time()
        while time.process_time() - start < 1.0:
            pass
        os._exit(0)
    os._exit(0)
"""


def test_launcher_counts_cpu_and_memory_of_an_orphaned_grandchild(tmp_path: Path) -> None:
    report = tmp_path / "usage.json"
    command = [*launcher.command(report, None), sys.executable, "-c", TOOL]
    subprocess.run(command, check=True, timeout=60)
    usage = json.loads(report.read_text())
    assert (usage["code"], usage["leftovers"]) == (0, 0)
    assert usage["method"].startswith("launcher as child subreaper")
    # The main process's own figures cannot see the grandchild; the tree's must.
    assert usage["cpu"] < 1.0 <= usage["tree_cpu"] - usage["cpu"]
    assert usage["rss_kb"] < HEAP_MB * 1024 <= usage["tree_kb"]
