"""One story, one alert: a signature of a development's words, and the test for "same story"."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from watcher.text import fold

_WORD = re.compile(r"\w+")
_SHINGLE = 3  # three-word shingles survive re-punctuation and headline edits of wire copy
_KEEP = 4096  # a bound on stored size; focus text rarely comes near it
_MIN_BASIS = 3  # below this many shingles a single shared phrase must not decide
SAME_STORY_OVERLAP = 0.5
_FOCUS_MARK = -1  # hashes are never negative


@dataclass(frozen=True, slots=True)
class Story:
    """A development as deduplication sees it."""

    source: str
    url: str
    kind: str
    topics: tuple[str, ...]
    signature: tuple[int, ...]  # of all the text the development newly says
    # Of its sentences that mention topics; () where unknown (stories stored earlier).
    focus: tuple[int, ...] = ()


def signature(text: str) -> tuple[int, ...]:
    """Sorted hashes of the text's folded word shingles (at most `_KEEP` of them)."""
    words = _WORD.findall(fold(text))
    if len(words) < _SHINGLE:
        shingles: Iterable[str] = [" ".join(words)] if words else []
    else:
        shingles = (" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1))
    hashes = {
        # 63 bits: fits a signed BIGINT and JSON numbers everywhere.
        int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") >> 1
        for s in shingles
    }
    return tuple(sorted(hashes)[:_KEEP])


def overlap(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of the smaller signature found in the larger one (a summary inside an article is 1)."""
    if not a or not b:
        return 0.0
    shared = len(set(a) & set(b))
    smaller, larger = sorted((len(a), len(b)))
    # A one-phrase development only matches as a whole, not as part of a longer one.
    return shared / max(smaller, min(_MIN_BASIS, larger))


def same_story(candidate: Story, known: Story) -> bool:
    """Whether two developments are one story told twice (syndicated, mirrored, re-linked)."""
    if not set(candidate.topics) & set(known.topics):
        return False
    if candidate.kind == known.kind == "new_item" and candidate.url == known.url:
        return True
    if overlap(candidate.signature, known.signature) < SAME_STORY_OVERLAP:
        return False
    # What one says about its topics must be in the other too: two releases of one office
    # share contact and background paragraphs, which can outweigh their news. Either way
    # round, as a feed entry's summary need not name the topic its article's sentences do.
    return _focus_found(candidate, known) or _focus_found(known, candidate)


def _focus_found(story: Story, other: Story) -> bool:
    """Whether `story`'s topic sentences are in `other`'s text, or too short to tell."""
    # A focus of a few words ("Mokom freed"), or none (stored before focus was), cannot tell
    # stories apart: the whole-text overlap decides alone.
    if len(story.focus) < _MIN_BASIS:
        return True
    return overlap(story.focus, other.signature) >= SAME_STORY_OVERLAP


def stored_form(story: Story) -> tuple[int, ...]:
    """What an alert keeps of its story: the signature, then the focus after a mark."""
    return (*story.signature, _FOCUS_MARK, *story.focus) if story.focus else story.signature


def from_stored(stored: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(signature, focus) of a story's stored form; no focus in forms stored before it."""
    values = tuple(stored)
    if _FOCUS_MARK not in values:
        return values, ()
    mark = values.index(_FOCUS_MARK)
    return values[:mark], values[mark + 1 :]


def find_same_story(candidate: Story, known: Iterable[tuple[str, Story]]) -> str | None:
    """The id of the first known story that `candidate` repeats, if any."""
    for story_id, story in known:
        if same_story(candidate, story):
            return story_id
    return None
