"""The saved corpus (tests/data/corpus): main text without chrome, look-alikes silent,
syndicated copies one story, a French windows-1252 release read right."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.extract import decode_html, feed_items, main_text
from watcher.match import Matcher
from watcher.models import Topic
from watcher.stories import overlap, signature

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
TOPICS = (
    Topic(
        "Karim Khan",
        terms=("Karim Khan", "Karim A. A. Khan", "Mr Khan", "Prosecutor Khan"),
        context=(
            "ICC",
            "International Criminal Court",
            "prosecutor",
            "CPI",
            "Cour penale internationale",
        ),
        exclude=("Sadiq Khan", "Imran Khan", "Aga Khan"),
    ),
    Topic("Mokom", terms=("Mokom",)),
    Topic(
        "IOM",
        terms=("Independent Oversight Mechanism", "IOM"),
        context=("ICC", "International Criminal Court", "oversight", "Khan"),
        exclude=("International Organization for Migration",),
    ),
)
MATCHER = Matcher(TOPICS)


def text_of(name: str) -> str:
    return main_text(decode_html((CORPUS / name).read_bytes(), None))[1]


def topics_in(text: str) -> set[str]:
    allowed = MATCHER.topics_in_context(text)
    return {mention.topic for mention in MATCHER.mentions(text, allowed, within=text)}


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("lookalike_*.html")))
def test_look_alikes_mention_no_topic(name: str) -> None:
    text = text_of(name)
    assert len(text) > 100
    assert topics_in(text) == set()


@pytest.mark.parametrize(
    ("name", "chrome"),
    [
        ("chrome_names_topics_ledger.html", ["Bangui", "resign", "under pressure", "cookies"]),
        ("chrome_names_topics_courier.html", ["Mokom lawyers", "fresh questions", "briefing"]),
        ("syndicated_ledger.html", ["Who is Karim Khan", "Advertisement", "Ledger Ltd"]),
        ("syndicated_courier.html", ["Council tax", "Share on X", "Media Group"]),
        ("syndicated_wire.html", ["Oil prices", "Wire Services."]),
    ],
)
def test_main_text_drops_chrome_that_names_topics(name: str, chrome: list[str]) -> None:
    text = text_of(name)
    assert "International Criminal Court" in text
    for phrase in chrome:
        assert phrase not in text


def test_chrome_pages_mention_only_what_their_article_says() -> None:
    assert topics_in(text_of("chrome_names_topics_ledger.html")) == set()
    assert topics_in(text_of("chrome_names_topics_courier.html")) == set()


def test_syndicated_copies_are_one_story() -> None:
    copies = [text_of(f"syndicated_{outlet}.html") for outlet in ("ledger", "courier", "wire")]
    signatures = [signature(text) for text in copies]
    for first in signatures:
        for second in signatures:
            assert overlap(first, second) >= 0.5
    assert all(topics_in(text) == {"Karim Khan"} for text in copies)


def test_french_release_in_windows_1252_declared_in_meta() -> None:
    title, text = main_text(
        decode_html((CORPUS / "release_fr_cp1252_meta.html").read_bytes(), None)
    )
    assert (
        title == "Déclaration du Procureur de la CPI, Karim A. A. Khan KC, "
        "à propos de l\u2019affaire Mokom"
    )
    assert "l\u2019indemnisation de M. Maxime Mokom" in text
    assert topics_in(text) == {"Karim Khan", "Mokom"}


def test_atom_entries_updated_in_place_keep_their_ids() -> None:
    items = feed_items("http://example.org/otp.xml", (CORPUS / "otp_atom_updated.xml").read_bytes())
    assert [item.key for item in items] == ["urn:otp:21", "urn:otp:19", "urn:otp:20"]
    assert "decided not to appeal the Mokom decision" in items[2].text
