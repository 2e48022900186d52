"""sources.toml loading: the bundled config, durations, every error class, secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watcher.config import load_config, parse_duration, summarize
from watcher.config_summary import format_duration, mask_url
from watcher.errors import ConfigError
from watcher.models import Config, EmailSettings, Secret, WebhookSettings

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "sources.toml"

TOPIC = """
[[topics]]
name = "Mokom"
terms = ["Mokom"]
"""

SOURCE = """
[[sources]]
name = "ICC"
url = "https://www.icc-cpi.int/news"
"""

MINIMAL = TOPIC + SOURCE


def write(folder: Path, text: str, name: str = "sources.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Config:
    return load_config(write(tmp_path, text), environ=environ or {})


def failure(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, environ)
    return caught.value


def line_of(text: str, marker: str) -> int:
    """1-based line of the first line holding `marker`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in the test config")


# --- the bundled default config ----------------------------------------------


def test_bundled_config_loads_without_environment() -> None:
    config = load_config(BUNDLED, environ={})

    assert config.path == BUNDLED
    assert [topic.name for topic in config.topics] == ["Karim Khan", "Mokom", "IOM"]
    assert {source.kind for source in config.sources} == {"page", "listing", "feed"}
    assert config.settings.database == f"sqlite:///{REPO / 'watcher.db'}"
    assert config.notifiers == ()
    icc = next(source for source in config.sources if source.name == "ICC press releases")
    assert (icc.kind, icc.url, icc.follow) == (
        "listing",
        "https://www.icc-cpi.int/news",
        "a[href*='/news/']",
    )
    assert all(source.url.startswith("https://") for source in config.sources)


def test_bundled_topics_keep_out_the_look_alikes() -> None:
    topics = {topic.name: topic for topic in load_config(BUNDLED, environ={}).topics}

    for name in ("Sadiq Khan", "Imran Khan", "Aga Khan", "Khan Younis"):
        assert name in topics["Karim Khan"].exclude
    assert "International Organization for Migration" in topics["IOM"].exclude
    assert "ICC" in topics["IOM"].context
    assert "ICC" in topics["Karim Khan"].context


def test_bundled_commented_examples_are_valid(tmp_path: Path) -> None:
    # Uncomment every "# key = value" example line: the documented notifiers
    # (and the http example) must load as written, given their variables.
    example = re.compile(r"^# (\[\[notifiers\]\]|[a-z_]+ = .*)$", re.MULTILINE)
    text = example.sub(r"\1", BUNDLED.read_text(encoding="utf-8"))
    environ = {"SMTP_PASSWORD": "smtp-pass", "WEBHOOK_SECRET": "hook-secret"}

    config = load(tmp_path, text, environ)

    email, webhook = config.notifiers
    assert isinstance(email, EmailSettings) and isinstance(webhook, WebhookSettings)
    assert email.password == Secret("smtp-pass")
    assert email.to == ("desk@example.org", "legal@example.org")
    assert webhook.secret == Secret("hook-secret")
    assert config.settings.http == "127.0.0.1:8787"


# --- durations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90s", 90.0),
        ("15m", 900.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("1w", 604800.0),
        ("1h30m", 5400.0),
        ("0.5h", 1800.0),
        (" 2h ", 7200.0),
        ("45", 45.0),
        (90, 90.0),
        (1.5, 1.5),
    ],
)
def test_parse_duration_accepts(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value",
    [0, "0s", -5, "-5m", "abc", "15x", "", "m", "inf", float("nan"), True, None, [1], "1h -5m"],
)
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(ConfigError, match="expected a duration such as"):
        parse_duration(value)


def test_host_delay_may_be_zero_but_interval_may_not(tmp_path: Path) -> None:
    config = load(tmp_path, '[watcher]\nhost_delay = "0s"\n' + MINIMAL)
    assert config.settings.host_delay == 0.0

    error = failure(tmp_path, '[watcher]\ninterval = "0s"\n' + MINIMAL)
    assert error.key == "interval"
    assert "greater than 0" in str(error)


