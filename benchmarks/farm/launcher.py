"""The lean process between the benchmark and a tool: runs one cycle, measures its whole tree.

    [*command(REPORT_JSON, CGROUP_DIR_OR_NONE), *TOOL_COMMAND]

Why a separate process:
peak RSS from wait4() is wrong for a child forked straight from the benchmark, because Linux
keeps the high-water mark of the address space the child had before exec(), a copy of the
benchmark's, which grows to hundreds of MB while reading urlwatch's diff output. This launcher
stays at about 10 MB.

Why more than wait4(): a tool's helpers (watcher's forkserver and extraction workers) are
grandchildren that nobody waits for, so their CPU and memory never reach the tool's rusage.
The launcher makes itself the tree's child subreaper: orphans become its children, it waits
for every one of them, and their CPU lands in its RUSAGE_CHILDREN. Memory is the peak of the
tree's summed PSS, sampled. With a cgroup (--cgroup) the kernel counts both exactly instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.farm import cgroup, proctree

INTERVAL = 0.02  # seconds between memory samples of the tree
PSS_REFRESH = 0.5  # seconds between exact PSS reads of one process (see proctree.TreeMemory)
LINGER = 10.0  # seconds the tree may run on after the tool's main process exits
_PR_SET_CHILD_SUBREAPER = 36
REPO = Path(__file__).resolve().parents[2]
# Isolated mode (-I -S: no site, no environment variables) with only the repository on the path.
_BOOT = "import sys; sys.path.insert(0, sys.argv.pop(1)); from benchmarks.farm import launcher; "
_BOOT += "launcher.main(sys.argv[1:])"


class Sampler(threading.Thread):
    """Sums the memory of the launcher's descendants every INTERVAL seconds; keeps the peak.

    Their CPU is the launcher's RUSAGE_CHILDREN once every one of them has been reaped.
    """

    preexec = None

    def __init__(self, root: int) -> None:
        super().__init__(name="tree-sampler", daemon=True)
        pss = proctree.read_pss_kb if proctree.read_pss_kb(root) is not None else None
        self._memory = proctree.TreeMemory(proctree.read_rss_kb, pss, PSS_REFRESH)
        self._tree = proctree.Tree(root, proctree.read_ppid)
        self._done = threading.Event()
        self.peak_kb = 0
        self.samples = 0

    @property
    def method(self) -> str:
        refresh = f" (exact every {PSS_REFRESH} s, RSS-tracked between)"
        return (
            "launcher as child subreaper, CPU from the rusage of every reaped descendant; "
            f"memory: {self._memory.kind} summed over the tree every {INTERVAL * 1000:.0f} ms"
            + (refresh if self._memory.kind == "PSS" else "")
        )

    def run(self) -> None:
        while True:
            self.sample()
            if self._done.wait(INTERVAL):
                return

    def sample(self) -> None:
        """One look at the tree."""
        members = self._tree.update(proctree.listed_pids()) - {self._tree.root}
        total = self._memory.total(members, time.monotonic())
        self.peak_kb = max(self.peak_kb, total)
        self.samples += 1

    def totals(self) -> tuple[float, int]:
        """(CPU seconds, peak memory kB) of the tree, once it has been reaped."""
        self._done.set()
        self.join()
        tree = resource.getrusage(resource.RUSAGE_CHILDREN)
        return tree.ru_utime + tree.ru_stime, self.peak_kb


class InCgroup:
    """The kernel's count of everything that ran in the tool's cgroup."""

    method = cgroup.METHOD

    def __init__(self, group: Path) -> None:
        self._group = group

    def start(self) -> None:
        """Nothing to do: the tool moves itself in (preexec) before exec."""

    def preexec(self) -> None:
        cgroup.join(self._group)

    def totals(self) -> tuple[float, int]:
        """(CPU seconds, peak memory kB) of the cgroup."""
        cpu, peak_bytes = cgroup.totals(self._group)
        return cpu, peak_bytes // 1024


def become_subreaper() -> None:
    """Make orphaned descendants our children (not init's), so we wait for them and count them."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def reap_all(root: int, linger: float) -> int:
    """Wait for every descendant; kill what still runs after `linger` s. Returns how many."""
    deadline = time.monotonic() + linger
    killed = 0
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return killed
        if pid:
            continue
        if not killed and time.monotonic() > deadline:
            killed = kill_tree(root)
        time.sleep(0.01)


def kill_tree(root: int) -> int:
    """SIGKILL every descendant of `root`; returns how many there were."""
    parents = {}
    for pid in proctree.listed_pids():
        ppid = proctree.read_ppid(pid)
        if ppid is not None:
            parents[pid] = ppid
    doomed = proctree.grow({root}, parents) - {root}
    for pid in doomed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(doomed)


def run(command: list[str], group: Path | None) -> dict[str, object]:
    """Run `command` and its whole tree to the end; the measurements as a JSON-ready dict."""
    root = os.getpid()
    become_subreaper()
    meter = Sampler(root) if group is None else InCgroup(group)
    meter.start()
    # In a cgroup the tool moves itself in before exec, so the launcher is not counted.
    tool = subprocess.Popen(command, preexec_fn=meter.preexec)
    _pid, status, usage = os.wait4(tool.pid, 0)
    leftovers = reap_all(root, LINGER)
    tree_cpu, tree_kb = meter.totals()
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "code": os.waitstatus_to_exitcode(status),
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_kb": usage.ru_maxrss,
        "tree_cpu": tree_cpu,
        "tree_kb": tree_kb,
        "method": meter.method,
        "leftovers": leftovers,
        "launcher_cpu": own.ru_utime + own.ru_stime,
    }


def command(report: Path, group: Path | None) -> list[str]:
    """The launcher's command line, to be followed by the tool's; it writes `report` (JSON)."""
    argv = [sys.executable, "-I", "-S", "-c", _BOOT, str(REPO), str(report)]
    return [*argv, "--cgroup", str(group), "--"] if group else [*argv, "--"]


def main(argv: list[str]) -> None:
    """argv: REPORT_JSON [--cgroup DIR] -- COMMAND..."""
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1 :]
    report = Path(options[0])
    group = Path(options[2]) if options[1:2] == ["--cgroup"] else None
    report.write_text(json.dumps(run(command, group)))
