"""What `watcher validate` prints: a readable summary of a Config, secrets masked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from watcher.models import (
    SOURCE_KINDS,
    AppriseSettings,
    Config,
    EmailSettings,
    NotifierSettings,
    Settings,
    Source,
    Topic,
)

MASK = "***"
_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_SENSITIVE_NAME = re.compile(r"pass|secret|token|key|sig|auth|cred", re.IGNORECASE)
# A path segment long and mixed enough to be a credential (Slack, Discord and
# similar hooks carry the token in the path rather than the query).
_TOKEN_SEGMENT = re.compile(r"[A-Za-z0-9_\-]{16,}")
_WORDS_SEGMENT = re.compile(r"[a-z]+(?:[-_][a-z]+)*")


def format_duration(seconds: float) -> str:
    """A duration in the config's own notation: 90 -> "1m30s", 7200 -> "2h"."""
    if seconds <= 0:
        return "0s"
    whole = int(seconds)
    if whole != seconds or whole == 0:
        return f"{seconds:g}s"
    parts: list[str] = []
    for unit, size in _UNITS:
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def mask_url(url: str, *, strict: bool = False) -> str:
    """`url` with its password hidden; `strict` also hides every query value and
    token-like path segments (for notifier URLs, which often carry credentials)."""
    parts = urlsplit(url)
    netloc = _masked_netloc(parts.netloc)
    path = _masked_path(parts.path) if strict else parts.path
    query = _masked_query(parts.query, strict=strict)
    # Not urlunsplit: it drops an empty authority ("sqlite:////abs" -> "sqlite://abs").
    text = f"{parts.scheme}:" if parts.scheme else ""
    if netloc or url[len(text) :].startswith("//"):
        text += f"//{netloc}"
    text += path
    text += f"?{query}" if query else ""
    return text + (f"#{parts.fragment}" if parts.fragment else "")


def _masked_netloc(netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if not at:
        return netloc
    user, colon, _password = userinfo.partition(":")
    return f"{user}:{MASK}@{hostport}" if colon else netloc


def _masked_path(path: str) -> str:
    segments = path.split("/")
    return "/".join(MASK if _looks_like_token(segment) else segment for segment in segments)


def _looks_like_token(segment: str) -> bool:
    return bool(_TOKEN_SEGMENT.fullmatch(segment)) and not _WORDS_SEGMENT.fullmatch(segment)


def _masked_query(query: str, *, strict: bool) -> str:
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    masked = [
        (name, MASK if strict or _SENSITIVE_NAME.search(name) else value) for name, value in pairs
    ]
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='*')}" for name, value in masked)


def summarize(config: Config) -> str:
    """The report `watcher validate` prints; it never contains a secret value."""
    lines = [f"Config: {config.path}", *_settings_lines(config.settings), ""]
    lines += _sources_lines(config.sources)
    lines += ["", *_topics_lines(config.topics), ""]
    lines += _notifiers_lines(config.notifiers)
    return "\n".join(lines) + "\n"


def _settings_lines(settings: Settings) -> list[str]:
    http = f"http://{settings.http} (/healthz, /metrics)" if settings.http else "off"
    return [
        f"Database: {mask_url(settings.database)}",
        f"Default interval: {format_duration(settings.interval)}",
        f"User agent: {settings.user_agent}",
        f"Per host: {settings.host_concurrency} at once, "
        f"{format_duration(settings.host_delay)} apart",
        f"Timeout: {format_duration(settings.timeout)}, size cap: {settings.max_bytes} bytes",
        f"Dedupe window: {format_duration(settings.dedupe_window)}, "
        f"give up delivering after: {format_duration(settings.give_up_after)}",
        f"Health and metrics: {http}",
    ]


def _sources_lines(sources: Iterable[Source]) -> list[str]:
    listed = list(sources)
    lines = [f"Sources ({len(listed)}):"]
    for kind in SOURCE_KINDS:
        of_kind = [source for source in listed if source.kind == kind]
        if not of_kind:
            continue
        lines.append(f"  {kind} ({len(of_kind)}):")
        for source in of_kind:
            every = format_duration(source.interval)
            lines.append(f"    {source.name}: {mask_url(source.url)} every {every}")
    return lines


def _topics_lines(topics: Iterable[Topic]) -> list[str]:
    listed = list(topics)
    lines = [f"Topics ({len(listed)}):"]
    for topic in listed:
        lines.append(
            f"  {topic.name}: {_count(len(topic.terms), 'term')}, "
            f"{_count(len(topic.context), 'context phrase')}, "
            f"{_count(len(topic.exclude), 'exclusion')}"
        )
    return lines


def _notifiers_lines(notifiers: Iterable[NotifierSettings]) -> list[str]:
    listed = list(notifiers)
    if not listed:
        return ["Notifiers: none (alerts are stored but not sent)"]
    lines = [f"Notifiers ({len(listed)}):"]
    for notifier in listed:
        topics = ", ".join(notifier.topics) if notifier.topics is not None else "every topic"
        lines.append(f"  {notifier.name}: {_target(notifier)} (topics: {topics})")
    return lines


def _target(notifier: NotifierSettings) -> str:
    if isinstance(notifier, EmailSettings):
        login = f" as {notifier.username}" if notifier.username else ""
        return f"email via {_without_credentials(notifier.smtp)}{login} to {', '.join(notifier.to)}"
    if isinstance(notifier, AppriseSettings):
        schemes = ", ".join(url.reveal().partition("://")[0] + "://…" for url in notifier.urls)
        return f"apprise to {schemes}"
    signed = ", signed" if notifier.secret is not None else ""
    return f"webhook to {mask_url(notifier.url, strict=True)}{signed}"


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    hostport = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, hostport, parts.path, "", ""))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