# --- errors name the file, the table, the key and the line -------------------

# Each case marks the line its error must point at with "# <-" (a TOML comment).
MARK = "# <-"
EMAIL = (
    '[[notifiers]]\nname = "desk"\ntype = "email"\nsmtp = "smtp://mail.example.org"\n'
    'from = "w@example.org"\n'
)
HOOK = '[[notifiers]]\nname = "hook"\ntype = "webhook"\nurl = "https://h.example.org"\n'
SOURCE_ICC = '[[sources]] #1 "ICC"'

ERROR_CASES = [
    pytest.param(
        MINIMAL + 'intervall = "1h" # <-\n',
        SOURCE_ICC,
        "intervall",
        "unknown key in [[sources]]; did you mean 'interval'?",
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        '[watcher]\nuser_agnet = "x" # <-\n' + MINIMAL,
        "[watcher]",
        "user_agnet",
        "did you mean 'user_agent'?",
        id="unknown-watcher-key",
    ),
    pytest.param(
        MINIMAL + "colour = 1 # <-\n",
        SOURCE_ICC,
        "colour",
        "known keys: name, url, kind",
        id="unknown-key-lists-known-keys",
    ),
    pytest.param(
        TOPIC + '\n[[source]] # <-\nname = "ICC"\nurl = "https://www.icc-cpi.int/news"\n',
        "top level",
        "source",
        "did you mean 'sources'?",
        id="unknown-table",
    ),
    pytest.param(
        MINIMAL + 'kind = "feeds" # <-\n',
        SOURCE_ICC,
        "kind",
        "unknown source kind 'feeds', expected one of: page, listing, feed; did you mean 'feed'?",
        id="bad-kind",
    ),
    pytest.param(
        MINIMAL + 'topics = ["Mokon"] # <-\n',
        SOURCE_ICC,
        "topics",
        "unknown topic 'Mokon', expected one of: Mokom; did you mean 'Mokom'?",
        id="unknown-topic-reference",
    ),
    pytest.param(
        MINIMAL + '[[sources]]\nname = "ICC" # <-\nurl = "https://b.example.org/"\n',
        '[[sources]] #2 "ICC"',
        "name",
        "name 'ICC' is already used by [[sources]] #1 \"ICC\"",
        id="duplicate-source",
    ),
    pytest.param(
        TOPIC + '[[topics]]\nname = "Mokom" # <-\nterms = ["Gawaka"]\n' + SOURCE,
        '[[topics]] #2 "Mokom"',
        "name",
        "already used by [[topics]] #1",
        id="duplicate-topic",
    ),
    pytest.param(
        TOPIC + '[[sources]]\nname = "F"\nurl = "ftp://files.example.org/" # <-\n',
        '[[sources]] #1 "F"',
        "url",
        "expected a URL starting with http:// or https://, got 'ftp://files.example.org/'",
        id="bad-url-scheme",
    ),
    pytest.param(
        TOPIC + '[[sources]]\nname = "F"\nurl = "https:///no-host" # <-\n',
        '[[sources]] #1 "F"',
        "url",
        "expected a URL with a host",
        id="url-without-host",
    ),
    pytest.param(
        MINIMAL + "interval = true # <-\n",
        SOURCE_ICC,
        "interval",
        'expected a duration such as "90s", "15m", "2h", "1d" or a number of seconds, got true',
        id="interval-boolean",
    ),
    pytest.param(
        '[[topics]]\nname = "Mokom"\nterms = "Mokom" # <-\n' + SOURCE,
        '[[topics]] #1 "Mokom"',
        "terms",
        "expected a list of strings (at least one), got 'Mokom'",
        id="terms-string",
    ),
    pytest.param(
        '[[topics]]\nname = "Mokom"\nterms = ["Mokom", ""] # <-\n' + SOURCE,
        '[[topics]] #1 "Mokom"',
        "terms",
        "expected a list of strings, got an element ''",
        id="terms-empty-string",
    ),
    pytest.param(
        '[[topics]] # <-\nname = "Mokom"\ncontext = ["ICC"]\n' + SOURCE,
        '[[topics]] #1 "Mokom"',
        "terms",
        "is required: expected a list of strings",
        id="terms-missing",
    ),
    pytest.param(
        "[watcher]\nhost_concurrency = 0 # <-\n" + MINIMAL,
        "[watcher]",
        "host_concurrency",
        "expected a whole number of at least 1, got 0",
        id="host-concurrency-zero",
    ),
    pytest.param(
        '[watcher]\nmax_bytes = "5MB" # <-\n' + MINIMAL,
        "[watcher]",
        "max_bytes",
        "expected a whole number of at least 1, got '5MB'",
        id="max-bytes-string",
    ),
    pytest.param(
        '[watcher]\nhttp = "8787" # <-\n' + MINIMAL,
        "[watcher]",
        "http",
        'expected "host:port"',
        id="http-address",
    ),
    pytest.param(
        '[watcher]\ndatabase = "mysql://db/watcher" # <-\n' + MINIMAL,
        "[watcher]",
        "database",
        "expected a database URL",
        id="database-scheme",
    ),
    pytest.param(
        MINIMAL + 'baseline = "yes" # <-\n',
        SOURCE_ICC,
        "baseline",
        "expected true or false, got 'yes'",
        id="baseline-string",
    ),
    pytest.param(
        MINIMAL + "follow = \"a[href*='/news/']\" # <-\n",
        SOURCE_ICC,
        "follow",
        "follow is for listing and feed sources, not for a page",
        id="follow-on-page",
    ),
    pytest.param(
        MINIMAL + 'kind = "feed"\nfollow = "a" # <-\n',
        SOURCE_ICC,
        "follow",
        "expected true or false for a feed",
        id="follow-selector-on-feed",
    ),
    pytest.param(
        MINIMAL + 'kind = "listing"\nfollow = true # <-\n',
        SOURCE_ICC,
        "follow",
        "expected a CSS selector of the article links, got true",
        id="follow-boolean-on-listing",
    ),
    pytest.param(
        MINIMAL + 'select = "  " # <-\n',
        SOURCE_ICC,
        "select",
        "expected a non-empty string",
        id="select-empty",
    ),
    pytest.param(
        MINIMAL + 'select = "div.view-content >" # <-\n',
        SOURCE_ICC,
        "select",
        "expected a CSS selector such as \"div.view-content\", got 'div.view-content >'",
        id="select-invalid-css",
    ),
    pytest.param(
        MINIMAL + 'kind = "listing"\nfollow = "a::after" # <-\n',
        SOURCE_ICC,
        "follow",
        "expected a CSS selector such as",
        id="follow-invalid-css",
    ),
    pytest.param(
        MINIMAL + 'kind = "feed"\nrecheck = "2d" # <-\n',
        SOURCE_ICC,
        "recheck",
        "recheck is for listing sources only",
        id="recheck-on-feed",
    ),
    pytest.param(
        TOPIC + '[[sources]] # <-\nurl = "https://www.icc-cpi.int/news"\n',
        "[[sources]] #1",
        "name",
        "is required",
        id="source-name-missing",
    ),
    pytest.param(
        MINIMAL + HOOK.replace('"webhook"', '"webhok" # <-'),
        '[[notifiers]] #1 "hook"',
        "type",
        "unknown notifier type 'webhok', expected one of: email, webhook, apprise; "
        "did you mean 'webhook'?",
        id="unknown-notifier-type",
    ),
    pytest.param(
        MINIMAL + EMAIL.replace('"smtp://mail.example.org"', '"http://mail.example.org" # <-'),
        '[[notifiers]] #1 "desk"',
        "smtp",
        "expected a URL starting with smtp:// or smtps://",
        id="smtp-scheme",
    ),
    pytest.param(
        MINIMAL + EMAIL.replace("mail.example.org", "u:pw@mail.example.org") + 'to = "d@x.org"\n',
        '[[notifiers]] #1 "desk"',
        "smtp",
        "expected no credentials in the URL",
        id="smtp-credentials",
    ),
    pytest.param(
        MINIMAL + EMAIL + 'to = ["desk at example.org"] # <-\n',
        '[[notifiers]] #1 "desk"',
        "to",
        "expected an email address such as desk@example.org, got 'desk at example.org'",
        id="bad-recipient",
    ),
    pytest.param(
        MINIMAL + EMAIL + 'to = "a@example.org, b@example.org" # <-\n',
        '[[notifiers]] #1 "desk"',
        "to",
        "expected an email address such as desk@example.org, got 'a@example.org, b@example.org'",
        id="two-recipients-in-one-string",
    ),
    pytest.param(
        MINIMAL + EMAIL + "to = [] # <-\n",
        '[[notifiers]] #1 "desk"',
        "to",
        "expected a string or a list of strings (at least one)",
        id="no-recipients",
    ),
    pytest.param(
        MINIMAL + EMAIL.replace("[[notifiers]]", "[[notifiers]] # <-"),
        '[[notifiers]] #1 "desk"',
        "to",
        "is required: expected an email address",
        id="recipients-missing",
    ),
    pytest.param(
        MINIMAL + EMAIL + 'to = "d@example.org"\npassword = "x" # <-\n',
        '[[notifiers]] #1 "desk"',
        "password",
        "a password needs a username too",
        id="password-without-username",
    ),
    pytest.param(
        MINIMAL + HOOK + 'smtp = "smtp://x" # <-\n',
        '[[notifiers]] #1 "hook"',
        "smtp",
        "unknown key in a webhook notifier",
        id="email-key-on-webhook",
    ),
    pytest.param(
        MINIMAL + HOOK + 'topics = ["Karim"] # <-\n',
        '[[notifiers]] #1 "hook"',
        "topics",
        "unknown topic 'Karim'",
        id="notifier-unknown-topic",
    ),
    pytest.param(
        MINIMAL + HOOK + "timeout = -1 # <-\n",
        '[[notifiers]] #1 "hook"',
        "timeout",
        "greater than 0; got -1",
        id="negative-timeout",
    ),
]


