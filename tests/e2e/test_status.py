"""`watcher status` as a command: one row per source and the outbox depth."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support import news
from tests.support.configs import source, write_config
from tests.support.daemons import run_watcher
from tests.support.site import Site


def _watcher(*args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    return run_watcher(*args, env={"COLUMNS": str(columns)}, timeout=60)


def test_status_shows_each_source_and_the_outbox(tmp_path: Path, site: Site) -> None:
    site.put("/ok", news.article("Fine", ["The court sat today."]))
    site.fail("/down", 503)
    path = write_config(
        tmp_path,
        database=f"sqlite:///{tmp_path / 'w.db'}",
        sources=source("working", site.url("/ok"), "page", interval="10m")
        + source("broken", site.url("/down"), "page")
        + source("new", site.url("/new"), "page"),
    )
    assert _watcher("check", "--config", str(path), "--source", "working").returncode == 0
    _watcher("check", "--config", str(path), "--source", "broken")
    result = _watcher("status", "--config", str(path), columns=70)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "a clean run says nothing on stderr (no library chatter)"
    lines = result.stdout.splitlines()
    assert all(len(line) <= 70 for line in lines)
    working = next(line for line in lines if line.startswith("working"))
    broken = next(line for line in lines if line.startswith("broken"))
    new = next(line for line in lines if line.startswith("new"))
    assert "in 9m" in working or "in 10m" in working
    assert " 1 " in broken and "503" in broken
    assert new.split()[1:4] == ["never", "never", "now"]
    assert lines[-1] == "outbox: 0 deliveries waiting"
