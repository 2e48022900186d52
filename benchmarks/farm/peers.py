"""The three checkers side by side: watcher, urlwatch (own venv) and the bare floor loop."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.farm.pages import TOPIC, Doc

REPO = Path(__file__).resolve().parents[2]
URLWATCH_VERSION = "2.29"
_ALERT = re.compile(r"^alert \S+ \[[^\]]*\] .* <(?P<url>[^>]+)>$", re.MULTILINE)
_SUMMARY = re.compile(r"checked (\d+) source\(s\): (\d+) alert\(s\), (\d+) failed")


def urlwatch_binary(out: Path) -> Path:
    """urlwatch from PyPI in its own venv under benchmarks/out/ (created on first use)."""
    venv = out / "urlwatch-venv"
    binary = venv / "bin" / "urlwatch"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "--quiet"]
        subprocess.run([*pip, f"urlwatch=={URLWATCH_VERSION}"], check=True)
    return binary


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a checker reported about one cycle (alerts only for watcher)."""

    ok: bool
    note: str


class Tool:
    """One checker: how to give it a fresh state, run one cycle, and judge its output."""

    name = ""

    def prepare(self, state: Path, base: str, docs: list[Doc]) -> None:
        raise NotImplementedError

    def command(self, state: Path) -> list[str]:
        raise NotImplementedError

    def judge(self, phase: str, stdout: str, stderr: str, expected: set[str]) -> Verdict:
        return Verdict(True, "")


class Watcher(Tool):
    """`watcher check` with politeness delays at zero and SQLite in the state folder."""

    name = "watcher"

    def prepare(self, state: Path, base: str, docs: list[Doc]) -> None:
        lines = [
            "[watcher]",
            f'database = "sqlite:///{state / "watcher.db"}"',
            'user_agent = "watcher-bench (+mailto:bench@example.org)"',
            "host_concurrency = 64",
            "host_delay = 0",
            "",
            "[[topics]]",
            f'name = "{TOPIC}"',
            f'terms = ["{TOPIC}"]',
        ]
        for doc in docs:
            kind = "feed" if doc.feed else "page"
            lines += ["", "[[sources]]", f'name = "{doc.name}"', f'url = "{base}{doc.path}"']
            lines.append(f'kind = "{kind}"')
        (state / "sources.toml").write_text("\n".join(lines) + "\n")

    def command(self, state: Path) -> list[str]:
        return [str(REPO / ".venv/bin/watcher"), "check", "--config", str(state / "sources.toml")]

    def judge(self, phase: str, stdout: str, stderr: str, expected: set[str]) -> Verdict:
        summary = _SUMMARY.search(stderr)
        if summary is None:
            return Verdict(False, "no summary line: " + stderr[-300:])
        failed = int(summary.group(3))
        alerted = {match.group("url") for match in _ALERT.finditer(stdout)}
        want = expected if phase == "changed" else set()
        if failed or alerted != want:
            missing, extra = len(want - alerted), len(alerted - want)
            return Verdict(False, f"{failed} failed, {missing} alerts missing, {extra} extra")
        return Verdict(True, f"{len(alerted)} alerts, as expected")


class Urlwatch(Tool):
    """urlwatch with one url job per source and its own cache; reports go to /dev/null."""

    name = "urlwatch"

    def __init__(self, binary: Path) -> None:
        self._binary = binary

    def prepare(self, state: Path, base: str, docs: list[Doc]) -> None:
        jobs = "---\n".join(f"name: {doc.name}\nurl: {base}{doc.path}\n" for doc in docs)
        (state / "urls.yaml").write_text(jobs)

    def command(self, state: Path) -> list[str]:
        return [
            str(self._binary),
            "--urls",
            str(state / "urls.yaml"),
            "--config",
            str(state / "urlwatch.yaml"),
            "--cache",
            str(state / "cache.db"),
            "--hooks",
            str(state / "hooks.py"),
        ]


class Floor(Tool):
    """The bare httpx + selectolax loop with conditional requests."""

    name = "floor"

    def prepare(self, state: Path, base: str, docs: list[Doc]) -> None:
        (state / "urls.txt").write_text("".join(f"{base}{doc.path}\n" for doc in docs))

    def command(self, state: Path) -> list[str]:
        return [
            str(REPO / ".venv/bin/python"),
            str(Path(__file__).with_name("floor.py")),
            str(state / "urls.txt"),
            str(state / "floor.json"),
        ]