@pytest.mark.parametrize(("text", "table", "key", "reason"), ERROR_CASES)
def test_errors_name_file_table_key_and_line(
    tmp_path: Path, text: str, table: str, key: str, reason: str
) -> None:
    error = failure(tmp_path, text)

    path = str(tmp_path / "sources.toml")
    line = line_of(text, MARK) if MARK in text else line_of(text, f"{key} =")
    assert (error.path, error.table, error.key, error.line) == (path, table, key, line)
    assert reason in error.reason
    assert str(error) == f"{path}:{line}: {table}: key {key!r}: {error.reason}"


@pytest.mark.parametrize(
    ("variable", "text", "table", "key"),
    [
        (
            "SMTP_PASSWORD",
            MINIMAL
            + '[[notifiers]]\nname = "desk"\ntype = "email"\nsmtp = "smtp://mail.example.org"\n'
            + 'username = "watcher"\npassword = "${SMTP_PASSWORD}"\n'
            + 'from = "w@example.org"\nto = "d@example.org"\n',
            '[[notifiers]] #1 "desk"',
            "password",
        ),
        (
            "DESK",
            MINIMAL
            + '[[notifiers]]\nname = "desk"\ntype = "email"\nsmtp = "smtp://mail.example.org"\n'
            + 'from = "w@example.org"\nto = ["a@example.org", "${DESK}"]\n',
            '[[notifiers]] #1 "desk"',
            "to",
        ),
        (
            "HOOK_URL",
            MINIMAL + '[[notifiers]]\nname = "hook"\ntype = "webhook"\nurl = "${HOOK_URL}"\n',
            '[[notifiers]] #1 "hook"',
            "url",
        ),
        (
            "AGENT",
            '[watcher]\nuser_agent = "watcher ${AGENT}"\n' + MINIMAL,
            "[watcher]",
            "user_agent",
        ),
    ],
)
def test_missing_environment_variable_is_named(
    tmp_path: Path, variable: str, text: str, table: str, key: str
) -> None:
    error = failure(tmp_path, text)

    assert variable in error.reason
    assert (error.table, error.key) == (table, key)
    assert (
        error.line == [n for n, line in enumerate(text.splitlines(), 1) if f"{key} =" in line][-1]
    )


