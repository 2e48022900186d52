"""[watcher] keys of the daemon: http (and $WATCHER_HTTP), jitter, lease, keep."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.configs import source, write_config
from watcher.config import load_config
from watcher.errors import ConfigError


def _config(tmp_path: Path, settings: str) -> Path:
    return write_config(
        tmp_path,
        database="sqlite:///w.db",
        sources=source("s", "https://example.org/", "page"),
        extra_settings=settings,
    )


def test_defaults(tmp_path: Path) -> None:
    settings = load_config(_config(tmp_path, ""), environ={}).settings
    assert (settings.http, settings.jitter, settings.lease, settings.keep) == (
        None,
        60.0,
        120.0,
        90 * 86400.0,
    )


def test_keys_and_the_environment_override(tmp_path: Path) -> None:
    path = _config(tmp_path, 'http = "127.0.0.1:8787"\njitter = "0s"\nlease = "2m"\nkeep = "30d"')
    settings = load_config(path, environ={}).settings
    assert (settings.http, settings.jitter, settings.lease, settings.keep) == (
        "127.0.0.1:8787",
        0.0,
        120.0,
        30 * 86400.0,
    )
    assert load_config(path, environ={"WATCHER_HTTP": "0.0.0.0:9000"}).settings.http == (
        "0.0.0.0:9000"
    )


@pytest.mark.parametrize("line", ['lease = "0s"', 'keep = "soon"', 'http = "8787"'])
def test_bad_values_are_config_errors(tmp_path: Path, line: str) -> None:
    with pytest.raises(ConfigError):
        load_config(_config(tmp_path, line), environ={})
