"""Pure parts of the notifiers: payload, signature, subject, bodies, escaping, masking."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from watcher.errors import ConfigError
from watcher.models import Alert, AppriseSettings, EmailSettings, Secret, Sighting, WebhookSettings
from watcher.notifiers import REGISTRY, EmailNotifier, WebhookNotifier, build_notifier
from watcher.notifiers.chat import link_target
from watcher.notifiers.mail import build_message, message_id, parse_smtp_url
from watcher.notifiers.payload import alert_payload, payload_bytes, signature
from watcher.notifiers.render import (
    highlight_segments,
    html_body,
    neutralise_chat,
    neutralise_chat_text,
    plain_body,
    subject,
)
from watcher.retry_after import parse_retry_after

EXCERPT = "Prosecutor Karim Khan met the IOM panel in The Hague."


def make_alert(**changes: object) -> Alert:
    alert = Alert(
        id="a1b2c3d4e5",
        topics=("Karim Khan", "IOM"),
        source="ICC press releases",
        url="https://www.icc-cpi.int/news/statement",
        title="Statement of the Prosecutor",
        kind="new_item",
        excerpt=EXCERPT,
        detected_at=datetime(2026, 11, 29, 14, 0, 0, tzinfo=UTC),
        also_seen=(Sighting("Other outlet", "https://news.example.org/a?b=1&c=2"),),
        highlights=((11, 21), (30, 33)),
    )
    return replace(alert, **changes)  # type: ignore[arg-type]


# --- payload and signature ---------------------------------------------------------------


def test_payload_has_exactly_the_spec_keys_in_order() -> None:
    payload = alert_payload(make_alert())
    assert list(payload) == [
        "id",
        "topics",
        "source",
        "url",
        "title",
        "kind",
        "excerpt",
        "detected_at",
        "also_seen",
    ]
    assert payload == {
        "id": "a1b2c3d4e5",
        "topics": ["Karim Khan", "IOM"],
        "source": "ICC press releases",
        "url": "https://www.icc-cpi.int/news/statement",
        "title": "Statement of the Prosecutor",
        "kind": "new_item",
        "excerpt": EXCERPT,
        "detected_at": "2026-11-29T14:00:00Z",
        "also_seen": [{"source": "Other outlet", "url": "https://news.example.org/a?b=1&c=2"}],
    }


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 29, 14, 0, 0, tzinfo=UTC), "2026-11-29T14:00:00Z"),
        (datetime(2026, 11, 29, 14, 0, 7, 999_999, tzinfo=UTC), "2026-11-29T14:00:07Z"),
        (
            datetime(2026, 11, 29, 16, 30, 5, tzinfo=timezone(timedelta(hours=2))),
            "2026-11-29T14:30:05Z",
        ),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05Z"),  # naive is taken as UTC
    ],
)
def test_detected_at_is_utc_iso_with_z_and_seconds(moment: datetime, expected: str) -> None:
    assert alert_payload(make_alert(detected_at=moment))["detected_at"] == expected


def test_payload_bytes_are_compact_utf8_json_of_the_payload() -> None:
    alert = make_alert(title="Procureur Karim Khan — déclaration", also_seen=())
    body = payload_bytes(alert)
    assert json.loads(body) == alert_payload(alert)
    assert "— déclaration".encode() in body  # not \u-escaped
    assert b", " not in body and b": " not in body
    assert payload_bytes(alert) == body


def test_signature_is_verifiable_hmac_sha256_of_the_body() -> None:
    body = payload_bytes(make_alert())
    value = signature(body, "s3cr3t")
    scheme, _, digest = value.partition("=")
    assert scheme == "sha256"
    expected = hmac.new(b"s3cr3t", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(digest, expected)
    assert signature(body + b" ", "s3cr3t") != value


# --- subject ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "[watcher] Karim Khan, IOM: Statement of the Prosecutor"),
        ({"title": "Line one\r\nBcc: victim@example.org"}, None),
        ({"title": "Tab\tand\x00null\x1b[31m"}, "[watcher] Karim Khan, IOM: Tab and null [31m"),
        ({"title": "evil\u202egnp.exe"}, "[watcher] Karim Khan, IOM: evil gnp.exe"),
        ({"title": "   "}, "[watcher] Karim Khan, IOM: ICC press releases"),
        ({"topics": ("Mokom",)}, "[watcher] Mokom: Statement of the Prosecutor"),
    ],
)
def test_subject_names_topics_and_a_cleaned_title(
    changes: dict[str, object], expected: str | None
) -> None:
    text = subject(make_alert(**changes))
    assert not re.search(r"[\x00-\x1f\x7f\u202e]", text)
    if expected is not None:
        assert text == expected
    else:
        assert text == "[watcher] Karim Khan, IOM: Line one Bcc: victim@example.org"


def test_subject_caps_a_long_title() -> None:
    text = subject(make_alert(title="Khan " * 200))
    assert len(text) <= 200
    assert text.startswith("[watcher] Karim Khan, IOM: Khan Khan")
    assert text.endswith("…")


# --- bodies: escaping, links, highlights -------------------------------------------------

SCRIPT = "<script>alert('x')</script>"


def test_html_escapes_every_scraped_string() -> None:
    alert = make_alert(
        title=f"Title {SCRIPT}",
        source=f"Source {SCRIPT}",
        excerpt=f"Karim Khan said {SCRIPT} & more",
        highlights=((0, 10),),
        also_seen=(Sighting(f"Outlet {SCRIPT}", "https://example.org/x"),),
    )
    body = html_body(alert)
    assert "<script" not in body
    assert body.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 5  # title twice
    assert "said &lt;script&gt;" in body and "&amp; more" in body


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "https://",
        "//evil.example.org/x",
    ],
)
def test_only_http_urls_become_links(url: str) -> None:
    alert = make_alert(url=url, also_seen=(Sighting("Mirror", url),))
    body = html_body(alert)
    assert "href" not in body
    assert "Statement of the Prosecutor" in body
    assert "<script" not in body


def test_http_urls_are_linked_with_escaped_href() -> None:
    body = html_body(make_alert(url='https://www.icc-cpi.int/news?a=1&b="2"'))
    assert '<a href="https://www.icc-cpi.int/news?a=1&amp;b=&quot;2&quot;">' in body
    assert '<a href="https://news.example.org/a?b=1&amp;c=2">' in body


def test_highlights_land_on_the_matched_words_in_both_parts() -> None:
    alert = make_alert()
    assert "Prosecutor <mark>Karim Khan</mark> met the <mark>IOM</mark> panel" in html_body(alert)
    assert "Prosecutor *Karim Khan* met the *IOM* panel" in plain_body(alert)


def test_highlight_inside_escaped_text() -> None:
    alert = make_alert(excerpt="a <b>Khan</b> c", highlights=((5, 9),))
    assert "a &lt;b&gt;<mark>Khan</mark>&lt;/b&gt; c" in html_body(alert)
    assert "a <b>*Khan*</b> c" in plain_body(alert)


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ((), [("abcdef", False)]),
        (((0, 2),), [("ab", True), ("cdef", False)]),
        (((4, 6), (0, 1)), [("a", True), ("bcd", False), ("ef", True)]),
        (((1, 3), (2, 5)), [("a", False), ("bcde", True), ("f", False)]),  # overlap merged
        (((3, 3), (5, 2)), [("abcdef", False)]),  # empty and reversed ignored
        (((-4, 1), (5, 99)), [("a", True), ("bcde", False), ("f", True)]),  # clipped
    ],
)
def test_highlight_segments(
    spans: tuple[tuple[int, int], ...], expected: list[tuple[str, bool]]
) -> None:
    assert highlight_segments("abcdef", spans) == expected


def test_plain_body_has_title_url_and_also_seen() -> None:
    text = plain_body(make_alert())
    assert "Karim Khan, IOM · New item · ICC press releases" in text
    assert "Statement of the Prosecutor\nhttps://www.icc-cpi.int/news/statement\n" in text
    assert "Also seen:\n- Other outlet: https://news.example.org/a?b=1&c=2" in text
    assert "alert a1b2c3d4e5" in text


# --- the email message --------------------------------------------------------------------

EMAIL = EmailSettings(
    name="desk email",
    smtp="smtp://mail.example.org",
    sender="Watcher <watcher@example.org>",
    to=("desk@example.org", "night@example.org"),
    username="watcher",
    password=Secret("hunter2-password"),
)


def test_build_message_is_multipart_alternative_with_stable_headers() -> None:
    now = datetime(2026, 11, 29, 14, 1, tzinfo=UTC)
    message = build_message(make_alert(), EMAIL, now=now)
    parsed = message_from_bytes(message.as_bytes(), policy=email_policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in parsed.iter_parts()]
    assert types == ["text/plain", "text/html"]
    assert parsed["Subject"] == "[watcher] Karim Khan, IOM: Statement of the Prosecutor"
    assert parsed["To"] == "desk@example.org, night@example.org"
    assert parsed["Message-ID"] == "<watcher.a1b2c3d4e5@example.org>"
    assert parsed["X-Watcher-Alert-Id"] == "a1b2c3d4e5"
    assert parsed["Date"] == "Sun, 29 Nov 2026 14:01:00 +0000"
    again = build_message(make_alert(), EMAIL)
    assert again["Message-ID"] == message["Message-ID"]


@pytest.mark.parametrize(
    ("alert_id", "sender", "expected"),
    [
        ("abc-123_X", "w@example.org", "<watcher.abc-123_X@example.org>"),
        ("id with <angle>\n", "w@example.org", None),
        ("a" * 200, "nobody", None),
    ],
)
def test_message_id_is_stable_and_well_formed(
    alert_id: str, sender: str, expected: str | None
) -> None:
    value = message_id(alert_id, sender)
    assert value == message_id(alert_id, sender)
    assert re.fullmatch(r"<watcher\.[A-Za-z0-9_-]+@[A-Za-z0-9.-]+>", value)
    if expected is not None:
        assert value == expected


@pytest.mark.parametrize(
    ("url", "host", "port", "implicit"),
    [
        ("smtp://mail.example.org", "mail.example.org", 587, False),
        ("smtp://mail.example.org:25", "mail.example.org", 25, False),
        ("smtps://mail.example.org", "mail.example.org", 465, True),
        ("SMTPS://mail.example.org:2465/", "mail.example.org", 2465, True),
    ],
)
def test_parse_smtp_url(url: str, host: str, port: int, implicit: bool) -> None:
    server = parse_smtp_url(url)
    assert (server.host, server.port, server.implicit_tls) == (host, port, implicit)


@pytest.mark.parametrize(
    "url",
    ["http://mail.example.org", "smtp://", "smtp://u:p@mail.example.org", "smtp://h:99999"],
)
def test_bad_smtp_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        EmailNotifier(replace(EMAIL, smtp=url))


# --- notifier objects ---------------------------------------------------------------------

HOOK = WebhookSettings(
    name="hook",
    url="https://hooks.example.org/T000/B000/tokenXYZ?key=abc",
    secret=Secret("webhook-secret-value"),
    topics=("Karim Khan",),
)


def test_reprs_mask_secrets() -> None:
    hook = repr(WebhookNotifier(HOOK))
    assert hook == "WebhookNotifier(name='hook', url='https://hooks.example.org/…', signed=True)"
    mail = repr(EmailNotifier(EMAIL))
    assert "hunter2-password" not in mail
    assert "password='***'" in mail
    assert "smtp='smtp://mail.example.org'" in mail


def test_build_notifier_uses_the_registry() -> None:
    assert set(REGISTRY) == {EmailSettings, WebhookSettings, AppriseSettings}
    for settings in (EMAIL, HOOK):
        notifier = build_notifier(settings)
        assert type(notifier) is REGISTRY[type(settings)]
        assert notifier.name == settings.name


async def test_build_notifier_passes_the_webhook_transport() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    notifier = build_notifier(HOOK, webhook_transport=httpx.MockTransport(answer))
    try:
        await notifier.send(make_alert())
    finally:
        await notifier.aclose()
    [request] = seen
    assert request.method == "POST"
    assert str(request.url) == HOOK.url
    assert request.content == payload_bytes(make_alert())
    assert request.headers["X-Watcher-Signature"] == signature(
        request.content, "webhook-secret-value"
    )


@pytest.mark.parametrize("url", ["ftp://hooks.example.org/x", "https://", "hooks.example.org"])
def test_bad_webhook_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        build_notifier(replace(HOOK, url=url))


@pytest.mark.parametrize(
    ("topics", "alert_topics", "accepted"),
    [
        (None, ["Mokom"], True),
        (("Karim Khan",), ["Mokom", "Karim Khan"], True),
        (("Karim Khan",), ["Mokom"], False),
        (("Karim Khan",), [], False),
    ],
)
def test_accepts_alerts_sharing_a_topic(
    topics: tuple[str, ...] | None, alert_topics: list[str], accepted: bool
) -> None:
    notifier = WebhookNotifier(replace(HOOK, topics=topics, give_up_after=60.0))
    assert notifier.accepts(alert_topics) is accepted
    assert notifier.give_up_after == 60.0


NOW = datetime(2026, 11, 29, 14, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Sun, 29 Nov 2026 14:01:30 GMT", 90.0),
        ("Sun, 29 Nov 2026 13:00:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("-5", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


# --- chat neutralisation -----------------------------------------------------------------

ZWSP = "\u200b"


HOSTILE_CHAT: list[tuple[str, str | None]] = [
    ("hey @channel look", "@channel"),
    ("@here now", "@here"),
    ("ping @everyone", "@everyone"),
    ("<!channel> and <!here>", "<!"),
    ("<@U123ABC> said", "<@"),
    ("<#C024BE7LR|general>", "<#"),
    ("<https://evil.example.org|Click me>", "<https"),
    ("[Click me](https://evil.example.org)", "]("),
    ("[Click me] (https://evil.example.org)", "] ("),
    ("[Click me][1]", "]["),
    ("*bold* _it_ ~strike~ `code`", "*bold*"),
    ("*bold* _it_ ~strike~ `code`", "_it_"),
    ("*bold* _it_ ~strike~ `code`", "~strike~"),
    ("*bold* _it_ ~strike~ `code`", "`code`"),
    ("line\n> quoted line", None),  # None: only that no line opens on block syntax
    ("> quoted first line", None),
    ("# Heading", None),
    ("line\n- listed", None),
    ("  | table | row |", None),
    ("||spoiler||", "||"),
]
NEUTRALISERS = {"markdown": neutralise_chat, "text": neutralise_chat_text}


@pytest.mark.parametrize("form", list(NEUTRALISERS))
@pytest.mark.parametrize(("text", "forbidden"), HOSTILE_CHAT)
def test_neutralise_chat_defuses_mentions_links_and_markup(
    form: str, text: str, forbidden: str | None
) -> None:
    result = NEUTRALISERS[form](text)
    # An escaped bracket (Markdown) is no bracket to a renderer.
    assert forbidden is None or forbidden not in re.sub(r"\\[\[\]>]", "", result)
    assert not re.search(r"(?m)^[ \t]*[#>\-+=|\[]", result)


# What neutralising may do to the visible text: zero-width spaces, look-alikes of the
# markup characters no chat dialect can be trusted to escape, and (in Markdown) escapes.
_LOOKALIKES = {"\u29f5": "\\", "\u2217": "*", "\u02cd": "_", "\u02cb": "`", "\u223c": "~"}


def _restore(text: str, form: str) -> str:
    if form == "markdown":
        text = re.sub(r"\\([\[\]>])", r"\1", text)
    for lookalike, original in _LOOKALIKES.items():
        text = text.replace(lookalike, original)
    return text.replace(ZWSP, "")


@hypothesis_settings(deadline=None)  # the machine may be busy; correctness is what is tested
@pytest.mark.parametrize("form", list(NEUTRALISERS))
@given(
    text=st.text().filter(
        lambda value: ZWSP not in value and not any(c in value for c in _LOOKALIKES)
    )
)
def test_neutralise_chat_keeps_the_visible_text(form: str, text: str) -> None:
    result = NEUTRALISERS[form](text)
    assert _restore(result, form) == text
    assert not re.search(r"[@\uff20][\w!&#]", result)
    assert not re.search(r"[*_~`]|\|\|", result)
    if form == "markdown":
        assert not re.search(r"(?<!\\)[\[\]>]", result)  # brackets only escaped
        assert not re.search(r"\\[^\[\]>]", result)  # no other escape
    else:
        assert "\\" not in result  # plain text shows every backslash
        assert not re.search(r"\][ \t]*[(\[:]", result)


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("https://news.example.org/mokom?a=(1)", "https://news.example.org/mokom?a=%281%29"),
        ("https://medium.example.org/@here/post", "https://medium.example.org/%40here/post"),
        ("https://icc-cpi.int@evil.example/", None),  # user info disguises the host
        ("https://user:pw@news.example.org/", None),
        ("javascript:alert(1)", None),
        ("https://news.example.org/a b", None),
    ],
)
def test_chat_links_neither_ping_nor_disguise_their_host(url: str, target: str | None) -> None:
    assert link_target(url) == target
