"""A whole check cycle against a real local site, a real webhook receiver and a real SMTP server:
baseline, then changes, then exactly the expected alerts through both channels."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from tests.support import news
from tests.support.configs import email, source, webhook, write_config
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from tests.support.smtp import MailServer
from watcher.config import load_config
from watcher.cycle import run_cycle
from watcher.models import Config
from watcher.storage import Database

SPEC_KEYS = {
    "id",
    "topics",
    "source",
    "url",
    "title",
    "kind",
    "excerpt",
    "detected_at",
    "also_seen",
}

KHAN_ARTICLE = [
    "The Prosecutor of the International Criminal Court, Karim Khan, "
    "announced on Tuesday that his office had completed its investigation.",
    "The office will now seek confirmation of the charges.",
]
PLAIN_ARTICLE = ["The Assembly of States Parties met in The Hague to discuss the budget."]
SADIQ_ARTICLE = [
    "London mayor Sadiq Khan opened a new bus route on Monday.",
    "The mayor said the route would serve the ICC building's neighbours too.",
]


def _seed(site: Site) -> None:
    site.put("/news", news.listing([("/news/1", "Budget talks"), ("/news/2", "Statement")]))
    site.put("/news/1", news.article("Budget talks", PLAIN_ARTICLE))
    site.put("/news/2", news.article("Statement", ["The Registry published its annual report."]))
    site.put(
        "/case",
        news.article(
            "The Mokom case",
            ["Maxime Mokom was transferred to the Court in 2022.", "Proceedings continue."],
        ),
    )
    site.put(
        "/feed.xml",
        news.rss([(site.url("/f/1"), "Court calendar", "Hearings resume in January.")]),
        "application/rss+xml",
    )


def _evolve(site: Site) -> None:
    """New developments: one per source, plus look-alikes and chrome that must stay silent."""
    site.put(
        "/news",
        news.listing(
            [
                ("/news/3?utm_source=rss", "Prosecutor concludes investigation"),
                ("/news/4", "Mayor opens bus route"),
                ("/news/1", "Budget talks"),
                ("/news/2", "Statement"),
            ],
            stamp="11:00",
        ),
    )
    site.put("/news/3", news.article("Prosecutor concludes investigation", KHAN_ARTICLE))
    site.put("/news/4", news.article("Mayor opens bus route", SADIQ_ARTICLE))
    site.put(
        "/case",
        news.article(
            "The Mokom case",
            [
                "Maxime Mokom was transferred to the Court in 2022.",
                "Proceedings continue.",
                "On Friday the judges ordered Mokom's release after the charges were withdrawn.",
            ],
            stamp="11:00",
        ),
    )
    site.put(
        "/feed.xml",
        news.rss(
            [
                (
                    site.url("/f/2"),
                    "Oversight report",
                    "The ICC Independent Oversight Mechanism (IOM) opened an inquiry.",
                ),
                (
                    site.url("/f/3"),
                    "Migration figures",
                    "The International Organization for Migration (IOM) counted arrivals.",
                ),
                (site.url("/f/1"), "Court calendar", "Hearings resume in January."),
            ]
        ),
        "application/rss+xml",
    )


def _config(tmp: Path, site: Site, database_url: str, notifiers: str) -> Config:
    sources = (
        source("ICC news", site.url("/news"), "listing", select="div.view-content")
        + source("Mokom case page", site.url("/case"), "page")
        + source("Court feed", site.url("/feed.xml"), "feed")
    )
    return load_config(
        write_config(tmp, database=database_url, sources=sources, notifiers=notifiers)
    )


@pytest.fixture
def mail_server():
    with MailServer() as server:
        yield server


async def test_baseline_then_exactly_the_new_developments(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    mail_server: MailServer,
    database: Database,
    database_url: str,
) -> None:
    _seed(site)
    notifiers = webhook("hook", webhook_receiver.url, secret="s3cret") + email(
        "desk", mail_server.url
    )
    config = _config(tmp_path, site, database_url, notifiers)

    first = await run_cycle(config, database, config.sources)
    assert all(report.ok for report in first.reports), [r.error for r in first.reports]
    assert all(report.baseline for report in first.reports)
    assert [a for r in first.reports for a in r.alerts] == []
    assert webhook_receiver.payloads() == []
    assert mail_server.messages == []

    _evolve(site)
    second = await run_cycle(config, database, config.sources)
    found = {(a.source, a.kind, a.topics) for r in second.reports for a in r.alerts}
    assert found == {
        ("ICC news", "new_item", ("Karim Khan",)),
        ("Mokom case page", "updated_item", ("Mokom",)),
        ("Court feed", "new_item", ("IOM",)),
    }

    payloads = webhook_receiver.payloads()
    assert len(payloads) == 3
    for payload in payloads:
        assert set(payload) == SPEC_KEYS
        assert payload["detected_at"].endswith("Z")
        assert payload["also_seen"] == []
    by_source = {p["source"]: p for p in payloads}
    khan = by_source["ICC news"]
    assert khan["url"] == site.url("/news/3")  # tracking parameter gone
    assert khan["title"] == "Prosecutor concludes investigation"
    assert "Karim Khan" in khan["excerpt"]
    assert "Sadiq" not in khan["excerpt"] and "cookies" not in khan["excerpt"]
    mokom = by_source["Mokom case page"]
    assert "ordered Mokom's release" in mokom["excerpt"]
    assert "transferred to the Court in 2022" not in mokom["excerpt"].split("…")[-1]
    for received in webhook_receiver.received:
        expected = hmac.new(b"s3cret", received.body, hashlib.sha256).hexdigest()
        assert received.headers["X-Watcher-Signature"] == f"sha256={expected}"

    assert len(mail_server.messages) == 3
    subjects = sorted(str(m["Subject"]) for m in mail_server.messages)
    assert any("Karim Khan" in s and "Prosecutor concludes investigation" in s for s in subjects)
    for message in mail_server.messages:
        assert message.get_content_type() == "multipart/alternative"

    third = await run_cycle(config, database, config.sources)
    assert [a for r in third.reports for a in r.alerts] == []
    assert len(webhook_receiver.payloads()) == 3
    assert len(mail_server.messages) == 3
    counts = await database.deliveries.counts()
    assert (counts.pending, counts.sent, counts.failed) == (0, 6, 0)


async def test_failed_source_is_recorded_and_recovery_alerts_nothing(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    _seed(site)
    config = _config(tmp_path, site, database_url, webhook("hook", webhook_receiver.url))
    await run_cycle(config, database, config.sources)

    site.fail("/case", 500)
    failing = await run_cycle(config, database, config.sources)
    case_report = next(r for r in failing.reports if r.source == "Mokom case page")
    assert not case_report.ok and "500" in (case_report.error or "")
    state = await database.snapshots.source_state("Mokom case page")
    assert state is not None and state.failure_streak == 1 and state.last_error

    _seed(site)  # the site comes back exactly as it was
    recovered = await run_cycle(config, database, config.sources)
    assert all(r.ok for r in recovered.reports)
    assert [a for r in recovered.reports for a in r.alerts] == []
    state = await database.snapshots.source_state("Mokom case page")
    assert state is not None and state.failure_streak == 0
    assert webhook_receiver.payloads() == []


async def test_wire_story_in_two_sources_gives_one_alert_with_also_seen(
    tmp_path: Path,
    site: Site,
    webhook_receiver: WebhookReceiver,
    database: Database,
    database_url: str,
) -> None:
    wire = [
        "THE HAGUE (Wire) - International Criminal Court prosecutor Karim Khan said on Monday "
        "he would seek new arrest warrants in the Central African Republic investigation.",
        "Khan told reporters the evidence had been gathered over three years.",
    ]
    site.put("/a/story", news.article("Old story", ["Nothing to see."]))
    site.put("/b/story", news.article("Old story", ["Nothing here either."]))
    sources = source("Outlet A", site.url("/a/story"), "page") + source(
        "Outlet B", site.url("/b/story"), "page"
    )
    config = load_config(
        write_config(
            tmp_path,
            database=database_url,
            sources=sources,
            notifiers=webhook("hook", webhook_receiver.url),
        )
    )
    await run_cycle(config, database, config.sources)

    site.put("/a/story", news.article("ICC prosecutor to seek warrants", wire))
    site.put(
        "/b/story",
        news.article("Khan seeks new warrants, Hague court says", [*wire, "Reporting by Wire."]),
    )
    result = await run_cycle(config, database, config.sources)
    alerts = [a for r in result.reports for a in r.alerts]
    assert len(alerts) == 1
    assert sum(r.duplicates for r in result.reports) == 1
    payloads = webhook_receiver.payloads()
    assert len(payloads) == 1
    other = "Outlet B" if payloads[0]["source"] == "Outlet A" else "Outlet A"
    assert payloads[0]["also_seen"] == [
        {"source": other, "url": site.url("/b/story" if other == "Outlet B" else "/a/story")}
    ]
