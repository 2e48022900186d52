"""Delivery channels: one module per channel, one contract (Notifier), one explicit registry."""

from __future__ import annotations

import httpx

from watcher.errors import ConfigError
from watcher.models import AppriseSettings, EmailSettings, NotifierSettings, WebhookSettings
from watcher.notifiers.apprise_channel import AppriseNotifier
from watcher.notifiers.base import Notifier
from watcher.notifiers.mail import EmailNotifier
from watcher.notifiers.webhook import WebhookNotifier

__all__ = [
    "REGISTRY",
    "AppriseNotifier",
    "EmailNotifier",
    "Notifier",
    "WebhookNotifier",
    "build_notifier",
]

REGISTRY: dict[type[NotifierSettings], type[Notifier]] = {
    EmailSettings: EmailNotifier,
    WebhookSettings: WebhookNotifier,
    AppriseSettings: AppriseNotifier,
}


def build_notifier(
    settings: NotifierSettings,
    *,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    user_agent: str | None = None,
) -> Notifier:
    """The notifier for one [[notifiers]] table; raises ConfigError if it is invalid."""
    if type(settings) not in REGISTRY:
        raise ConfigError(f"no notifier for {type(settings).__name__}")
    # Each channel takes its own test/transport hooks, so construction is spelled out.
    if isinstance(settings, WebhookSettings):
        return WebhookNotifier(settings, transport=webhook_transport, user_agent=user_agent)
    if isinstance(settings, AppriseSettings):
        return AppriseNotifier(settings)
    return EmailNotifier(settings)
