"""sources.toml files for tests, pointing at the local site, receivers and database."""

from __future__ import annotations

import json
from pathlib import Path

TOPICS = """
[[topics]]
name = "Karim Khan"
terms = ["Karim Khan", "Karim A. A. Khan", "Prosecutor Khan"]
context = ["ICC", "International Criminal Court", "prosecutor"]
exclude = ["Sadiq Khan", "Imran Khan", "Aga Khan"]

[[topics]]
name = "Mokom"
terms = ["Mokom"]

[[topics]]
name = "IOM"
terms = ["Independent Oversight Mechanism", "IOM"]
context = ["ICC", "International Criminal Court", "oversight"]
exclude = ["International Organization for Migration"]
"""


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML)."""
    return json.dumps(value)


def write_config(
    folder: Path,
    *,
    database: str,
    sources: str,
    notifiers: str = "",
    extra_settings: str = "",
    topics: str = TOPICS,
) -> Path:
    """Write a complete config (by default with the three story topics); politeness delays
    off for speed."""
    path = folder / "sources.toml"
    path.write_text(
        "[watcher]\n"
        f"database = {toml_string(database)}\n"
        'host_delay = "0s"\n'
        'user_agent = "watcher-tests"\n'
        f"{extra_settings}\n{topics}\n{sources}\n{notifiers}\n",
        encoding="utf-8",
    )
    return path


def source(name: str, url: str, kind: str, **options: str | bool) -> str:
    """One [[sources]] table."""
    lines = ["[[sources]]", f"name = {toml_string(name)}", f"url = {toml_string(url)}"]
    lines.append(f"kind = {toml_string(kind)}")
    for key, value in options.items():
        rendered = ("true" if value else "false") if isinstance(value, bool) else toml_string(value)
        lines.append(f"{key} = {rendered}")
    return "\n".join(lines) + "\n"


def webhook(
    name: str, url: str, *, secret: str | None = None, topics: list[str] | None = None
) -> str:
    """One webhook [[notifiers]] table."""
    lines = [
        "[[notifiers]]",
        f"name = {toml_string(name)}",
        'type = "webhook"',
        f"url = {toml_string(url)}",
    ]
    if secret is not None:
        lines.append(f"secret = {toml_string(secret)}")
    if topics is not None:
        lines.append(f"topics = {json.dumps(topics)}")
    return "\n".join(lines) + "\n"


def email(name: str, smtp: str, to: str = "desk@example.org") -> str:
    """One email [[notifiers]] table without login."""
    return (
        f'[[notifiers]]\nname = {toml_string(name)}\ntype = "email"\nsmtp = {toml_string(smtp)}\n'
        f'from = "watcher@example.org"\nto = [{toml_string(to)}]\n'
    )
