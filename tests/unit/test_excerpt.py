"""Alert excerpts: focus sentences, context, gaps, the length cap and highlight spans."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watcher.excerpt import build_excerpt
from watcher.match import Matcher, Mention
from watcher.models import Topic

MATCHER = Matcher([Topic("Karim Khan", ("Karim Khan",)), Topic("Mokom", ("Mokom",))])
SENTENCES = [
    "The court sat in The Hague.",  # 0
    "Prosecutor Karim Khan spoke.",  # 1
    "He was brief.",  # 2
    "Nothing else happened.",  # 3
    "Mokom was released.",  # 4
    "Karim Khan welcomed it.",  # 5
]


def mentions_of(sentences: list[str]) -> dict[int, list[Mention]]:
    return {index: MATCHER.mentions(sentence) for index, sentence in enumerate(sentences)}


def highlighted(excerpt: str, spans: tuple[tuple[int, int], ...]) -> list[str]:
    return [excerpt[start:end] for start, end in spans]


@pytest.mark.parametrize(
    ("focus", "expected"),
    [
        ([1], "Prosecutor Karim Khan spoke. He was brief."),
        ([5], "Karim Khan welcomed it."),  # no sentence after the last
        ([4], "Mokom was released. Karim Khan welcomed it."),
        ([4, 5], "Mokom was released. Karim Khan welcomed it."),
        ([1, 4], "Prosecutor Karim Khan spoke. He was brief. \u2026 "
                 "Mokom was released. Karim Khan welcomed it."),
        ([0, 5], "The court sat in The Hague. Prosecutor Karim Khan spoke. \u2026 "
                 "Karim Khan welcomed it."),
        ([5, 1, 5], "Prosecutor Karim Khan spoke. He was brief. \u2026 "
                    "Karim Khan welcomed it."),  # any order, repeats
        ([], ""),
        ([99], ""),  # out of range: ignored
    ],
)  # fmt: skip
def test_each_new_topic_sentence_leads_with_the_sentence_after(
    focus: list[int], expected: str
) -> None:
    excerpt, _ = build_excerpt(SENTENCES, focus, mentions_of(SENTENCES))
    assert excerpt == expected


@pytest.mark.parametrize(
    ("focus", "new", "expected"),
    [
        ([1], {1}, "Prosecutor Karim Khan spoke."),  # the sentence after is old: no context
        ([1], {1, 2}, "Prosecutor Karim Khan spoke. He was brief."),
        ([1, 4], {1, 4, 5}, "Prosecutor Karim Khan spoke. \u2026 Mokom was released. "
                            "Karim Khan welcomed it."),
    ],
)  # fmt: skip
def test_context_is_only_ever_new_text(focus: list[int], new: set[int], expected: str) -> None:
    excerpt, _ = build_excerpt(SENTENCES, focus, mentions_of(SENTENCES), new=new)
    assert excerpt == expected
    assert excerpt.startswith(SENTENCES[min(focus)])


def test_spans_are_shifted_into_the_excerpt() -> None:
    excerpt, spans = build_excerpt(SENTENCES, [1, 4, 5], mentions_of(SENTENCES))
    assert highlighted(excerpt, spans) == ["Karim Khan", "Mokom", "Karim Khan"]
    assert list(spans) == sorted(spans)


def test_context_is_dropped_before_focus_is_cut() -> None:
    limit = len("Prosecutor Karim Khan spoke. \u2026 Mokom was released.")
    excerpt, spans = build_excerpt(SENTENCES, [1, 4], mentions_of(SENTENCES), limit=limit)
    assert excerpt == "Prosecutor Karim Khan spoke. \u2026 Mokom was released."
    assert highlighted(excerpt, spans) == ["Karim Khan", "Mokom"]


def test_context_of_earlier_focus_comes_first() -> None:
    limit = len("Prosecutor Karim Khan spoke. He was brief. \u2026 Mokom was released.")
    excerpt, _ = build_excerpt(SENTENCES, [1, 4], mentions_of(SENTENCES), limit=limit)
    assert excerpt == "Prosecutor Karim Khan spoke. He was brief. \u2026 Mokom was released."


@pytest.mark.parametrize("limit", [35, 45, 60])
def test_cut_on_a_word_boundary_with_an_ellipsis(limit: int) -> None:
    excerpt, spans = build_excerpt(SENTENCES, [1, 4, 5], mentions_of(SENTENCES), limit=limit)
    assert len(excerpt) <= limit
    assert excerpt.endswith("\u2026")
    assert not excerpt.endswith(" \u2026")
    words = excerpt[:-1].split()
    full = " ".join([SENTENCES[1], "\u2026", *SENTENCES[4:]]).split()
    assert words == full[: len(words)]  # whole words only
    # spans that were cut are dropped, the others still point at the terms
    assert all(excerpt[start:end] in {"Karim Khan", "Mokom"} for start, end in spans)


def test_a_span_cut_in_the_middle_is_dropped() -> None:
    sentences = ["Mokom met Prosecutor Karim Khan."]
    excerpt, spans = build_excerpt(sentences, [0], mentions_of(sentences), limit=28)
    assert excerpt == "Mokom met Prosecutor Karim\u2026"
    assert highlighted(excerpt, spans) == ["Mokom"]


def test_a_cap_that_would_cut_the_first_mention_starts_near_it() -> None:
    excerpt, spans = build_excerpt(SENTENCES, [1, 4, 5], mentions_of(SENTENCES), limit=20)
    assert excerpt == "\u2026Karim Khan spoke.\u2026"
    assert highlighted(excerpt, spans) == ["Karim Khan"]


def test_a_long_word_is_cut_inside() -> None:
    sentences = ["Mokom " + "x" * 100]
    excerpt, spans = build_excerpt(sentences, [0], mentions_of(sentences), limit=40)
    assert excerpt == "Mokom " + "x" * 33 + "\u2026"
    assert highlighted(excerpt, spans) == ["Mokom"]


def test_a_long_sentence_is_shown_around_its_mention() -> None:
    sentence = " ".join(["word"] * 200) + " Mokom was released " + " ".join(["tail"] * 200)
    excerpt, spans = build_excerpt([sentence], [0], mentions_of([sentence]), limit=100)
    assert len(excerpt) <= 100
    assert excerpt.startswith("\u2026word ")
    assert excerpt.endswith("\u2026")
    assert highlighted(excerpt, spans) == ["Mokom"]


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        # a word longer than the excerpt right before the mention
        ("x" * 700 + " Mokom was released.", "\u2026Mokom was released."),
        ("x" * 700 + "-Mokom was released.", "\u2026" + "x" * 149 + "-Mokom was released."),
        # the mention just fits, but the cap's word boundary falls before it
        ("x" * 595 + " Mokom\u2019s lawyers spoke.", "\u2026Mokom\u2019s lawyers spoke."),
        # some lead-in is kept where words allow
        ("word " * 150 + "Mokom was released.", "\u2026" + "word " * 30 + "Mokom was released."),
        # a long word after the mention is cut, the mention stays
        ("word " * 150 + "Mokom " + "y" * 900,
         "\u2026" + "word " * 30 + "Mokom " + "y" * 442 + "\u2026"),
    ],
)  # fmt: skip
def test_the_first_mention_survives_long_words(sentence: str, shown: str) -> None:
    mentions = mentions_of([sentence])
    excerpt, spans = build_excerpt([sentence], [0], mentions)
    assert len(excerpt) <= 600
    assert excerpt == shown
    assert highlighted(excerpt, spans)[:1] == ["Mokom"]


@given(
    st.lists(st.integers(1, 900), min_size=1, max_size=8),
    st.integers(0, 900),
    st.sampled_from([" ", "", "-"]),
    st.integers(40, 700),
)
def test_the_first_mention_is_always_highlighted(
    before: list[int], after: int, joint: str, limit: int
) -> None:
    sentence = " ".join("w" * size for size in before) + joint + "Mokom " + "z" * after
    if not MATCHER.mentions(sentence):
        return  # "wMokom" is no mention: nothing to highlight
    excerpt, spans = build_excerpt([sentence], [0], mentions_of([sentence]), limit=limit)
    assert len(excerpt) <= limit
    assert highlighted(excerpt, spans)[:1] == ["Mokom"]


def test_mentions_in_context_sentences_are_highlighted_too() -> None:
    sentences = ["He was released.", "Mokom appeared."]
    excerpt, spans = build_excerpt(sentences, [0], mentions_of(sentences))
    assert excerpt == "He was released. Mokom appeared."
    assert highlighted(excerpt, spans) == ["Mokom"]


def test_no_mentions_given_means_no_highlights() -> None:
    excerpt, spans = build_excerpt(SENTENCES, [1], {})
    assert excerpt == "Prosecutor Karim Khan spoke. He was brief."
    assert spans == ()


_SENTENCES = st.lists(
    st.text("abc Mokom.", min_size=1, max_size=60).map(str.strip).filter(bool), min_size=1
)


@given(_SENTENCES, st.data(), st.integers(10, 300))
def test_excerpt_properties(sentences: list[str], data: st.DataObject, limit: int) -> None:
    focus = data.draw(st.lists(st.integers(0, len(sentences) - 1), min_size=1))
    excerpt, spans = build_excerpt(sentences, focus, mentions_of(sentences), limit=limit)
    assert len(excerpt) <= limit
    assert all(excerpt[start:end].lower() == "mokom" for start, end in spans)
