"""Topic matching: which topics a text mentions, and where (pure).

Texts and phrases are both cut into word tokens (watcher.text.tokenise): folded keys with
offsets in the original text, initials joined. A phrase matches a run of whole tokens, which
gives word boundaries for free ("IOM" is not in "IOMA", "Khan" is in "Khan's" and
"Khan-led"). All phrases of all topics sit in one index keyed by their first token, so a
text is scanned once whatever the number of topics, and most texts are ruled out on their
bare words before any offset is taken.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from watcher.models import Topic
from watcher.text import Tokens, ends_sentence_between, may_join_initials, tokenise, word_keys

Role = Literal["term", "context", "exclude"]

_OPEN_PAREN = re.compile(r"\s*[(\[]\s*")
_CLOSE_PAREN = re.compile(r"[\s.]*[)\]]")
# An acronym in parentheses is a few tokens at most: "(IOM)", "(I.O.M.)", "(OIM / IOM)".
_MAX_ACRONYM_TOKENS = 4
# Words an acronym leaves out ("International Organization for Migration" is "IOM").
_SMALL_WORDS = frozenset(
    {"of", "for", "the", "and", "on", "in", "to", "de", "des", "du", "la", "le", "l", "d",
     "pour", "et", "sur", "en"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Mention:
    """A term of a topic found in a text; start and end index the original text."""

    topic: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Phrase:
    topic: str
    role: Role
    keys: tuple[str, ...]
    initials: str | None  # "iom" for "International Organization for Migration"


@dataclass(slots=True)
class _Acronyms:
    """Per topic, the acronyms a text defines for excluded phrases and for the topic's own."""

    excluded: defaultdict[str, set[tuple[str, ...]]] = field(
        default_factory=lambda: defaultdict(set)
    )
    own: defaultdict[str, set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))

    def merge(self, other: _Acronyms) -> _Acronyms:
        """Both texts' definitions together."""
        merged = _Acronyms()
        for mine, theirs, into in (
            (self.excluded, other.excluded, merged.excluded),
            (self.own, other.own, merged.own),
        ):
            for topic in mine.keys() | theirs.keys():
                into[topic] = mine.get(topic, set()) | theirs.get(topic, set())
        return merged

    def masked(self, topic: str) -> set[tuple[str, ...]]:
        """Acronyms that stand for an excluded phrase only: no own phrase claims them too."""
        return self.excluded.get(topic, set()) - self.own.get(topic, set())


@dataclass(frozen=True, slots=True)
class _Hit:
    phrase: _Phrase
    first: int  # token indices, end exclusive
    last: int


