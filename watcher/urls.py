"""URL identity: two spellings of one article's address normalise to the same string."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "__hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "ref_src",
        "cmpid",
        "ocid",
        "at_medium",
        "at_campaign",
        "ito",
        "cid",
        "xtor",
        "s_cid",
        "spm",
    }
)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def normalize_url(url: str, base: str | None = None) -> str:
    """The identity form of `url` (resolved against `base`): lower-case scheme and host,
    no default port, no fragment, no tracking parameters, "/" for an empty path."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    # urlsplit drops an IPv6 literal's brackets, which the address cannot do without.
    netloc = f"[{host}]" if ":" in host else host
    if parts.username:
        netloc = f"{parts.username}@{host}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    query_pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query_pairs, doseq=True), ""))


def host_of(url: str) -> str:
    """The lower-case host[:port] that politeness limits are counted per."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host
