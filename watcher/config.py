"""sources.toml -> frozen Config; every error names the file, table, key and line."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from watcher.config_delivery import apprise_urls, digest_schedule, max_per_hour
from watcher.config_reader import Document, Table, describe, parse_duration, shown
from watcher.config_summary import mask_url, summarize
from watcher.errors import ConfigError
from watcher.extract.text import is_selector
from watcher.models import (
    SOURCE_KINDS,
    AppriseSettings,
    Config,
    DigestSchedule,
    EmailSettings,
    NotifierSettings,
    Settings,
    Source,
    SourceKind,
    Topic,
    WebhookSettings,
)

__all__ = ["DEFAULT_CONFIG_NAME", "DEFAULT_DATABASE", "load_config", "parse_duration", "summarize"]

DEFAULT_CONFIG_NAME = "sources.toml"
DEFAULT_DATABASE = "sqlite:///watcher.db"

# One place for defaults: the models' own.
_SETTINGS = Settings(database=DEFAULT_DATABASE)
_RECHECK = Source(name="", url="", kind="page", interval=1.0, topics=()).recheck
_NOTIFIER_TIMEOUT = WebhookSettings(name="", url="").timeout

# tomllib (3.11) gives the position only inside its message.
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_SQLITE = re.compile(r"(sqlite(?:\+\w+)?):///(.*)", re.DOTALL)
_DATABASE_SCHEMES = ("sqlite", "postgresql")
_WEB = ("http", "https")


# --- loading ----------------------------------------------------------------


def load_config(
    path: Path | str | None = None, *, environ: Mapping[str, str] | None = None
) -> Config:
    """Read and check a config: `path`, else $WATCHER_CONFIG, else ./sources.toml."""
    environment = os.environ if environ is None else environ
    config_path = _config_path(path, environment)
    document, data = _read(config_path, environment)
    root = Table(document, data, None, 0)
    watcher = _single(root, "watcher")
    topic_tables = _array(root, "topics")
    source_tables = _array(root, "sources")
    notifier_tables = _array(root, "notifiers")
    root.finish("the top level")
    settings = _settings(watcher)
    topics = _unique([_topic(table) for table in topic_tables], topic_tables)
    _require_some(root, "topics", topics)
    topic_names = tuple(topic.name for topic in topics)
    sources = _unique([_source(t, settings, topic_names) for t in source_tables], source_tables)
    _require_some(root, "sources", sources)
    notifiers = [_notifier(table, topic_names) for table in notifier_tables]
    _unique(notifiers, notifier_tables)
    return Config(config_path.resolve(), settings, tuple(topics), tuple(sources), tuple(notifiers))


def _config_path(path: Path | str | None, environ: Mapping[str, str]) -> Path:
    if path is not None:
        return Path(path).expanduser()
    named = environ.get("WATCHER_CONFIG")
    return Path(named).expanduser() if named else Path(DEFAULT_CONFIG_NAME)


def _read(path: Path, environ: Mapping[str, str]) -> tuple[Document, dict[str, object]]:
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {exc.strerror or exc}", path=name) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("expected a UTF-8 text file", path=name) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, name, text) from exc
    folder = path.resolve().parent
    return Document(name, folder, tuple(text.splitlines()), environ), data


def _syntax_error(exc: tomllib.TOMLDecodeError, name: str, text: str) -> ConfigError:
    message = str(exc)
    position = _TOML_POSITION.search(message)
    if position is None:
        end = message.endswith("(at end of document)")
        return ConfigError(
            f"invalid TOML: {message}", path=name, line=_last_line(text) if end else None
        )
    reason = f"invalid TOML: {message[: position.start()]} (column {position.group(2)})"
    return ConfigError(reason, path=name, line=int(position.group(1)))


def _last_line(text: str) -> int:
    return max(1, len(text.splitlines()))


def _single(root: Table, key: str) -> Table:
    value = root.take(key)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise root.error(f"expected a [{key}] table, got {describe(value)}", key)
    return Table(root.document, value, key, 0)


def _array(root: Table, key: str) -> list[Table]:
    value = root.take(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise root.error(
            f"expected [[{key}]] tables (an array of tables), got {describe(value)}", key
        )
    tables = [Table(root.document, item, key, number) for number, item in enumerate(value)]
    for table in tables:
        table.as_item()
    return tables


class _Named(Protocol):
    """Anything parsed from a table that carries a unique name."""

    @property
    def name(self) -> str:
        """The name that must be unique among its kind."""


_Item = TypeVar("_Item", bound=_Named)


def _unique(items: list[_Item], tables: list[Table]) -> list[_Item]:
    first: dict[str, Table] = {}
    for item, table in zip(items, tables, strict=True):
        if item.name in first:
            other = first[item.name].label
            raise table.error(f"name {item.name!r} is already used by {other}", "name")
        first[item.name] = table
    return items


def _require_some(root: Table, key: str, items: Sequence[object]) -> None:
    if not items:
        raise root.error(f"expected at least one [[{key}]] table", key)


# --- the four kinds of table --------------------------------------------------


def _settings(table: Table) -> Settings:
    database = _database(table)
    settings = Settings(
        database=database,
        interval=table.seconds("interval", _SETTINGS.interval),
        user_agent=table.text("user_agent", _SETTINGS.user_agent) or _SETTINGS.user_agent,
        host_concurrency=table.whole("host_concurrency", _SETTINGS.host_concurrency, least=1),
        host_delay=table.seconds("host_delay", _SETTINGS.host_delay, allow_zero=True),
        http=_listen_address(table),
        dedupe_window=table.seconds("dedupe_window", _SETTINGS.dedupe_window),
        give_up_after=table.seconds("give_up_after", _SETTINGS.give_up_after),
        timeout=table.seconds("timeout", _SETTINGS.timeout),
        max_bytes=table.whole("max_bytes", _SETTINGS.max_bytes, least=1),
        jitter=table.seconds("jitter", _SETTINGS.jitter, allow_zero=True),
        lease=table.seconds("lease", _SETTINGS.lease),
        keep=table.seconds("keep", _SETTINGS.keep),
        failing_after=table.whole("failing_after", _SETTINGS.failing_after, least=1),
    )
    table.finish("[watcher]")
    return settings


def _database(table: Table) -> str:
    configured = table.text("database", DEFAULT_DATABASE) or DEFAULT_DATABASE
    override = table.document.environ.get("WATCHER_DATABASE_URL", "").strip()
    try:
        return _PrivateUrl(_resolve_database(override or configured, table.document.folder))
    except ValueError as exc:
        if not override:
            raise table.error(str(exc), "database") from exc
        raise ConfigError(
            str(exc), path=table.document.name, table="environment", key="WATCHER_DATABASE_URL"
        ) from exc


class _PrivateUrl(str):
    """A URL that may carry credentials: a plain str everywhere, but its repr (and so
    the repr of the frozen settings holding it) masks them."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(mask_url(str.__str__(self), strict=True))


