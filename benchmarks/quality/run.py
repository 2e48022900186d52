"""Quality replay: evolving local sites, `watcher check` at each step, scored against truth.

Each scenario file (scenarios/*.toml) describes sources, then steps; a step rewrites pages of
the local site (or makes them fail or vanish), runs `python -m watcher check` as a subprocess
against a fresh database kept for the whole scenario (so every step is also a restart), and
lists the alerts the SPEC's "What is alerted" says that step must give. The runner collects
webhooks and prints recall, precision, duplicates and false alerts by category.

    python -m benchmarks.quality.run [--scenario NAME]... [--json] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.quality.outlets import render

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIOS = HERE / "scenarios"

DEFAULT_TOPICS = """
[[topics]]
name = "Karim Khan"
terms = ["Karim Khan", "Karim A. A. Khan", "Mr Khan", "Prosecutor Khan"]
context = ["ICC", "International Criminal Court", "prosecutor", "Cour penale internationale",
           "CPI", "procureur"]
exclude = ["Sadiq Khan", "Imran Khan", "Aga Khan"]

[[topics]]
name = "Mokom"
terms = ["Mokom"]

[[topics]]
name = "IOM"
terms = ["Independent Oversight Mechanism", "IOM"]
context = ["ICC", "International Criminal Court", "oversight", "Khan"]
exclude = ["International Organization for Migration"]
"""


class _Server:
    """A local site and a webhook receiver on 127.0.0.1, in one threaded HTTP server."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, bytes, str]] = {}
        self.alerts: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                with server.lock:
                    page = server.pages.get(path)
                if page is None and path == "/robots.txt":
                    page = (200, b"User-agent: *\nAllow: /\n", "text/plain")
                if page is None:
                    self.send_error(404)
                    return
                status, body, content_type = page
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with server.lock:
                    server.alerts.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def take_alerts(self) -> list[dict[str, Any]]:
        with self.lock:
            taken, self.alerts = self.alerts, []
        return taken

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


@dataclass
class Tally:
    """Counts for one category."""

    steps: int = 0  # checks whose pages belong to this category
    expected: int = 0
    found: int = 0
    alerts: int = 0
    false: int = 0
    duplicates: int = 0
    wrong_topics: int = 0
    wrong_text: int = 0  # title or excerpt not as the truth says
    missing_also_seen: int = 0


@dataclass
class Outcome:
    """Tallies by category and a log of every mismatch."""

    tallies: defaultdict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _config(folder: Path, scenario: dict[str, Any], base: str) -> Path:
    lines = [
        "[watcher]",
        f"database = {json.dumps('sqlite:///' + str(folder / 'watcher.db'))}",
        'host_delay = "0s"',
        "host_concurrency = 4",
        'user_agent = "watcher-quality-bench"',
        scenario.get("topics", DEFAULT_TOPICS),
    ]
    for source in scenario["sources"]:
        lines.append("[[sources]]")
        for key, value in source.items():
            value = value.replace("{base}", base) if isinstance(value, str) else value
            lines.append(f"{key} = {json.dumps(value)}")
    lines += ["[[notifiers]]", 'name = "hook"', 'type = "webhook"', f'url = "{base}/hook"']
    path = folder / "sources.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _apply(server: _Server, step: dict[str, Any]) -> None:
    with server.lock:
        for path, spec in step.get("pages", {}).items():
            body, content_type = render(spec)
            server.pages[path] = (200, body, content_type)
        for path in step.get("remove", []):
            server.pages.pop(path, None)
        for path in step.get("fail", []):
            server.pages[path] = (503, b"Service unavailable", "text/plain")


def _check(config: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "check", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"watcher check exited {result.returncode}: {result.stderr[-2000:]}")


def _paths(expected: dict[str, Any]) -> list[str]:
    return list(expected.get("urls") or [expected["url"]])


def _score_step(
    name: str, step: dict[str, Any], alerts: list[dict[str, Any]], outcome: Outcome
) -> None:
    default_category = step.get("category", "quiet")
    outcome.tallies[default_category].steps += 1
    expected = list(step.get("expect", []))
    matched: dict[int, dict[str, Any]] = {}
    for truth in expected:
        outcome.tallies[truth["category"]].expected += 1
    for alert in alerts:
        path = urlsplit(alert["url"]).path
        hits = [n for n, truth in enumerate(expected) if path in _paths(truth)]
        fresh = [n for n in hits if n not in matched]
        if fresh:
            matched[fresh[0]] = alert
            continue
        category = expected[hits[0]]["category"] if hits else default_category
        tally = outcome.tallies[category]
        tally.alerts += 1
        if hits:
            tally.duplicates += 1
            outcome.problems.append(f"{name}/{step['name']}: DUPLICATE {path} {alert['topics']}")
        else:
            tally.false += 1
            outcome.problems.append(
                f"{name}/{step['name']}: FALSE {path} {alert['topics']} {alert['excerpt'][:160]!r}"
            )
    for number, truth in enumerate(expected):
        tally = outcome.tallies[truth["category"]]
        alert = matched.get(number)
        if alert is None:
            outcome.problems.append(f"{name}/{step['name']}: MISSED {_paths(truth)}")
            continue
        tally.found += 1
        tally.alerts += 1
        _judge(name, step["name"], truth, alert, tally, outcome.problems)


