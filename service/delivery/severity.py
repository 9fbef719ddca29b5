"""An alert's severity on the channel: apprise's notify type, and for e-mail the priority headers.

Channels that colour or rank messages by apprise's notify type (Discord, Slack, Teams, ntfy, the JSON
webhook's ``type`` …) show a critical alert as a failure and a warning as a warning. E-mail has no notify
type, so a mail gets ``X-Priority``/``Importance`` (which mail clients flag) and ``X-Vigil-Severity``
(which filters can sort on).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from apprise import NotifyType

NOTIFY_TYPES = MappingProxyType(
    {"info": NotifyType.INFO, "warning": NotifyType.WARNING, "critical": NotifyType.FAILURE}
)
_MAIL_PRIORITY = MappingProxyType({"info": ("3", "normal"), "warning": ("2", "high"), "critical": ("1", "high")})


def notify_type(severity: str) -> NotifyType:
    """apprise's notify type for an alert of ``severity`` (info for anything unknown)."""
    return NOTIFY_TYPES.get(severity, NotifyType.INFO)


def mark_mail(plugin: Any, severity: str) -> None:
    """Give an e-mail plugin the priority headers of ``severity``; other plugins are left alone."""
    # Imported at the first send, not at start-up: it pulls in requests and urllib3 (~110 ms).
    from apprise.plugins.email.base import NotifyEmail

    if isinstance(plugin, NotifyEmail):
        priority, importance = _MAIL_PRIORITY.get(severity, _MAIL_PRIORITY["info"])
        plugin.headers.update({"X-Priority": priority, "Importance": importance, "X-Vigil-Severity": severity})
