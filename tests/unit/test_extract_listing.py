"""Article links of a listing page: region, follow selector, normalisation, dedupe, chrome."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.errors import ExtractError
from watcher.extract import Link, listing_links

PAGES = Path(__file__).parent.parent / "data" / "pages"
LISTING_URL = "https://www.icc-cpi.int/news"
NEWS = "https://www.icc-cpi.int/news/"

STATEMENT = Link(
    NEWS + "statement-icc-prosecutor-karim-khan-kc-conclusion-his-visit-central-african-republic",
    "Statement of ICC Prosecutor Karim A. A. Khan KC on the conclusion of his visit to the "
    "Central African Republic",
)
MOKOM = Link(
    NEWS + "mokom-case-pre-trial-chamber-ii-schedules-hearing-request-compensation",
    "Mokom case: Pre-Trial Chamber II schedules hearing on request for compensation",
)
ASSEMBLY = Link(
    NEWS + "assembly-states-parties-opens-its-twenty-fifth-session?lang=en",
    "Assembly of States Parties opens its twenty-fifth session",
)
IOM = Link(
    NEWS + "independent-oversight-mechanism-presents-report-assembly",
    "Independent Oversight Mechanism presents its report to the Assembly",
)
REPORT_PDF = Link(
    "https://www.icc-cpi.int/sites/default/files/2026-11/iom-report-2026.pdf",
    "Download the report (PDF)",
)
UGANDA = Link(
    NEWS + "icc-registrar-concludes-visit-uganda", "ICC Registrar concludes visit to Uganda"
)
FEED = Link(NEWS + "rss.xml", "news feed")


@pytest.fixture(scope="module")
def listing_html() -> str:
    return (PAGES / "icc_news_listing.html").read_text(encoding="utf-8")


def test_region_and_follow_selector(listing_html: str) -> None:
    # The configuration of SPEC's example source. The statement appears three times (image,
    # headline with utm_ parameters, "Read more" with a fragment) and counts once, in first
    # position, titled by its headline; the absolute upper-case link with a default port and
    # fbclid and the "../news/" relative link are normalised; the PDF, mailto:, javascript:
    # and "#share" links are not articles; pagination, navigation and the "most read" aside
    # lie outside the region.
    links = listing_links(LISTING_URL, listing_html, "div.view-content", "a[href*='/news/']")
    assert links == [STATEMENT, MOKOM, ASSEMBLY, IOM, UGANDA]


def test_region_without_follow_takes_every_web_link(listing_html: str) -> None:
    links = listing_links(LISTING_URL, listing_html, select="div.view-content")
    assert links == [STATEMENT, MOKOM, ASSEMBLY, IOM, REPORT_PDF, UGANDA]


def test_whole_page_skips_navigation_pagination_asides_and_the_listing_itself(
    listing_html: str,
) -> None:
    # Left: the feed link in the view header. Gone: header menu, "refresh this page" (the
    # listing itself), the pager, the "most read" aside, the footer.
    assert listing_links(LISTING_URL, listing_html) == [
        FEED,
        STATEMENT,
        MOKOM,
        ASSEMBLY,
        IOM,
        REPORT_PDF,
        UGANDA,
    ]


def test_follow_without_region_looks_at_the_whole_page(listing_html: str) -> None:
    links = listing_links(LISTING_URL, listing_html, follow="a[href*='/news/']")
    urls = [link.url for link in links]
    # With an explicit `follow`, the user's selector decides, navigation included.
    assert urls[:3] == [NEWS + "press-releases", NEWS + "media-advisories", NEWS + "statements"]
    assert NEWS + "icc-judges-elect-new-presidency" in urls
    assert len(urls) == len(set(urls))


def test_base_href_resolves_relative_links() -> None:
    html = (
        "<html><head><base href='https://archive.icc-cpi.int/press/'></head><body>"
        "<a href='pr1001.html'>Release 1001</a> <a href='/about'>About</a>"
        "<a href='//cdn.icc-cpi.int/doc.pdf'>Doc</a></body></html>"
    )
    assert listing_links("https://www.icc-cpi.int/press", html) == [
        Link("https://archive.icc-cpi.int/press/pr1001.html", "Release 1001"),
        Link("https://archive.icc-cpi.int/about", "About"),
        Link("https://cdn.icc-cpi.int/doc.pdf", "Doc"),
    ]


@pytest.mark.parametrize(
    "href",
    [
        "#top",
        "mailto:press@icc-cpi.int",
        "javascript:void(0)",
        "JavaScript:openWindow('x')",
        "tel:+31705158515",
        "ftp://ftp.icc-cpi.int/file",
        "data:text/html,hello",
        "",
        "   ",
        "http://[::1",
    ],
)
def test_non_web_links_are_skipped(href: str) -> None:
    html = f"<ul><li><a href=\"{href}\">Skip me</a></li><li><a href='/news/a'>Keep</a></li></ul>"
    assert listing_links(LISTING_URL, html) == [Link(NEWS + "a", "Keep")]


@pytest.mark.parametrize(
    ("anchor", "title"),
    [
        ("<a href='/news/a'>\n  Mokom   case:\n hearing </a>", "Mokom case: hearing"),
        ("<a href='/news/a'>Kh<span>an</span> <b>speaks</b></a>", "Khan speaks"),
        (
            "<a href='/news/a'><span class='date'>27 Nov</span><h3>Headline</h3><p>Teaser</p></a>",
            "Headline",
        ),
        (
            "<a href='/news/a' title='From the title attribute'><img src='x.jpg' alt=''></a>",
            "From the title attribute",
        ),
        ("<a href='/news/a' aria-label='From aria-label'></a>", "From aria-label"),
        ("<a href='/news/a'><img src='x.jpg' alt='From alt text'></a>", "From alt text"),
        ("<a href='/news/a'></a>", ""),
    ],
)
def test_link_titles(anchor: str, title: str) -> None:
    assert listing_links(LISTING_URL, anchor) == [Link(NEWS + "a", title)]


def test_follow_match_that_is_not_a_link_stands_for_the_link_inside() -> None:
    html = (
        "<div class='list'><h3 class='t'><a href='/news/b'>B</a></h3><h3 class='t'>No link</h3>"
        "<h3 class='t'><a href='/news/c?utm_campaign=x'>C</a></h3></div>"
    )
    assert listing_links(LISTING_URL, html, "div.list", "h3.t") == [
        Link(NEWS + "b", "B"),
        Link(NEWS + "c", "C"),
    ]


def test_empty_region_gives_no_links() -> None:
    html = "<div class='view-content'><p>No news at the moment.</p></div>"
    assert listing_links(LISTING_URL, html, "div.view-content", "a[href*='/news/']") == []


@pytest.mark.parametrize(
    ("select", "follow", "message"),
    [
        ("div.view-content", None, "'div.view-content' matches nothing"),
        ("div[", None, r"invalid CSS selector 'div\['"),
        (None, "a[", r"invalid CSS selector 'a\['"),
    ],
)
def test_listing_errors(select: str | None, follow: str | None, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        listing_links(LISTING_URL, "<p><a href='/news/a'>A</a></p>", select, follow)
