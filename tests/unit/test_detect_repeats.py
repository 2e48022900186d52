"""detect() on text its source already said in other items (SPEC: text that merely moved)."""

from __future__ import annotations

import pytest

from tests.unit.test_detect_analysis import _stored
from watcher.analysis import analyse
from watcher.detect import detect
from watcher.match import Matcher
from watcher.models import Item, Topic

MOKOM = Topic(name="Mokom", terms=("Mokom",))
MATCHER = Matcher([MOKOM])
HEADLINE = "Mokom hearing set."
RELEASED = "Mokom was released."
BUDGET = "The Assembly adopted the budget."
COMPENSATION = "Mokom asked for compensation."


def said(*sentences: str) -> frozenset[str]:
    return frozenset(digest for text in sentences for digest in analyse(text).hashes)


@pytest.mark.parametrize(
    ("text", "already", "excerpt"),
    [
        # nothing said before: the whole new item, as ever
        (f"{HEADLINE} {RELEASED}", said(), f"{HEADLINE} {RELEASED}"),
        # every sentence said by items of the source: moved, no alert
        (f"{HEADLINE} {RELEASED}", said(HEADLINE, RELEASED), None),
        (f"{HEADLINE} {RELEASED}", said(HEADLINE, RELEASED, BUDGET), None),
        (RELEASED, said(f"{BUDGET} {RELEASED}"), None),
        # an old headline over a new topic sentence: that sentence alone
        (f"{HEADLINE} {COMPENSATION}", said(HEADLINE), COMPENSATION),
        (f"{HEADLINE} {RELEASED} {COMPENSATION}", said(HEADLINE, RELEASED), COMPENSATION),
        # new text that names no topic: the item is new, its topic sentences alert
        (f"{RELEASED} {BUDGET}", said(RELEASED), f"{RELEASED} {BUDGET}"),
        # a sentence said elsewhere, in another case or punctuation, is the same sentence
        ("MOKOM WAS RELEASED!", said(RELEASED), None),
    ],
)  # fmt: skip
def test_a_new_item_alerts_on_what_its_source_never_said(
    text: str, already: frozenset[str], excerpt: str | None
) -> None:
    item = Item(key="k", url="https://example.org/n/2", title="", text=text)
    change = detect(item, None, MATCHER, ["Mokom"], silent=False, said=already)
    assert change.write.text == text  # stored either way, for the next comparison
    if excerpt is None:
        assert change.development is None
    else:
        assert change.development is not None
        assert change.development.kind == "new_item"
        assert change.development.excerpt == excerpt


@pytest.mark.parametrize(
    ("added", "already", "excerpt"),
    [
        (COMPENSATION, said(), COMPENSATION),
        # a sentence moved in from another item of the source
        (COMPENSATION, said(COMPENSATION), None),
        # of two added topic sentences, the one never said alerts
        (f"{HEADLINE} {COMPENSATION}", said(HEADLINE), COMPENSATION),
        # old topic sentence beside new text naming no topic: still alerts
        (f"{HEADLINE} {BUDGET}", said(HEADLINE), f"{HEADLINE} {BUDGET}"),
    ],
)  # fmt: skip
def test_an_update_alerts_on_what_its_source_never_said(
    added: str, already: frozenset[str], excerpt: str | None
) -> None:
    item = Item(key="k", url="https://example.org/a", title="", text=f"{RELEASED} {added}")
    change = detect(item, _stored(RELEASED), MATCHER, ["Mokom"], silent=False, said=already)
    if excerpt is None:
        assert change.development is None
    else:
        assert change.development is not None
        assert (change.development.kind, change.development.excerpt) == ("updated_item", excerpt)
