"""Bytes of an HTML page to text, choosing the encoding the way a browser does."""

from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The WHATWG Encoding Standard decodes these labels with a superset, and so do browsers:
# pages declared latin-1 are really windows-1252 (curly quotes, the euro sign).
_SUPERSETS = {
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "tis_620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}
# Labels browsers know and Python's codec registry does not.
_EXTRA_LABELS = {"windows-874": "cp874", "x-sjis": "cp932", "x-gbk": "gb18030"}
_PRESCAN_BYTES = 4096
_WESTERN_FALLBACK = "cp1252"
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';,]+)""", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"""\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([-\w.:]+)""")


def decode_html(body: bytes, content_type: str | None) -> str:
    """Decode an HTML body: BOM, HTTP charset, <meta> (or XML declaration), detection, UTF-8."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    head = body[:_PRESCAN_BYTES]
    declared = _from_header(content_type) or _from_meta(head) or _from_xml_declaration(head)
    if declared is None:
        declared = _detect(body)
    return body.decode(declared, errors="replace")


def browser_codec(label: str) -> str | None:
    """The Python codec a browser would use for the encoding `label`, or None if unknown."""
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_EXTRA_LABELS.get(label, label)).name
        # Rejects codecs that are no text encoding ("base64", "zlib") a page might name.
        b" ".decode(name, errors="replace")
    except LookupError:
        return None
    return _SUPERSETS.get(name.replace("-", "_"), name)


def _from_header(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return browser_codec(match.group(1)) if match else None


def _from_meta(head: bytes) -> str | None:
    for match in _META_CHARSET.finditer(head):
        codec = _declared_in_document(match.group(1))
        if codec is not None:
            return codec
    return None


def _from_xml_declaration(head: bytes) -> str | None:
    # XHTML pages sometimes declare their encoding only here.
    match = _XML_DECLARATION.match(head)
    return _declared_in_document(match.group(1)) if match else None


def _declared_in_document(label: bytes) -> str | None:
    codec = browser_codec(label.decode("ascii", errors="replace"))
    # A declaration we could read as ASCII cannot be in UTF-16, whatever it says;
    # browsers then read the page as UTF-8.
    if codec is not None and codec.startswith("utf-16"):
        return "utf-8"
    return codec


def _detect(body: bytes) -> str:
    """UTF-8 if the bytes are valid UTF-8 (detectors can misjudge short pages), else a guess."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    matches = from_bytes(body)
    best = matches.best()
    if best is None:
        logger.debug("no encoding detected, decoding as utf-8")
        return "utf-8"
    # Latin-script text often fits several code pages equally well; browsers in the West
    # then fall back to windows-1252, and so do we.
    tied = {
        match.encoding
        for match in matches
        if match.chaos == best.chaos and match.coherence == best.coherence
    }
    if _WESTERN_FALLBACK in tied:
        return _WESTERN_FALLBACK
    return browser_codec(best.encoding) or "utf-8"