def _resolve_database(url: str, folder: Path) -> str:
    """`url` checked, with a relative SQLite path made absolute against `folder`."""
    scheme = url.partition("://")[0].partition("+")[0].lower()
    if "://" not in url or scheme not in _DATABASE_SCHEMES:
        raise ValueError(
            'expected a database URL such as "sqlite:///watcher.db" or '
            f'"postgresql+psycopg://user@host/db", got {mask_url(url)!r}'
        )
    sqlite = _SQLITE.fullmatch(url)
    if sqlite is None:
        return url
    driver, rest = sqlite.groups()
    location, mark, query = rest.partition("?")
    if not location or location.startswith("/") or location.startswith(":memory:"):
        return url
    absolute = os.path.normpath(folder / Path(location).expanduser())
    return f"{driver}:///{absolute}{mark}{query}"


def _listen_address(table: Table) -> str | None:
    # $WATCHER_HTTP overrides, so a container image can serve its health check on any config.
    value = table.text("http")
    value = table.document.environ.get("WATCHER_HTTP", "").strip() or value
    if value is None:
        return None
    host, colon, port = value.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise table.error(f'expected "host:port" such as "127.0.0.1:8787", got {value!r}', "http")
    return value


def _topic(table: Table) -> Topic:
    name = table.required_text("name")
    table.as_item(name)
    terms = table.texts("terms")
    if terms is None:
        raise table.error("is required: expected a list of strings (at least one)", "terms")
    topic = Topic(
        name=name,
        terms=terms,
        context=table.texts("context") or (),
        exclude=table.texts("exclude") or (),
    )
    table.finish("[[topics]]")
    return topic


def _source(table: Table, settings: Settings, topic_names: tuple[str, ...]) -> Source:
    name = table.required_text("name")
    table.as_item(name)
    url = table.url("url", _WEB)
    kind = _kind(table)
    source = Source(
        name=name,
        url=url,
        kind=kind,
        interval=table.seconds("interval", settings.interval),
        topics=_topic_references(table, topic_names) or topic_names,
        select=_selector(table, "select", table.text("select")),
        follow=_follow(table, kind),
        recheck=_recheck(table, kind),
        baseline=table.flag("baseline", True),
    )
    table.finish("[[sources]]")
    return source


def _kind(table: Table) -> SourceKind:
    value = table.text("kind", "page")
    for kind in SOURCE_KINDS:
        if value == kind:
            return kind
    raise table.error(_choice_reason("source kind", value, SOURCE_KINDS), "kind")


