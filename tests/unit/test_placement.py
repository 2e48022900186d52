"""Placing a development: a routed new alert, or a sighting of a story already alerted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from watcher.detect import Development, ItemChange
from watcher.models import Config, Settings, WebhookSettings
from watcher.placement import alert_id, place, route
from watcher.storage import AlertWrite, ItemWrite, SightingWrite
from watcher.stories import Story

NOW = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
WIRE = (
    "The Prosecutor of the International Criminal Court, Karim Khan, asked judges on "
    "Thursday to issue an arrest warrant for a militia commander in Darfur."
)
CONFIG = Config(
    path=Path("sources.toml"),
    settings=Settings(database="sqlite:///watcher.db"),
    topics=(),
    sources=(),
    notifiers=(
        WebhookSettings(name="all", url="https://hooks.example.org/a"),
        WebhookSettings(
            name="khan desk", url="https://hooks.example.org/k", topics=("Karim Khan",)
        ),
        WebhookSettings(name="mokom desk", url="https://hooks.example.org/m", topics=("Mokom",)),
    ),
)


def _change(url: str, development: Development | None) -> ItemChange:
    item = ItemWrite(
        key=url, url=url, title="Warrant", text=WIRE, content_hash="h", sentence_keys=()
    )
    return ItemChange(item, development)


def _development() -> Development:
    return Development(
        kind="new_item",
        topics=("Karim Khan",),
        excerpt=WIRE,
        highlights=(),
        focus_keys=("k1",),
        focus_text=WIRE,
        story_text=WIRE,
    )


def test_a_development_becomes_an_alert_routed_by_topic() -> None:
    known: list[tuple[str, Story]] = []
    placed = place(CONFIG, "Wire", _change("https://wire.example/1", _development()), NOW, known)
    assert isinstance(placed, AlertWrite)
    assert placed.notifiers == ("all", "khan desk")
    assert placed.alert.id == alert_id("Wire", "https://wire.example/1", "new_item", ["k1"])
    assert (placed.alert.source, placed.alert.detected_at) == ("Wire", NOW)
    assert [alert for alert, _story in known] == [placed.alert.id]


def test_the_same_story_elsewhere_is_a_sighting_of_the_first_alert() -> None:
    known: list[tuple[str, Story]] = []
    first = place(CONFIG, "Wire", _change("https://wire.example/1", _development()), NOW, known)
    again = place(CONFIG, "Daily", _change("https://daily.example/9", _development()), NOW, known)
    assert isinstance(first, AlertWrite) and isinstance(again, SightingWrite)
    assert again.alert_id == first.alert.id
    assert (again.sighting.source, again.sighting.url) == ("Daily", "https://daily.example/9")
    assert len(known) == 1


def test_no_development_places_nothing() -> None:
    known: list[tuple[str, Story]] = []
    assert place(CONFIG, "Wire", _change("https://wire.example/1", None), NOW, known) is None
    assert known == []


def test_route_takes_notifiers_without_topics_and_those_sharing_one() -> None:
    assert route(CONFIG, ("Mokom", "IOM")) == ("all", "mokom desk")
    assert route(CONFIG, ("IOM",)) == ("all",)