def _judge(
    name: str,
    step: str,
    truth: dict[str, Any],
    alert: dict[str, Any],
    tally: Tally,
    problems: list[str],
) -> None:
    where = f"{name}/{step}: {urlsplit(alert['url']).path}"
    if sorted(alert["topics"]) != sorted(truth["topics"]):
        tally.wrong_topics += 1
        problems.append(f"{where} topics {alert['topics']} != {truth['topics']}")
    if "kind" in truth and alert["kind"] != truth["kind"]:
        tally.wrong_text += 1
        problems.append(f"{where} kind {alert['kind']} != {truth['kind']}")
    if "title" in truth and alert["title"] != truth["title"]:
        tally.wrong_text += 1
        problems.append(f"{where} title {alert['title']!r} != {truth['title']!r}")
    for needle in truth.get("excerpt_has", []):
        if needle not in alert["excerpt"]:
            tally.wrong_text += 1
            problems.append(f"{where} excerpt lacks {needle!r}: {alert['excerpt']!r}")
    for needle in truth.get("excerpt_lacks", []):
        if needle in alert["excerpt"]:
            tally.wrong_text += 1
            problems.append(f"{where} excerpt has {needle!r}: {alert['excerpt']!r}")
    if len(alert["excerpt"]) > 700:
        tally.wrong_text += 1
        problems.append(f"{where} excerpt of {len(alert['excerpt'])} characters")
    seen = {urlsplit(s["url"]).path for s in alert.get("also_seen", [])}
    wanted = set(truth.get("also_seen", [])) - {urlsplit(alert["url"]).path}
    if not wanted <= seen:
        tally.missing_also_seen += 1
        problems.append(f"{where} also_seen {sorted(seen)} lacks {sorted(wanted - seen)}")


def run_scenario(path: Path, outcome: Outcome) -> None:
    """Replay one scenario file, adding its scores to `outcome`."""
    scenario = tomllib.loads(path.read_text(encoding="utf-8"))
    server = _Server()
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = _config(Path(folder), scenario, server.base)
            for step in scenario["steps"]:
                _apply(server, step)
                _check(config)
                _score_step(path.stem, step, server.take_alerts(), outcome)
    finally:
        server.close()


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def report(outcome: Outcome) -> dict[str, Any]:
    """Metrics overall and by category, as printed."""
    rows = {}
    total = Tally()
    for category, tally in sorted(outcome.tallies.items()):
        rows[category] = vars(tally)
        for key, value in vars(tally).items():
            setattr(total, key, getattr(total, key) + value)
    return {
        "recall": round(_ratio(total.found, total.expected), 4),
        "precision": round(_ratio(total.found, total.alerts), 4),
        "totals": vars(total),
        "by_category": rows,
        "seconds": round(outcome.seconds, 1),
    }


def _print(summary: dict[str, Any], problems: list[str], verbose: bool) -> None:
    columns = list(summary["totals"])
    print(f"{'category':<22}" + "".join(f"{c[:12]:>13}" for c in columns))
    for category, row in summary["by_category"].items():
        print(f"{category:<22}" + "".join(f"{row[c]:>13}" for c in columns))
    print(f"{'TOTAL':<22}" + "".join(f"{summary['totals'][c]:>13}" for c in columns))
    print(
        f"\nrecall {summary['recall']:.3f}  precision {summary['precision']:.3f}  "
        f"duplicates {summary['totals']['duplicates']}  false alerts {summary['totals']['false']}"
        f"  ({summary['seconds']}s)"
    )
    if problems and verbose:
        print("\n" + "\n".join(problems))


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", help="only this scenario (file stem)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)
    files = sorted(SCENARIOS.glob("*.toml"))
    if args.scenario:
        files = [f for f in files if f.stem in args.scenario]
    outcome = Outcome()
    started = time.perf_counter()
    for path in files:
        run_scenario(path, outcome)
    outcome.seconds = time.perf_counter() - started
    summary = report(outcome)
    if args.json:
        print(json.dumps({**summary, "problems": outcome.problems}, indent=2))
    else:
        _print(summary, outcome.problems, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
