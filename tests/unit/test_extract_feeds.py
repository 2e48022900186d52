"""Feed entries as items: RSS 2.0, Atom, JSON Feed, RDF/RSS 1.0, and what is not a feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watcher.errors import ExtractError
from watcher.extract import feed_items, looks_like_feed
from watcher.models import Item

FEEDS = Path(__file__).parent.parent / "data" / "feeds"
NEWS = "https://www.icc-cpi.int/news/"
STATEMENT_PATH = (
    "statement-icc-prosecutor-karim-khan-kc-conclusion-his-visit-central-african-republic"
)
STATEMENT_TITLE = (
    "Statement of ICC Prosecutor Karim A. A. Khan KC on the conclusion of his visit to the "
    "Central African Republic"
)

IOM_TITLE = "Prosecutor Khan welcomes the Independent Oversight Mechanism\u2019s annual report"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def test_rss2() -> None:
    items = feed_items(NEWS + "rss.xml", read("icc_news_rss2.xml"), "application/rss+xml")
    assert [item.key for item in items] == [
        # A permalink guid is a URL: normalised.
        NEWS + STATEMENT_PATH,
        # Any other guid is kept as it is.
        "2417 at https://www.icc-cpi.int",
        # No guid: the normalised link (fragment dropped).
        NEWS + "assembly-states-parties-opens-its-twenty-fifth-session",
    ]
    assert [item.url for item in items] == [
        NEWS + STATEMENT_PATH + "?utm_source=rss&utm_medium=feed",
        NEWS
        + "mokom-case-pre-trial-chamber-ii-schedules-hearing-request-compensation",  # was relative
        NEWS + "assembly-states-parties-opens-its-twenty-fifth-session#main-content",
    ]
    assert [item.title for item in items] == [
        STATEMENT_TITLE,
        "Mokom case: Pre-Trial Chamber II schedules hearing on request for compensation",
        "Assembly of States Parties opens its twenty-fifth session & elects its Bureau",
    ]
    # content:encoded is longer than the description, so it is the text; its script is gone
    # and "Kh<span>an</span>" joins.
    assert items[0].text == (
        f"{STATEMENT_TITLE}\n"
        "Over the past four days, I have had the opportunity to meet with the authorities of the "
        "Central African Republic, with civil society organisations and, most importantly, with "
        "victims and affected communities in Bangui and in Bambari.\n"
        "I wish to thank the Government for its continued cooperation with my Office.\n"
        "\u201cJustice that is seen to be done is justice that lasts,\u201d Prosecutor Khan said."
    )
    assert items[1].text == (
        "Mokom case: Pre-Trial Chamber II schedules hearing on request for compensation\n"
        "Today, 27 November 2026, Pre-Trial Chamber II of the International Criminal Court "
        "scheduled a hearing on the request for compensation filed by Mr Maxime Mokom.\n"
        "The hearing will take place in open court on 15 December 2026."
    )
    # A summary that starts with the title does not repeat it.
    assert items[2].text == (
        "Assembly of States Parties opens its twenty-fifth session & elects its Bureau. "
        "Delegations will consider the programme budget and the report of the Independent "
        "Oversight Mechanism (IOM)."
    )


def test_atom() -> None:
    items = feed_items(NEWS + "atom.xml", read("otp_atom.xml"))
    assert items == [
        Item(
            key="tag:icc-cpi.int,2026-11-28:/news/2418",
            # Relative href resolved against xml:base.
            url=NEWS + STATEMENT_PATH,
            # type="html" title: markup removed, inline text joined.
            title=STATEMENT_TITLE,
            # xhtml content is longer than the text summary.
            text=(
                f"{STATEMENT_TITLE}\n"
                "Over the past four days, I have had the opportunity to meet with the authorities "
                "of the Central African Republic, with civil society organisations and, most "
                "importantly, with victims and affected communities in Bangui and in Bambari.\n"
                "Cooperation is what allows our investigators to work in the field, to protect "
                "witnesses and to bring evidence before the judges."
            ),
        ),
        Item(
            key=NEWS + "prosecutor-khan-welcomes-iom-annual-report",
            url=NEWS + "prosecutor-khan-welcomes-iom-annual-report?utm_campaign=atom",
            title=IOM_TITLE,
            text=(
                f"{IOM_TITLE}\n"
                "The Prosecutor welcomed the annual report of the IOM to the Assembly of States "
                "Parties."
            ),
        ),
    ]


def test_json_feed() -> None:
    items = feed_items(NEWS + "feed.json", read("icc_jsonfeed.json"), "application/feed+json")
    assert items[0] == Item(
        key=NEWS + STATEMENT_PATH,
        url=NEWS + STATEMENT_PATH + "?utm_source=jsonfeed",
        title=STATEMENT_TITLE,
        text=(
            f"{STATEMENT_TITLE}\n"
            "Over the past four days, I have had the opportunity to meet with the authorities of "
            "the Central African Republic and with victims in Bangui and in Bambari.\n"
            "I will brief the Assembly of States Parties at its forthcoming session."
        ),
    )
    # A numeric id (JSON Feed 1.0 style), a relative url, content_text paragraphs.
    assert items[1] == Item(
        key="2417",
        url=NEWS + "mokom-case-pre-trial-chamber-ii-schedules-hearing-request-compensation",
        title="Mokom case: Pre-Trial Chamber II schedules hearing on request for compensation",
        text=(
            "Mokom case: Pre-Trial Chamber II schedules hearing on request for compensation\n"
            "Pre-Trial Chamber II scheduled a hearing on the request for compensation filed by "
            "Mr Maxime Mokom.\n"
            "The hearing will take place in open court on 15 December 2026."
        ),
    )
    # No title: it comes from the text, which is not repeated; external_url is the link.
    assert items[2].key == "urn:uuid:6a1f0c52-3c1e-4d2b-9a57-2f1d7c9b8e10"
    assert items[2].url == "https://asp.icc-cpi.int/news/asp25-opening"
    assert items[2].text == (
        "The Assembly of States Parties opened its twenty-fifth session in The Hague and will "
        "consider the report of the Independent Oversight Mechanism."
    )
    assert items[2].title == (
        "The Assembly of States Parties opened its twenty-fifth session in The Hague and will "
        "consider the report of the\u2026"
    )


def test_rdf_rss1_in_latin1() -> None:
    items = feed_items("https://www.icc-cpi.int/fr/news/rss", read("icc_rss1_rdf.xml"))
    assert [(item.key, item.url, item.title) for item in items] == [
        (
            "https://www.icc-cpi.int/fr/news/declaration-du-procureur-karim-khan-centrafrique",
            "https://www.icc-cpi.int/fr/news/declaration-du-procureur-karim-khan-centrafrique"
            "?xtor=RSS-1",
            "D\u00e9claration du Procureur de la CPI, Karim A. A. Khan KC, \u00e0 l'issue de sa "
            "visite en R\u00e9publique centrafricaine",
        ),
        (
            "https://www.icc-cpi.int/fr/news/affaire-mokom-audience",
            "https://www.icc-cpi.int/fr/news/affaire-mokom-audience",
            "Affaire Mokom : la Chambre pr\u00e9liminaire II fixe une audience",
        ),
    ]
    assert items[1].text == (
        "Affaire Mokom : la Chambre pr\u00e9liminaire II fixe une audience\n"
        "L'audience se tiendra en audience publique le 15 d\u00e9cembre 2026."
    )


def test_empty_but_valid_feed_has_no_items() -> None:
    assert feed_items("https://www.icc-cpi.int/advisories.xml", read("empty_rss2.xml")) == []
    empty_json = json.dumps(
        {"version": "https://jsonfeed.org/version/1", "title": "x", "items": []}
    )
    assert feed_items("https://example.org/feed.json", empty_json.encode()) == []


def test_entry_without_id_or_link_is_keyed_by_its_words() -> None:
    body = (
        b"<rss version='2.0'><channel><title>T</title><item><title>Khan speaks</title>"
        b"<description>The Prosecutor spoke.</description></item></channel></rss>"
    )
    first = feed_items("https://example.org/rss", body)
    again = feed_items("https://example.org/rss", body)
    assert first == again
    assert first[0].key.startswith("sha256:")
    assert first[0].url == "https://example.org/rss"
    assert first[0].text == "Khan speaks\nThe Prosecutor spoke."


@pytest.mark.parametrize(
    ("name", "body", "content_type"),
    [
        ("html page", read("not_a_feed.html"), "text/html; charset=utf-8"),
        ("html page sent as RSS", read("not_a_feed.html"), "application/rss+xml"),
        (
            "html without doctype",
            b"<html><head><title>Hello</title></head><body>x</body></html>",
            None,
        ),
        ("plain text", b"Service temporarily unavailable", "text/plain"),
        (
            "sitemap",
            b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/"
            b"sitemap/0.9'><url><loc>https://www.icc-cpi.int/</loc></url></urlset>",
            "application/xml",
        ),
        ("empty body", b"", None),
        ("json that is no feed", b'{"status": "error", "items": []}', "application/json"),
        ("json of another version", b'{"version": "1.0", "items": []}', None),
        ("a json list", b"[1, 2]", "application/json"),
        ("broken json", b'{"version": "https://jsonfeed.org/version/1.1", "items": [', None),
        ("json feed without items", b'{"version": "https://jsonfeed.org/version/1.1"}', None),
    ],
)
def test_not_a_feed(name: str, body: bytes, content_type: str | None) -> None:
    with pytest.raises(ExtractError, match=r"not a (JSON )?[Ff]eed"):
        feed_items("https://www.icc-cpi.int/news/rss.xml", body, content_type)
    assert not looks_like_feed(body, content_type), name


def test_feed_file_name_is_never_opened(tmp_path: Path) -> None:
    # feedparser treats a bytes argument as a possible file name; ours never is one.
    secret = tmp_path / "feed.xml"
    secret.write_bytes(read("icc_news_rss2.xml"))
    with pytest.raises(ExtractError):
        feed_items("https://example.org/rss", str(secret).encode())


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (read("icc_news_rss2.xml"), "application/rss+xml", True),
        (read("icc_news_rss2.xml"), "text/html", True),  # a mislabelled feed is still a feed
        (read("otp_atom.xml"), None, True),
        (read("icc_jsonfeed.json"), "application/json", True),
        (read("icc_jsonfeed.json"), None, True),
        (read("icc_rss1_rdf.xml"), "application/rdf+xml", True),
        (read("empty_rss2.xml"), None, True),
        (
            b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- generated -->\n<rss version='0.91'></rss>",
            None,
            True,
        ),
        (
            "<?xml version='1.0' encoding='utf-16'?><feed xmlns='http://www.w3.org/2005/Atom'/>".encode(
                "utf-16"
            ),
            None,
            True,
        ),
        (
            b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
            b"<rdf:Description/></rdf:RDF>",
            None,
            False,
        ),  # RDF, but not RSS 1.0
        (read("not_a_feed.html"), "application/rss+xml", False),
    ],
)
def test_looks_like_feed(body: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_feed(body, content_type) is expected


@pytest.mark.parametrize(
    "description",
    [
        "<![CDATA[<p>ICC Prosecutor Karim&amp;nbsp;Khan spoke.</p>]]>",  # escaped in CDATA
        "&lt;p&gt;ICC Prosecutor Karim&amp;amp;nbsp;Khan spoke.&lt;/p&gt;",  # and in XML
    ],
)
def test_entities_escaped_twice_by_the_publisher_are_decoded(description: str) -> None:
    body = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        "<link>https://news.example.org/</link><description>d</description>"
        "<item><title>Karim&amp;nbsp;Khan&amp;#8217;s visit</title><guid>1</guid>"
        f"<link>https://news.example.org/1</link><description>{description}</description>"
        "</item></channel></rss>"
    )
    (item,) = feed_items("https://news.example.org/feed", body.encode())
    assert item.title == "Karim Khan\u2019s visit"
    assert item.text == "Karim Khan\u2019s visit\nICC Prosecutor Karim Khan spoke."
