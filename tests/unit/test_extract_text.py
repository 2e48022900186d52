"""HTML to watcher's plain-text form, and the headline as the first line."""

from __future__ import annotations

import pytest

from watcher.extract import html_to_text
from watcher.extract.text import with_headline


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # Inline elements join without adding spaces.
        ("<p>Karim <b>Khan</b></p>", "Karim Khan"),
        ("<p>Kh<span>an</span></p>", "Khan"),
        ("<p><a href='/x'>Karim</a> <em>A.&nbsp;A.</em> Khan</p>", "Karim A. A. Khan"),
        ("<p>Pre-<i>Trial</i> Chamber</p>", "Pre-Trial Chamber"),
        # Block boundaries become line breaks.
        ("<h1>Title</h1><p>First.</p><p>Second.</p>", "Title\nFirst.\nSecond."),
        ("<div>one<div>two</div>three</div>", "one\ntwo\nthree"),
        ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
        ("<p>line one<br>line two<br/><br/>line three</p>", "line one\nline two\nline three"),
        ("<blockquote>quoted</blockquote>after", "quoted\nafter"),
        ("<figure><img src='x.jpg'><figcaption>Caption</figcaption></figure>", "Caption"),
        ("<section><article><h2>A</h2>b</article></section>", "A\nb"),
        # Table rows are lines; cells of a row are separated by a space.
        (
            "<table><tr><td>Name</td><td>Date</td></tr><tr><td>Khan</td><td>2026</td></tr></table>",
            "Name Date\nKhan 2026",
        ),
        # Whitespace collapses within lines; blank lines are dropped.
        (
            "<p>  many \n\t spaces   here </p>\n\n<p></p><div> </div><p>next</p>",
            "many spaces here\nnext",
        ),
        # Entities are decoded.
        (
            "<p>Mokom &amp; others &lt;v.&gt; &#8220;ICC&#8221; &eacute;</p>",
            "Mokom & others <v.> \u201cICC\u201d \u00e9",
        ),
        # References escaped twice by the publisher are decoded once more; "&" alone stays.
        (
            "<p>Karim&amp;nbsp;Khan&amp;#8217;s &amp;quot;visit&amp;quot; &amp;amp; AT&amp;T</p>",
            'Karim Khan\u2019s "visit" & AT&T',
        ),
        (
            "<p>R&amp;D &amp;c. &amp;nosuch; &amp;#x201C;x&amp;#X201D;</p>",
            "R&D &c. &nosuch; \u201cx\u201d",
        ),
        # Script-like elements never contribute text.
        (
            "<p>a<script>var khan = 1;</script>b</p><style>p{}</style>"
            "<noscript>Enable JS</noscript><template><p>tpl</p></template>"
            "<svg><text>Khan</text></svg>",
            "ab",
        ),
        # Soft hyphens and zero-width spaces would split words for matching.
        ("<p>Kh\u00adan Mo\u200bkom</p>", "Khan Mokom"),
        # <pre> keeps its line breaks.
        ("<pre>line 1\nline 2</pre>", "line 1\nline 2"),
        ("", ""),
        ("plain text, no markup", "plain text, no markup"),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_deeply_nested_broken_markup_does_not_recurse() -> None:
    html = "<div><b>" * 5000 + "Karim Khan" + "<p>end"
    assert html_to_text(html).split("\n")[0] == "Karim Khan"


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Headline", "Body line.", "Headline\nBody line."),
        ("Headline", "Headline\nBody line.", "Headline\nBody line."),
        # Case and spacing differences still count as the same line.
        ("Headline  text", "headline text\nBody.", "headline text\nBody."),
        # A repeat after a kicker and a date moves up instead of appearing twice.
        (
            "Headline",
            "Statement\n28 November 2026\nHeadline\nBody.",
            "Headline\nStatement\n28 November 2026\nBody.",
        ),
        # A body that begins with the title (a feed summary) keeps it in place.
        ("Assembly opens", "Assembly opens. Delegations met.", "Assembly opens. Delegations met."),
        ("", "Body.", "Body."),
        ("Headline", "", "Headline"),
    ],
)
def test_with_headline(title: str, text: str, expected: str) -> None:
    assert with_headline(title, text) == expected
