"""What is new in one item: the sentences it adds that mention a followed topic (pure)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from watcher.analysis import Analysis, analyse
from watcher.diff import added_sentences
from watcher.excerpt import build_excerpt
from watcher.match import Matcher, Mention
from watcher.models import AlertKind, Item
from watcher.storage.records import ItemWrite, StoredItem
from watcher.text import sentence_key

EXCERPT_LIMIT = 600


@dataclass(frozen=True, slots=True)
class Development:
    """New text of an item that mentions topics: the stuff of one alert."""

    kind: AlertKind
    topics: tuple[str, ...]
    excerpt: str
    highlights: tuple[tuple[int, int], ...]
    focus_keys: tuple[str, ...]
    focus_text: str
    # All the text the item newly says (the whole item when it is new): what identifies the
    # story for deduplication. Topic sentences alone do not: two different releases share
    # "ICC Prosecutor Karim A. A. Khan KC" boilerplate, while syndicated copies share it all.
    story_text: str = ""
    # sentence_hash() of each sentence the item newly says: what "already said" is asked about.
    fresh_hashes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemChange:
    """The snapshot to store for an item, and its development if there is one."""

    write: ItemWrite
    development: Development | None


def detect(
    item: Item,
    previous: StoredItem | None,
    matcher: Matcher,
    topics: Sequence[str],
    *,
    silent: bool,
    etag: str | None = None,
    last_modified: str | None = None,
    analysis: Analysis | None = None,
    said: Collection[str] = frozenset(),
) -> ItemChange:
    """Compare `item` with its stored snapshot; `silent` records without alerting (baseline).

    `analysis` is analyse(item.text) when the caller (an extraction worker) computed it.
    `said` holds hashes of sentences the source's items already said (see _unsaid_focus).
    """
    if analysis is None:
        analysis = analyse(item.text)
    digest = analysis.content_hash
    write = ItemWrite(
        key=item.key,
        url=item.url,
        title=item.title,
        text=item.text,
        content_hash=digest,
        sentence_keys=analysis.keys,
        etag=etag,
        last_modified=last_modified,
        sentence_hashes=analysis.hashes,
    )
    if silent or (previous is not None and (previous.pending or previous.content_hash == digest)):
        return ItemChange(write, None)
    spans = analysis.spans
    sentences = [item.text[start:end] for start, end in spans]
    if previous is None:
        kind: AlertKind = "new_item"
        fresh = list(range(len(sentences)))
        context_text = item.text
    else:
        kind = "updated_item"
        fresh = added_sentences(sentences, previous.seen_sentences, previous.text)
        context_text = previous.text + "\n" + item.text
    unsaid = [index for index in fresh if analysis.hashes[index] not in said]
    if not unsaid:
        # Nothing new, or text that merely moved: to a new guid or URL, or between items.
        return ItemChange(write, None)
    allowed = matcher.topics_in_context(context_text, topics)
    if not allowed:
        return ItemChange(write, None)
    found = matcher.mentions(item.text, allowed, within=context_text)
    mentions = _by_sentence(found, spans, set(fresh))
    story = "\n".join(sentences[index] for index in fresh)
    fresh_hashes = tuple(analysis.hashes[index] for index in fresh)
    fresh, mentions = _unsaid_focus(fresh, unsaid, mentions)
    development = _development(kind, sentences, set(fresh), mentions, topics, story)
    if development is None:
        return ItemChange(write, None)
    return ItemChange(write, replace(development, fresh_hashes=fresh_hashes))


def _unsaid_focus(
    fresh: list[int], unsaid: list[int], mentions: dict[int, list[Mention]]
) -> tuple[list[int], dict[int, list[Mention]]]:
    """The sentences a change alerts on: of its fresh ones, those its source never said
    before, if any of them mentions a topic; else all the fresh ones.

    A feed entry re-published under a new guid, an old headline over one new sentence, a
    paragraph moved from one article to another: news only for what they newly say. But
    when only old sentences name the topic (the office's boilerplate naming the Prosecutor)
    beside new text, the change still alerts: a missed development is the worse failure.
    """
    own = {index: found for index, found in mentions.items() if index in set(unsaid)}
    if own and len(unsaid) < len(fresh):
        return unsaid, own
    return fresh, mentions


def _by_sentence(
    found: Sequence[Mention], spans: Sequence[tuple[int, int]], fresh: set[int]
) -> dict[int, list[Mention]]:
    """The mentions that touch a fresh sentence, by sentence, in sentence offsets.

    Mentions are found in the whole text rather than sentence by sentence, so a name broken
    over a line break ("Karim<br>Khan") or a wrong sentence split still counts; a mention
    spanning sentences belongs to each of them, clipped to it.
    """
    mentions: dict[int, list[Mention]] = {}
    starts = [start for start, _end in spans]
    for mention in found:
        first = max(bisect_right(starts, mention.start) - 1, 0)
        touched: list[int] = []
        for index in range(first, len(spans)):
            if spans[index][0] >= mention.end:
                break
            if mention.start < spans[index][1]:
                touched.append(index)
        if not fresh.intersection(touched):
            continue
        for index in touched:
            start, end = spans[index]
            mentions.setdefault(index, []).append(
                Mention(
                    mention.topic, max(mention.start, start) - start, min(mention.end, end) - start
                )
            )
    return {index: found for index, found in mentions.items() if index in fresh}


def _development(
    kind: AlertKind,
    sentences: Sequence[str],
    fresh: set[int],
    mentions: dict[int, list[Mention]],
    topics: Sequence[str],
    story: str,
) -> Development | None:
    if not mentions:
        return None
    focus = sorted(mentions)
    mentioned = {mention.topic for found in mentions.values() for mention in found}
    excerpt, highlights = build_excerpt(sentences, focus, mentions, limit=EXCERPT_LIMIT, new=fresh)
    return Development(
        kind=kind,
        topics=tuple(name for name in topics if name in mentioned),
        excerpt=excerpt,
        highlights=highlights,
        focus_keys=tuple(sentence_key(sentences[i]) for i in focus),
        focus_text="\n".join(sentences[i] for i in focus),
        story_text=story,
    )