def test_toml_syntax_error_keeps_its_line(tmp_path: Path) -> None:
    text = MINIMAL + 'interval = "1h\n'
    error = failure(tmp_path, text)

    assert error.path == str(tmp_path / "sources.toml")
    assert error.line == line_of(text, "interval =")
    assert "invalid TOML" in str(error)
    assert str(error).startswith(f"{error.path}:{error.line}: ")


def test_toml_error_at_end_of_document_points_at_the_last_line(tmp_path: Path) -> None:
    text = MINIMAL + 'terms = ["a",\n  "b"\n'
    error = failure(tmp_path, text)

    assert error.line == len(text.splitlines())
    assert "invalid TOML" in error.reason


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (SOURCE, "topics", "expected at least one [[topics]] table"),
        (TOPIC, "sources", "expected at least one [[sources]] table"),
        ('[topics]\nname = "x"\nterms = ["x"]\n' + SOURCE, "topics", "expected [[topics]] tables"),
        ('watcher = "x"\n' + MINIMAL, "watcher", "expected a [watcher] table"),
    ],
)
def test_top_level_shape_errors(tmp_path: Path, text: str, key: str, reason: str) -> None:
    error = failure(tmp_path, text)

    assert (error.table, error.key) == ("top level", key)
    assert reason in error.reason


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(missing, environ={})
    assert caught.value.path == str(missing)
    assert "cannot read" in str(caught.value)


