"""A fetched body as it came over the wire, decoded (and size-capped) only where it is read.

The fetcher keeps gzip, deflate and brotli bodies compressed: hashing them tells an unchanged
document apart without inflating it, a deferred baseline stores them as they are, and the
extraction worker inflates them on the other core. The size cap applies to the decoded bytes
wherever they are decoded, so a small compressed bomb is refused like a big page.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import brotli

from watcher.errors import FetchError

DEFAULT_LIMIT = 5 * 1024 * 1024
IDENTITY = "identity"
# Content codings watcher asks for (Accept-Encoding) and can undo; x-gzip is gzip's old name.
_ALIASES = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate", "br": "br", IDENTITY: ""}
_CHUNK = 64 * 1024


def parse_coding(header: str | None, url: str) -> str:
    """The Content-Encoding header as watcher's coding name: codings in the order applied,
    comma-separated ("identity" for none); an unknown coding is a permanent FetchError."""
    names: list[str] = []
    for part in (header or "").split(","):
        token = part.strip().lower()
        if not token:
            continue
        if token not in _ALIASES:
            raise FetchError(
                f"unsupported content encoding {token!r} from {url}", url=url, retryable=False
            )
        if _ALIASES[token]:
            names.append(_ALIASES[token])
    return ",".join(names) or IDENTITY


@dataclass(frozen=True, slots=True)
class Body:
    """Bytes as received, the content codings applied to them, and the cap on their size."""

    raw: bytes
    coding: str = IDENTITY
    url: str = ""
    limit: int = DEFAULT_LIMIT

    def decoded(self) -> bytes:
        """The document itself; FetchError when it is corrupt or decodes past the limit."""
        data = self.raw
        if self.coding != IDENTITY:
            # Codings are listed in the order they were applied: undo the last one first.
            for name in reversed(self.coding.split(",")):
                data = self._undo(name, data)
        if len(data) > self.limit:
            raise self._too_large()
        return data

    def head(self, size: int) -> bytes:
        """About the first `size` decoded bytes, without decoding the rest (for sniffing)."""
        if self.coding == IDENTITY:
            return self.raw[:size]
        if self.coding == "br":
            try:
                start: bytes = brotli.Decompressor().process(
                    self.raw[:size], output_buffer_limit=size
                )
                return start
            except brotli.error:
                return self.decoded()[:size]  # raises FetchError naming the coding
        if self.coding in ("gzip", "deflate"):
            try:
                return self._inflater(self.coding, self.raw).decompress(self.raw, size)
            except zlib.error:
                return self.decoded()[:size]
        return self.decoded()[:size]

    def declared_size(self) -> int | None:
        """The decoded size a gzip body states in its trailer (modulo 4 GiB), else None.

        Lets the fetcher refuse an honest oversized page without inflating it; decoded()
        still enforces the limit on what a body really holds.
        """
        if self.coding != "gzip" or len(self.raw) < 18:
            return None
        return int(struct.unpack("<I", self.raw[-4:])[0])

    def _undo(self, name: str, data: bytes) -> bytes:
        try:
            if name == "br":
                return self._brotli(data)
            return self._zlib(name, data)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(
                f"could not decode the {name} body from {self.url}: {exc}",
                url=self.url,
                retryable=False,
            ) from exc

    @staticmethod
    def _inflater(name: str, data: bytes) -> zlib._Decompress:
        # gzip: wbits 16+ (header and trailer); deflate is meant to be zlib-wrapped, but some
        # servers send raw deflate, which httpx and browsers accept too.
        wbits = 16 + zlib.MAX_WBITS if name == "gzip" else zlib.MAX_WBITS
        if name == "deflate" and data[:1] and (data[0] & 0x0F) != 8:
            wbits = -zlib.MAX_WBITS
        return zlib.decompressobj(wbits)

    def _zlib(self, name: str, data: bytes) -> bytes:
        out = self._inflater(name, data).decompress(data, self.limit + 1)
        if len(out) > self.limit:
            raise self._too_large()
        return out

    def _brotli(self, data: bytes) -> bytes:
        decompressor = brotli.Decompressor()
        parts: list[bytes] = []
        size = 0

        def take(part: bytes) -> None:
            nonlocal size
            size += len(part)
            if size > self.limit:
                raise self._too_large()
            parts.append(part)

        for start in range(0, len(data), _CHUNK):
            take(decompressor.process(data[start : start + _CHUNK], output_buffer_limit=_CHUNK))
            # Output held back by the buffer limit comes out of calls with empty input.
            while not decompressor.can_accept_more_data():
                take(decompressor.process(b"", output_buffer_limit=_CHUNK))
        while not decompressor.is_finished():
            part = decompressor.process(b"", output_buffer_limit=_CHUNK)
            if not part:
                break  # a truncated stream: keep what it held, as httpx does
            take(part)
        return b"".join(parts)

    def _too_large(self) -> FetchError:
        return FetchError(
            f"response from {self.url} is larger than the limit of {self.limit} bytes",
            url=self.url,
            retryable=False,
        )
