"""URL identity: the spellings SPEC names normalise to one address, other addresses stay apart."""

from __future__ import annotations

import pytest

from watcher.urls import host_of, normalize_url

ARTICLE = "https://www.icc-cpi.int/news/statement"


@pytest.mark.parametrize(
    "spelling",
    [
        ARTICLE,
        "HTTPS://WWW.ICC-CPI.INT/news/statement",  # scheme and host case
        "https://www.icc-cpi.int:443/news/statement",  # default port
        "https://www.icc-cpi.int/news/statement#main-content",  # fragment
        "https://www.icc-cpi.int/news/statement?utm_source=rss&utm_medium=feed",
        "https://www.icc-cpi.int/news/statement?UTM_Campaign=x",
        "https://www.icc-cpi.int/news/statement?fbclid=IwAR0abc",
        "https://www.icc-cpi.int/news/statement?gclid=Cj0KCQ&utm_term=khan#top",
        "https://www.icc-cpi.int/news/statement?",
        "  https://www.icc-cpi.int/news/statement  ",
    ],
)
def test_spellings_of_one_article_are_one_identity(spelling: str) -> None:
    assert normalize_url(spelling) == ARTICLE


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.org", "http://example.org/"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),  # not a default port
        ("https://example.org:80/a", "https://example.org:80/a"),  # 80 is not https's default
        ("https://example.org/a?id=2&utm_source=x", "https://example.org/a?id=2"),
        ("https://example.org/News/A", "https://example.org/News/A"),  # paths keep their case
        ("https://[::1]:8080/a#x", "https://[::1]:8080/a"),  # an IPv6 literal keeps brackets
        ("https://[2001:DB8::1]/a", "https://[2001:db8::1]/a"),
    ],
)
def test_normalised_form(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_relative_links_resolve_against_the_base() -> None:
    assert normalize_url("../b?utm_source=x#c", "https://Example.org/news/a") == (
        "https://example.org/b"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://example.org/a?id=1", "https://example.org/a?id=2"),
        ("https://example.org/a", "http://example.org/a"),
        ("https://example.org/a", "https://example.org/A"),
    ],
)
def test_different_addresses_stay_apart(first: str, second: str) -> None:
    assert normalize_url(first) != normalize_url(second)


def test_host_of_counts_ports_apart() -> None:
    assert host_of("https://Example.org:8443/a") == "example.org:8443"
    assert host_of("https://example.org/a") == "example.org"
