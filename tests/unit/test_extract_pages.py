"""A page as one item: main text without chrome, titles, `select` regions, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.errors import ExtractError
from watcher.extract import main_text, page_item
from watcher.extract.chrome import chrome_kind
from watcher.extract.text import parse_html
from watcher.extract.titles import page_title
from watcher.models import Item

PAGES = Path(__file__).parent.parent / "data" / "pages"

ICC_URL = (
    "https://www.icc-cpi.int/news/"
    "statement-icc-prosecutor-karim-khan-kc-conclusion-his-visit-central-african-republic"
)
ICC_TITLE = (
    "Statement of ICC Prosecutor Karim A. A. Khan KC on the conclusion of his visit to the "
    "Central African Republic"
)
LEDGER_URL = "https://www.hagueledger.example/world/2026/nov/28/icc-prosecutor-karim-khan-arrest-warrants-assembly"
LEDGER_TITLE = "ICC prosecutor Karim Khan urges states to act on outstanding arrest warrants"


def read(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


# --- The ICC press release ----------------------------------------------------------------


@pytest.fixture(scope="module")
def icc_item() -> Item:
    return page_item(
        ICC_URL + "?utm_source=newsletter&utm_medium=email#main-content", read("icc_statement.html")
    )


def test_icc_release_key_is_the_normalised_url(icc_item: Item) -> None:
    assert icc_item.key == ICC_URL
    assert icc_item.url.startswith(ICC_URL + "?utm_source=")


def test_icc_release_title_has_no_site_suffix(icc_item: Item) -> None:
    assert icc_item.title == ICC_TITLE
    assert icc_item.text.split("\n")[0] == ICC_TITLE
    assert icc_item.text.count(ICC_TITLE) == 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Over the past four days, I have had the opportunity to meet with the authorities of "
        "the Central African Republic",
        # Inline markup (<strong>, <a>, <em>) joins without extra spaces.
        "for their continued cooperation with my Office.",
        "before the judges of the International Criminal Court.",
        "and no victim should be left without a path to justice.",
        "strengthen our support to national proceedings before the Special Criminal Court;",
        "\u201cJustice that is seen to be done, close to the communities concerned, is justice "
        "that lasts,\u201d Prosecutor Khan said at the end of his visit.",
        "28 November 2026",
    ],
)
def test_icc_release_keeps_the_statement(icc_item: Item, sentence: str) -> None:
    assert sentence in icc_item.text


@pytest.mark.parametrize(
    "chrome",
    [
        "Skip to main content",  # skip link
        "Situations under investigations",  # main navigation
        "Français",  # language switcher
        "Enter the terms",  # search form
        "Breadcrumb",
        "We use cookies",  # cookie banner
        "By clicking the Accept button",
        "Related news",  # related-news box
        "Independent Oversight Mechanism publishes its annual report",
        "signed a memorandum on the exchange of information",
        "Facebook",  # share buttons
        "Tags",  # tag list (a block of links)
        "Oude Waalsdorperweg",  # footer
        "All rights reserved",
        "dataLayer",  # scripts
        "antibot",  # <noscript><style>
    ],
)
def test_icc_release_drops_chrome(icc_item: Item, chrome: str) -> None:
    assert chrome not in icc_item.text


# --- A news article in heavy chrome -------------------------------------------------------


@pytest.fixture(scope="module")
def ledger_item() -> Item:
    return page_item(LEDGER_URL, read("ledger_article_chrome.html"))


def test_news_article_title_and_first_line(ledger_item: Item) -> None:
    assert ledger_item.title == LEDGER_TITLE
    assert ledger_item.text.startswith(LEDGER_TITLE + "\n")


@pytest.mark.parametrize(
    "sentence",
    [
        "The prosecutor of the International Criminal Court, Karim Khan, has urged member states "
        "to act on the court\u2019s outstanding arrest warrants",
        # "<a>Karim</a> <b>Khan</b>" in the standfirst
        "Addressing the Assembly of States Parties in The Hague, Karim Khan said cooperation",
        "Speaking on Friday, Khan said 31 warrants remained outstanding",
        "the annual report of the Independent Oversight Mechanism",
        "before closing its session next week.",
        "Karim Khan addressing delegates at the World Forum in The Hague on Friday.",
    ],
)
def test_news_article_keeps_the_story(ledger_item: Item, sentence: str) -> None:
    assert sentence in ledger_item.text


@pytest.mark.parametrize(
    "chrome",
    [
        "Sadiq Khan",  # "most viewed" box
        "International Organization for Migration",
        "Ajax and Feyenoord",
        "Most viewed",
        "Accept all cookies",  # consent banner
        "842 partners",
        "Advertisement",  # ad slots
        "flights to Lisbon",
        "Sign up to This Week in The Hague",  # newsletter box
        "Privacy notice",
        "Comments (214)",  # comments
        "Is this the same Khan who runs London?",
        "very expensive library",
        "Share on Facebook",  # share bar
        "ICC budget talks open amid pressure",  # inline related aside
        "What is the international criminal court and how does it work?",  # list of links
        "Arrest warrants explained",
        "More on this story",  # onward journey
        "Protesters gather outside the court",
        "Support independent journalism",  # masthead
        "Lifestyle",
        "Complaints & corrections",  # footer
        "googletag",
    ],
)
def test_news_article_drops_chrome(ledger_item: Item, chrome: str) -> None:
    assert chrome not in ledger_item.text


# --- Other pages --------------------------------------------------------------------------


def test_page_without_semantic_markup_uses_the_densest_block() -> None:
    # Windows-1252 bytes decoded the way fetch hands them over; no <article> or <main>.
    text = (PAGES / "icc_communique_fr_cp1252.html").read_bytes().decode("cp1252")
    title, body = main_text(text, "https://www.icc-cpi.int/fr/news/declaration")
    assert body.split("\n")[:2] == [title, "28 novembre 2026"]
    assert "Je tiens \u00e0 remercier le Gouvernement" in body
    for chrome in (
        "\u00c0 propos de la Cour",
        "Accueil",
        "Mentions l\u00e9gales",
        "Oude Waalsdorperweg",
    ):
        assert chrome not in body


def test_broken_html_still_yields_the_release() -> None:
    item = page_item(
        "https://www.icc-cpi.int/pressrelease/details&id=1001", read("broken_release.html")
    )
    assert item.title == (
        "Press Release: Mokom case - Decision on the confirmation of charges - "
        "ICC-CPI-20260301-PR1001"
    )
    assert (
        "Mokom case: Pre-Trial Chamber II schedules the confirmation of charges hearing"
        in item.text
    )
    assert (
        "in the case of The Prosecutor v. Maxime Jeoffroy Eli Mokom Gawaka for 22 August 2026."
        in item.text
    )
    assert "initial appearance on 22 March 2022 & was informed" in item.text
    for chrome in ("Situations and Cases", "Recent Documents", "Previous release", "\u00a9"):
        assert chrome not in item.text


def test_main_text_accepts_a_parsed_tree_and_leaves_it_untouched() -> None:
    tree = parse_html(read("icc_statement.html"))
    before = tree.html
    title, text = main_text(tree, ICC_URL)
    assert title == ICC_TITLE
    assert "We use cookies" not in text
    assert tree.html == before


# --- select -------------------------------------------------------------------------------


def test_select_region_wins_over_main_text() -> None:
    item = page_item(ICC_URL, read("icc_statement.html"), select="div.related-news .view-content")
    assert item.text == (
        "ICC Prosecutor welcomes new cooperation agreement with the Special Criminal Court\n"
        "The Office of the Prosecutor and the Special Criminal Court signed a memorandum on the "
        "exchange of information and evidence, strengthening complementarity in the Central "
        "African Republic.\n"
        "Independent Oversight Mechanism publishes its annual report to the Assembly\n"
        "The report gives an overview of the evaluations, inspections and investigations "
        "conducted by the Mechanism over the past year, as mandated by the Assembly of States "
        "Parties."
    )
    assert item.title == ICC_TITLE


def test_select_region_is_taken_as_is_even_if_it_is_chrome() -> None:
    item = page_item(LEDGER_URL, read("ledger_article_chrome.html"), select="section.mostRead")
    assert item.text.split("\n")[:2] == [
        "Most viewed",
        "Sadiq Khan unveils plan to extend night Tube to five more lines",
    ]


def test_select_joins_every_match() -> None:
    html = "<div class='x'>one</div><p>not this</p><div class='x'>two</div>"
    assert page_item("https://example.org/", html, select="div.x").text == "one\ntwo"


def test_select_matching_nested_elements_gives_their_text_once() -> None:
    html = "<div class='box'>outer<div class='box'>inner</div></div><div class='box'>last</div>"
    assert page_item("https://example.org/", html, select=".box").text == "outer\ninner\nlast"


@pytest.mark.parametrize(
    ("html", "select", "message"),
    [
        ("<p>text</p>", "div.view-content", "'div.view-content' matches nothing"),
        ("<p>text</p>", "div[", "invalid CSS selector 'div['"),
        ("<div class='empty'> <script>x()</script> </div>", "div.empty", "no text in the region"),
        ("", None, "empty document"),
        ("  \n ", None, "empty document"),
        ("<html><head></head><body><script>app()</script></body></html>", None, "no text"),
    ],
)
def test_page_item_errors(html: str, select: str | None, message: str) -> None:
    with pytest.raises(ExtractError, match=message.replace("[", r"\[")):
        page_item("https://example.org/page", html, select=select)


# --- Titles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body", "url", "expected"),
    [
        # og:title first, then the first h1 (one in the article before a logo h1), then <title>.
        (
            "<meta property='og:title' content='From og'><title>From title</title>",
            "<h1>From h1</h1>",
            "https://example.org/",
            "From og",
        ),
        (
            "<title>From title</title>",
            "<header><h1>Logo</h1></header><article><h1>Story</h1></article>",
            "https://example.org/",
            "Story",
        ),
        ("<title>From title</title>", "<h1> </h1>", "https://example.org/", "From title"),
        ("", "<p>no title</p>", "https://example.org/", ""),
        # Site names are trimmed: og:site_name, host words, acronyms of the name.
        ("<title>Khan speaks | ICC</title>", "", "https://www.icc-cpi.int/news/x", "Khan speaks"),
        (
            "<title>Khan speaks - Reuters</title>",
            "",
            "https://www.reuters.com/world/",
            "Khan speaks",
        ),
        (
            "<title>Khan speaks \u2013 BBC News</title>",
            "",
            "https://www.bbc.co.uk/news/x",
            "Khan speaks",
        ),
        (
            "<meta property='og:site_name' content='The Hague Ledger'>"
            "<title>Khan speaks | World news | The Hague Ledger</title>",
            "",
            "https://www.hagueledger.example/x",
            "Khan speaks | World news",
        ),
        (
            "<title>Statement | International Criminal Court</title>",
            "",
            "https://www.icc-cpi.int/x",
            "Statement",
        ),
        (
            "<title>ICC - Statement on Mokom</title>",
            "",
            "https://www.icc-cpi.int/x",
            "Statement on Mokom",
        ),
        # Not safe to trim: the segment does not name the site.
        ("<title>Chapter - 1</title>", "", "http://127.0.0.1:8080/x", "Chapter - 1"),
        (
            "<title>Mokom case - Update</title>",
            "",
            "https://www.icc-cpi.int/x",
            "Mokom case - Update",
        ),
        (
            "<title>Pre-Trial Chamber II rules</title>",
            "",
            "https://www.icc-cpi.int/x",
            "Pre-Trial Chamber II rules",
        ),
        (
            "<title>ICC Prosecutor Karim Khan - Statement</title>",
            "",
            "https://www.icc-cpi.int/x",
            "ICC Prosecutor Karim Khan - Statement",
        ),
    ],
)
def test_page_title(head: str, body: str, url: str, expected: str) -> None:
    tree = parse_html(f"<html><head>{head}</head><body>{body}</body></html>")
    assert page_title(tree, url) == expected


# --- What counts as chrome ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "kind"),
    [
        ("class='ad'", "box"),
        ("class='ad-slot ad-slot--inline'", "box"),
        ("id='div-gpt-ad-top-1'", "box"),
        ("class='adSlot'", "box"),
        ("class='mostRead'", "box"),
        ("class='most-read'", "box"),
        ("class='block_most_read'", "box"),
        ("id='onetrust-banner-sdk'", "box"),
        ("class='eu-cookie-compliance-banner'", "box"),
        ("class='newsletter-signup'", "box"),
        ("id='comments'", "box"),
        ("class='related-news'", "box"),
        ("class='social-share'", "box"),
        ("class='entry-tags'", "box"),
        ("class='more-stories'", "box"),
        ("class='moreNews'", "box"),
        ("id='see-also'", "box"),
        ("class='you-may-also-like'", "box"),
        ("class='site-footer'", "layout"),
        ("class='has-sidebar'", "layout"),
        ("class='menu menu--main'", "layout"),
        # Whole words only: none of these is an ad, a share box or a comment.
        ("class='headline'", None),
        ("class='read-more'", None),
        ("class='download'", None),
        ("class='shadow'", None),
        ("class='commentary'", None),
        ("class='stories'", None),
        ("class='tagline'", None),
        ("class='more'", None),
        ("class='article-body'", None),
        ("class='leading'", None),
        ("", None),
    ],
)
def test_chrome_kind(attributes: str, kind: str | None) -> None:
    node = parse_html(f"<div {attributes}>x</div>").css_first("div")
    assert node is not None
    assert chrome_kind(node) == kind


@pytest.mark.parametrize(
    ("html", "kept", "dropped"),
    [
        # An article header holding the h1 is kept although "header" names layout.
        (
            "<div class='article-header'><h1>Headline</h1></div><p>Body text of the story.</p>",
            "Headline",
            None,
        ),
        # A wrapper named like layout that holds most of the paragraphs is the article.
        (
            "<div class='has-sidebar'><p>" + "Story sentence. " * 20 + "</p></div>"
            "<div class='sidebar'><p>Side note.</p></div>",
            "Story sentence.",
            "Side note.",
        ),
        # An <header> inside the <article> is part of it; the site's <header> is not.
        (
            "<header>Site name</header>"
            "<article><header>Kicker</header><p>Story text.</p></article>",
            "Kicker",
            "Site name",
        ),
        # A short <article> with the headline is the story, however long the rest of the page.
        (
            "<article><h1>Brief statement</h1><p>Short.</p></article>"
            "<div class='thread'>" + "<p>A long reader discussion.</p>" * 30 + "</div>",
            "Short.",
            "reader discussion",
        ),
        # A teaser <article> among much other text is not the story.
        (
            "<div class='story'>" + "<p>The real story text.</p>" * 10 + "</div>"
            "<article><h3>Teaser</h3><p>Other story.</p></article>",
            "The real story text.",
            None,
        ),
        # Hidden elements and ARIA landmarks of chrome are dropped.
        (
            "<p>Story text.</p><div hidden>Hidden text</div><div aria-hidden='true'>Icon text</div>"
            "<div role='complementary'>Aside text</div>",
            "Story text.",
            "Aside text",
        ),
        # A list that is mostly links is dropped; a paragraph with a link is not.
        (
            "<article><p>Story with <a href='/a'>a link</a> in it.</p>"
            "<ul><li><a href='/1'>One</a></li><li><a href='/2'>Two</a></li>"
            "<li><a href='/3'>Three</a></li></ul></article>",
            "Story with a link in it.",
            "One",
        ),
        # Inside the article: its tags and a box of more stories are other pages' names.
        (
            "<article><h1>Budget</h1><p>The Assembly adopted the budget.</p>"
            "<div class='post-tags'>Tags: <a href='/t/1'>Karim Khan</a></div>"
            "<section class='more-stories'><h2>More stories</h2>"
            "<a href='/n/2'>Karim Khan visits Bangui</a></section></article>",
            "The Assembly adopted the budget.",
            "Karim Khan",
        ),
        # Everything wrapped in a <form> (ASP.NET pages) is still read, headline or not;
        # a small form (search, newsletter) is chrome.
        ("<form id='aspnetForm'><h1>Headline</h1><p>Story text.</p></form>", "Story text.", None),
        ("<form id='aspnetForm'><p>Story text.</p><p>More story.</p></form>", "More story.", None),
        (
            "<main><form id='aspnetForm'><p>Story text, long enough to be the page.</p></form>"
            "<form action='/search'><p>Search the site</p></form></main>",
            "Story text, long enough",
            "Search the site",
        ),
        # Without any <p>, a layout wrapper holding most of the text is still the page.
        (
            "<div class='page-wrapper has-header'><div>The whole release, in divs.</div></div>"
            "<div class='footer'>Footer text</div>",
            "The whole release, in divs.",
            "Footer text",
        ),
    ],
)
def test_main_text_chrome_rules(html: str, kept: str, dropped: str | None) -> None:
    _, text = main_text(f"<html><body>{html}</body></html>")
    assert kept in text
    if dropped is not None:
        assert dropped not in text