# --- values, defaults and the environment ----------------------------------------


def test_defaults(tmp_path: Path) -> None:
    config = load(
        tmp_path, '[watcher]\ninterval = "20m"\n' + TOPIC + TOPIC.replace("Mokom", "IOM") + SOURCE
    )

    (source,) = config.sources
    assert source.kind == "page"
    assert source.interval == 1200.0
    assert source.topics == ("Mokom", "IOM")
    assert (source.baseline, source.recheck, source.select, source.follow) == (
        True,
        48 * 3600.0,
        None,
        None,
    )
    assert config.settings.host_concurrency == 2


def test_a_full_source(tmp_path: Path) -> None:
    text = MINIMAL + (
        'kind = "listing"\nselect = "div.view-content"\nfollow = "a[href*=\'/news/\']"\n'
        'interval = 600\ntopics = ["Mokom"]\nbaseline = false\nrecheck = "3d"\n'
    )
    (source,) = load(tmp_path, text).sources

    assert (source.kind, source.select, source.follow) == (
        "listing",
        "div.view-content",
        "a[href*='/news/']",
    )
    assert (source.interval, source.topics, source.baseline, source.recheck) == (
        600.0,
        ("Mokom",),
        False,
        259200.0,
    )


def test_feed_follow_is_a_boolean(tmp_path: Path) -> None:
    (source,) = load(tmp_path, MINIMAL + 'kind = "feed"\nfollow = true\n').sources
    assert source.follow is True


