"""SPEC "What is alerted", rule by rule, through the real pipeline.

Each case is a short history of a local site (tests.support.history): the pages of each
step, then the alerts that step must give (path, topics, kind), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import news
from tests.support.history import Case, page, run_case
from tests.support.receiver import WebhookReceiver
from tests.support.site import Site
from watcher.storage import Database

KHAN = "The Prosecutor of the International Criminal Court, Karim Khan, opened an inquiry."
KHAN_NEW = "On Friday, Prosecutor Khan asked judges for an arrest warrant in the Darfur case."
MOKOM = "Maxime Mokom was transferred to the Court in March 2022."
MOKOM_NEW = "Judges awarded Mokom partial compensation of 100,000 euros on Friday."
PLAIN = ["The Assembly of States Parties met in The Hague.", "It discussed the budget."]
WIRE = [
    "THE HAGUE (Wire) - The Prosecutor of the International Criminal Court, Karim Khan, "
    "asked judges on Thursday to issue an arrest warrant for a militia commander in Darfur.",
    "Khan said his office had gathered witness statements and satellite imagery linking the "
    "commander to attacks on civilians in El Geneina.",
]


def feed(*entries: tuple[str, str, str]) -> str:
    return news.rss(list(entries))


ARTICLE = [("Article", "/a", "page", {})]
LISTING = [("Listing", "/news", "listing", {"select": "div.view-content"})]

CASES: dict[str, Case] = {
    "baseline alerts nothing": Case(ARTICLE, [({"/a": page(KHAN, MOKOM)}, [])]),
    "new article in a listing that mentions a topic": Case(
        LISTING,
        [
            ({"/news": news.listing([("/n/1", "Budget")]), "/n/1": page(*PLAIN)}, []),
            (
                {
                    "/news": news.listing([("/n/2", "Inquiry"), ("/n/1", "Budget")]),
                    "/n/2": page(KHAN, "More later.", title="Inquiry"),
                },
                [("/n/2", ("Karim Khan",), "new_item")],
            ),
        ],
    ),
    "new article that mentions no topic": Case(
        LISTING,
        [
            ({"/news": news.listing([("/n/1", "Budget")]), "/n/1": page(*PLAIN)}, []),
            (
                {
                    "/news": news.listing([("/n/2", "Recess"), ("/n/1", "Budget")]),
                    "/n/2": page("The Court is in recess until January."),
                },
                [],
            ),
        ],
    ),
    "added sentence; topics are those of the new text only": Case(
        ARTICLE,
        [
            ({"/a": page(KHAN, MOKOM)}, []),
            ({"/a": page(KHAN, MOKOM, MOKOM_NEW)}, [("/a", ("Mokom",), "updated_item")]),
        ],
    ),
    "copy edit of an existing sentence": Case(
        ARTICLE,
        [
            ({"/a": page(KHAN, MOKOM)}, []),
            (
                {
                    "/a": page(
                        "Prosecutor Karim Khan of the International Criminal Court opened an "
                        "inquiry.",
                        "Maxime Mokom was transfered to the court in March 2022.",
                    )
                },
                [],
            ),
        ],
    ),
    "moved text": Case(
        ARTICLE,
        [({"/a": page(KHAN, MOKOM, *PLAIN)}, []), ({"/a": page(*PLAIN, MOKOM, KHAN)}, [])],
    ),
    "removed text": Case(
        ARTICLE, [({"/a": page(KHAN, MOKOM, *PLAIN)}, []), ({"/a": page(KHAN, *PLAIN)}, [])]
    ),
    "text removed and later restored": Case(
        ARTICLE,
        [
            ({"/a": page(KHAN, MOKOM, *PLAIN)}, []),
            ({"/a": page(KHAN, *PLAIN)}, []),
            ({"/a": page(KHAN, PLAIN[0])}, []),
            ({"/a": page(KHAN, MOKOM, *PLAIN)}, []),
        ],
    ),
    "re-ordered listing with tracking parameters": Case(
        LISTING,
        [
            (
                {
                    "/news": news.listing([("/n/1", "Inquiry"), ("/n/2", "Budget")]),
                    "/n/1": page(KHAN),
                    "/n/2": page(*PLAIN),
                },
                [],
            ),
            (
                {
                    "/news": news.listing(
                        [("/n/2?utm_source=x&fbclid=y", "Budget"), ("/n/1#top", "Inquiry")]
                    )
                },
                [],
            ),
        ],
    ),
    "item that disappears and comes back": Case(
        LISTING,
        [
            (
                {
                    "/news": news.listing([("/n/1", "Inquiry"), ("/n/2", "Budget")]),
                    "/n/1": page(KHAN),
                    "/n/2": page(*PLAIN),
                },
                [],
            ),
            ({"/news": news.listing([("/n/2", "Budget")])}, []),
            ({"/news": news.listing([("/n/1", "Inquiry"), ("/n/2", "Budget")])}, []),
        ],
    ),
    "source that failed and recovered": Case(
        ARTICLE,
        [
            ({"/a": page(KHAN, MOKOM)}, []),
            ({"/a": None}, []),
            ({"/a": page(KHAN, MOKOM)}, []),
        ],
    ),
    "most-read box that starts naming a topic": Case(
        ARTICLE,
        [
            ({"/a": page(*PLAIN, "The ICC budget grows.")}, []),
            ({"/a": page(*PLAIN, "The ICC budget grows.", most_read="Karim Khan resigns")}, []),
        ],
    ),
    "select region: exactly that region is watched": Case(
        [("Region", "/r", "page", {"select": "aside.most-read"})],
        [
            ({"/r": page(*PLAIN)}, []),
            ({"/r": page(*PLAIN, MOKOM)}, []),
            (
                {"/r": page(*PLAIN, MOKOM, most_read="Mokom freed")},
                [("/r", ("Mokom",), "updated_item")],
            ),
        ],
    ),
    "look-alike names and the other IOM": Case(
        ARTICLE,
        [
            ({"/a": page("The ICC budget grows.")}, []),
            (
                {
                    "/a": page(
                        "The ICC budget grows.",
                        "London mayor Sadiq Khan visited the ICC.",
                        "Imran Khan and the Aga Khan were not there.",
                        "The International Organization for Migration (IOM) said the IOM "
                        "would help.",
                        "The Khanate museum and the IOMA insurer sent delegates.",
                    )
                },
                [],
            ),
        ],
    ),
    "exclude masks only its own span": Case(
        ARTICLE,
        [
            ({"/a": page("The ICC budget grows.")}, []),
            (
                {"/a": page("The ICC budget grows.", "Sadiq Khan met Karim Khan in London.")},
                [("/a", ("Karim Khan",), "updated_item")],
            ),
        ],
    ),
    "context from elsewhere in the item, old text included": Case(
        ARTICLE,
        [
            ({"/a": page("The International Criminal Court sat today.")}, []),
            (
                {"/a": page("The International Criminal Court sat today.", "Karim Khan arrived.")},
                [("/a", ("Karim Khan",), "updated_item")],
            ),
        ],
    ),
    "no context anywhere in the item": Case(
        ARTICLE,
        [
            ({"/a": page("Somerset closed on 240 for six.")}, []),
            ({"/a": page("Somerset closed on 240 for six.", "Karim Khan took five wickets.")}, []),
        ],
    ),
    "name split by inline markup and a line break": Case(
        ARTICLE,
        [
            ({"/a": page("The ICC budget grows.")}, []),
            (
                {
                    "/a": page("The ICC budget grows.", "Today Karim<br>Khan spoke.").replace(
                        "&lt;br&gt;", "<br>"
                    )
                },
                [("/a", ("Karim Khan",), "updated_item")],
            ),
        ],
    ),
    "wire story in two sources in one cycle": Case(
        [("Outlet A", "/wa", "page", {}), ("Outlet B", "/wb", "page", {})],
        [
            ({"/wa": page(*PLAIN), "/wb": page("Weather is fine.")}, []),
            (
                {
                    "/wa": page(*PLAIN, *WIRE, title="ICC prosecutor seeks warrant"),
                    "/wb": page("Weather is fine.", *WIRE, "(Reporting by Wire)", title="X"),
                },
                [("/wa|/wb", ("Karim Khan",), "updated_item")],
            ),
        ],
        also_seen={"/wa|/wb": 1},
    ),
    "wire story carried again a check later": Case(
        [("Outlet A", "/wa", "page", {}), ("Outlet B", "/wb", "page", {})],
        [
            ({"/wa": page(*PLAIN), "/wb": page("Weather is fine.")}, []),
            ({"/wa": page(*PLAIN, *WIRE)}, [("/wa", ("Karim Khan",), "updated_item")]),
            ({"/wb": page("Weather is fine.", WIRE[1], WIRE[0])}, []),
        ],
    ),
    "press release and its feed entry": Case(
        [*LISTING, ("Feed", "/feed.xml", "feed", {})],
        [
            (
                {
                    "/news": news.listing([("/n/1", "Budget")]),
                    "/n/1": page(*PLAIN),
                    "/feed.xml": feed(("urn:1", "Budget", PLAIN[0])),
                },
                [],
            ),
            (
                {
                    "/news": news.listing([("/n/2", "Statement"), ("/n/1", "Budget")]),
                    "/n/2": page(*WIRE, "The office will publish a summary.", title="Statement"),
                    "/feed.xml": feed(
                        ("urn:2", "Statement", WIRE[0]), ("urn:1", "Budget", PLAIN[0])
                    ),
                },
                [("/n/2|/", ("Karim Khan",), "new_item")],
            ),
        ],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_what_is_alerted(
    name: str,
    tmp_path: Path,
    site: Site,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    await run_case(CASES[name], tmp_path, site, database, webhook_receiver)
