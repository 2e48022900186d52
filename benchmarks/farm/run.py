"""Run the farm benchmark: watcher vs urlwatch vs the bare floor, cold / steady / changed.

    .venv/bin/python -m benchmarks.farm.run [--sizes 200,1000,5000] [--runs 3] [--tools ...]

Prints a Markdown table of medians (wall s, CPU s, peak RSS MB, requests, 304s) and writes the
raw measurements to benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.farm import pages
from benchmarks.farm.peers import REPO, Floor, Tool, Urlwatch, Watcher, urlwatch_binary
from benchmarks.farm.server import Nginx

OUT = REPO / "benchmarks" / "out"
PHASES = ("cold", "steady", "changed")


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured cycle of one tool."""

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


# Peak RSS from wait4() is wrong for a child forked straight from this process: Linux keeps
# the high-water mark of the address space the child had before exec(), a copy of ours, and
# ours grows to hundreds of MB while reading urlwatch's diff output. So a lean launcher
# (python -I -S, about 10 MB) forks the tool and reports the tool's own usage.
_LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(child.pid, 0)
code = os.waitstatus_to_exitcode(status)
report = {"code": code, "cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss}
with open(sys.argv[1], "w") as out:
    json.dump(report, out)
"""


def measure(tool: Tool, state: Path, server: Nginx, phase: str, expected: set[str]) -> Sample:
    """Run one cycle of `tool` as a grandchild process (see _LAUNCHER) and measure it."""
    server.reset_log()
    out_path, err_path = state / f"{phase}.out", state / f"{phase}.err"
    usage_path = state / f"{phase}.usage.json"
    env = {**os.environ, "HOME": str(state), "PYTHONHASHSEED": "0"}
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(usage_path)]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        subprocess.run(
            [*launcher, *tool.command(state)], stdout=out, stderr=err, env=env, cwd=state
        )
        wall = time.perf_counter() - started
    usage = json.loads(usage_path.read_text())
    requests, not_modified = server.counts()
    stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    verdict = tool.judge(phase, stdout, stderr, expected)
    ok = verdict.ok and usage["code"] == 0
    note = verdict.note if usage["code"] == 0 else f"exit {usage['code']}"
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
    )


def one_run(tools: list[Tool], size: int, run: int, root: Path, server: Nginx) -> list[Sample]:
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
            sample = measure(tool, states[tool.name], server, phase, expected)
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
        f"cpu {s.cpu:6.2f}s rss {s.rss_mb:6.0f}MB req {s.requests:5} 304 {s.not_modified:5} "
        f"{s.note}{flag}"
    )


def table(samples: list[Sample]) -> str:
    """Medians per (size, phase, tool) as a Markdown table."""
    rows = [
        "| N | cycle | tool | wall s | CPU s | peak RSS MB | requests | 304s | runs | correct |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    keys = sorted({(s.size, PHASES.index(s.phase), s.tool) for s in samples})
    for size, phase_index, tool in keys:
        group = [
            s for s in samples if (s.size, s.phase, s.tool) == (size, PHASES[phase_index], tool)
        ]
        med = statistics.median
        rows.append(
            f"| {size} | {PHASES[phase_index]} | {tool} | {med(s.wall for s in group):.2f} | "
            f"{med(s.cpu for s in group):.2f} | {med(s.rss_mb for s in group):.0f} | "
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
    samples: list[Sample] = []
    with Nginx(root, OUT / "nginx") as server:
        for size in sizes:
            for run in range(1, args.runs + 1):
                samples += one_run(tools, size, run, root, server)
    (OUT / "results.json").write_text(json.dumps([asdict(s) for s in samples], indent=1))
    print()
    print(table(samples))


if __name__ == "__main__":
    main()
