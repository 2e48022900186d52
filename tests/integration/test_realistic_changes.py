"""SPEC "What is alerted" against the markup and edits real sites produce.

Written from the SPEC text alone: entities, names split over inline tags and <br>, lists and
headings without full stops, abbreviations inside sentences, sentences merged or split by an
edit, quotes moved, date-only changes, RSS with CDATA, Atom xhtml, JSON Feed content_html,
feeds without guids, relative and tracking links, duplicate entries. Each case is a short
site history (tests.support.history) run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import news
from tests.support.history import Case, page, run_case
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.storage import Database

ARTICLE = [("Article", "/a", "page", {})]
LISTING = [("Listing", "/news", "listing", {"select": "div.view-content"})]
RSS = [("Feed", "/feed.xml", "feed", {})]
ATOM = [("Atom", "/feed.atom", "feed", {})]
JSON_FEED = [("JSON", "/feed.json", "feed", {})]

VISIT = "ICC Prosecutor Karim A. A. Khan KC visited Bangui."
VICTIMS = "He met victims of the conflict."
ASSEMBLY = "The Assembly of States Parties met in The Hague."
# The contact paragraph that ends every ICC press release.
LIBYA_LEAD = (
    "The Office of the Prosecutor briefed the United Nations Security Council in New York on "
    "the progress of its investigations, including two new arrest warrants issued under seal."
)
CONTACT = (
    "For further information, please contact Fadi El Abdallah, Spokesperson and Head of Public "
    "Affairs Unit, International Criminal Court, by telephone at: +31 (0)70 515-9152 or +31 "
    "(0)6 46448938 or by e-mail at: fadi.el-abdallah@icc-cpi.int. You can also follow the "
    "Court's activities on X, YouTube, Instagram, Flickr and Facebook."
)
BANGLADESH = (
    "ICC Prosecutor Karim A. A. Khan KC concludes visit to Bangladesh",
    "ICC Prosecutor Karim A. A. Khan KC concluded today a four-day visit to Bangladesh, where "
    "he met Rohingya refugees in Cox's Bazar.",
)
LIBYA = (
    "ICC Prosecutor Karim A. A. Khan KC files application for arrest warrant in Libya",
    "Today, ICC Prosecutor Karim A. A. Khan KC filed an application for an arrest warrant in "
    "the situation in Libya.",
)


# A bare surname with its look-alikes excluded: the hardest topic to match.
KHAN_ALONE = """
[[topics]]
name = "Khan"
terms = ["Khan"]
exclude = ["Khan Younis", "Sadiq Khan"]
"""


def raw_page(body: str, title: str = "Story") -> str:
    """An article page around raw HTML paragraphs, with the usual chrome."""
    return news.article(title, ["PLACEHOLDER"]).replace("<p>PLACEHOLDER</p>", body)


def rss(*items: str) -> str:
    """An RSS 2.0 document around raw <item> elements."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Newsroom'
        "</title><link>https://news.example.org/</link><description>News</description>"
        f"{''.join(items)}</channel></rss>"
    )


def rss_item(link: str, title: str, html: str, *, guid: str = "", date: str = "") -> str:
    """An RSS <item> whose description is HTML in CDATA, as most CMSs write it."""
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        + (f'<guid isPermaLink="false">{guid}</guid>' if guid else "")
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + f"<description><![CDATA[{html}]]></description></item>"
    )