def test_variables_expand_in_any_string_and_inside_lists(tmp_path: Path) -> None:
    text = (
        '[[topics]]\nname = "${TOPIC}"\nterms = ["${TOPIC}", "Maxime ${TOPIC}"]\n'
        '[[sources]]\nname = "ICC"\nurl = "https://${HOST}/news"\n'
    )
    config = load(tmp_path, text, {"TOPIC": "Mokom", "HOST": "www.icc-cpi.int"})

    assert config.topics[0].terms == ("Mokom", "Maxime Mokom")
    assert config.sources[0].url == "https://www.icc-cpi.int/news"


def test_email_notifier(tmp_path: Path) -> None:
    text = MINIMAL + (
        '[[notifiers]]\nname = "desk"\ntype = "email"\nsmtp = "smtps://mail.example.org:465"\n'
        'username = "watcher"\npassword = "${SMTP_PASSWORD}"\n'
        'from = "Watcher <watcher@example.org>"\nto = "desk@example.org"\n'
        'topics = ["Mokom"]\ngive_up_after = "6h"\nallow_insecure_auth = true\ntimeout = "10s"\n'
    )
    (email,) = load(tmp_path, text, {"SMTP_PASSWORD": "pw"}).notifiers

    assert email == EmailSettings(
        name="desk",
        smtp="smtps://mail.example.org:465",
        sender="Watcher <watcher@example.org>",
        to=("desk@example.org",),
        username="watcher",
        password=Secret("pw"),
        allow_insecure_auth=True,
        topics=("Mokom",),
        give_up_after=21600.0,
        timeout=10.0,
    )


def test_webhook_notifier_defaults(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + '[[notifiers]]\nname = "hook"\ntype = "webhook"\nurl = "https://h.example.org/w"\n'
    )
    (hook,) = load(tmp_path, text).notifiers

    assert hook == WebhookSettings(name="hook", url="https://h.example.org/w")


# --- the database URL ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        (None, "sqlite:///{folder}/watcher.db"),
        ("sqlite:///watcher.db", "sqlite:///{folder}/watcher.db"),
        ("sqlite:///data/../state/w.db", "sqlite:///{folder}/state/w.db"),
        ("sqlite+pysqlite:///w.db?timeout=5", "sqlite+pysqlite:///{folder}/w.db?timeout=5"),
        ("sqlite:////var/lib/watcher/w.db", "sqlite:////var/lib/watcher/w.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("postgresql+psycopg://watcher@db/watcher", "postgresql+psycopg://watcher@db/watcher"),
    ],
)
def test_database_url_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: str | None, expected: str
) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    watcher = f'[watcher]\ndatabase = "{configured}"\n' if configured else ""
    write(folder, watcher + MINIMAL)
    monkeypatch.chdir(tmp_path)  # relative to the config's folder, not the cwd

    config = load_config("conf/sources.toml", environ={})

    assert config.settings.database == expected.format(folder=folder)
    assert config.path == folder / "sources.toml"


def test_watcher_database_url_overrides(tmp_path: Path) -> None:
    url = "postgresql+psycopg://watcher:pw@db.example.org/watcher"
    config = load(
        tmp_path,
        '[watcher]\ndatabase = "sqlite:///x.db"\n' + MINIMAL,
        {"WATCHER_DATABASE_URL": url},
    )

    assert config.settings.database == url


def test_bad_watcher_database_url_is_named(tmp_path: Path) -> None:
    error = failure(tmp_path, MINIMAL, {"WATCHER_DATABASE_URL": "oracle://db"})

    assert (error.table, error.key) == ("environment", "WATCHER_DATABASE_URL")


# --- which file --------------------------------------------------------------------------


def test_config_path_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, topic in (("explicit.toml", "A"), ("from-env.toml", "B"), ("sources.toml", "C")):
        write(tmp_path, MINIMAL.replace("Mokom", topic), name)
    monkeypatch.chdir(tmp_path)
    environ = {"WATCHER_CONFIG": str(tmp_path / "from-env.toml")}

    assert load_config("explicit.toml", environ=environ).topics[0].name == "A"
    assert load_config(environ=environ).topics[0].name == "B"
    assert load_config(environ={}).topics[0].name == "C"


