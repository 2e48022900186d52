"""One cgroup v2 per measured cycle, when this machine lets us make them.

A cgroup counts the CPU of every process that ever ran in it (waited for or not) and the
high-water mark of all their memory together, which is exactly what a tool's cycle costs.
Standard library only: the benchmark launcher imports this under `python -I -S`.
"""

from __future__ import annotations

import os
from pathlib import Path

MOUNT = Path("/sys/fs/cgroup")
METHOD = "cgroup v2 per cycle: cpu.stat usage_usec, memory.peak (includes page cache)"


def is_cgroup2_mount(mountinfo: str, mount_point: str) -> bool:
    """Whether /proc/self/mountinfo mounts cgroup2 at `mount_point`."""
    for line in mountinfo.splitlines():
        fields = line.split()
        # ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
        if "-" not in fields or len(fields) < 5:
            continue
        fstype = fields[fields.index("-") + 1 :][:1]
        if fields[4] == mount_point and fstype == ["cgroup2"]:
            return True
    return False


def parse_cpu_usage(cpu_stat: str) -> float:
    """CPU seconds (user + system) from the text of cpu.stat."""
    for line in cpu_stat.splitlines():
        key, _, value = line.partition(" ")
        if key == "usage_usec":
            return int(value) / 1_000_000
    raise ValueError("cpu.stat has no usage_usec line")


def parse_memory_peak(text: str) -> int:
    """Bytes from the text of memory.peak."""
    return int(text.split()[0])


def usable_parent(mount: Path = MOUNT) -> Path | None:
    """`mount` if cgroups with CPU and memory accounting can be made under it, else None.

    Probes by making (and removing) one: a cgroup2 mount can still be read-only, lack the
    memory controller for children, or predate memory.peak (Linux 5.19).
    """
    try:
        mountinfo = Path("/proc/self/mountinfo").read_text()
    except OSError:
        return None
    if not is_cgroup2_mount(mountinfo, str(mount)) or not os.access(mount, os.W_OK):
        return None
    try:
        probe = create(mount, "probe")
    except OSError:
        return None
    try:
        usable = (probe / "cpu.stat").exists() and (probe / "memory.peak").exists()
    finally:
        remove(probe)
    return mount if usable else None


def create(parent: Path, label: str) -> Path:
    """A new empty cgroup under `parent`, named after this process so runs never collide."""
    path = parent / f"benchmark-farm-{os.getpid()}-{label}"
    path.mkdir()
    return path


def remove(path: Path) -> None:
    """Remove an emptied cgroup (its files go with it; rmdir is the only way)."""
    path.rmdir()


def join(path: Path) -> None:
    """Move the calling process into the cgroup (called in the tool's process before exec)."""
    (path / "cgroup.procs").write_text(str(os.getpid()))


def totals(path: Path) -> tuple[float, int]:
    """(CPU seconds, peak memory bytes) of everything that ran in the cgroup."""
    cpu = parse_cpu_usage((path / "cpu.stat").read_text())
    return cpu, parse_memory_peak((path / "memory.peak").read_text())
