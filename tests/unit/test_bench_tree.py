"""The farm benchmark's process-tree measurement: /proc and cgroup parsing, tree sums, table."""

from __future__ import annotations

import pytest

from benchmarks.farm.cgroup import is_cgroup2_mount, parse_cpu_usage, parse_memory_peak
from benchmarks.farm.proctree import (
    Tree,
    TreeMemory,
    estimate_pss,
    grow,
    kb_field,
    parse_ppid,
    parse_statm_rss_kb,
)
from benchmarks.farm.run import Sample, table

SMAPS_ROLLUP = """\
55c7bdef4000-7ffe6d2b6000 ---p 00000000 00:00 0                          [rollup]
Rss:              118732 kB
Pss:               96411 kB
Pss_Dirty:         90112 kB
Pss_Anon:          90100 kB
Pss_File:           6311 kB
Shared_Clean:      24580 kB
Private_Dirty:     90112 kB
"""

# A hybrid host (like the one the benchmark was written on): cgroup v1 controllers on a tmpfs
# at /sys/fs/cgroup, and a controller-less cgroup2 at /sys/fs/cgroup/unified.
MOUNTINFO_HYBRID = """\
22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
30 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
34 30 0:30 / /sys/fs/cgroup/memory rw,nosuid shared:14 - cgroup cgroup rw,memory
"""
MOUNTINFO_V2 = """\
22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
"""


def test_ppid_is_read_past_a_command_name_with_spaces_and_parentheses() -> None:
    stat = "4242 (python3 -m x) (y)) S 17 4242 4242 0 -1 4194560 1289 0 0 0 12 3 0 0 20 0 1"
    assert parse_ppid(stat) == 17


def test_kb_fields_of_smaps_rollup_and_status() -> None:
    assert kb_field(SMAPS_ROLLUP, "Pss") == 96411
    assert kb_field(SMAPS_ROLLUP, "Rss") == 118732
    assert kb_field("Name:\tpython3\nVmRSS:\t   51200 kB\n", "VmRSS") == 51200
    # "Pss" must not match the "Pss_Anon:" line of a rollup that has no plain Pss line.
    assert kb_field("Pss_Anon:   12 kB\n", "Pss") is None


def test_statm_resident_pages_become_kb() -> None:
    assert parse_statm_rss_kb("52000 29683 4120 786 0 21500 0\n", 4) == 118732


def test_cpu_stat_usage_is_user_plus_system_seconds() -> None:
    cpu_stat = "usage_usec 38091250\nuser_usec 30000000\nsystem_usec 8091250\nnice_usec 0\n"
    assert parse_cpu_usage(cpu_stat) == 38.09125


def test_cpu_stat_without_usage_is_an_error() -> None:
    with pytest.raises(ValueError, match="usage_usec"):
        parse_cpu_usage("nr_periods 0\n")


def test_memory_peak_is_bytes() -> None:
    assert parse_memory_peak("125829120\n") == 125829120


def test_cgroup2_is_recognised_only_where_it_is_mounted() -> None:
    assert not is_cgroup2_mount(MOUNTINFO_HYBRID, "/sys/fs/cgroup")
    assert is_cgroup2_mount(MOUNTINFO_HYBRID, "/sys/fs/cgroup/unified")
    assert is_cgroup2_mount(MOUNTINFO_V2, "/sys/fs/cgroup")


def test_tree_grows_through_any_depth_and_order_of_listing() -> None:
    # 30 is listed before its parent 20 (pids wrap around); 90's parent 80 is not ours.
    parents = {30: 20, 20: 10, 11: 10, 90: 80}
    assert grow({10}, parents) == {10, 11, 20, 30}


def test_tree_keeps_orphans_and_forgets_the_dead() -> None:
    ppids = {100: 1, 101: 100, 102: 101, 103: 102, 500: 1}
    tree = Tree(100, ppids.get)
    assert tree.update({1, 100, 101, 102, 103, 500}) == {100, 101, 102, 103}
    # 102 exits; its child 103 still names 102 as parent in what was read, yet stays a
    # member (the launcher is its subreaper now); a newcomer under 103 joins.
    ppids[104] = 103
    assert tree.update({1, 100, 101, 103, 104, 500}) == {100, 101, 103, 104}
    assert tree.update({1, 100, 500}) == {100}


def test_a_pid_gone_before_it_is_read_is_left_out() -> None:
    tree = Tree(100, {101: 100}.get)
    assert tree.update({100, 101, 102}) == {100, 101}


