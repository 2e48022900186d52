"""Text normalisation and sentence splitting shared by matching and diffing (pure)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

# Characters that only hint at line breaks or joins: a word that holds them is the same word.
IGNORABLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"

_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u02b9\u02bb\u02bc\u02bd\ua78c\uff07"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u2039\u203a\uff02"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_SPACES = "\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
# Letters that carry no decomposition in Unicode yet are read as their base letter.
_LETTERS = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe"}

_TRANSLATION: dict[int, str | None] = {
    **{ord(char): None for char in IGNORABLE},
    **{ord(char): "'" for char in _SINGLE_QUOTES},
    **{ord(char): '"' for char in _DOUBLE_QUOTES},
    **{ord(char): "-" for char in _DASHES},
    **{ord(char): " " for char in _SPACES},
    **{ord(char): value for char, value in _LETTERS.items()},
}
_DROPPED_CATEGORIES = frozenset({"Mn", "Me"})
# Casefolding and compatibility decomposition feed each other on a few exotic characters
# (e.g. U+210C BLACK-LETTER H decomposes to an upper-case "H"); a handful of rounds reach the
# fixed point, which keeps fold() idempotent.
_MAX_ROUNDS = 4


def fold(text: str) -> str:
    """Case-folded, accent-free text with typographic variants unified and whitespace collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    folded = text
    for _ in range(_MAX_ROUNDS):
        again = _fold_round(folded)
        if again == folded:
            break
        folded = again
    return " ".join(folded.split())


def _fold_round(text: str) -> str:
    # Casefold before stripping marks: the Greek iota subscript is a mark that folds to a letter.
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLATION).casefold())
    bare = "".join(
        char for char in decomposed if unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    return bare.translate(_TRANSLATION)


# --- sentences -------------------------------------------------------------------------------

# A run of terminal punctuation, closing quotes or brackets, then the whitespace before the
# next sentence.
_TERMINAL = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*\s+")
_OPENERS = "\"'([\u201c\u2018\u00ab"
# Abbreviations that are never a sentence's last word, in any case.
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "messrs", "dr", "prof", "para", "paras", "pp", "vs",
        "inc", "ltd", "corp", "jr", "sr", "lt", "sgt", "capt", "hon", "gov", "dept", "mme",
        "mlle", "cf", "approx", "viz", "fig", "figs", "jan", "feb", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "a.k.a", "op", "cit", "ibid",
    }
)  # fmt: skip
# Abbreviations that are also ordinary words ("no", "art"): only their capitalised form.
_CAPITALISED_ABBREVIATIONS = frozenset(
    {"No", "Nos", "Art", "Arts", "St", "Co", "Gen", "Col", "Rev", "Sen", "Rep", "Vol", "Mt",
     "Ch", "Sec", "Sect", "Nr", "Ref"}
)  # fmt: skip
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
# "a.m." and "p.m.", in any case: after a number they are a time, which often ends a sentence.
_CLOCK_SUFFIXES = frozenset({"a.m", "p.m"})
# What comes before a time's suffix: "5", "10:30", "9.15", "11h30" (and the space after it).
_CLOCK_BEFORE = re.compile(r"\d(?:[:.h]\d\d)?\s*$")