# --- secrets ---------------------------------------------------------------------------

SECRETS = {
    "SMTP_PASSWORD": "smtp-hunter2-value",
    "WEBHOOK_SECRET": "webhook-signing-value",
    "HOOK_TOKEN": "querytokenvalue42",
    "PG_PASSWORD": "pg-password-value",
}

SECRET_CONFIG = (
    '[watcher]\ndatabase = "postgresql+psycopg://watcher:${PG_PASSWORD}@db.example.org/watcher"\n'
    + MINIMAL
    + '[[notifiers]]\nname = "desk"\ntype = "email"\nsmtp = "smtp://mail.example.org:587"\n'
    'username = "watcher"\npassword = "${SMTP_PASSWORD}"\n'
    'from = "watcher@example.org"\nto = ["desk@example.org"]\n'
    '[[notifiers]]\nname = "hook"\ntype = "webhook"\n'
    'url = "https://hooks.example.org/watcher?token=${HOOK_TOKEN}"\nsecret = "${WEBHOOK_SECRET}"\n'
)


def test_secrets_never_show_in_summary_or_repr(tmp_path: Path) -> None:
    config = load(tmp_path, SECRET_CONFIG, SECRETS)
    shown = summarize(config) + repr(config) + str(config)

    for value in SECRETS.values():
        assert value not in shown
    email, hook = config.notifiers
    assert isinstance(email, EmailSettings) and isinstance(hook, WebhookSettings)
    assert email.password is not None and email.password.reveal() == SECRETS["SMTP_PASSWORD"]
    assert hook.secret is not None and hook.secret.reveal() == SECRETS["WEBHOOK_SECRET"]
    assert SECRETS["PG_PASSWORD"] in config.settings.database  # still usable by storage
    assert "postgresql+psycopg://watcher:***@db.example.org/watcher" in summarize(config)


def test_summary_describes_the_config(tmp_path: Path) -> None:
    text = SECRET_CONFIG + (
        '[[sources]]\nname = "ICC feed"\nurl = "https://www.icc-cpi.int/rss.xml"\n'
        'kind = "feed"\ninterval = "1h30m"\n'
    )
    summary = summarize(load(tmp_path, text, SECRETS))

    assert str(tmp_path / "sources.toml") in summary
    assert "page (1):" in summary and "feed (1):" in summary
    assert "ICC feed: https://www.icc-cpi.int/rss.xml every 1h30m" in summary
    assert "Mokom: 1 term," in summary
    assert "email via smtp://mail.example.org:587 as watcher to desk@example.org" in summary
    assert "webhook to https://hooks.example.org/watcher?token=***, signed" in summary


@pytest.mark.parametrize(
    ("url", "strict", "masked"),
    [
        ("postgresql://u:pw@h/db", False, "postgresql://u:***@h/db"),
        (
            "postgresql://u@h/db?sslpassword=pw&sslmode=require",
            False,
            "postgresql://u@h/db?sslpassword=***&sslmode=require",
        ),
        ("sqlite:////var/w.db", False, "sqlite:////var/w.db"),
        ("https://h.example.org/w?x=1", True, "https://h.example.org/w?x=***"),
        (
            "https://hooks.slack.com/services/T01/B02/abcDEF123ghiJKL456mno",
            True,
            "https://hooks.slack.com/services/T01/B02/***",
        ),
        (
            "https://hooks.example.org/watcher-notifications-hook",
            True,
            "https://hooks.example.org/watcher-notifications-hook",
        ),
    ],
)
def test_mask_url(url: str, strict: bool, masked: str) -> None:
    assert mask_url(url, strict=strict) == masked


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(90, "1m30s"), (7200, "2h"), (5400, "1h30m"), (86400, "1d"), (1.5, "1.5s")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
