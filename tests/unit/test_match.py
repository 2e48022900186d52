"""Topic matching: terms, word boundaries, initials, excludes, acronyms and context."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watcher.match import Matcher, Mention
from watcher.models import Topic
from watcher.text import sentence_key, tokenise

KARIM_KHAN = Topic(
    name="Karim Khan",
    terms=("Karim Khan", "Karim A. A. Khan", "Mr Khan", "Prosecutor Khan"),
    context=("ICC", "International Criminal Court", "prosecutor"),
    exclude=("Sadiq Khan", "Imran Khan", "Aga Khan"),
)
MOKOM = Topic(name="Mokom", terms=("Mokom",))
IOM = Topic(
    name="IOM",
    terms=("Independent Oversight Mechanism", "IOM"),
    context=("ICC", "International Criminal Court", "oversight", "Khan"),
    exclude=("International Organization for Migration",),
)
# A bare surname is the hardest case: every other Khan in the news is a look-alike.
KHAN = Topic(
    name="Khan",
    terms=("Khan",),
    exclude=("Sadiq Khan", "Imran Khan", "Aga Khan", "Khan Younis"),
)
TOPICS = (KARIM_KHAN, MOKOM, IOM, KHAN)
MATCHER = Matcher(TOPICS)


def found(text: str, topic: str) -> list[str]:
    """The surface text of each mention of `topic` in `text`."""
    return [text[m.start : m.end] for m in MATCHER.mentions(text) if m.topic == topic]


@pytest.mark.parametrize(
    ("text", "topic", "expected"),
    [
        # case, accents, typographic variants
        ("ICC Prosecutor Karim Khan said", "Karim Khan", ["Karim Khan"]),
        ("KARIM KHAN", "Karim Khan", ["KARIM KHAN"]),
        ("karim khan", "Karim Khan", ["karim khan"]),
        ("Kárim Khán", "Karim Khan", ["Kárim Khán"]),
        ("Ka\u0301rim Khan", "Karim Khan", ["Ka\u0301rim Khan"]),
        ("Mókom", "Mokom", ["Mókom"]),
        ("MOKOM", "Mokom", ["MOKOM"]),
        ("Karim\u00a0Khan", "Karim Khan", ["Karim\u00a0Khan"]),
        ("Karim\u2009Khan", "Karim Khan", ["Karim\u2009Khan"]),
        ("Karim\u202fKhan", "Karim Khan", ["Karim\u202fKhan"]),
        ("Karim Kha\u00adn", "Karim Khan", ["Karim Kha\u00adn"]),
        ("Karim Kha\u200bn", "Karim Khan", ["Karim Kha\u200bn"]),
        ("Mo\u00adkom", "Mokom", ["Mo\u00adkom"]),
        # names over line breaks and runs of spaces
        ("Karim\nKhan", "Karim Khan", ["Karim\nKhan"]),
        ("Karim \r\n  Khan", "Karim Khan", ["Karim \r\n  Khan"]),
        ("Karim    Khan", "Karim Khan", ["Karim    Khan"]),
        # initials with or without spaces and periods
        ("Karim A. A. Khan", "Karim Khan", ["Karim A. A. Khan"]),
        ("Karim A.A. Khan", "Karim Khan", ["Karim A.A. Khan"]),
        ("Karim AA Khan", "Karim Khan", ["Karim AA Khan"]),
        ("Karim A A Khan", "Karim Khan", ["Karim A A Khan"]),
        ("KARIM A. A. KHAN", "Karim Khan", ["KARIM A. A. KHAN"]),
        ("Karim A.A.Khan", "Karim Khan", ["Karim A.A.Khan"]),
        ("Karim A. A. Khan KC", "Karim Khan", ["Karim A. A. Khan"]),
        ("Prosecutor Karim A. A. Khan. He spoke.", "Karim Khan", ["Karim A. A. Khan"]),
        ("I.O.M.", "IOM", ["I.O.M"]),
        ("I. O. M.", "IOM", ["I. O. M"]),
        # word boundaries
        ("Khan\u2019s office", "Khan", ["Khan"]),
        ("Khan's office", "Khan", ["Khan"]),
        ("a Khan-led inquiry", "Khan", ["Khan"]),
        ("a Khan\u2013led inquiry", "Khan", ["Khan"]),
        ("(Khan)", "Khan", ["Khan"]),
        ("Khan.", "Khan", ["Khan"]),
        ("Mr. Khan", "Karim Khan", ["Mr. Khan"]),
        ("Mr Khan\u2019s team", "Karim Khan", ["Mr Khan"]),
        ("Prosecutor Khan-led", "Karim Khan", ["Prosecutor Khan"]),
        ("Mokom\u2019s lawyers", "Mokom", ["Mokom"]),
        ("the ICC\u2019s IOM", "IOM", ["IOM"]),
        ("IOM", "IOM", ["IOM"]),
        # several mentions, sorted, each once
        ("Mokom and Mokom", "Mokom", ["Mokom", "Mokom"]),
        ("Khan met Khan", "Khan", ["Khan", "Khan"]),
        # own phrase defines the acronym: both count
        ("Independent Oversight Mechanism (IOM)", "IOM",
         ["Independent Oversight Mechanism", "IOM"]),
        ("the ICC\u2019s independent oversight mechanism", "IOM",
         ["independent oversight mechanism"]),
    ],
)  # fmt: skip
def test_mentions(text: str, topic: str, expected: list[str]) -> None:
    assert found(text, topic) == expected


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # word boundaries
        ("Khanate", "Khan"),
        ("the Khanates of Central Asia", "Khan"),
        ("Khans", "Khan"),
        ("Karim Khanate", "Karim Khan"),
        ("IOMA", "IOM"),
        ("biomass", "IOM"),
        ("Iomega", "IOM"),
        ("Mokomo", "Mokom"),
        ("Mr Khanna", "Karim Khan"),
        # a term does not span a sentence end either
        ("The court met Karim. Khan was absent.", "Karim Khan"),
        ("Who is Karim? Khan is the prosecutor.", "Karim Khan"),
        ("Ask the Prosecutor. Khan will answer.", "Karim Khan"),
        ("Karim Khan", "Mokom"),
        # excludes
        ("Sadiq Khan", "Khan"),
        ("London mayor Sadiq Khan\u2019s plan", "Khan"),
        ("SADIQ KHAN", "Khan"),
        ("Sadiq\u00a0Khan", "Khan"),
        ("Sadiq\nKhan", "Khan"),
        ("Sádiq Khan", "Khan"),
        ("Imran Khan", "Khan"),
        ("former prime minister Imran Khan", "Khan"),
        ("Aga Khan", "Khan"),
        ("the Aga Khan Foundation", "Khan"),
        ("Khan Younis", "Khan"),
        ("strikes on Khan Younis", "Khan"),
        ("the International Organization for Migration", "IOM"),
        ("the International Organization for Migration (IOM)", "IOM"),
        ("the International Organization for Migration ( IOM )", "IOM"),
        ("the International Organization for Migration [IOM]", "IOM"),
        ("the International Organization for Migration (I.O.M.)", "IOM"),
        ("the INTERNATIONAL ORGANIZATION FOR MIGRATION (IOM)", "IOM"),
        ("IOM (International Organization for Migration)", "IOM"),
        ("the International Organization for Migration (IOM). IOM staff arrived.", "IOM"),
        # the initials of an excluded phrase spell the acronym: no own phrase does here
        ("the International Organization for Migration and the IOM", "IOM"),
    ],
)  # fmt: skip
def test_no_mention(text: str, topic: str) -> None:
    assert found(text, topic) == []


@pytest.mark.parametrize(
    ("text", "topic", "expected"),
    [
        # an exclude masks only its own span
        ("Sadiq Khan met Karim Khan", "Karim Khan", ["Karim Khan"]),
        ("Sadiq Khan met Khan", "Khan", ["Khan"]),
        ("Khan, not Sadiq Khan, spoke", "Khan", ["Khan"]),
        ("Imran Khan and Aga Khan met Khan in Khan Younis", "Khan", ["Khan"]),
        # an acronym defined by an exclude is masked, one defined by a term is not
        ("International Organization for Migration (IOM) and the Independent Oversight "
         "Mechanism (IOM); IOM said", "IOM", ["Independent Oversight Mechanism", "IOM", "IOM"]),
        ("the Independent Oversight Mechanism and the International Organization for "
         "Migration; the IOM said", "IOM", ["Independent Oversight Mechanism", "IOM"]),
        # a parenthesis that is not an acronym of the exclude stays a mention
        ("Sadiq Khan (not Khan)", "Khan", ["Khan"]),
        ("Khan (Sadiq Khan\u2019s namesake)", "Khan", ["Khan"]),
        # an exclude does not span a sentence end: the words are two sentences'
        ("Residents met Khan. Younis residents said so.", "Khan", ["Khan"]),
        ("Who met Khan? Younis residents did.", "Khan", ["Khan"]),
        ("They cheered Khan! Younis residents too.", "Khan", ["Khan"]),
        ("Voters backed Sadiq. Khan spoke later.", "Khan", ["Khan"]),
        ("It was Khan.\u201d Younis residents agreed.", "Khan", ["Khan"]),
        # ... but initials, abbreviations and a line break inside one are no sentence end
        ("Mr. Sadiq Khan spoke.", "Khan", []),
        ("strikes on Khan\nYounis", "Khan", []),
        ("Dr. Khan. Younis residents said so.", "Khan", ["Khan"]),
    ],
)  # fmt: skip
def test_exclude_masks_only_its_span(text: str, topic: str, expected: list[str]) -> None:
    assert found(text, topic) == expected


@pytest.mark.parametrize(
    ("within", "expected"),
    [
        (None, ["IOM"]),  # the sentence alone
        ("The ICC met the International Organization for Migration (IOM). IOM staff arrived.",
         []),
        ("The ICC met the International Organization for Migration. IOM staff arrived.", []),
        ("The ICC Independent Oversight Mechanism met the International Organization for "
         "Migration (IOM). IOM staff arrived.", ["IOM"]),
        ("The ICC Independent Oversight Mechanism (IOM) opened an inquiry. IOM staff arrived.",
         ["IOM"]),
        ("Sadiq Khan said so. IOM staff arrived.", ["IOM"]),
    ],
)  # fmt: skip
def test_acronyms_defined_in_the_item_apply_to_its_sentences(
    within: str | None, expected: list[str]
) -> None:
    sentence = "IOM staff arrived."
    found = MATCHER.mentions(sentence, ["IOM"], within=within)
    assert [sentence[m.start : m.end] for m in found] == expected


def test_the_item_does_not_mask_other_terms() -> None:
    within = "Sadiq Khan met the International Organization for Migration (IOM)."
    sentence = "Karim Khan met the Independent Oversight Mechanism."
    found = MATCHER.mentions(sentence, ["Karim Khan", "IOM"], within=within)
    assert [sentence[m.start : m.end] for m in found] == [
        "Karim Khan", "Independent Oversight Mechanism",
    ]  # fmt: skip


def test_mention_spans_index_the_original_text() -> None:
    text = "Le Procureur Karim\u00a0A.A. Kha\u00adn a parl\u00e9 de M\u00f3kom."
    name, mokom = "Karim\u00a0A.A. Kha\u00adn", "M\u00f3kom"
    assert MATCHER.mentions(text, ["Karim Khan", "Mokom"]) == [
        Mention("Karim Khan", text.index(name), text.index(name) + len(name)),
        Mention("Mokom", text.index(mokom), text.index(mokom) + len(mokom)),
    ]


def test_mentions_of_chosen_topics_only() -> None:
    text = "Karim Khan and Mokom"
    assert [m.topic for m in MATCHER.mentions(text, ["Mokom"])] == ["Mokom"]
    assert MATCHER.mentions(text, []) == []
    assert MATCHER.mentions(text, ["No such topic"]) == []


def test_mentions_of_several_topics_are_sorted_by_start() -> None:
    mentions = MATCHER.mentions("Mokom met Karim Khan about the IOM")
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    assert {m.topic for m in mentions} == {"Mokom", "Karim Khan", "Khan", "IOM"}


def test_overlapping_terms_of_a_topic_give_one_mention() -> None:
    matcher = Matcher([Topic("Khan", ("Khan", "Karim Khan", "Prosecutor Karim Khan"))])
    text = "Prosecutor Karim Khan"
    assert matcher.mentions(text) == [Mention("Khan", 0, len(text))]


@pytest.mark.parametrize(
    ("terms", "text", "expected"),
    [
        (("--",), "Khan -- Mokom", []),  # a punctuation-only phrase matches nothing
        (("Mokom", "MOKOM", "mókom"), "Mokom", ["Mokom"]),  # equal phrases count once
        ((), "Mokom", []),
    ],
)
def test_degenerate_phrases(terms: tuple[str, ...], text: str, expected: list[str]) -> None:
    matcher = Matcher([Topic("T", terms)])
    assert [text[m.start : m.end] for m in matcher.mentions(text)] == expected


# --- context ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("ICC Prosecutor Karim Khan", {"Karim Khan", "IOM"}),
        ("Karim Khan, the cricketer", {"IOM"}),  # IOM takes any "Khan" as context
        ("the International Criminal Court", {"Karim Khan", "IOM"}),
        ("the INTERNATIONAL CRIMINAL COURT", {"Karim Khan", "IOM"}),
        ("the I.C.C. said", {"Karim Khan", "IOM"}),
        ("the prosecutor said", {"Karim Khan"}),
        ("the Prosecutor\u2019s office", {"Karim Khan"}),
        ("prosecutors said", set()),  # context phrases are bounded like terms
        ("ICCs", set()),
        ("an oversight body", {"IOM"}),
        ("Oversight", {"IOM"}),
        ("oversights", set()),
        # only the topic's own excludes mask its context: "Sadiq Khan" is not in IOM's exclude
        ("Sadiq Khan spoke", {"IOM"}),
        ("", set()),
    ],
)
def test_topics_in_context(text: str, held: set[str]) -> None:
    with_context = {"Karim Khan", "IOM"}
    assert MATCHER.topics_in_context(text) == held | {"Mokom", "Khan"}
    assert MATCHER.topics_in_context(text, with_context) == held


def test_context_inside_the_topics_exclude_does_not_count() -> None:
    topic = Topic("IOM", ("IOM",), context=("Khan", "ICC"), exclude=("Sadiq Khan",))
    matcher = Matcher([topic])
    assert matcher.topics_in_context("Sadiq Khan spoke") == frozenset()
    assert matcher.topics_in_context("Sadiq Khan and Karim Khan spoke") == {"IOM"}
    assert matcher.topics_in_context("Sadiq Khan at the ICC") == {"IOM"}


def test_context_masked_by_an_exclude_defined_acronym() -> None:
    topic = Topic(
        "Oversight", ("Oversight",), context=("IOM",), exclude=("Organization for Migration",)
    )
    matcher = Matcher([topic])
    assert matcher.topics_in_context("the Organization for Migration (IOM)") == frozenset()
    assert matcher.topics_in_context("the IOM") == {"Oversight"}


def test_topic_without_context_always_holds() -> None:
    assert MATCHER.topics_in_context("", ["Mokom"]) == {"Mokom"}
    assert MATCHER.topics_in_context("nothing here", ["Mokom", "Khan"]) == {"Mokom", "Khan"}
    assert MATCHER.topics_in_context("ICC", ["No such topic"]) == frozenset()


# --- properties ------------------------------------------------------------------------------

_ASCII_WORD = st.text(string.ascii_letters + string.digits, min_size=1, max_size=10)
_NAME_WORD = st.text(string.ascii_letters, min_size=2, max_size=10)
_INITIALS_STYLE = st.sampled_from(["{}. ", "{}.", "{} ", "{}"])


@given(
    st.lists(_NAME_WORD, min_size=1, max_size=3),
    st.lists(_ASCII_WORD, max_size=8),
    st.lists(_ASCII_WORD, max_size=8),
)
def test_a_term_among_random_words_is_found(
    term_words: list[str], before: list[str], after: list[str]
) -> None:
    term = " ".join(term_words)
    text = " ".join([*before, term.upper(), *after])
    mentions = Matcher([Topic("T", (term,))]).mentions(text)
    assert any(sentence_key(text[m.start : m.end]) == sentence_key(term) for m in mentions)


@given(
    _NAME_WORD,
    st.lists(st.sampled_from(string.ascii_uppercase), min_size=1, max_size=3),
    _NAME_WORD,
    _INITIALS_STYLE,
    _INITIALS_STYLE,
    st.lists(_NAME_WORD, max_size=5),
    st.lists(_NAME_WORD, max_size=5),
)
def test_a_term_with_initials_matches_any_way_they_are_written(
    first: str,
    initials: list[str],
    last: str,
    term_style: str,
    text_style: str,
    before: list[str],
    after: list[str],
) -> None:
    term = " ".join([first, "".join(term_style.format(i) for i in initials).strip(), last])
    written = " ".join([first, "".join(text_style.format(i) for i in initials).strip(), last])
    text = " ".join([*before, written, *after])
    mentions = Matcher([Topic("T", (term,))]).mentions(text)
    assert mentions
    # every span holds, modulo initials, exactly the term
    assert all(tokenise(text[m.start : m.end]).keys == tokenise(term).keys for m in mentions)


@given(
    st.sampled_from(KHAN.exclude),
    st.lists(_ASCII_WORD, max_size=8),
    st.lists(_ASCII_WORD, max_size=8),
    st.sampled_from([" ", "\n", "\u00a0", " ("]),
)
def test_an_excluded_phrase_among_random_words_is_never_a_mention(
    excluded: str, before: list[str], after: list[str], separator: str
) -> None:
    prefix = " ".join(before) + separator
    text = prefix + excluded + " " + " ".join(after)
    span = range(len(prefix), len(prefix) + len(excluded))
    assert not any(m.start in span or m.end - 1 in span for m in MATCHER.mentions(text, ["Khan"]))