def split_sentences(text: str) -> list[str]:
    """Sentences of a plain text whose block boundaries are newlines, in their surface form."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of the sentences split_sentences() returns."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        spans.extend((offset + start, offset + end) for start, end in _split_line(line))
        offset += len(line)
    return spans


def _split_line(line: str) -> list[tuple[int, int]]:
    line = line.rstrip("\r\n")
    pieces: list[tuple[int, int]] = []
    start = 0
    for match in _TERMINAL.finditer(line):
        if match.end() < len(line) and _ends_sentence(line, match):
            pieces.append((start, match.end()))
            start = match.end()
    pieces.append((start, len(line)))
    return [_stripped(line, first, last) for first, last in pieces if line[first:last].strip()]


def ends_sentence_between(text: str, start: int, end: int) -> bool:
    """Whether a sentence ends in `text[start:end]`, the gap between two words.

    The same rule as the sentence splitter: a full stop (not after an initial or an
    abbreviation), question or exclamation mark, then space and no lower-case letter.
    A line break alone ends no sentence here: a name broken over a <br> is still one name.
    """
    return any(
        match.end() < len(text) and _ends_sentence(text, match)
        for match in _TERMINAL.finditer(text, start, end)
    )


def _stripped(line: str, start: int, end: int) -> tuple[int, int]:
    piece = line[start:end]
    return start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())


def _ends_sentence(line: str, match: re.Match[str]) -> bool:
    following = line[match.end()]
    if following.islower():
        return False
    if match.group().rstrip() != ".":
        return True  # "!", "?", "...", or a closing quote or bracket after the full stop
    start = _word_start(line, match.start())
    word = line[start : match.start()].lstrip(_OPENERS)
    if word.lower() in _CLOCK_SUFFIXES and _CLOCK_BEFORE.search(line, max(0, start - 12), start):
        return True  # "at 5 p.m. The court rose", "at 5 P.M. The court rose"
    return not _is_abbreviation(word)


def _word_start(line: str, end: int) -> int:
    start = end  # walk back rather than split the line: a paragraph may hold many stops
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    return start


def _is_abbreviation(word: str) -> bool:
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "Karim A. A. Khan", "Prosecutor v. Mokom"
    if word in _CAPITALISED_ABBREVIATIONS or word.lower() in _ABBREVIATIONS:
        return True
    # Dotted capitals run on ("the U.N. Security Council"); dotted lower case not listed above
    # is a time, which often ends a sentence ("Khan spoke at 5 p.m. The court rose.").
    return _DOTTED.fullmatch(word) is not None and not word.islower()


# --- word tokens -----------------------------------------------------------------------------

# Combining marks (NFD text) and ignorable characters stay inside the word they sit in.
_INNER = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f" + IGNORABLE
_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{_INNER}])*")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")  # what _WORD matches in ASCII text, only faster
# What may separate the letters of initials: "A. A.", "A.A.", "A A".
_INITIALS_GAP = re.compile(r"\s*\.?\s*")


@dataclass(frozen=True, slots=True)
class Tokens:
    """Word tokens of a text: folded keys and (start, end) spans in the original text."""

    keys: list[str]
    spans: list[tuple[int, int]]


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    return fold(word).replace(" ", "")


def word_keys(text: str) -> list[str]:
    """Folded keys of the words of `text`, initials not joined; cheap, as it takes no offsets."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    return [key for key in map(_fold_word, _WORD.findall(text)) if key]


def may_join_initials(keys: list[str]) -> bool:
    """Whether `word_keys` holds two single letters in a row, which tokenise() may join."""
    single = [len(key) == 1 and key.isalpha() for key in keys]
    return any(a and b for a, b in pairwise(single))


def tokenise(text: str) -> Tokens:
    """Word tokens of `text`; a run of single letters ("A. A.", "A.A.", "A A") is one token."""
    if text.isascii():
        keys = _ASCII_WORD.findall(text.lower())
        spans = [match.span() for match in _ASCII_WORD.finditer(text)]
    else:
        keys, spans = [], []
        for match in _WORD.finditer(text):
            key = _fold_word(match.group())
            if key:
                keys.append(key)
                spans.append(match.span())
    if may_join_initials(keys):
        keys, spans = _join_initials(text, keys, spans)
    return Tokens(keys, spans)


def _join_initials(
    text: str, keys: list[str], spans: list[tuple[int, int]]
) -> tuple[list[str], list[tuple[int, int]]]:
    joined_keys: list[str] = []
    joined_spans: list[tuple[int, int]] = []
    in_initials = False
    for key, span in zip(keys, spans, strict=True):
        single = len(key) == 1 and key.isalpha()
        if single and in_initials and _INITIALS_GAP.fullmatch(text, joined_spans[-1][1], span[0]):
            joined_keys[-1] += key
            joined_spans[-1] = (joined_spans[-1][0], span[1])
        else:
            joined_keys.append(key)
            joined_spans.append(span)
            in_initials = single
    return joined_keys, joined_spans


# --- identity --------------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[\W_]+")
# What _PUNCTUATION.sub(" ", ...) does to ASCII text, as a table: twice as fast, and every
# sentence of every changed document gets a key.
_ASCII_PUNCTUATION = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def sentence_key(sentence: str) -> str:
    """Canonical identity of a sentence: fold() minus punctuation, single spaces."""
    if sentence.isascii():
        return " ".join(sentence.lower().translate(_ASCII_PUNCTUATION).split())
    return " ".join(_PUNCTUATION.sub(" ", fold(sentence)).split())
