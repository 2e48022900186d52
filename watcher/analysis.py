"""What change detection and the store need from an item's text, computed once (pure).

Splitting a text into sentences, keying and hashing them is most of the CPU a cold cycle
spends per document after extraction. It is a pure function of the text, so the extraction
worker computes it next to the item and the main process (fetching, detecting, writing)
only unpickles the result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from watcher.models import Item
from watcher.text import sentence_key, sentence_spans


@dataclass(frozen=True, slots=True)
class Analysis:
    """An item text's identity and its sentences: spans, keys and the keys' hashes."""

    content_hash: str
    spans: tuple[tuple[int, int], ...]
    keys: tuple[str, ...]
    # sentence_hash() of each key, in the order of `keys`.
    hashes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Analysed:
    """An extracted item with the analysis of its text."""

    item: Item
    analysis: Analysis


def content_hash(text: str) -> str:
    """Identity of an item's text: unchanged text skips diffing entirely."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sentence_hash(key: str) -> str:
    """The fixed-width identity of a sentence key."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def analyse(text: str) -> Analysis:
    """The analysis of `text`."""
    spans = tuple(sentence_spans(text))
    keys = tuple(sentence_key(text[start:end]) for start, end in spans)
    return Analysis(content_hash(text), spans, keys, tuple(map(sentence_hash, keys)))


def analysed(item: Item) -> Analysed:
    """`item` with the analysis of its text."""
    return Analysed(item, analyse(item.text))
