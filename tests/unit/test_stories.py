"""One story, one alert: the signature and the same-story rule."""

from __future__ import annotations

import pytest

from watcher.stories import Story, find_same_story, overlap, same_story, signature

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
