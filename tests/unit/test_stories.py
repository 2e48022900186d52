"""One story, one alert: the signature and the same-story rule."""

from __future__ import annotations

import pytest

from watcher.stories import (
    Story,
    find_same_story,
    from_stored,
    overlap,
    same_story,
    signature,
    stored_form,
)

WIRE = (
    "International Criminal Court prosecutor Karim Khan said on Monday he would seek new "
    "arrest warrants in the Central African Republic investigation."
)


def story(
    text: str, *, url: str = "https://a.example/1", kind: str = "new_item", topics=("Karim Khan",)
) -> Story:
    return Story(source="s", url=url, kind=kind, topics=tuple(topics), signature=signature(text))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (WIRE, WIRE, True),
        (WIRE, WIRE.upper().replace(",", ""), True),  # case and punctuation don't matter
        (WIRE, "THE HAGUE (Reuters) - " + WIRE + " Reporting by Jane Doe.", True),  # wire chrome
        (WIRE + " The judges will decide next month.", WIRE, True),  # a shortened copy
        (WIRE, "Karim Khan met victims' representatives in Bangui to discuss reparations.", False),
        ("Karim Khan.", "Karim Khan.", True),
        ("Karim Khan spoke.", "Karim Khan resigned today amid an inquiry.", False),
    ],
)
def test_same_story_by_text(a: str, b: str, same: bool) -> None:
    assert (
        same_story(story(a, url="https://a.example/1"), story(b, url="https://b.example/2")) is same
    )


CONTACT = (
    "For further information, please contact Fadi El Abdallah, Spokesperson and Head of Public "
    "Affairs Unit, International Criminal Court, by telephone at: +31 (0)70 515-9152 or by "
    "e-mail at: fadi.el-abdallah@icc-cpi.int. You can also follow the Court's activities on X, "
    "YouTube, Instagram, Flickr and Facebook."
)
BANGLADESH = (
    "ICC Prosecutor Karim A. A. Khan KC concluded today a four-day visit to Bangladesh, where he "
    "met Rohingya refugees in Cox's Bazar."
)
LIBYA = (
    "Today, ICC Prosecutor Karim A. A. Khan KC filed an application for an arrest warrant in "
    "the situation in Libya."
)

LIBYA_TITLE = "Statement of ICC Prosecutor Karim A. A. Khan KC on the situation in Libya"
LIBYA_LEAD = (
    "Today the Office briefed the United Nations Security Council in New York on the progress "
    "of its investigations, including two new arrest warrants issued under seal."
)
LIBYA_MORE = (
    "Prosecutor Khan said the warrants concern crimes committed in Tarhuna between 2016 and "
    "2020, and called on States to cooperate with the Court in their execution."
)


def focused(focus: str, rest: str = "", *, url: str = "https://a.example/1") -> Story:
    """A new item's story whose topic sentences are `focus`, followed by `rest`."""
    return Story(
        source="s",
        url=url,
        kind="new_item",
        topics=("Karim Khan",),
        signature=signature(f"{focus}\n{rest}"),
        focus=signature(focus),
    )


@pytest.mark.parametrize(
    ("candidate", "known", "same"),
    [
        # shared boilerplate outweighs the news, yet the topic sentences differ
        (focused(LIBYA, CONTACT), focused(BANGLADESH, CONTACT, url="https://a.example/2"), False),
        # the same release carried elsewhere, with other chrome around it
        (focused(LIBYA, "Reporting by Wire."), focused(LIBYA, CONTACT, url="https://b.ex/"), True),
        (focused("Press release: " + LIBYA), focused(LIBYA, CONTACT, url="https://b.ex/"), True),
        # a focus of a few words cannot tell stories apart: the whole text decides
        (focused("Prosecutor Khan statement", "Today, the Office filed an application for an "
                 "arrest warrant in the situation in Libya."),
         focused(LIBYA, CONTACT, url="https://b.ex/"), True),
        # either side's focus will do: a release's feed entry, whose summary names no topic
        (focused(f"{LIBYA_TITLE}\n{LIBYA_MORE}", f"{LIBYA_LEAD}\n{CONTACT}"),
         focused(LIBYA_TITLE, LIBYA_LEAD, url="https://b.ex/"), True),
        (focused(LIBYA_TITLE, LIBYA_LEAD, url="https://b.ex/"),
         focused(f"{LIBYA_TITLE}\n{LIBYA_MORE}", f"{LIBYA_LEAD}\n{CONTACT}"), True),
        # a story stored before focus was kept compares on the whole text alone
        (focused(LIBYA, CONTACT), story(BANGLADESH + "\n" + CONTACT, url="https://b.ex/"), True),
    ],
)  # fmt: skip
def test_the_topic_sentences_must_be_in_the_known_story(
    candidate: Story, known: Story, same: bool
) -> None:
    assert same_story(candidate, known) is same


def test_the_stored_form_keeps_signature_and_focus() -> None:
    both = focused(LIBYA, CONTACT)
    assert from_stored(stored_form(both)) == (both.signature, both.focus)
    assert from_stored(list(stored_form(both))) == (both.signature, both.focus)  # from JSON
    alone = story(LIBYA)
    assert stored_form(alone) == alone.signature
    assert from_stored(alone.signature) == (alone.signature, ())


def test_different_topics_are_never_one_story() -> None:
    assert not same_story(story(WIRE), story(WIRE, url="https://b.example/", topics=("Mokom",)))


def test_same_new_article_url_is_one_story_even_when_texts_differ() -> None:
    feed_entry = story("ICC Prosecutor Karim Khan statement.", url="https://icc.example/news/x")
    page = story("Full text of the statement by the Prosecutor.", url="https://icc.example/news/x")
    assert same_story(page, feed_entry)


def test_updates_of_one_url_are_separate_stories() -> None:
    first = story("Karim Khan opened an inquiry.", url="https://icc.example/p", kind="updated_item")
    later = story(
        "Khan closed the inquiry without charges.", url="https://icc.example/p", kind="updated_item"
    )
    assert not same_story(later, first)


def test_overlap_is_symmetric_and_bounded() -> None:
    a, b = signature(WIRE), signature(WIRE + " More words follow here today.")
    assert overlap(a, b) == overlap(b, a)
    assert 0.0 <= overlap(a, b) <= 1.0
    assert overlap((), a) == 0.0


def test_find_same_story_returns_the_first_match_id() -> None:
    known = [("x", story("Mokom was released.", topics=("Mokom",))), ("y", story(WIRE))]
    assert find_same_story(story(WIRE, url="https://c.example/"), known) == "y"
    assert (
        find_same_story(
            story("Unrelated text about the weather in Kyiv.", url="https://d.example/"), known
        )
        is None
    )
