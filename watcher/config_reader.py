"""Reading sources.toml: durations, ${NAME} expansion, typed reads that know their line."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from watcher.config_summary import mask_url
from watcher.errors import ConfigError
from watcher.models import Secret

_DURATION_HINT = 'a duration such as "90s", "15m", "2h", "1d" or a number of seconds'
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([smhdw])")
_DURATION_TEXT = re.compile(r"(?:\s*(?:\d+(?:\.\d*)?|\.\d+)\s*[smhdw])+\s*")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER = re.compile(r"\s*\[\[?\s*([A-Za-z0-9_\-.\"' ]+?)\s*\]\]?\s*(?:#.*)?")


# --- durations --------------------------------------------------------------


def parse_duration(value: object) -> float:
    """Seconds in "90s", "15m", "2h", "1d", "1h30m" or a number of seconds; must be > 0."""
    try:
        return _seconds(value, allow_zero=False)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _seconds(value: object, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected {_DURATION_HINT}, got {shown(value)}")
    seconds = _seconds_of_text(value) if isinstance(value, str) else float(value)
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
        least = "0 or more" if allow_zero else "greater than 0"
        raise ValueError(f"expected {_DURATION_HINT}, {least}; got {shown(value)}")
    return seconds


def _seconds_of_text(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    if not _DURATION_TEXT.fullmatch(text):
        raise ValueError(f"expected {_DURATION_HINT}, got {text!r}")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(text))


def describe(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")


# --- where things are in the file -------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """The raw file: its name for messages, its folder, its lines and the environment."""

    name: str
    folder: Path
    lines: tuple[str, ...]
    environ: Mapping[str, str]

    def line_of(self, header: str | None, occurrence: int, key: str | None) -> int | None:
        """Best-effort 1-based line of `key` in the `occurrence`-th table named `header`."""
        if header is None:
            return None if key is None else self._top_level_line(key)
        start, end = self._span(header, occurrence)
        if start is None:
            return None
        found = None if key is None else self._key_line(key, start + 1, end)
        return found or start + 1

    def _top_level_line(self, key: str) -> int | None:
        _, end = self._span(None, 0)
        found = self._key_line(key, 0, end)
        if found:
            return found
        for number, line in enumerate(self.lines):
            name = _header_name(line)
            if name == key or (name or "").startswith(f"{key}."):
                return number + 1
        return None

    def _key_line(self, key: str, start: int, end: int) -> int | None:
        quoted = re.escape(key)
        pattern = re.compile(rf"\s*(?:{quoted}|\"{quoted}\"|'{quoted}')\s*[=.]")
        for number in range(start, end):
            if pattern.match(self.lines[number]):
                return number + 1
        return None

    def _span(self, header: str | None, occurrence: int) -> tuple[int | None, int]:
        """First and past-last line index of the table; the top level for `header` None."""
        start: int | None = 0 if header is None else None
        seen = 0
        for number, line in enumerate(self.lines):
            name = _header_name(line)
            if name is None:
                continue
            if start is not None:
                return start, number
            if name == header:
                if seen == occurrence:
                    start = number
                seen += 1
        return start, len(self.lines)


def _header_name(line: str) -> str | None:
    match = _HEADER.fullmatch(line)
    if match is None:
        return None
    return match.group(1).replace('"', "").replace("'", "").replace(" ", "")


# --- reading one table -------------------------------------------------------


class Table:
    """One TOML table: typed reads that name where an error is, and leftover-key checks."""

    def __init__(
        self, document: Document, data: Mapping[str, object], header: str | None, occurrence: int
    ) -> None:
        self.document = document
        self.data = data
        self.header = header
        self.occurrence = occurrence
        self.label = f"[{header}]" if header else "top level"
        self._asked: list[str] = []

    def as_item(self, name: str | None = None) -> None:
        """Label the table as the n-th of an array, with its name once known."""
        self.label = f"[[{self.header}]] #{self.occurrence + 1}" + (f' "{name}"' if name else "")

    def error(self, reason: str, key: str | None = None) -> ConfigError:
        """A ConfigError that points at this table (and key)."""
        line = self.document.line_of(self.header, self.occurrence, key)
        return ConfigError(reason, path=self.document.name, table=self.label, key=key, line=line)

    def take(self, key: str) -> object | None:
        """The value of `key` with ${NAME} expanded, or None where it is absent."""
        self._asked.append(key)
        if key not in self.data:
            return None
        return self._expand(self.data[key], key)

    def _expand(self, value: object, key: str) -> object:
        if isinstance(value, str):
            return _VARIABLE.sub(lambda match: self._variable(match.group(1), key), value)
        if isinstance(value, list):
            return [self._expand(element, key) for element in value]
        return value

    def _variable(self, name: str, key: str) -> str:
        if not _VARIABLE_NAME.fullmatch(name):
            raise self.error(f"expected ${{NAME}} with a variable name, got ${{{name}}}", key)
        if name not in self.document.environ:
            raise self.error(f"environment variable {name} is not set (used as ${{{name}}})", key)
        return self.document.environ[name]

    def finish(self, what: str = "this table") -> None:
        """Fail on a key that was never asked for, suggesting the closest known one."""
        for key in self.data:
            if key in self._asked:
                continue
            close = difflib.get_close_matches(key, self._asked, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(self._asked)}"
            )
            raise self.error(f"unknown key in {what}; {hint}", key)

    # Typed reads. Each returns the default when the key is absent.

    def text(self, key: str, default: str | None = None) -> str | None:
        """A non-empty string."""
        value = self.take(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"expected a non-empty string, got {shown(value)}", key)
        return value.strip()

    def required_text(self, key: str) -> str:
        """A non-empty string that must be there."""
        value = self.text(key)
        if value is None:
            raise self.error("is required: expected a non-empty string", key)
        return value

    def flag(self, key: str, default: bool) -> bool:
        """true or false."""
        value = self.take(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, got {shown(value)}", key)
        return value

    def whole(self, key: str, default: int, *, least: int) -> int:
        """An integer of at least `least`."""
        value = self.take(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise self.error(
                f"expected a whole number of at least {least}, got {shown(value)}", key
            )
        return value

    def seconds(self, key: str, default: float, *, allow_zero: bool = False) -> float:
        """A duration in seconds."""
        value = self.optional_seconds(key, allow_zero=allow_zero)
        return default if value is None else value

    def optional_seconds(self, key: str, *, allow_zero: bool = False) -> float | None:
        """A duration in seconds, or None where absent."""
        value = self.take(key)
        if value is None:
            return None
        try:
            return _seconds(value, allow_zero=allow_zero)
        except ValueError as exc:
            raise self.error(str(exc), key) from exc

    def texts(self, key: str, *, single: bool = False) -> tuple[str, ...] | None:
        """A non-empty list of non-empty strings (with `single`, one string also does)."""
        value = self.take(key)
        if value is None:
            return None
        if single and isinstance(value, str):
            value = [value]
        expected = "a string or a list of strings" if single else "a list of strings"
        if not isinstance(value, list) or not value:
            raise self.error(f"expected {expected} (at least one), got {shown(value)}", key)
        for element in value:
            if not isinstance(element, str) or not element.strip():
                raise self.error(f"expected {expected}, got an element {shown(element)}", key)
        return tuple(element.strip() for element in value)

    def secret(self, key: str) -> Secret | None:
        """A non-empty string kept out of repr and output."""
        value = self.take(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise self.error(f"expected a non-empty string, got {describe(value)}", key)
        return Secret(value)

    def url(self, key: str, schemes: tuple[str, ...]) -> str:
        """A required absolute URL with a host, of one of `schemes`."""
        value = self.text(key)
        if value is None:
            raise self.error(f"is required: expected {_url_hint(schemes)}", key)
        problem = _url_problem(value, schemes)
        if problem:
            raise self.error(f"{problem}, got {mask_url(value, strict=True)!r}", key)
        return value


def shown(value: object) -> str:
    """`value` as a message shows it: short strings and numbers as such, else its type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return describe(value)


def _url_hint(schemes: tuple[str, ...]) -> str:
    return "a URL starting with " + " or ".join(f"{scheme}://" for scheme in schemes)


def _url_problem(url: str, schemes: tuple[str, ...]) -> str | None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in schemes:
        return f"expected {_url_hint(schemes)}"
    try:
        parts.port  # noqa: B018 - raises on a port that is no number
    except ValueError:
        return "expected a URL with a valid port"
    if not parts.hostname:
        return "expected a URL with a host"
    return None
