"""The page farm: deterministic 60-150 KB news pages and RSS feeds, and their changed variants.

Every document is a pure function of (index, variant), so the farm can be reset to its base
state by rewriting only the documents a "changed" cycle touched, and every repetition of a
benchmark sees byte-identical files (and so identical ETags).
"""

from __future__ import annotations

import gzip
import os
import random
from dataclasses import dataclass
from html import escape
from pathlib import Path

TOPIC = "Mokom"
FEED_EVERY = 10  # one source in ten is an RSS feed, the rest are article pages
BASE_MTIME = 1_700_000_000  # fixed, so ETag/Last-Modified are the same in every repetition
CHANGED_MTIME = BASE_MTIME + 86_400

_PROSE = (
    "the court said on tuesday that its judges would hear witnesses from several regions "
    "after prosecutors asked for more time to review evidence gathered during the "
    "investigation ministers were not available for comment while officials in the capital "
    "described the decision as an important step for victims and their families lawyers for "
    "the defence argued that the case should be adjourned because documents had been "
    "disclosed late the chamber rejected that request and ordered both parties to file "
    "written submissions within two weeks observers expect a ruling before the end of the "
    "year according to people familiar with the matter the registry has also asked member "
    "states to cooperate with arrest warrants issued last spring analysts noted that "
    "funding remains tight and that the budget committee will meet again in december to "
    "discuss staffing translation services and the cost of protecting witnesses"
)
_WORDS = _PROSE.split(" ")
_NAMES = (
    "Amara Diallo",
    "Jonas Berg",
    "Lucia Ferreira",
    "Tomasz Nowak",
    "Aiko Tanaka",
    "Pierre Lambert",
    "Nadia Haddad",
    "Samuel Okoro",
    "Elena Petrova",
    "Rafael Ortiz",
)
_TOWNS = ("Bangui", "Bossangoa", "Bambari", "Berberati", "Kaga-Bandoro", "Bria", "Ndele")


@dataclass(frozen=True, slots=True)
class Doc:
    """One source of the farm: its path under the web root and whether it is a feed."""

    index: int
    path: str
    feed: bool

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1].split(".")[0]


def docs(count: int) -> list[Doc]:
    """The farm's first `count` documents."""
    out = []
    for index in range(count):
        feed = index % FEED_EVERY == FEED_EVERY - 1
        path = f"/feeds/f{index:05d}.xml" if feed else f"/news/p{index:05d}.html"
        out.append(Doc(index, path, feed))
    return out


def gains_topic(doc: Doc) -> bool:
    """5% of sources gain a paragraph (or entry) about the topic in the changed cycle."""
    return doc.index % 20 == 3


def gains_timestamp(doc: Doc) -> bool:
    """20% of sources only show a new timestamp in the changed cycle (never alerted)."""
    return doc.index % 5 == 2


def _sentence(rng: random.Random, low: int = 12, high: int = 26) -> str:
    words = rng.choices(_WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def topic_paragraph(index: int) -> str:
    """A paragraph mentioning the topic, a different story on every page.

    Its words are drawn at random per page, so no two pages share enough of them to be one
    story to watcher's deduplication: each page must give its own alert.
    """
    rng = random.Random(f"topic-{index}")
    name = _NAMES[index % len(_NAMES)]
    town = _TOWNS[index % len(_TOWNS)]
    before = " ".join(rng.choices(_WORDS, k=8))
    after = " ".join(rng.choices(_WORDS, k=14))
    return (
        f"{name} in {town}: {before} {TOPIC} {after} ({index}). "
        f"{_sentence(rng, 16, 24)} {_sentence(rng, 16, 24)}"
    )


class _Pools:
    """Shared page material, built once: realistic pages repeat their chrome site-wide."""

    def __init__(self) -> None:
        rng = random.Random(7)
        self.paragraphs = [_paragraph(rng) for _ in range(600)]
        self.nav = "".join(
            f'<li><a href="/section/{i}">{escape(" ".join(rng.choices(_WORDS, k=2)))}</a></li>'
            for i in range(120)
        )
        self.css = "".join(
            f".c{i}{{margin:{i % 9}px;padding:{i % 7}px;color:#{i * 2654435761 % 16**6:06x}}}"
            for i in range(300)
        )
        # News pages carry big inline state blobs; they are what makes them 60-150 KB.
        self.blobs = [
            '{"state":['
            + ",".join(
                f'{{"id":{rng.randint(1, 10**9)},"t":"{" ".join(rng.choices(_WORDS, k=6))}"}}'
                for _ in range(1400)
            )
            + "]}"
            for _ in range(8)
        ]


_POOLS: _Pools | None = None


def _pools() -> _Pools:
    global _POOLS  # built lazily, once per process
    if _POOLS is None:
        _POOLS = _Pools()
    return _POOLS


def page(index: int, *, topic: bool = False, stamp: str = "09:00") -> str:
    """An article page with navigation, inline CSS and state, most-read box and footer."""
    pools = _pools()
    rng = random.Random(index)
    paragraphs = [pools.paragraphs[i] for i in rng.sample(range(600), rng.randint(8, 20))]
    if topic:
        paragraphs.insert(len(paragraphs) // 2, topic_paragraph(index))
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    blob = pools.blobs[index % 8][: rng.randint(40_000, 125_000)]
    title = f"Hearing {index}: " + " ".join(rng.choices(_WORDS, k=6))
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}"
        f" | Newsroom</title><style>{pools.css}</style></head><body>"
        f"<header><nav><ul>{pools.nav}</ul></nav></header>"
        "<div class='cookie-banner'>We use cookies to improve your experience.</div>"
        f"<main><article><h1>{escape(title)}</h1><p class='updated'>Updated {stamp}</p>"
        f"{body}</article></main>"
        "<aside class='most-read'><h2>Most read</h2><ul><li><a href='/o/1'>Sadiq Khan opens a "
        "bus route</a></li></ul></aside><footer>Copyright Newsroom.</footer>"
        f"<script>window.__STATE__={blob}</script></body></html>"
    )


