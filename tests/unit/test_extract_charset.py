"""Choosing a page's encoding: BOM, HTTP header, <meta>, detection, the way browsers do."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.extract import decode_html, page_item
from watcher.extract.charset import browser_codec

PAGES = Path(__file__).parent.parent / "data" / "pages"

SMART = "\u201cCour p\u00e9nale\u201d \u2013 d\u2019arr\u00eat, \u0153uvre, 20 \u20ac"
SMART_CP1252 = SMART.encode("cp1252")
SMART_UTF8 = SMART.encode("utf-8")


def html(body: bytes, head: bytes = b"") -> bytes:
    return (
        b"<!doctype html><html><head>" + head + b"</head><body><p>" + body + b"</p></body></html>"
    )


def paragraph(text: str) -> str:
    return text.split("<p>", 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # Byte-order marks win over everything, even a contradicting header and <meta>.
        (
            b"\xef\xbb\xbf" + html(SMART_UTF8, b'<meta charset="windows-1252">'),
            "text/html; charset=iso-8859-1",
        ),
        (b"\xff\xfe" + html(SMART_UTF8).decode().encode("utf-16-le"), "text/html; charset=utf-8"),
        (b"\xfe\xff" + html(SMART_UTF8).decode().encode("utf-16-be"), None),
        # The HTTP header may name UTF-16 for a body without a BOM.
        (html(SMART_UTF8).decode().encode("utf-16-le"), "text/html; charset=utf-16le"),
        # The HTTP header beats <meta>.
        (html(SMART_UTF8, b'<meta charset="windows-1252">'), "text/html; charset=UTF-8"),
        (html(SMART_CP1252, b'<meta charset="utf-8">'), "text/html; charset=windows-1252"),
        # Declared latin-1 or ASCII is read as windows-1252, so curly quotes and the euro survive.
        (html(SMART_CP1252), "text/html; charset=ISO-8859-1"),
        (html(SMART_CP1252), 'text/html; charset="latin1"'),
        (html(SMART_CP1252), "text/html;charset=us-ascii"),
        (html(SMART_CP1252, b'<meta charset="iso-8859-1">'), "text/html"),
        # <meta http-equiv> when the header names no charset.
        (
            html(
                SMART_CP1252,
                b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
            ),
            "text/html",
        ),
        (
            html(
                SMART_UTF8, b"<meta content='text/html; charset=utf-8' http-equiv='content-type'>"
            ),
            None,
        ),
        # An XHTML page may declare its encoding only in the XML declaration.
        (b"<?xml version='1.0' encoding='windows-1252'?>\n" + html(SMART_CP1252), None),
        # An unknown or non-text label is ignored; the next source decides.
        (html(SMART_UTF8, b'<meta charset="utf-8">'), "text/html; charset=x-klingon"),
        (html(SMART_CP1252, b'<meta charset="windows-1252">'), "text/html; charset=zlib"),
        # A <meta> claiming UTF-16 in bytes readable as ASCII means UTF-8, as in browsers.
        (html(SMART_UTF8, b'<meta charset="utf-16">'), None),
        # Nothing declared: valid UTF-8 is UTF-8, and western text falls back to windows-1252.
        (html(SMART_UTF8), None),
        (
            html(
                SMART_CP1252 + b" " + "Le Procureur a d\u00e9livr\u00e9 un mandat.".encode("cp1252")
            ),
            None,
        ),
    ],
)
def test_decode_html_reads_curly_quotes_and_euro(body: bytes, content_type: str | None) -> None:
    assert paragraph(decode_html(body, content_type)).startswith(SMART)


def test_undecodable_bytes_become_replacement_characters() -> None:
    text = decode_html(html(b"caf\xc3\xa9 \xff\xfe end"), "text/html; charset=utf-8")
    assert paragraph(text) == "caf\u00e9 \ufffd\ufffd end"


def test_meta_beyond_the_prescan_window_is_not_used() -> None:
    late = b"<!--" + b"x" * 5000 + b'--><meta charset="windows-1252">'
    # Valid UTF-8, so detection keeps UTF-8 although a late <meta> says otherwise.
    assert paragraph(decode_html(html(SMART_UTF8, late), None)) == SMART


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("US-ASCII", "cp1252"),
        ("windows-1252", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("gb2312", "gb18030"),
        ("shift_jis", "cp932"),
        ("windows-874", "cp874"),
        ("UTF8", "utf-8"),
        ("'utf-8'", "utf-8"),
        ("windows-1251", "cp1251"),
        ("nonsense", None),
        ("base64", None),
    ],
)
def test_browser_codec(label: str, codec: str | None) -> None:
    assert browser_codec(label) == codec


def test_french_release_declared_only_by_meta_http_equiv() -> None:
    body = (PAGES / "icc_communique_fr_cp1252.html").read_bytes()
    assert b"charset=iso-8859-1" in body  # declared latin-1, written in windows-1252
    text = decode_html(body, "text/html")
    item = page_item("https://www.icc-cpi.int/fr/news/declaration", text)
    assert "Cour p\u00e9nale internationale" in item.text
    assert item.title.startswith(
        "D\u00e9claration du Procureur de la CPI, Karim A. A. Khan KC, \u00e0 l\u2019issue"
    )
    assert (
        "une \u0153uvre de longue haleine\u2026 dont le co\u00fbt, 2,5 millions \u20ac" in item.text
    )
    assert "\ufffd" not in item.text