class Matcher:
    """Finds the topics' terms in texts; built once from the configured topics."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self._topics = frozenset(topic.name for topic in topics)
        self._with_context = frozenset(topic.name for topic in topics if topic.context)
        index: defaultdict[str, list[_Phrase]] = defaultdict(list)
        for phrase in _compile(topics):
            if phrase not in index[phrase.keys[0]]:
                index[phrase.keys[0]].append(phrase)
        self._index = dict(index)
        self._first_keys = frozenset(index)
        self._within: tuple[str, _Acronyms] | None = None

    def topics_in_context(self, text: str, topics: Collection[str] | None = None) -> frozenset[str]:
        """Names of the topics (among `topics`, default all) whose `context` holds in `text`."""
        wanted = self._wanted(topics)
        needing = wanted & self._with_context
        held = wanted - needing
        if needing and self._may_hit(text, needing, "context"):
            hits = self._unmasked(text, tokenise(text), needing, "context", _Acronyms())
            held |= {hit.phrase.topic for hit in hits}
        return held

    def mentions(
        self, text: str, topics: Collection[str] | None = None, *, within: str | None = None
    ) -> list[Mention]:
        """Term occurrences of the topics (default all) in `text`, outside their excludes."""
        # `within` is the whole item when `text` is one of its sentences: the acronyms the item
        # defines apply to the sentence too ("IOM" two sentences after "International
        # Organization for Migration (IOM)" is no mention).
        wanted = self._wanted(topics)
        if not self._may_hit(text, wanted, "term"):
            return []
        tokens = tokenise(text)
        outer = self._definitions_within(within) if within is not None else _Acronyms()
        found = [
            Mention(hit.phrase.topic, tokens.spans[hit.first][0], tokens.spans[hit.last - 1][1])
            for hit in self._unmasked(text, tokens, wanted, "term", outer)
        ]
        return _drop_overlaps(found)

    def _wanted(self, topics: Collection[str] | None) -> frozenset[str]:
        return self._topics if topics is None else self._topics.intersection(topics)

    def _may_hit(self, text: str, wanted: frozenset[str], role: Role) -> bool:
        """A cheap test on the bare words that rules out most texts before offsets are taken."""
        keys = word_keys(text)
        if may_join_initials(keys):
            return True  # joined initials may form a phrase's token ("A. A.", "I.C.C.")
        if self._first_keys.isdisjoint(keys):
            return False
        return any(
            hit.phrase.role == role and hit.phrase.topic in wanted for hit in self._scan(keys)
        )

    def _definitions_within(self, within: str) -> _Acronyms:
        # Cached for the last item: the pipeline asks about each of its sentences in turn.
        if self._within is None or self._within[0] != within:
            tokens = tokenise(within)
            self._within = (within, _definitions(within, tokens, self._hits(within, tokens)))
        return self._within[1]

    def _unmasked(
        self, text: str, tokens: Tokens, wanted: frozenset[str], role: Role, outer: _Acronyms
    ) -> list[_Hit]:
        hits = [hit for hit in self._hits(text, tokens) if hit.phrase.topic in wanted]
        masks = _masks(text, tokens, hits, _definitions(text, tokens, hits).merge(outer))
        return [
            hit
            for hit in hits
            if hit.phrase.role == role
            and masks[hit.phrase.topic].isdisjoint(range(hit.first, hit.last))
        ]

    def _hits(self, text: str, tokens: Tokens) -> Iterator[_Hit]:
        """Phrase occurrences in `text` that lie within one sentence.

        "... met Khan. Younis residents said ..." holds no "Khan Younis": a phrase of any
        role (term, context, exclude) that spans a sentence end is two sentences' words.
        """
        spans = tokens.spans
        for hit in self._scan(tokens.keys):
            if not any(
                ends_sentence_between(text, spans[gap][1], spans[gap + 1][0])
                for gap in range(hit.first, hit.last - 1)
            ):
                yield hit

    def _scan(self, keys: list[str]) -> Iterator[_Hit]:
        index = self._index
        for position, key in enumerate(keys):
            for phrase in index.get(key, ()):
                end = position + len(phrase.keys)
                if tuple(keys[position:end]) == phrase.keys:
                    yield _Hit(phrase, position, end)


def _compile(topics: Iterable[Topic]) -> Iterator[_Phrase]:
    for topic in topics:
        roles: tuple[tuple[Role, tuple[str, ...]], ...] = (
            ("term", topic.terms),
            ("context", topic.context),
            ("exclude", topic.exclude),
        )
        for role, phrases in roles:
            for phrase in phrases:
                keys = tuple(tokenise(phrase).keys)
                if keys:  # a phrase of punctuation only can match nothing
                    yield _Phrase(topic.name, role, keys, _initials(keys))


def _initials(keys: tuple[str, ...]) -> str | None:
    """The acronym its initials make: "iom" for "International Organization for Migration"."""
    words = [key for key in keys if key not in _SMALL_WORDS]
    return "".join(word[0] for word in words) if len(words) > 1 else None


def _definitions(text: str, tokens: Tokens, hits: Iterable[_Hit]) -> _Acronyms:
    """The acronyms a text defines: in parentheses after a phrase, or by a phrase's initials.

    An item that names the International Organization for Migration and then writes "IOM"
    means the migration agency, unless it also names (or defines "IOM" after) one of the
    topic's own phrases, such as "Independent Oversight Mechanism": then each "IOM" counts.
    """
    acronyms = _Acronyms()
    for hit in hits:
        side = acronyms.excluded if hit.phrase.role == "exclude" else acronyms.own
        found = _acronym_after(text, tokens, hit.last)
        if found:
            side[hit.phrase.topic].add(tuple(tokens.keys[found[0] : found[1]]))
        if hit.phrase.initials:
            side[hit.phrase.topic].add((hit.phrase.initials,))
    return acronyms


def _masks(
    text: str, tokens: Tokens, hits: list[_Hit], acronyms: _Acronyms
) -> defaultdict[str, set[int]]:
    """Per topic, the token indices its excludes cover, and the acronyms standing for them."""
    masks: defaultdict[str, set[int]] = defaultdict(set)
    for hit in hits:
        if hit.phrase.role != "exclude":
            continue
        first, last = hit.first, hit.last
        found = _acronym_after(text, tokens, last)
        if found:
            last = found[1]  # "... Migration (IOM)"
        elif _acronym_before(text, tokens, first, last):
            first -= 1  # "IOM (... Migration)"
        masks[hit.phrase.topic].update(range(first, last))
    for topic in {hit.phrase.topic for hit in hits}:
        for keys in acronyms.masked(topic):
            masks[topic].update(_occurrences(tokens.keys, keys))
    return masks


def _acronym_after(text: str, tokens: Tokens, end: int) -> tuple[int, int] | None:
    """Token range of an acronym in parentheses after token `end - 1`: "... Migration (IOM)"."""
    spans = tokens.spans
    if end >= len(spans) or not _OPEN_PAREN.fullmatch(text, spans[end - 1][1], spans[end][0]):
        return None
    for last in range(end, min(end + _MAX_ACRONYM_TOKENS, len(spans))):
        following = spans[last + 1][0] if last + 1 < len(spans) else len(text)
        gap = text[spans[last][1] : following]
        if _CLOSE_PAREN.match(gap):
            return (end, last + 1) if _capitals(text, tokens, end, last + 1) else None
        if any(bracket in gap for bracket in "()[]"):
            return None
    return None


def _acronym_before(text: str, tokens: Tokens, first: int, last: int) -> bool:
    """Whether capitals precede the phrase in parentheses, as in "IOM (... Migration)"."""
    spans = tokens.spans
    if first == 0 or not _OPEN_PAREN.fullmatch(text, spans[first - 1][1], spans[first][0]):
        return False
    following = spans[last][0] if last < len(spans) else len(text)
    if not _CLOSE_PAREN.match(text, spans[last - 1][1], following):
        return False
    return _capitals(text, tokens, first - 1, first)


def _capitals(text: str, tokens: Tokens, first: int, last: int) -> bool:
    """Whether tokens first..last-1 are written in capitals, as acronyms are."""
    return all(text[start:end].isupper() for start, end in tokens.spans[first:last])


def _occurrences(keys: list[str], acronym: tuple[str, ...]) -> Iterator[int]:
    width = len(acronym)
    for position in range(len(keys) - width + 1):
        if tuple(keys[position : position + width]) == acronym:
            yield from range(position, position + width)


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Mentions by start; of one topic's overlapping mentions the first, longest one stays."""
    kept: list[Mention] = []
    reach: dict[str, int] = {}
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if mention.start >= reach.get(mention.topic, 0):
            kept.append(mention)
            reach[mention.topic] = mention.end
    return kept