def feed(index: int, *, topic: bool = False, stamp: str = "09:00") -> str:
    """An RSS 2.0 feed of 20-40 entries with full content; optionally a new topic entry."""
    pools = _pools()
    rng = random.Random(index)
    entries = []
    if topic:
        entries.append(_entry(index, 9999, f"New {TOPIC} hearing", topic_paragraph(index)))
    for number in range(rng.randint(20, 40)):
        chosen = rng.sample(range(600), rng.randint(3, 7))
        text = " ".join(pools.paragraphs[i] for i in chosen)
        title = " ".join(rng.choices(_WORDS, k=7)).capitalize()
        entries.append(_entry(index, number, title, text))
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
        "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
        f"<title>Newsroom feed {index}</title><link>http://example.org/</link>"
        f"<description>feed</description><lastBuildDate>Sun, 29 Nov 2026 {stamp}:00 GMT"
        f"</lastBuildDate>{''.join(entries)}</channel></rss>"
    )


def _entry(index: int, number: int, title: str, text: str) -> str:
    link = f"http://example.org/{index}/{number}"
    return (
        f"<item><guid>{link}</guid><link>{link}</link><title>{escape(title)}</title>"
        f"<description>{escape(text[:300])}</description>"
        f"<content:encoded>{escape('<p>' + text + '</p>')}</content:encoded></item>"
    )


def render(doc: Doc, variant: str) -> str:
    """The document's text in the "base" or "changed" variant."""
    changed = variant == "changed"
    topic = changed and gains_topic(doc)
    stamp = "14:05" if changed and gains_timestamp(doc) else "09:00"
    make = feed if doc.feed else page
    return make(doc.index, topic=topic, stamp=stamp)


def write(root: Path, doc: Doc, variant: str) -> None:
    """Write the document and its .gz twin (served by nginx's gzip_static) with fixed mtimes."""
    data = render(doc, variant).encode("utf-8")
    target = root / doc.path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    zipped = target.with_name(target.name + ".gz")
    zipped.write_bytes(gzip.compress(data, compresslevel=5, mtime=0))
    mtime = CHANGED_MTIME if variant == "changed" else BASE_MTIME
    for path in (target, zipped):
        os.utime(path, (mtime, mtime))


def touched(doc: Doc) -> bool:
    """Whether the changed variant differs from the base one."""
    return gains_topic(doc) or gains_timestamp(doc)


def build(root: Path, count: int) -> list[Doc]:
    """Write the base farm of `count` documents plus robots.txt (idempotent)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    all_docs = docs(count)
    for doc in all_docs:
        target = root / doc.path.lstrip("/")
        stamp = target.with_name(target.name + ".gz")
        if not stamp.exists() or stamp.stat().st_mtime != BASE_MTIME:
            write(root, doc, "base")
    return all_docs


def change(root: Path, all_docs: list[Doc]) -> None:
    """Apply the changed variant: 5% gain a topic paragraph, 20% a new timestamp."""
    for doc in all_docs:
        if touched(doc):
            write(root, doc, "changed")


def reset(root: Path, all_docs: list[Doc]) -> None:
    """Undo change()."""
    for doc in all_docs:
        if touched(doc):
            write(root, doc, "base")