def _choice_reason(what: str, value: object, known: Iterable[str]) -> str:
    options = list(known)
    close = difflib.get_close_matches(str(value), options, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {shown(value)}, expected one of: {', '.join(options)}{hint}"


def _follow(table: Table, kind: SourceKind) -> str | bool | None:
    value = table.take("follow")
    if value is None:
        return None
    if kind == "page":
        raise table.error("follow is for listing and feed sources, not for a page", "follow")
    if kind == "feed":
        if isinstance(value, bool):
            return value
        raise table.error(
            f"expected true or false for a feed (fetch each linked article), got {shown(value)}",
            "follow",
        )
    if isinstance(value, str) and value.strip():
        return _selector(table, "follow", value.strip())
    raise table.error(f"expected a CSS selector of the article links, got {shown(value)}", "follow")


def _selector(table: Table, key: str, value: str | None) -> str | None:
    """`value` if it is valid CSS: a typo is a config error now, not a failing source later."""
    if value is not None and not is_selector(value):
        raise table.error(f'expected a CSS selector such as "div.view-content", got {value!r}', key)
    return value


def _recheck(table: Table, kind: SourceKind) -> float:
    value = table.optional_seconds("recheck")
    if value is None:
        return _RECHECK
    if kind != "listing":
        raise table.error("recheck is for listing sources only", "recheck")
    return value


def _topic_references(table: Table, topic_names: tuple[str, ...]) -> tuple[str, ...] | None:
    names = table.texts("topics")
    for name in names or ():
        if name not in topic_names:
            raise table.error(_choice_reason("topic", name, topic_names), "topics")
    return names


# --- notifiers ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Common:
    """The keys every notifier has."""

    name: str
    topics: tuple[str, ...] | None
    give_up_after: float | None
    digest: DigestSchedule | None = None
    max_per_hour: int | None = None


def _notifier(table: Table, topic_names: tuple[str, ...]) -> NotifierSettings:
    name = table.required_text("name")
    table.as_item(name)
    kind = table.required_text("type")
    build = _NOTIFIER_TYPES.get(kind)
    if build is None:
        raise table.error(_choice_reason("notifier type", kind, _NOTIFIER_TYPES), "type")
    common = _Common(
        name=name,
        topics=_topic_references(table, topic_names),
        give_up_after=table.optional_seconds("give_up_after"),
        digest=digest_schedule(table),
        max_per_hour=max_per_hour(table),
    )
    notifier = build(table, common)
    table.finish(f"a {kind} notifier")
    return notifier


def _email(table: Table, common: _Common) -> EmailSettings:
    smtp = table.url("smtp", ("smtp", "smtps"))
    if urlsplit(smtp).username is not None:
        raise table.error("expected no credentials in the URL: use username and password", "smtp")
    username = table.text("username")
    password = table.secret("password")
    if password is not None and username is None:
        raise table.error("a password needs a username too", "password")
    sender = _addresses(table, "from", single_only=True)[0]
    return EmailSettings(
        name=common.name,
        smtp=smtp,
        sender=sender,
        to=_addresses(table, "to", single_only=False),
        username=username,
        password=password,
        allow_insecure_auth=table.flag("allow_insecure_auth", False),
        topics=common.topics,
        give_up_after=common.give_up_after,
        timeout=table.seconds("timeout", _NOTIFIER_TIMEOUT),
        digest=common.digest,
        max_per_hour=common.max_per_hour,
    )


def _addresses(table: Table, key: str, *, single_only: bool) -> tuple[str, ...]:
    found: tuple[str, ...] | None
    if single_only:
        one = table.text(key)
        found = None if one is None else (one,)
    else:
        found = table.texts(key, single=True)
    if found is None:
        raise table.error("is required: expected an email address such as desk@example.org", key)
    for address in found:
        if not _is_address(address):
            raise table.error(
                f"expected an email address such as desk@example.org, got {address!r}", key
            )
    return found


def _is_address(text: str) -> bool:
    """One address, bare or with a display name ("Desk <desk@example.org>")."""
    found = getaddresses([text])
    if len(found) != 1:
        return False
    address = found[0][1]
    local, _, domain = address.partition("@")
    return address.count("@") == 1 and bool(local) and bool(domain) and " " not in address


def _webhook(table: Table, common: _Common) -> WebhookSettings:
    return WebhookSettings(
        name=common.name,
        url=_PrivateUrl(table.url("url", _WEB)),
        secret=table.secret("secret"),
        topics=common.topics,
        give_up_after=common.give_up_after,
        timeout=table.seconds("timeout", _NOTIFIER_TIMEOUT),
        digest=common.digest,
        max_per_hour=common.max_per_hour,
    )


def _apprise(table: Table, common: _Common) -> AppriseSettings:
    return AppriseSettings(
        name=common.name,
        urls=apprise_urls(table),
        topics=common.topics,
        give_up_after=common.give_up_after,
        timeout=table.seconds("timeout", _NOTIFIER_TIMEOUT),
        digest=common.digest,
        max_per_hour=common.max_per_hour,
    )


# An explicit registry: one entry per notifier type.
_NOTIFIER_TYPES: dict[str, Callable[[Table, _Common], NotifierSettings]] = {
    "email": _email,
    "webhook": _webhook,
    "apprise": _apprise,
}
