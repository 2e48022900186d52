"""Main-text extraction: watcher's selectolax heuristics against trafilatura.

Quality on a corpus of outlet pages with known parts: the share of article sentences kept
and the share of chrome sentences (most read, related links, comments, cookie banner, ad
captions, newsletter boxes, footers) dropped. Speed: milliseconds per page, median of runs.

    python -m benchmarks.extract_compare
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from benchmarks.quality.outlets import courier, icc_release, ledger, wire
from watcher.extract import main_text
from watcher.text import fold

RUNS = 7

PARAGRAPHS = [
    "The Prosecutor of the International Criminal Court, Karim Khan, asked judges on Thursday "
    "to issue an arrest warrant for a militia commander over killings in West Darfur.",
    "Khan told reporters his office had gathered witness statements, satellite imagery and "
    "intercepted communications linking the commander to attacks on civilians.",
    "The application is the first the office has filed in the Darfur situation since 2020.",
    "Sudan's government did not immediately respond to a request for comment.",
    "Rights groups welcomed the move but said more suspects should face justice.",
]
BOXES = {
    "most_read": ["Mokom lawyers demand millions in damages", "Storm warning for the coast"],
    "related": ["Who is Karim Khan, the ICC prosecutor?", "The ICC explained in five charts"],
    "comments": ["Karim Khan should resign at once.", "About time the ICC acted on Darfur."],
}
# Chrome each template prints whatever the story.
FIXED = {
    "ledger": ["We and our 843 partners use cookies", "Save 50% on your subscription",
               "The Ledger Ltd. Page generated", "markets open higher"],
    "courier": ["Get our morning briefing in your inbox", "Courier Media Group",
                "Rain, 12 degrees", "Share on X"],
    "wire": ["More from Wire", "Wire Services. Reporting by the Hague bureau"],
    "icc_release": ["Oude Waalsdorperweg 10"],
    "blog": ["Justice Blog is an independent publication", "Posted by admin",
             "a longer teaser sentence", "Karim Khan should resign at once."],
}  # fmt: skip


def blog(spec: dict[str, object]) -> str:
    """A hand-made CMS page: no semantic tags, unusual class names, prose in the chrome."""
    body = "".join(f"<p>{p}</p>" for p in spec["paragraphs"])  # type: ignore[attr-defined]
    teasers = "".join(
        f"<p>{t} - a longer teaser sentence follows here.</p>" for t in spec["most_read"]
    )  # type: ignore[attr-defined]
    responses = "".join(f"<div class='response'><p>{c}</p></div>" for c in spec["comments"])  # type: ignore[attr-defined]
    return f"""<html><head><title>{spec["title"]} - Justice Blog</title></head><body>
<div id="top"><a href="/">Justice Blog</a> | <a href="/about">About</a></div>
<div class="wrapper"><div class="post"><h2 class="post-title">{spec["title"]}</h2>
<div class="post-meta">Posted by admin in Courts</div>{body}
<p><a href="/more">Read more: our coverage of Darfur</a></p></div>
<div class="more-stories"><h3>Elsewhere on the blog</h3>{teasers}</div>
<div class="reader-responses"><h3>Responses</h3>{responses}</div></div>
<div id="bottom">Justice Blog is an independent publication. Hosted by Example.</div>
</body></html>"""


TEMPLATES = {
    "ledger": ledger,
    "courier": courier,
    "wire": wire,
    "icc_release": icc_release,
    "blog": blog,
}


def corpus() -> list[tuple[str, str, list[str], list[str]]]:
    """(name, html, article sentences, chrome sentences) for each page of the corpus."""
    pages = []
    for name, template in TEMPLATES.items():
        for length in (2, 5):
            paragraphs = PARAGRAPHS[:length]
            spec = {"title": "ICC prosecutor seeks Darfur warrant", **BOXES}
            html = template({**spec, "paragraphs": paragraphs})
            chrome = [*BOXES["most_read"], *FIXED[name]]
            if name in ("ledger", "icc_release"):
                chrome += BOXES["related"]
            if name == "ledger":
                chrome += BOXES["comments"]
            pages.append((f"{name}-{length}", html, paragraphs, chrome))
    return pages


def watcher_text(html: str) -> str:
    return main_text(html)[1]


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=True) or ""


def score(extract: Callable[[str], str]) -> tuple[float, float, float, list[str]]:
    """(article kept, chrome dropped, ms per page, misses) of one extractor on the corpus."""
    kept = dropped = articles = chromes = 0
    misses: list[str] = []
    pages = corpus()
    for name, html, article, chrome in pages:
        text = fold(extract(html))
        for sentence in article:
            articles += 1
            if fold(sentence) in text:
                kept += 1
            else:
                misses.append(f"{name}: lost {sentence[:50]!r}")
        for sentence in chrome:
            chromes += 1
            if fold(sentence) not in text:
                dropped += 1
            else:
                misses.append(f"{name}: kept chrome {sentence[:50]!r}")
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for _name, html, _a, _c in pages:
            extract(html)
        timings.append((time.perf_counter() - started) * 1000 / len(pages))
    return kept / articles, dropped / chromes, statistics.median(timings), misses


def main() -> int:
    """Print both extractors' scores."""
    print(f"{'extractor':<14}{'article kept':>14}{'chrome dropped':>16}{'ms/page':>10}")
    for label, extract in (("watcher", watcher_text), ("trafilatura", trafilatura_text)):
        kept, dropped, speed, misses = score(extract)
        print(f"{label:<14}{kept:>14.3f}{dropped:>16.3f}{speed:>10.2f}")
        for miss in misses:
            print(f"    {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
