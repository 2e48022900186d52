"""Deferred baselines: the first check keeps pages and feeds as fetched; the first change
compares against that document exactly as against a full baseline (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update

from tests.support import news
from tests.support.configs import source, write_config
from tests.support.site import Site
from watcher.config import load_config
from watcher.cycle import CycleResult, run_cycle
from watcher.models import Config
from watcher.storage import Database
from watcher.storage.tables import baseline_documents, items

OLD_KHAN = "The Prosecutor of the International Criminal Court, Karim Khan, opened an inquiry."
OLD_MOKOM = "Maxime Mokom was transferred to the Court in March 2022."
NEW_KHAN = "On Friday, Prosecutor Khan asked ICC judges for an arrest warrant in Darfur."


def _config(tmp_path: Path, database_url: str, sources: str) -> Config:
    return load_config(write_config(tmp_path, database=database_url, sources=sources))


async def _rows(database: Database, query: object) -> list[tuple[object, ...]]:
    async with database.engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(query)).all()]  # type: ignore[call-overload]


async def _count(database: Database, table: object) -> int:
    async with database.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def _alerts(result: CycleResult) -> list[tuple[str, str, str]]:
    return sorted((a.source, a.kind, a.excerpt) for r in result.reports for a in r.alerts)


async def test_first_check_keeps_the_documents_as_fetched_and_extracts_nothing(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/page", news.article("Inquiry", [OLD_KHAN]), coding="gzip")
    feed = news.rss([("urn:1", "Transfer", OLD_MOKOM)])
    site.put("/feed", feed, "application/rss+xml", coding="br")
    sources = source("page", site.url("/page"), "page") + source("feed", site.url("/feed"), "feed")
    config = _config(tmp_path, database_url, sources)

    result = await run_cycle(config, database, config.sources)

    assert [(r.source, r.ok, r.baseline) for r in result.reports] == [
        ("page", True, True),
        ("feed", True, True),
    ]
    kept = await _rows(
        database,
        select(baseline_documents.c.source, baseline_documents.c.coding).order_by(
            baseline_documents.c.source
        ),
    )
    assert kept == [("feed", "br"), ("page", "gzip")], "kept compressed, as received"
    assert await _count(database, items) == 0
    states = await database.snapshots.source_states()
    assert states["page"].baselined and states["page"].deferred

    # Nothing changed (304): still nothing extracted, nothing alerted.
    again = await run_cycle(config, database, config.sources)
    assert _alerts(again) == [] and all(r.unchanged for r in again.reports)
    assert await _count(database, baseline_documents) == 2


async def test_first_change_compares_with_the_kept_document(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/page", news.article("Inquiry", [OLD_KHAN]), coding="gzip")
    site.put("/feed", news.rss([("urn:1", "Transfer", OLD_MOKOM)]), "application/rss+xml")
    sources = source("page", site.url("/page"), "page") + source("feed", site.url("/feed"), "feed")
    config = _config(tmp_path, database_url, sources)
    await run_cycle(config, database, config.sources)

    # Old text that names a topic must not alert again: only what is new does. (The new
    # sentence comes first, so the excerpt's context, the sentence before, is not old text.)
    site.put("/page", news.article("Inquiry", [NEW_KHAN, OLD_KHAN]), coding="gzip")
    entries = [("urn:1", "Transfer", OLD_MOKOM), ("urn:2", "Hearing", "Mokom's hearing is set.")]
    site.put("/feed", news.rss(entries), "application/rss+xml")
    result = await run_cycle(config, database, config.sources)

    alerts = _alerts(result)
    assert [(name, kind) for name, kind, _ in alerts] == [
        ("feed", "new_item"),
        ("page", "updated_item"),
    ]
    assert "Mokom's hearing is set." in alerts[0][2]
    assert NEW_KHAN in alerts[1][2] and "opened an inquiry" not in alerts[1][2]
    assert await _count(database, baseline_documents) == 0, "settled into items"
    assert await _count(database, items) == 3
    assert not (await database.snapshots.source_states())["page"].deferred


async def test_text_the_kept_document_held_is_not_new_when_it_returns(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/page", news.article("Inquiry", [OLD_KHAN, OLD_MOKOM]))
    config = _config(tmp_path, database_url, source("page", site.url("/page"), "page"))
    await run_cycle(config, database, config.sources)
    site.put("/page", news.article("Inquiry", [OLD_MOKOM]))  # Khan's sentence removed
    assert _alerts(await run_cycle(config, database, config.sources)) == []
    site.put("/page", news.article("Inquiry", [OLD_KHAN, OLD_MOKOM]))  # and restored
    assert _alerts(await run_cycle(config, database, config.sources)) == []


async def test_an_entry_of_the_kept_document_back_under_a_new_guid_is_not_new(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/feed", news.rss([("urn:1", "Transfer", OLD_MOKOM)]), "application/rss+xml")
    config = _config(tmp_path, database_url, source("feed", site.url("/feed"), "feed"))
    await run_cycle(config, database, config.sources)
    assert await _count(database, baseline_documents) == 1
    moved = [("urn:1-republished", "Transfer", OLD_MOKOM), ("urn:2", "Hearing", NEW_KHAN)]
    site.put("/feed", news.rss(moved), "application/rss+xml")

    # A dry run compares with the kept document without storing it; the real check settles
    # it into items first. Either way only the genuinely new entry alerts.
    for dry_run in (True, False):
        result = await run_cycle(config, database, config.sources, dry_run=dry_run)
        assert [(a.kind, a.url) for r in result.reports for a in r.alerts] == [
            ("new_item", "urn:2")
        ], dry_run
    assert await _count(database, baseline_documents) == 0


async def test_an_unreadable_kept_document_makes_the_change_a_silent_baseline(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/page", news.article("Inquiry", [OLD_KHAN]), coding="gzip")
    config = _config(tmp_path, database_url, source("page", site.url("/page"), "page"))
    await run_cycle(config, database, config.sources)
    async with database.engine.begin() as conn:
        await conn.execute(update(baseline_documents).values(body=b"\x1f\x8b\x08\x00broken"))

    site.put("/page", news.article("Inquiry", [OLD_KHAN, NEW_KHAN]), coding="gzip")
    result = await run_cycle(config, database, config.sources)
    # Comparing with nothing would alert on the whole page: it becomes the baseline instead.
    assert [r.ok for r in result.reports] == [True]
    assert _alerts(result) == []
    assert await _count(database, baseline_documents) == 0
    assert await _count(database, items) == 1

    site.put("/page", news.article("Inquiry", [OLD_MOKOM, OLD_KHAN, NEW_KHAN]), coding="gzip")
    later = _alerts(await run_cycle(config, database, config.sources))
    assert [(name, kind) for name, kind, _ in later] == [("page", "updated_item")]
    assert OLD_MOKOM in later[0][2] and NEW_KHAN not in later[0][2]


async def test_what_a_full_first_check_refuses_is_still_refused_at_once(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/not-a-feed", news.article("Home", [OLD_KHAN]), coding="gzip")
    site.put("/empty", b"", coding="gzip")
    sources = source("feed", site.url("/not-a-feed"), "feed") + source(
        "empty", site.url("/empty"), "page"
    )
    config = _config(tmp_path, database_url, sources)

    result = await run_cycle(config, database, config.sources)

    errors = {r.source: r.error for r in result.reports}
    assert errors["feed"] is not None and errors["feed"].startswith("not a feed at ")
    assert errors["empty"] is not None and errors["empty"].startswith("empty document at ")
    assert await _count(database, baseline_documents) == 0
    states = await database.snapshots.source_states()
    assert not states["feed"].baselined and not states["empty"].baselined


async def test_feeds_known_only_by_parsing_them_whole_are_kept(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    # A JSON Feed, and an RSS feed whose root element comes after a long comment.
    json_feed = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Desk", "items": '
        '[{"id": "1", "url": "https://example.org/1", "content_text": "Mokom spoke."}]}'
    )
    long_prolog = news.rss([("urn:1", "Transfer", OLD_MOKOM)]).replace(
        "?>", "?><!-- " + "licence text " * 600 + "-->", 1
    )
    site.put("/json", json_feed, "application/feed+json", coding="gzip")
    site.put("/rss", long_prolog, "application/rss+xml", coding="gzip")
    sources = source("json", site.url("/json"), "feed") + source("rss", site.url("/rss"), "feed")
    config = _config(tmp_path, database_url, sources)

    result = await run_cycle(config, database, config.sources)

    assert [(r.source, r.ok, r.baseline) for r in result.reports] == [
        ("json", True, True),
        ("rss", True, True),
    ]
    assert await _count(database, baseline_documents) == 2


async def test_pages_with_a_selector_and_listings_take_a_full_baseline(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/page", news.article("Inquiry", [OLD_KHAN]))
    site.put("/bad", news.article("Inquiry", [OLD_KHAN]))
    site.put("/news", news.listing([("/page", "Inquiry")]))
    sources = (
        source("selected", site.url("/page"), "page", select="article")
        + source("bad select", site.url("/bad"), "page", select="div.missing")
        + source("listing", site.url("/news"), "listing", select="div.view-content")
    )
    config = _config(tmp_path, database_url, sources)

    result = await run_cycle(config, database, config.sources)

    errors = {r.source: r.error for r in result.reports}
    assert errors["bad select"] == "selector 'div.missing' matches nothing"
    assert errors["selected"] is None and errors["listing"] is None
    assert await _count(database, baseline_documents) == 0
    assert await _count(database, items) == 2  # the selected page, the listed article


async def test_a_source_whose_kind_changed_since_starts_a_new_baseline(
    tmp_path: Path, site: Site, database: Database, database_url: str
) -> None:
    site.put("/news", news.listing([("/a", "Mokom hearing opens")]))
    site.put("/a", news.article("Mokom hearing opens", [OLD_MOKOM]))
    first = _config(tmp_path, database_url, source("desk", site.url("/news"), "page"))
    await run_cycle(first, database, first.sources)  # kept as a page document
    # The user now watches the same URL as a listing, which has gained a link.
    site.put("/news", news.listing([("/a", "Mokom hearing opens"), ("/b", "Khan statement")]))
    site.put("/b", news.article("Khan statement", [NEW_KHAN]))
    listing = _config(tmp_path, database_url, source("desk", site.url("/news"), "listing"))

    result = await run_cycle(listing, database, listing.sources)

    assert [r.ok for r in result.reports] == [True]
    assert _alerts(result) == [], "a page document says nothing about which links are new"
    assert await _count(database, baseline_documents) == 0
    assert await _count(database, items) == 2  # both articles, recorded silently
