"""Run the farm benchmark: watcher vs urlwatch vs the bare floor, cold / steady / changed.

    .venv/bin/python -m benchmarks.farm.run [--sizes 200,1000,5000] [--runs 3] [--tools ...]

Prints a Markdown table of medians (wall s, CPU s and peak RSS MB of the tool's main process and
of its whole process tree, requests, 304s) and writes the raw measurements to
benchmarks/out/results.json. The tree is measured in a cgroup v2 per cycle where this machine
allows it, else by the launcher (benchmarks/farm/launcher.py); the table says which.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.farm import cgroup, launcher, pages
from benchmarks.farm.peers import REPO, Floor, Tool, Urlwatch, Watcher, urlwatch_binary
from benchmarks.farm.server import Nginx

OUT = REPO / "benchmarks" / "out"
PHASES = ("cold", "steady", "changed")


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured cycle of one tool.

    cpu and rss_mb are the main process's (with the children it waited for), as in tables
    before tree_cpu and tree_mb (its whole process tree, measured by `method`) existed.
    """

    tool: str
    size: int
    run: int
    phase: str
    wall: float
    cpu: float
    rss_mb: float
    requests: int
    not_modified: int
    ok: bool
    note: str
    tree_cpu: float
    tree_mb: float
    method: str


def measure(
    tool: Tool, state: Path, server: Nginx, phase: str, expected: set[str], groups: Path | None
) -> Sample:
    """Run and measure one cycle of `tool` under the launcher, in a cgroup under `groups` if any."""
    server.reset_log()
    out_path, err_path = state / f"{phase}.out", state / f"{phase}.err"
    usage_path = state / f"{phase}.usage.json"
    env = {**os.environ, "HOME": str(state), "PYTHONHASHSEED": "0"}
    group = cgroup.create(groups, f"{tool.name}-{phase}") if groups else None
    try:
        with out_path.open("wb") as out, err_path.open("wb") as err:
            started = time.perf_counter()
            subprocess.run(
                [*launcher.command(usage_path, group), *tool.command(state)],
                stdout=out,
                stderr=err,
                env=env,
                cwd=state,
            )
            wall = time.perf_counter() - started
    finally:
        if group:
            cgroup.remove(group)
    usage = json.loads(usage_path.read_text())
    requests, not_modified = server.counts()
    stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    verdict = tool.judge(phase, stdout, stderr, expected)
    ok = verdict.ok and usage["code"] == 0
    note = verdict.note if usage["code"] == 0 else f"exit {usage['code']}"
    if usage["leftovers"]:
        linger = f"{launcher.LINGER:.0f} s"
        note += f"; killed {usage['leftovers']} process(es) still running {linger} after exit"
    return Sample(
        tool=tool.name,
        size=0,
        run=0,
        phase=phase,
        wall=wall,
        cpu=usage["cpu"],
        rss_mb=usage["rss_kb"] / 1024,
        requests=requests,
        not_modified=not_modified,
        ok=ok,
        note=note,
        tree_cpu=usage["tree_cpu"],
        tree_mb=usage["tree_kb"] / 1024,
        method=usage["method"],
    )


def one_run(
    tools: list[Tool], size: int, run: int, root: Path, server: Nginx, groups: Path | None
) -> list[Sample]:
    """Cold, steady and changed cycles of every tool on a farm of `size` sources."""
    docs = pages.docs(size)
    pages.reset(root, docs)
    expected = {f"{server.base}{doc.path}" for doc in docs if pages.gains_topic(doc)}
    states = {}
    for tool in tools:
        state = OUT / "state" / f"{tool.name}-{size}-{run}"
        shutil.rmtree(state, ignore_errors=True)
        state.mkdir(parents=True)
        tool.prepare(state, server.base, docs)
        states[tool.name] = state
    samples: list[Sample] = []
    for phase in PHASES:
        if phase == "changed":
            pages.change(root, docs)
        for tool in tools:
            sample = measure(tool, states[tool.name], server, phase, expected, groups)
            samples.append(_with(sample, size, run))
            print(_line(samples[-1]), flush=True)
    pages.reset(root, docs)
    return samples


def _with(sample: Sample, size: int, run: int) -> Sample:
    return Sample(**{**asdict(sample), "size": size, "run": run})


def _line(s: Sample) -> str:
    flag = "" if s.ok else "  FAILED"
    return (
        f"  {s.tool:9} N={s.size:<5} run {s.run} {s.phase:8} wall {s.wall:6.2f}s "
        f"cpu {s.cpu:6.2f}s tree {s.tree_cpu:6.2f}s rss {s.rss_mb:6.0f}MB tree {s.tree_mb:6.0f}MB "
        f"req {s.requests:5} 304 {s.not_modified:5} "
        f"{s.note}{flag}"
    )


def table(samples: list[Sample]) -> str:
    """Medians per (size, phase, tool) as a Markdown table, after a line naming the method."""
    methods = "; ".join(sorted({s.method for s in samples}))
    rows = [
        "CPU s and peak RSS MB: the tool's main process, as in earlier tables. "
        f"Tree CPU s and tree peak MB: its whole process tree, measured by {methods}.",
        "",
        "| N | cycle | tool | wall s | CPU s | tree CPU s | peak RSS MB | tree peak MB | requests "
        "| 304s | runs | correct |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    keys = sorted({(s.size, PHASES.index(s.phase), s.tool) for s in samples})
    for size, phase_index, tool in keys:
        group = [
            s for s in samples if (s.size, s.phase, s.tool) == (size, PHASES[phase_index], tool)
        ]
        med = statistics.median
        rows.append(
            f"| {size} | {PHASES[phase_index]} | {tool} | {med(s.wall for s in group):.2f} | "
            f"{med(s.cpu for s in group):.2f} | {med(s.tree_cpu for s in group):.2f} | "
            f"{med(s.rss_mb for s in group):.0f} | {med(s.tree_mb for s in group):.0f} | "
            f"{med(s.requests for s in group):.0f} | {med(s.not_modified for s in group):.0f} | "
            f"{len(group)} | {'yes' if all(s.ok for s in group) else 'NO'} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default="watcher,urlwatch,floor")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    root = OUT / "farm"
    print(f"building a farm of {max(sizes)} documents in {root} ...", flush=True)
    pages.build(root, max(sizes))
    available: dict[str, Tool] = {"watcher": Watcher(), "floor": Floor()}
    if "urlwatch" in args.tools:
        available["urlwatch"] = Urlwatch(urlwatch_binary(OUT))
    tools = [available[name] for name in args.tools.split(",")]
    groups = cgroup.usable_parent()
    print("tree measured with a cgroup per cycle" if groups else "tree measured by the launcher")
    samples: list[Sample] = []
    with Nginx(root, OUT / "nginx") as server:
        for size in sizes:
            for run in range(1, args.runs + 1):
                samples += one_run(tools, size, run, root, server, groups)
    (OUT / "results.json").write_text(json.dumps([asdict(s) for s in samples], indent=1))
    print()
    print(table(samples))


if __name__ == "__main__":
    main()
