"""Fetched bodies kept compressed: decoding every coding, the size cap, corrupt data."""

from __future__ import annotations

import gzip
import pickle
import zlib

import brotli
import pytest

from watcher.content import IDENTITY, Body, parse_coding
from watcher.errors import FetchError

PAGE = ("<html><body><p>Prosecutor Karim Khan spoke.</p></body></html>" * 50).encode()
URL = "https://example.org/a"


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, IDENTITY),
        ("", IDENTITY),
        ("identity", IDENTITY),
        ("GZIP", "gzip"),
        ("x-gzip", "gzip"),
        ("deflate", "deflate"),
        ("br", "br"),
        ("gzip, br", "gzip,br"),
        (" identity , gzip ", "gzip"),
    ],
)
def test_parse_coding_names_the_codings_in_order(header: str | None, expected: str) -> None:
    assert parse_coding(header, URL) == expected


def test_unknown_coding_is_a_permanent_fetch_error_naming_it() -> None:
    with pytest.raises(FetchError, match="unsupported content encoding 'compress'") as caught:
        parse_coding("compress", URL)
    assert caught.value.retryable is False


@pytest.mark.parametrize(
    ("coding", "raw"),
    [
        (IDENTITY, PAGE),
        ("gzip", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),
        ("deflate", _raw_deflate(PAGE)),  # servers that send raw deflate
        ("br", brotli.compress(PAGE)),
        ("gzip,br", brotli.compress(gzip.compress(PAGE))),  # applied gzip first, then br
    ],
)
def test_decoded_undoes_every_coding(coding: str, raw: bytes) -> None:
    assert Body(raw, coding, URL).decoded() == PAGE


@pytest.mark.parametrize(
    ("coding", "pack"),
    [
        (IDENTITY, lambda data: data),
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", brotli.compress),
    ],
)
def test_decoded_size_is_capped_whatever_the_coding(coding: str, pack: object) -> None:
    assert callable(pack)
    bomb = pack(b"\0" * 3_000_000)
    body = Body(bomb, coding, URL, limit=1_000_000)
    with pytest.raises(FetchError, match="larger than the limit of 1000000 bytes"):
        body.decoded()
    # The same body under a limit it fits decodes completely.
    assert len(Body(bomb, coding, URL, limit=3_000_000).decoded()) == 3_000_000


def test_corrupt_body_is_a_permanent_error_naming_the_coding_and_url() -> None:
    with pytest.raises(
        FetchError, match=r"could not decode the gzip body from https://ex"
    ) as caught:
        Body(b"\x1f\x8b\x08\x00garbage-not-gzip", "gzip", URL).decoded()
    assert caught.value.retryable is False


def test_declared_size_reads_the_gzip_trailer_only() -> None:
    assert Body(gzip.compress(PAGE), "gzip", URL).declared_size() == len(PAGE)
    assert Body(zlib.compress(PAGE), "deflate", URL).declared_size() is None
    assert Body(PAGE, IDENTITY, URL).declared_size() is None


def test_fetch_error_survives_pickling_with_its_fields() -> None:
    # Extraction workers raise it; the parent must get it back whole.
    error = FetchError("too big", url=URL, retryable=True, status=503, retry_after=7.0)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, FetchError)
    assert (str(copy), copy.url, copy.retryable, copy.status, copy.retry_after) == (
        "too big",
        URL,
        True,
        503,
        7.0,
    )