@pytest.mark.parametrize(
    ("pss_read", "rss_read", "rss_now", "expected"),
    [
        (60_000, 100_000, 100_000, 60_000),  # unchanged
        (60_000, 100_000, 130_000, 90_000),  # new heap counts in full
        (60_000, 100_000, 70_000, 30_000),  # freed heap comes off in full
        (60_000, 100_000, 50_000, 10_000),
        (60_000, 100_000, 30_000, 0),  # never below zero
        (90_000, 100_000, 20_000, 10_000),
        (99_000, 100_000, 95_000, 94_000),
        (100_000, 100_000, 120_000, 120_000),
        (100_000, 90_000, 95_000, 95_000),  # never above RSS
    ],
)
def test_pss_between_exact_reads_follows_rss(
    pss_read: int, rss_read: int, rss_now: int, expected: int
) -> None:
    assert estimate_pss(pss_read, rss_read, rss_now) == expected


class FakeProc:
    """Per-pid RSS and PSS figures that a test changes between samples; counts PSS reads."""

    def __init__(self) -> None:
        self.rss: dict[int, int] = {}
        self.pss: dict[int, int] = {}
        self.pss_reads = 0

    def read_rss(self, pid: int) -> int | None:
        return self.rss.get(pid)

    def read_pss(self, pid: int) -> int | None:
        self.pss_reads += 1
        return self.pss.get(pid)


def test_tree_memory_sums_pss_read_exactly_then_tracked_by_rss() -> None:
    proc = FakeProc()
    proc.rss, proc.pss = {1: 100_000, 2: 40_000}, {1: 80_000, 2: 10_000}
    memory = TreeMemory(proc.read_rss, proc.read_pss, refresh=0.5)
    assert memory.kind == "PSS"
    assert memory.total([1, 2], now=0.0) == 90_000
    # The worker (2) grows by 30 MB of heap before the next exact read: counted in full.
    proc.rss[2], proc.pss[2] = 70_000, 40_000
    assert memory.total([1, 2], now=0.1) == 120_000
    assert proc.pss_reads == 2
    # An exact read later replaces the estimate.
    proc.pss[1] = 70_000
    assert memory.total([1, 2], now=0.6) == 110_000
    assert proc.pss_reads == 4


def test_tree_memory_forgets_processes_that_left() -> None:
    proc = FakeProc()
    proc.rss, proc.pss = {1: 100_000, 2: 40_000}, {1: 80_000, 2: 10_000}
    memory = TreeMemory(proc.read_rss, proc.read_pss, refresh=0.5)
    memory.total([1, 2], now=0.0)
    # 2 exits; a new 2 (reused pid) must get a fresh exact read, not the old figures.
    assert memory.total([1], now=0.1) == 80_000
    proc.pss[2] = 5_000
    assert memory.total([1, 2], now=0.2) == 85_000


def test_tree_memory_is_plain_rss_without_a_pss_reader() -> None:
    proc = FakeProc()
    proc.rss = {1: 100_000, 2: 40_000}
    memory = TreeMemory(proc.read_rss, None, refresh=0.5)
    assert memory.kind == "RSS"
    assert memory.total([1, 2, 3], now=0.0) == 140_000


def sample(tool: str, cpu: float, tree_cpu: float, rss_mb: float, tree_mb: float) -> Sample:
    return Sample(
        tool=tool,
        size=200,
        run=1,
        phase="cold",
        wall=2.0,
        cpu=cpu,
        rss_mb=rss_mb,
        requests=200,
        not_modified=0,
        ok=True,
        note="",
        tree_cpu=tree_cpu,
        tree_mb=tree_mb,
        method="the test method",
    )


def test_table_names_the_method_and_shows_main_and_tree_figures() -> None:
    text = table([sample("watcher", 1.5, 2.5, 90, 150), sample("floor", 1.0, 1.0, 50, 48)])
    lines = text.splitlines()
    assert "measured by the test method" in lines[0]
    header = [cell.strip() for cell in lines[2].strip("|").split("|")]
    assert header[3:8] == ["wall s", "CPU s", "tree CPU s", "peak RSS MB", "tree peak MB"]
    assert lines[4:] == [
        "| 200 | cold | floor | 2.00 | 1.00 | 1.00 | 50 | 48 | 200 | 0 | 1 | yes |",
        "| 200 | cold | watcher | 2.00 | 1.50 | 2.50 | 90 | 150 | 200 | 0 | 1 | yes |",
    ]
