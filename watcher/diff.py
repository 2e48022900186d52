"""Which sentences of an item are new development rather than old text or copy edits (pure).

A sentence whose key was seen before is old, wherever it now stands. A sentence with a new key
is a copy edit, and not new, when it says nothing a seen sentence did not already say:

- every number in it was in that sentence ("12 May" kept; "12,000" = "12 000"; a changed
  date, count or term of years is a new fact);
- it negates what that sentence negated ("is not a suspect" differs from "is a suspect");
- every content word in it was in that sentence, or is a typo fix of one of its words (one
  or two letters changed, not a new ending: "Prosecuter" = "Prosecutor", but "issue" ≠
  "issued" and "May" ≠ "June"); words that only glue a sentence together (articles,
  prepositions, auxiliaries, "said") may come and go;
- its words other than glue come mostly in that sentence's order (see _ORDER_CUTOFF), once a
  leading or trailing part is moved to the other end ("Khan said: “We will act.”" →
  "“We will act,” Khan said.").

Two neighbouring sentences of the item's last text joined into one ("Khan visited Bangui. He
met victims." → "Khan visited Bangui and met victims.") are a copy edit too, by the same rules
against the two together, except that every word other than glue must keep their order.

Removed words never make a sentence new: trimming a clause is editing, not development.
A similarity threshold alone (rapidfuzz fuzz.ratio on keys) cannot draw this line: the copy
edit "The Prosecutor, Karim Khan, said on Monday" → "Prosecutor Karim Khan said on Monday"
scores 0.95, while "granted" → "rejected" in a release-length sentence ("Pre-Trial Chamber II
of the International Criminal Court today granted the Prosecutor's request for an arrest
warrant") scores 0.97. So seen sentences sharing the most content words are the candidates,
and the rules above decide. The price of the rules: a content word added to a sentence ("ICC
Prosecutor Karim Khan" for "Prosecutor Karim Khan") makes it new; a missed development is the
worse failure for a watcher.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz.distance import LCSseq, Levenshtein

from watcher.text import sentence_key, split_sentences

# Share of the new sentence's non-glue words that must come in the seen sentence's order.
# Moving a phrase ("the court said on Monday that Mokom would be tried in The Hague" → "On
# Monday, the court said ...") keeps 5 of 6 in order (0.83); swapping who did what ("Khan
# accused Mokom of crimes" → "Mokom accused Khan of crimes") keeps 2 of 4 (0.5).
_ORDER_CUTOFF = 0.75
# Joining two sentences moves nothing: every word keeps its place ("and" or "which" may come in).
_JOINED_ORDER_CUTOFF = 1.0
# Seen sentences worth a full comparison: those sharing most of the new one's content words.
_CANDIDATES = 10
# Typo fixes: short words are left alone (too many real words lie one letter apart).
_TYPO_MIN_LENGTH = 5
_TYPO_LONG_WORD = 8

_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_DIGITS = re.compile(r"\d+")
_NEGATIONS = frozenset(
    {
        "not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "nowhere",
        "cannot", "without", "t",  # "t": what is left of "n't" once punctuation goes
        "ne", "pas", "non", "jamais", "aucun", "aucune", "sans", "ni",
    }
)  # fmt: skip
# Words a copy edit adds or drops without changing what is said (English and French).
# Modals ("will", "may", "could") and months are deliberately absent: they carry facts.
_GLUE = frozenset(
    {
        "a", "an", "the", "this", "that", "these", "those", "its", "his", "her", "their",
        "of", "on", "in", "at", "to", "for", "by", "from", "with", "as", "into", "onto",
        "and", "or", "but", "also", "then", "so", "which", "who", "whom", "whose",
        "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do",
        "does", "did", "it", "he", "she", "they", "we", "s",
        "said", "says", "say", "told", "tells", "stated", "states", "added", "adds",
        "according", "today", "yesterday", "mr", "mrs", "ms", "dr",
        "le", "la", "les", "l", "de", "des", "du", "d", "un", "une", "et", "au", "aux",
        "en", "pour", "par", "sur", "dans", "que", "qui", "qu", "est", "ont", "ce",
        "cette", "il", "elle", "ils", "elles", "se", "sa", "son", "ses", "leur", "leurs",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Profile:
    words: tuple[str, ...]
    numbers: frozenset[str]
    negations: frozenset[str]
    content: frozenset[str]  # the words a copy edit may not bring in


def added_sentences(sentences: Sequence[str], seen: Collection[str], before: str = "") -> list[int]:
    """Indices of `sentences` that are new development: neither seen keys nor their copy edits.

    `before` is the item's last text, whose neighbouring sentences an edit may have joined.
    """
    known = seen if isinstance(seen, set | frozenset | dict) else set(seen)
    added: list[int] = []
    said_now: set[str] = set()  # a sentence said twice in the new text is new once
    index: _SeenIndex | None = None
    joined: _SeenIndex | None = None  # built only when some sentence is no simple copy edit
    for position, sentence in enumerate(sentences):
        key = sentence_key(sentence)
        if key in known or key in said_now:
            continue
        said_now.add(key)
        profile = _profile(key)
        index = index or _SeenIndex(_profile(old) for old in known)
        if index.has_copy_edit_source(profile, _ORDER_CUTOFF):
            continue
        if not index.may_join_into(profile):
            # Seen sentences lack its numbers or negations (a new time stamp, a new figure):
            # no merge of them can explain it, and splitting and profiling `before` again
            # was most of the CPU a changed page cost.
            added.append(position)
            continue
        joined = joined or _SeenIndex(_neighbours(before))
        if not joined.has_copy_edit_source(profile, _JOINED_ORDER_CUTOFF):
            added.append(position)
    return added


def _neighbours(text: str) -> list[_Profile]:
    """Each two neighbouring sentences of `text` as if they were one."""
    profiles = [_profile(sentence_key(sentence)) for sentence in split_sentences(text)]
    return [
        _Profile(
            words=first.words + second.words,
            numbers=first.numbers | second.numbers,
            negations=first.negations | second.negations,
            content=first.content | second.content,
        )
        for first, second in pairwise(profiles)
    ]


class _SeenIndex:
    """Seen sentences, indexed by their content words to find copy-edit candidates quickly."""

    def __init__(self, profiles: Iterable[_Profile]) -> None:
        self._profiles = list(profiles)
        self._by_word: defaultdict[str, list[int]] = defaultdict(list)
        self._numbers: set[str] = set()
        self._negations: set[str] = set()
        for number, profile in enumerate(self._profiles):
            for word in profile.content | profile.numbers:
                self._by_word[word].append(number)
            self._numbers |= profile.numbers
            self._negations |= profile.negations

    def may_join_into(self, new: _Profile) -> bool:
        """Whether seen sentences hold all of `new`'s numbers and negations (a copy edit of
        any sentence made from seen ones must: see _is_copy_edit)."""
        return new.numbers <= self._numbers and new.negations <= self._negations

    def has_copy_edit_source(self, new: _Profile, order_cutoff: float) -> bool:
        """Whether some seen sentence already said everything `new` says."""
        return any(
            _is_copy_edit(new, self._profiles[n], order_cutoff) for n in self._candidates(new)
        )

    def _candidates(self, new: _Profile) -> list[int]:
        wanted = new.content | new.numbers
        if not wanted:
            return []  # only glue words: nothing to compare on, so the key decides alone
        shared = Counter(n for word in wanted for n in self._by_word.get(word, ()))
        # Typo fixes may hide some shared words, so half of them is enough to compare.
        return [n for n, count in shared.most_common(_CANDIDATES) if 2 * count >= len(wanted)]


def _profile(key: str) -> _Profile:
    words = tuple(_THOUSANDS.sub("", key).split())
    numbers = frozenset(str(int(digits)) for digits in _DIGITS.findall(" ".join(words)))
    return _Profile(
        words=words,
        numbers=numbers,
        negations=frozenset(_NEGATIONS.intersection(words)),
        # Words with digits ("12th", "2024") are judged as numbers only.
        content=_content(words),
    )


def _is_copy_edit(new: _Profile, old: _Profile, order_cutoff: float) -> bool:
    if not new.numbers <= old.numbers or new.negations != old.negations:
        return False
    # "wrongdoing" = "wrong-doing" = "wrong doing": compounds may be split or joined.
    new_words = _joined(new.words, old.content)
    old_words = _joined(old.words, new.content)
    old_content = _content(old_words)
    spelled = {}
    for word in _content(new_words) - old_content:
        source = _typo_source(word, old_content)
        if source is None:
            return False
        spelled[word] = source
    words = [spelled.get(word, word) for word in new_words if word not in _GLUE]
    return _in_order(words, [word for word in old_words if word not in _GLUE]) >= (
        order_cutoff * len(words)
    )


def _in_order(words: list[str], old_words: list[str]) -> int:
    """How many of `words` come in `old_words`' order, the best way `words` is rotated.

    A rotation is a leading or trailing part moved to the other end, which keeps who did
    what: "Khan said: “We will act.”" → "“We will act,” Khan said."
    """
    best = 0
    for start in range(len(words)):
        best = max(best, LCSseq.similarity(words[start:] + words[:start], old_words))
        if best == len(words):
            break
    return best


def _content(words: Sequence[str]) -> frozenset[str]:
    """The words a copy edit may not bring in: not glue, not numbers."""
    return frozenset(w for w in words if w not in _GLUE and not _DIGITS.search(w))


def _joined(words: tuple[str, ...], vocabulary: frozenset[str]) -> tuple[str, ...]:
    """`words` with two neighbours merged wherever together they make a word of `vocabulary`."""
    merged: list[str] = []
    position = 0
    while position < len(words):
        pair = "".join(words[position : position + 2])
        if position + 1 < len(words) and pair in vocabulary:
            merged.append(pair)
            position += 2
        else:
            merged.append(words[position])
            position += 1
    return tuple(merged)


def _typo_source(word: str, old_words: frozenset[str]) -> str | None:
    """The old word that `word` corrects or misspells, if it is one."""
    if len(word) < _TYPO_MIN_LENGTH:
        return None
    allowed = 1 if len(word) < _TYPO_LONG_WORD else 2
    for old in old_words:
        if old.startswith(word) or word.startswith(old):
            continue  # a new ending is a new form: "issue" → "issued", "guilt" → "guilty"
        if Levenshtein.distance(word, old, score_cutoff=allowed) <= allowed:
            return old
    return None