def atom(*entries: str) -> str:
    """An Atom document around raw <entry> elements."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Court news</title><id>urn:court:news</id>"
        f"<updated>2025-05-12T10:00:00Z</updated>{''.join(entries)}</feed>"
    )


def atom_entry(number: int, title: str, xhtml: str) -> str:
    """An Atom entry with a relative alternate link and xhtml content."""
    return (
        f'<entry><id>tag:court.example.org,2025:{number}</id><title type="html">{title}</title>'
        f'<link rel="alternate" href="/n/{number}"/><updated>2025-05-12T10:00:00Z</updated>'
        f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{xhtml}</div>'
        "</content></entry>"
    )


def json_feed(*items: dict[str, str]) -> str:
    """A JSON Feed 1.1 document whose items carry content_html only."""
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Court", "items": list(items)}
    )


CASES: dict[str, Case] = {
    # --- sentences and abbreviations ---------------------------------------------------------
    "a time in p.m. ends a sentence: an edit after it names no topic": Case(
        ARTICLE,
        [
            ({"/a": page("ICC Prosecutor Karim Khan will speak at 5 p.m. The hall opens early.")},
             []),
            ({"/a": page("ICC Prosecutor Karim Khan will speak at 5 p.m. The hall opens late.")},
             []),
        ],
    ),
    "a sentence added after a time in a.m.: its own topics only": Case(
        ARTICLE,
        [
            ({"/a": page("ICC Prosecutor Karim Khan arrived at 9 a.m. The hearing began.")}, []),
            (
                {"/a": page("ICC Prosecutor Karim Khan arrived at 9 a.m. Mokom was present. "
                            "The hearing began.")},
                [("/a", ("Mokom",), "updated_item")],
            ),
        ],
    ),
    "a time in capitals ends a sentence: an edit after it names no topic": Case(
        ARTICLE,
        [
            ({"/a": page("ICC Prosecutor Karim Khan will speak at 5 P.M. The hall opens early.")},
             []),
            ({"/a": page("ICC Prosecutor Karim Khan will speak at 5 P.M. The hall opens late.")},
             []),
        ],
    ),
    "an exclude does not reach over a sentence end": Case(
        ARTICLE,
        [
            ({"/a": page(ASSEMBLY)}, []),
            ({"/a": page(ASSEMBLY, "Voters cheered Khan. Younis residents did not.")},
             [("/a", ("Khan",), "updated_item")]),
            ({"/a": page(ASSEMBLY, "Voters cheered Khan. Younis residents did not.",
                         "Strikes hit Khan Younis again.", "Sadiq Khan spoke.")}, []),
        ],
        topics=KHAN_ALONE,
    ),
    "abbreviations inside a new sentence keep it whole": Case(
        ARTICLE,
        [
            ({"/a": page(ASSEMBLY)}, []),
            (
                {"/a": page(ASSEMBLY, "Dr. Smith and Prosecutor Khan cited Art. 15 and No. 3 "
                            "of the ICC rules, e.g. on St. Helena.")},
                [("/a", ("Karim Khan",), "updated_item")],
            ),
        ],
    ),
    # --- edits that are not new development ------------------------------------------------
    "two seen sentences merged into one": Case(
        ARTICLE,
        [
            ({"/a": page(VISIT, VICTIMS)}, []),
            ({"/a": page("ICC Prosecutor Karim A. A. Khan KC visited Bangui and met victims "
                         "of the conflict.")}, []),
        ],
    ),
    "one seen sentence split in two": Case(
        ARTICLE,
        [
            ({"/a": page("ICC Prosecutor Karim A. A. Khan KC visited Bangui and met victims "
                         "of the conflict.")}, []),
            ({"/a": page(VISIT, VICTIMS)}, []),
        ],
    ),
    "a quote moved before its attribution": Case(
        ARTICLE,
        [
            ({"/a": page("ICC Prosecutor Karim Khan said: \u201cJustice must be seen to be "
                         "done.\u201d")}, []),
            ({"/a": page("\u201cJustice must be seen to be done,\u201d ICC Prosecutor Karim "
                         "Khan said.")}, []),
        ],
    ),
    "straight quotes, dashes and spaces changed to typographic ones": Case(
        ARTICLE,
        [
            ({"/a": page('ICC Prosecutor Karim Khan - "the Prosecutor" - spoke.')}, []),
            ({"/a": page("ICC Prosecutor Karim\u00a0Khan \u2014 \u201cthe Prosecutor\u201d "
                         "\u2014 spoke.")}, []),
        ],
    ),
    "initials written another way": Case(
        ARTICLE,
        [
            ({"/a": page(VISIT)}, []),
            ({"/a": page("ICC Prosecutor Karim A.A. Khan KC visited Bangui.")}, []),
            ({"/a": page("ICC Prosecutor Karim AA Khan KC visited Bangui.")}, []),
        ],
    ),
    "only a date line changes": Case(
        ARTICLE,
        [
            ({"/a": page(VISIT, "Last updated: 12 May 2025, 10:32 CET")}, []),
            ({"/a": page(VISIT, "Last updated: 13 May 2025, 08:05 CET")}, []),
        ],
    ),
    "a sentence re-cased or re-punctuated": Case(
        ARTICLE,
        [
            ({"/a": page("Mokom was freed on Monday.")}, []),
            ({"/a": page("MOKOM WAS FREED ON MONDAY!")}, []),
        ],
    ),
    "the other IOM defined earlier in the item": Case(
        ARTICLE,
        [
            ({"/a": page("The International Organization for Migration (IOM) works with the "
                         "ICC in Bangui.")}, []),
            ({"/a": page("The International Organization for Migration (IOM) works with the "
                         "ICC in Bangui.", "IOM staff arrived on Monday.")}, []),
        ],
    ),
    "an excluded name beside the topic's context words": Case(
        ARTICLE,
        [
            ({"/a": page(ASSEMBLY)}, []),
            ({"/a": page(ASSEMBLY, "London mayor Sadiq Khan praised the ICC prosecutor.")}, []),
        ],
    ),
    "script, style, comments and templates are not text": Case(
        ARTICLE,
        [
            ({"/a": raw_page(f"<p>{ASSEMBLY}</p>")}, []),
            ({"/a": raw_page(f"<p>{ASSEMBLY}</p><script>var t = 'Mokom was freed';</script>"
                             "<!-- Mokom was freed --><template><p>Mokom was freed.</p>"
                             "</template><style>.mokom::after{content:'Mokom'}</style>"
                             "<noscript>Mokom was freed.</noscript>")}, []),
        ],
    ),
    # --- markup real pages use -------------------------------------------------------------
    "a name split over inline tags and entities": Case(
        ARTICLE,
        [
            ({"/a": raw_page(f"<p>{ASSEMBLY}</p>")}, []),
            (
                {"/a": raw_page(f"<p>{ASSEMBLY}</p><p>The <abbr>ICC</abbr> Prosecutor, "
                                "<a href='/p'>Karim</a>&nbsp;<strong>A.&#8239;A. Kh<span>an"
                                "</span></strong>, spoke.</p>")},
                [("/a", ("Karim Khan",), "updated_item")],
            ),
        ],
    ),
    "a list item and a heading without full stops": Case(
        ARTICLE,
        [
            ({"/a": raw_page("<h2>Next steps</h2><ul><li>The Assembly meets</li>"
                             "<li>The budget is adopted</li></ul>")}, []),
            (
                {"/a": raw_page("<h2>Next steps</h2><ul><li>The Assembly meets</li>"
                                "<li>Mokom hearing set for June</li>"
                                "<li>The budget is adopted</li></ul>")},
                [("/a", ("Mokom",), "updated_item")],
            ),
            (
                {"/a": raw_page("<h2>Next steps for Mokom</h2><ul><li>The Assembly meets</li>"
                                "<li>Mokom hearing set for June</li>"
                                "<li>The budget is adopted</li></ul>")},
                [("/a", ("Mokom",), "updated_item")],
            ),
        ],
    ),
    "baseline = false alerts on the first check": Case(
        [("Article", "/a", "page", {"baseline": False})],
        [({"/a": page(VISIT)}, [("/a", ("Karim Khan",), "new_item")]), ({"/a": page(VISIT)}, [])],
    ),
    # --- feeds -----------------------------------------------------------------------------
    "RSS with HTML in CDATA: a new entry, then only its date changes": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Budget", f"<p>{ASSEMBLY}</p>", guid="1"))}, []),
            (
                {"/feed.xml": rss(
                    rss_item("/n/2", "Mokom &amp; the Court", "<p>Judges heard <b>Maxime "
                             "Mokom</b>&rsquo;s request.<br/>More soon</p>", guid="2",
                             date="Mon, 12 May 2025 10:00:00 GMT"),
                    rss_item("/n/1", "Budget", f"<p>{ASSEMBLY}</p>", guid="1"),
                )},
                [("/n/2", ("Mokom",), "new_item")],
            ),
            (
                {"/feed.xml": rss(
                    rss_item("/n/2", "Mokom &amp; the Court", "<p>Judges heard <b>Maxime "
                             "Mokom</b>&rsquo;s request.<br/>More soon</p>", guid="2",
                             date="Tue, 13 May 2025 09:00:00 GMT"),
                    rss_item("/n/1", "Budget", f"<p>{ASSEMBLY}</p>", guid="1"),
                )},
                [],
            ),
        ],
    ),
    "RSS without guids: relative links, tracking parameters, a duplicate entry": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Budget", ASSEMBLY))}, []),
            (
                {"/feed.xml": rss(
                    rss_item("/n/2?utm_source=rss", "Mokom", "Mokom was released."),
                    rss_item("/n/2#comments", "Mokom", "Mokom was released."),
                    rss_item("/n/1", "Budget", ASSEMBLY),
                )},
                [("/n/2", ("Mokom",), "new_item")],
            ),
            (
                {"/feed.xml": rss(
                    rss_item("/n/2?utm_medium=feed&fbclid=x", "Mokom", "Mokom was released."),
                    rss_item("/n/1", "Budget", ASSEMBLY),
                )},
                [],
            ),
        ],
    ),
    "RSS entry that leaves the feed and comes back": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Mokom", "Mokom was released.", guid="1"),
                               rss_item("/n/2", "Budget", ASSEMBLY, guid="2"))}, []),
            ({"/feed.xml": rss(rss_item("/n/2", "Budget", ASSEMBLY, guid="2"))}, []),
            ({"/feed.xml": rss(rss_item("/n/1", "Mokom", "Mokom was released.", guid="1"),
                               rss_item("/n/2", "Budget", ASSEMBLY, guid="2"))}, []),
        ],
    ),
    "follow = true: the linked article's main text is the item": Case(
        [("Feed", "/feed.xml", "feed", {"follow": True})],
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Budget", "Budget news", guid="1")),
              "/n/1": page(ASSEMBLY)}, []),
            (
                {"/feed.xml": rss(rss_item("/n/2", "Hearing", "A hearing was held.", guid="2"),
                                  rss_item("/n/3", "Mokom", "Mokom news.", guid="3"),
                                  rss_item("/n/1", "Budget", "Budget news", guid="1")),
                 "/n/2": page("Judges heard Maxime Mokom on Tuesday.", title="Hearing"),
                 "/n/3": page("The Assembly closed its session.", most_read="Mokom freed",
                              title="Session")},
                [("/n/2", ("Mokom",), "new_item")],
            ),
            ({"/n/2": page("Judges heard Maxime Mokom on Tuesday.",
                           "Mokom asked for compensation.", title="Hearing")},
             [("/n/2", ("Mokom",), "updated_item")]),
        ],
    ),
    "Atom with xhtml content and a name over inline tags": Case(
        ATOM,
        [
            ({"/feed.atom": atom(atom_entry(1, "Budget", f"<p>{ASSEMBLY}</p>"))}, []),
            (
                {"/feed.atom": atom(
                    atom_entry(2, "Statement &lt;em&gt;of the Prosecutor&lt;/em&gt;",
                               "<p>The <b>ICC</b> Prosecutor <i>Karim</i> <b>Khan</b> spoke."
                               "</p>"),
                    atom_entry(1, "Budget", f"<p>{ASSEMBLY}</p>"),
                )},
                [("/n/2", ("Karim Khan",), "new_item")],
            ),
        ],
    ),
    "JSON Feed with content_html only": Case(
        JSON_FEED,
        [
            ({"/feed.json": json_feed({"id": "1", "url": "https://court.example.org/n/1",
                                       "content_html": f"<p>{ASSEMBLY}</p>"})}, []),
            (
                {"/feed.json": json_feed(
                    {"id": "2", "url": "https://court.example.org/n/2",
                     "content_html": "<p>Judges heard <em>Mokom</em>.</p>"},
                    {"id": "1", "url": "https://court.example.org/n/1",
                     "content_html": f"<p>{ASSEMBLY}</p>"},
                )},
                [("/n/2", ("Mokom",), "new_item")],
            ),
        ],
    ),
    # --- text that moved to a new guid or URL -----------------------------------------------
    "a feed entry back under a new guid with the same text": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Mokom", "Mokom was released.", guid="1"),
                               rss_item("/n/2", "Budget", ASSEMBLY, guid="2"))}, []),
            ({"/feed.xml": rss(rss_item("/n/1", "Mokom", "Mokom was released.", guid="1b"),
                               rss_item("/n/2", "Budget", ASSEMBLY, guid="2"))}, []),
        ],
    ),
    "a feed entry moved after the baseline settled: same text, new guid and link": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Mokom", "Mokom was released.", guid="1"))}, []),
            ({"/feed.xml": rss(rss_item("/n/2", "Budget", ASSEMBLY, guid="2"),
                               rss_item("/n/1", "Mokom", "Mokom was released.", guid="1"))}, []),
            ({"/feed.xml": rss(rss_item("/n/9", "Mokom", "Mokom was released.", guid="9"),
                               rss_item("/n/2", "Budget", ASSEMBLY, guid="2"))}, []),
        ],
    ),
    "an entry made of sentences two older entries said": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Budget", ASSEMBLY, guid="1"),
                               rss_item("/n/2", "Mokom", "Mokom was released.", guid="2"))}, []),
            ({"/feed.xml": rss(rss_item("/n/3", "Budget", f"{ASSEMBLY} Mokom was released.",
                                        guid="3"),
                               rss_item("/n/1", "Budget", ASSEMBLY, guid="1"),
                               rss_item("/n/2", "Mokom", "Mokom was released.", guid="2"))}, []),
        ],
    ),
    "a sentence moved from one entry to another": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Budget", f"{ASSEMBLY} Mokom was released.",
                                        guid="1"),
                               rss_item("/n/2", "Hearing", "Judges sat.", guid="2"))}, []),
            ({"/feed.xml": rss(rss_item("/n/1", "Budget", ASSEMBLY, guid="1"),
                               rss_item("/n/2", "Hearing", "Judges sat. Mokom was released.",
                                        guid="2"))}, []),
        ],
    ),
    "an entry's headline copy-edited, its link given a tracking parameter": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Mokom freed", "Judges freed Mokom on Monday.",
                                        guid="1"))}, []),
            ({"/feed.xml": rss(rss_item("/n/1?utm_source=rss", "Mokom is freed",
                                        "Judges freed Mokom on Monday.", guid="1"))}, []),
        ],
    ),
    "an old headline over a new topic sentence alerts": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Mokom", "Mokom was released.", guid="1"))}, []),
            ({"/feed.xml": rss(rss_item("/n/2", "Mokom", "Mokom was released. Mokom asked for "
                                        "compensation.", guid="2"))},
             [("/n/2", ("Mokom",), "new_item")]),
        ],
    ),
    "a new release whose only topic sentence is the office's boilerplate alerts": Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Visit", VISIT, guid="1"))}, []),
            ({"/feed.xml": rss(rss_item("/n/2", "Budget", f"{ASSEMBLY} {VISIT}", guid="2"),
                               rss_item("/n/1", "Visit", VISIT, guid="1"))},
             [("/n/2", ("Karim Khan",), "new_item")]),
        ],
    ),
    "the same text from another source is one story, not moved text": Case(
        [*RSS, ("Other", "/other.xml", "feed", {})],
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Budget", ASSEMBLY, guid="1")),
              "/other.xml": rss(rss_item("/o/1", "Budget", ASSEMBLY, guid="o1"))}, []),
            ({"/feed.xml": rss(rss_item("/n/2", "Mokom", "Mokom was released.", guid="2"),
                               rss_item("/n/1", "Budget", ASSEMBLY, guid="1"))},
             [("/n/2", ("Mokom",), "new_item")]),
            ({"/other.xml": rss(rss_item("/o/2", "Mokom", "Mokom was released.", guid="o2"),
                                rss_item("/o/1", "Budget", ASSEMBLY, guid="o1"))}, []),
        ],
    ),
    "a listed article moved to a new URL": Case(
        LISTING,
        [
            ({"/news": news.listing([("/n/1", "Mokom")]),
              "/n/1": page("Judges heard Mokom.", title="Mokom")}, []),
            ({"/news": news.listing([("/n/1-1", "Mokom")]),
              "/n/1-1": page("Judges heard Mokom.", title="Mokom")}, []),
        ],
    ),
    "a listed article moved to a new URL long after it was first seen": Case(
        LISTING,
        [
            ({"/news": news.listing([("/n/1", "Budget")]), "/n/1": page(ASSEMBLY)}, []),
            ({"/news": news.listing([("/n/2", "Mokom"), ("/n/1", "Budget")]),
              "/n/2": page("Judges heard Mokom.", title="Mokom")},
             [("/n/2", ("Mokom",), "new_item")]),
            ({"/news": news.listing([("/archive/2", "Mokom"), ("/n/1", "Budget")]),
              "/archive/2": page("Judges heard Mokom.", title="Mokom")}, []),
        ],
        hours=(0, 1, 200),
    ),
    # --- listings --------------------------------------------------------------------------
    "a feed entry whose summary names no topic, then its release": Case(
        [*LISTING, *RSS],
        [
            ({"/news": news.listing([("/n/1", "Budget")]), "/n/1": page(ASSEMBLY, CONTACT),
              "/feed.xml": rss(rss_item("/en/n/1", "Budget", ASSEMBLY, guid="1"))}, []),
            ({"/feed.xml": rss(rss_item("/en/n/2", LIBYA[0], LIBYA_LEAD, guid="2"),
                               rss_item("/en/n/1", "Budget", ASSEMBLY, guid="1"))},
             [("/en/n/2", ("Karim Khan",), "new_item")]),
            ({"/news": news.listing([("/n/2", LIBYA[0]), ("/n/1", "Budget")]),
              "/n/2": page(LIBYA_LEAD, LIBYA[1], CONTACT, title=LIBYA[0])}, []),
        ],
    ),
    "a release, then its feed entry whose summary names no topic": Case(
        [*LISTING, *RSS],
        [
            ({"/news": news.listing([("/n/1", "Budget")]), "/n/1": page(ASSEMBLY, CONTACT),
              "/feed.xml": rss(rss_item("/en/n/1", "Budget", ASSEMBLY, guid="1"))}, []),
            ({"/news": news.listing([("/n/2", LIBYA[0]), ("/n/1", "Budget")]),
              "/n/2": page(LIBYA_LEAD, LIBYA[1], CONTACT, title=LIBYA[0])},
             [("/n/2", ("Karim Khan",), "new_item")]),
            ({"/feed.xml": rss(rss_item("/en/n/2", LIBYA[0], LIBYA_LEAD, guid="2"),
                               rss_item("/en/n/1", "Budget", ASSEMBLY, guid="1"))}, []),
        ],
    ),
    "two releases sharing the contact boilerplate are two stories": Case(
        LISTING,
        [
            ({"/news": news.listing([("/n/1", "Budget")]), "/n/1": page(ASSEMBLY, CONTACT)}, []),
            (
                {
                    "/news": news.listing(
                        [("/n/2", BANGLADESH[0]), ("/n/3", LIBYA[0]), ("/n/1", "Budget")]
                    ),
                    "/n/2": page(BANGLADESH[1], CONTACT, title=BANGLADESH[0]),
                    "/n/3": page(LIBYA[1], CONTACT, title=LIBYA[0]),
                },
                [("/n/2", ("Karim Khan",), "new_item"), ("/n/3", ("Karim Khan",), "new_item")],
            ),
        ],
    ),
    "a release and its copy on another site are one story": Case(
        [*LISTING, ("Mirror", "/m", "page", {})],
        [
            (
                {
                    "/news": news.listing([("/n/1", "Budget")]),
                    "/n/1": page(ASSEMBLY, CONTACT),
                    "/m": page(ASSEMBLY),
                },
                [],
            ),
            (
                {
                    "/news": news.listing([("/n/2", LIBYA[0]), ("/n/1", "Budget")]),
                    "/n/2": page(LIBYA[1], CONTACT, title=LIBYA[0]),
                },
                [("/n/2", ("Karim Khan",), "new_item")],
            ),
            ({"/m": page(ASSEMBLY, "Press release: " + LIBYA[1], title="Mirror")}, []),
        ],
    ),
    "a listed article is watched for updates for 48 hours": Case(
        LISTING,
        [
            ({"/news": news.listing([("/n/1", "Budget")]), "/n/1": page(ASSEMBLY)}, []),
            ({"/news": news.listing([("/n/2", "Mokom"), ("/n/1", "Budget")]),
              "/n/2": page("Judges heard Mokom.")}, [("/n/2", ("Mokom",), "new_item")]),
            ({"/n/2": page("Judges heard Mokom.", "Mokom asked for compensation.")},
             [("/n/2", ("Mokom",), "updated_item")]),
            ({"/n/2": page("Judges heard Mokom.", "Mokom asked for compensation.",
                           "Mokom was awarded 100,000 euros.")}, []),
        ],
        hours=(0, 1, 47, 50),
    ),
    "the same story after the dedupe window is alerted again": Case(
        [("Outlet A", "/wa", "page", {}), ("Outlet B", "/wb", "page", {}),
         ("Outlet C", "/wc", "page", {})],
        [
            ({"/wa": page(ASSEMBLY), "/wb": page("Weather is fine."),
              "/wc": page("Markets fell.")}, []),
            ({"/wa": page(ASSEMBLY, LIBYA[1])}, [("/wa", ("Karim Khan",), "updated_item")]),
            ({"/wb": page("Weather is fine.", LIBYA[1])}, []),  # within 72 hours
            ({"/wc": page("Markets fell.", LIBYA[1])},
             [("/wc", ("Karim Khan",), "updated_item")]),
        ],
        hours=(0, 1, 2, 80),
    ),
    "listing with relative links: one alert per new article": Case(
        [("Listing", "/news", "listing", {})],
        [
            ({"/news": news.listing([("n/1", "Budget")]), "/n/1": page(ASSEMBLY)}, []),
            (
                {
                    "/news": news.listing(
                        [("n/2", "Mokom"), ("/n/2#top", "Mokom again"), ("n/1", "Budget")]
                    ),
                    "/n/2": page("Mokom was released.", title="Mokom"),
                },
                [("/n/2", ("Mokom",), "new_item")],
            ),
        ],
    ),
}  # fmt: skip


async def test_a_moved_entry_that_adds_a_sentence_alerts_on_that_sentence(
    tmp_path: Path, site: Site, database: Database, webhook_receiver: WebhookReceiver
) -> None:
    old = "Judges heard Maxime Mokom on Tuesday."
    new = "Mokom asked for compensation."
    case = Case(
        RSS,
        [
            ({"/feed.xml": rss(rss_item("/n/1", "Mokom hearing", old, guid="1"))}, []),
            ({"/feed.xml": rss(rss_item("/n/2", "Mokom hearing", f"{old} {new}", guid="2"))},
             [("/n/2", ("Mokom",), "new_item")]),
        ],
    )  # fmt: skip
    history = await run_case(case, tmp_path, site, database, webhook_receiver)
    (alert,) = history[1]
    assert alert["excerpt"] == new


@pytest.mark.parametrize("name", list(CASES))
async def test_realistic_change(
    name: str,
    tmp_path: Path,
    site: Site,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    await run_case(CASES[name], tmp_path, site, database, webhook_receiver)
