"""A tool's process tree as /proc shows it: who descends from the launcher, and their memory.

Standard library only: the benchmark launcher imports this under `python -I -S`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def parse_ppid(stat: str) -> int:
    """The parent pid from the text of /proc/<pid>/stat."""
    # The command name (field 2) is in parentheses and may itself hold spaces and ")", so
    # fields are counted from the last ")": state, then ppid.
    return int(stat[stat.rindex(")") + 1 :].split()[1])


def kb_field(text: str, name: str) -> int | None:
    """The value of a `Name:   123 kB` line of smaps_rollup or status, in kB (None if absent)."""
    prefix = name + ":"
    for line in text.splitlines():
        if line.startswith(prefix):
            return int(line[len(prefix) :].split()[0])
    return None


def parse_statm_rss_kb(statm: str, page_kb: int) -> int:
    """Resident memory in kB from the text of /proc/<pid>/statm (sizes in pages)."""
    return int(statm.split()[1]) * page_kb


def estimate_pss(pss_read: int, rss_read: int, rss_now: int) -> int:
    """PSS now, from an exact read of PSS and RSS earlier and the RSS now (all kB).

    Memory a process gains after the exact read is its own (heap), so PSS moves with RSS;
    PSS is never above RSS nor below zero.
    """
    return max(0, min(rss_now, pss_read + rss_now - rss_read))


def grow(members: set[int], parents: Mapping[int, int]) -> set[int]:
    """`members` plus every pid of `parents` whose chain of parents reaches a member."""
    grown = set(members)
    pending = dict(parents)
    # A child can be listed before its parent (pids wrap around), so go until nothing joins.
    while True:
        joining = {pid for pid, ppid in pending.items() if ppid in grown}
        if not joining:
            return grown
        grown |= joining
        for pid in joining:
            del pending[pid]


@dataclass(frozen=True, slots=True)
class ExactRead:
    """One process's PSS and RSS (kB) read together at `at` (monotonic seconds)."""

    pss_kb: int
    rss_kb: int
    at: float


class TreeMemory:
    """The summed memory of a set of processes, one figure per sample.

    PSS divides each shared page among the processes that map it, so forked workers that
    share their server's pages are not counted twice. Reading it walks a process's page
    tables (about 10 us per MB: 15 ms for urlwatch's 1.5 GB), too slow to do every 20 ms
    on a 2-core machine the tools need, so it is read every `refresh` seconds per process
    and followed in between by RSS, a counter (see estimate_pss). Without a PSS reader (Linux
    before 4.14 has no smaps_rollup) the figure is plain RSS.
    """

    def __init__(
        self,
        rss_kb: Callable[[int], int | None],
        pss_kb: Callable[[int], int | None] | None,
        refresh: float,
    ) -> None:
        self._rss_kb = rss_kb
        self._pss_kb = pss_kb
        self._refresh = refresh
        self._exact: dict[int, ExactRead] = {}

    @property
    def kind(self) -> str:
        return "RSS" if self._pss_kb is None else "PSS"

    def total(self, pids: Iterable[int], now: float) -> int:
        """The sum over `pids` in kB; forgets processes no longer among them."""
        exact: dict[int, ExactRead] = {}
        total = 0
        for pid in pids:
            rss = self._rss_kb(pid)
            if rss is None:
                continue
            last = self._fresh(pid, rss, now)
            if last is None:
                total += rss
            else:
                exact[pid] = last
                total += estimate_pss(last.pss_kb, last.rss_kb, rss)
        self._exact = exact
        return total

    def _fresh(self, pid: int, rss: int, now: float) -> ExactRead | None:
        last = self._exact.get(pid)
        if self._pss_kb is None or (last is not None and now - last.at < self._refresh):
            return last
        pss = self._pss_kb(pid)
        return last if pss is None else ExactRead(pss, rss, now)


class Tree:
    """The live descendants of `root`, kept up to date by update() from /proc listings.

    The launcher is the tree's child subreaper, so a process never leaves the tree before it
    dies: once a member, a pid stays one while it is listed, even after its parent exited
    (its recorded parent is then stale, which is why membership is kept, not recomputed).
    """

    def __init__(self, root: int, read_ppid: Callable[[int], int | None]) -> None:
        self.root = root
        self.members = {root}
        self._listed: set[int] = set()
        self._read_ppid = read_ppid

    def update(self, listed: set[int]) -> set[int]:
        """The members after a new listing of live pids (the root always stays)."""
        new = listed - self._listed
        self._listed = listed
        parents = {}
        for pid in new:
            ppid = self._read_ppid(pid)
            if ppid is not None:
                parents[pid] = ppid
        self.members = grow((self.members & listed) | {self.root}, parents)
        return self.members


def listed_pids() -> set[int]:
    """The pids of every live process (threads are not listed)."""
    return {int(name) for name in os.listdir("/proc") if name.isdigit()}


def read_ppid(pid: int) -> int | None:
    """The parent of `pid`, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return parse_ppid(stat.read())
    except (OSError, ValueError, IndexError):
        return None


def read_rss_kb(pid: int) -> int | None:
    """Resident memory of `pid` in kB (cheap: a counter), or None if it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return parse_statm_rss_kb(statm.read(), PAGE_KB)
    except (OSError, ValueError, IndexError):
        return None


def read_pss_kb(pid: int) -> int | None:
    """Proportional memory of `pid` in kB (costly: walks its page tables), or None."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return kb_field(rollup.read(), "Pss")
    except (OSError, ValueError):
        return None
