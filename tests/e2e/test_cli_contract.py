"""The SPEC's command-line contract, as a script would lean on it: which config is read,
what --source and --dry-run do, and the webhook body of a realistic, awkward page."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest

from tests.support import news
from tests.support.configs import source, webhook, write_config
from tests.support.daemons import run_watcher
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site

SPEC_KEYS = {"id", "topics", "source", "url", "title", "kind", "excerpt", "detected_at",
             "also_seen"}  # fmt: skip
DETECTED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def topic_config(folder: Path, name: str, topic: str) -> Path:
    """A valid config file `name` in `folder` whose one topic is called `topic`."""
    path = folder / name
    path.write_text(
        f'[[topics]]\nname = "{topic}"\nterms = ["{topic}"]\n'
        '[[sources]]\nname = "x"\nurl = "https://example.org/"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("args", "env", "topic"),
    [
        (["--config", "explicit.toml"], {"WATCHER_CONFIG": "from-env.toml"}, "Explicit"),
        ([], {"WATCHER_CONFIG": "from-env.toml"}, "Environment"),
        ([], {}, "Default"),
    ],
)
def test_config_is_flag_then_environment_then_sources_toml(
    tmp_path: Path, args: list[str], env: dict[str, str], topic: str
) -> None:
    topic_config(tmp_path, "explicit.toml", "Explicit")
    topic_config(tmp_path, "from-env.toml", "Environment")
    topic_config(tmp_path, "sources.toml", "Default")
    result = run_watcher("validate", *args, env={"WATCHER_CONFIG": "", **env}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"  {topic}:" in result.stdout
    others = {"Explicit", "Environment", "Default"} - {topic}
    assert not any(f"  {other}:" in result.stdout for other in others)


def test_validate_without_any_config_file_exits_2(tmp_path: Path) -> None:
    result = run_watcher("validate", env={"WATCHER_CONFIG": ""}, cwd=tmp_path)
    assert result.returncode == 2
    assert "sources.toml" in result.stderr


def test_validate_rejects_an_invalid_selector(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        database="sqlite:///w.db",
        sources=source("ICC", "https://example.org/", "listing", select="div.view-content >"),
    )
    result = run_watcher("validate", "--config", str(path))
    assert result.returncode == 2
    assert "select" in result.stderr and "CSS selector" in result.stderr


def test_dry_run_of_a_first_check_stores_no_baseline(
    tmp_path: Path, site: Site, webhook_receiver: WebhookReceiver
) -> None:
    site.put("/a", news.article("Hearing", ["The Court held a hearing."]))
    path = write_config(
        tmp_path,
        database="sqlite:///w.db",
        sources=source("Article", site.url("/a"), "page"),
        notifiers=webhook("hook", webhook_receiver.url),
    )
    dry = run_watcher("check", "--config", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    site.put("/a", news.article("Hearing", ["The Court held a hearing.", "Mokom attended."]))
    # Had the dry run stored its baseline, this check would alert on "Mokom attended.".
    first = run_watcher("check", "--config", str(path))
    assert first.returncode == 0, first.stderr
    assert webhook_receiver.payloads() == []


def test_check_of_named_sources_fetches_only_those(tmp_path: Path, site: Site) -> None:
    for path in ("/a", "/b", "/c"):
        site.put(path, news.article("Page", ["The Court held a hearing."]))
    config = write_config(
        tmp_path,
        database="sqlite:///w.db",
        sources="".join(source(p.strip("/"), site.url(p), "page") for p in ("/a", "/b", "/c")),
    )
    result = run_watcher("check", "--config", str(config), "--source", "a", "--source", "c")
    assert result.returncode == 0, result.stderr
    assert (site.hits("/a"), site.hits("/b"), site.hits("/c")) == (1, 0, 1)


# An article as CMSs write it: entities, inline tags inside the name, a headline with markup,
# and a new paragraph whose one sentence is far longer than an excerpt.
LONG = (
    "Pre-Trial Chamber II, composed of Judge Rosario Salvatore Aitala, Presiding, Judge Tomoko "
    "Akane and Judge Sergio Gerardo Ugalde Godínez, today held a status conference in the case "
    + ", ".join(f"having regard to filing No. {n} of the Defence" for n in range(1, 30))
    + ", and invited <b>Mr Mokom</b>&rsquo;s counsel to respond by 5 p.m. on Friday."
)
PAGE_BEFORE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Mokom case &amp; "
    "compensation | Newsroom</title></head><body><main><article>"
    "<h1>Mokom case: <em>hearing</em> &amp; compensation</h1>"
    "<p>The case of <i>The Prosecutor v. Maxime Jeoffroy Eli Mokom Gawaka</i> was "
    "terminated in 2023.</p>{new}</article></main><footer>Updated {stamp}</footer></body></html>"
)


def test_webhook_body_of_an_awkward_page(
    tmp_path: Path, site: Site, webhook_receiver: WebhookReceiver
) -> None:
    site.put("/mokom", PAGE_BEFORE.format(new="", stamp="10:00"))
    path = write_config(
        tmp_path,
        database="sqlite:///w.db",
        sources=source("ICC Mokom", site.url("/mokom"), "page"),
        notifiers=webhook("hook", webhook_receiver.url, secret="s3cret"),
    )
    assert run_watcher("check", "--config", str(path)).returncode == 0
    site.put("/mokom", PAGE_BEFORE.format(new=f"<p>{LONG}</p>", stamp="11:00"))
    result = run_watcher("check", "--config", str(path))
    assert result.returncode == 0, result.stderr

    (received,) = webhook_receiver.received
    payload = json.loads(received.body)
    assert set(payload) == SPEC_KEYS
    assert payload["topics"] == ["Mokom"]
    assert payload["source"] == "ICC Mokom"
    assert payload["url"] == site.url("/mokom")
    assert payload["kind"] == "updated_item"
    assert payload["title"] == "Mokom case: hearing & compensation"
    assert DETECTED_AT.fullmatch(payload["detected_at"])
    assert payload["also_seen"] == []
    excerpt = payload["excerpt"]
    assert len(excerpt) <= 650
    assert "Mokom\u2019s counsel" in excerpt  # the mention, though past the first 600 chars
    assert "<" not in excerpt and "&rsquo;" not in excerpt and "&amp;" not in excerpt
    assert "Updated" not in excerpt  # the footer's time is chrome
    expected = hmac.new(b"s3cret", received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Watcher-Signature"] == f"sha256={expected}"
    assert received.headers["Content-Type"].startswith("application/json")
