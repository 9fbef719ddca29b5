"""Sending one message to apprise URLs, one result per URL, with secrets kept out of every result.

Each URL gets its own ``apprise.Apprise`` so that each has its own outcome: apprise's overall status
for a group of URLs would hide which one failed. ``${VAR}`` references are expanded here, at send
time, so secrets live only in the environment. Results and errors name targets only in redacted form,
and error text taken from apprise's logs is scrubbed of every secret part of the URL.

apprise reports a reason for a failure only when its logger is enabled at WARNING or below: a daemon
that wants to silence apprise's own output should stop its propagation rather than raise its level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import apprise
from apprise.manager_plugins import NotificationManager

from service.delivery.severity import mark_mail, notify_type
from service.masking.apprise_urls import redact, scrub
from service.rules.env import UnsetVariableError, expand, unresolved

#: Seconds one URL may take in all (apprise's own connect/read timeouts apply within it).
DEFAULT_TIMEOUT = 60.0
_MAX_REASONS = 3  # the first few distinct log lines say why; the rest repeat it


@dataclass(frozen=True)
class TargetResult:
    """The outcome of sending to one URL; ``target`` is the URL redacted.

    ``retryable`` says whether trying again later may succeed. It is False only when the URL cannot work
    as written (an unset ``${VAR}``, a scheme apprise does not know, a URL its plugin refuses): nothing
    was sent, and nothing will be until the URL or the environment is fixed. A refused connection, an
    HTTP error or a timeout may pass, so those are retryable.
    """

    target: str
    ok: bool
    error: str | None = None
    retryable: bool = True


def send(urls: Sequence[str], title: str, body: str, *, env: Mapping[str, str],
         timeout: float = DEFAULT_TIMEOUT, severity: str = "info") -> list[TargetResult]:
    """Send ``title`` and ``body`` (plain text) to each URL; one ``TargetResult`` per URL, in order.

    ``env`` fills ``${VAR}`` references; ``severity`` (info, warning, critical) becomes apprise's notify
    type, and the priority of an e-mail (service/delivery/severity.py). A URL that cannot be expanded or
    that apprise cannot load is a failed result that may not be retried, and nothing is sent to it; "no
    service matched" and timeouts are (retryable) failures too. Never raises for a bad URL or a failed send.
    """
    return [_send_one(url, title, body, env, timeout, severity) for url in urls]


def check_url(url: str, env: Mapping[str, str] | None = None) -> str | None:
    """Why ``url`` is not a usable apprise URL (a one-line message, URL redacted), or None if it is.

    References ``env`` can fill are expanded and the full URL is checked. A URL with references that
    cannot be filled here (the variables are set where the daemon runs) is checked for a scheme
    apprise supports only.
    """
    env = env if env is not None else {}
    if unresolved(url, env):
        scheme = url.partition("://")[0].lower() if "://" in url else ""
        if scheme and scheme in NotificationManager():
            return None
        return f"invalid apprise URL: {redact(url)} ({_unsupported(scheme)})"
    expanded = expand(url, env)
    _, problem = _load(expanded)
    return None if problem is None else f"invalid apprise URL: {redact(url)} ({problem})"


def _send_one(url: str, title: str, body: str, env: Mapping[str, str], timeout: float,
              severity: str = "info") -> TargetResult:
    target = redact(url)
    try:
        expanded = expand(url, env)
    except UnsetVariableError as error:  # the message names the variable, never a value
        return TargetResult(target, False, f"cannot expand {target}: {error}", retryable=False)
    if expanded != url:  # the URL as sent names its channel; ``${HOOK_URL}`` alone does not
        target = redact(expanded)
    plugin, problem = _load(expanded)
    if plugin is None:
        return TargetResult(target, False, f"invalid apprise URL: {target} ({problem})", retryable=False)
    mark_mail(plugin, severity)
    notifier = apprise.Apprise()
    notifier.add(plugin)
    try:
        result = notifier.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT, timeout=timeout,
                                 notify_type=notify_type(severity))
    except Exception as error:  # a plugin bug must become a failed result, not a crashed worker
        return TargetResult(target, False, scrub(f"{type(error).__name__}: {error}", expanded))
    with result:
        if result.status == apprise.AppriseResultStatus.SUCCESS and result.success_count > 0:
            return TargetResult(target, True)
        return TargetResult(target, False, scrub(_failure(result), expanded))


def _load(url: str) -> tuple[object | None, str | None]:
    """apprise's plugin for ``url`` and None, or None and why it could not be loaded."""
    try:
        # Without suppression apprise raises the plugin's own reason ("invalid Slack token") rather than
        # only logging it; its logger may be silenced, and capturing it would be process-wide.
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=False)
    except Exception as error:
        return None, scrub(str(error).strip().rstrip(".") or type(error).__name__, url)
    if plugin is not None:
        return plugin, None
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if not scheme or scheme not in NotificationManager():
        return None, _unsupported(scheme)
    return None, f"apprise cannot parse this {scheme}:// URL; check its format for the service"


def _unsupported(scheme: str) -> str:
    return f"unsupported scheme {scheme}://" if scheme else "no scheme:// found"


def _failure(result: apprise.AppriseResult) -> str:
    """A one-line reason for a result that is not a success."""
    status = result.status
    if status == apprise.AppriseResultStatus.NOMATCH:
        return "no apprise service matched: nothing was sent"
    reasons = list(dict.fromkeys(
        entry.message.strip() for entry in result.logs()
        if entry.level in ("WARNING", "ERROR", "CRITICAL") and entry.message.strip()
    ))[:_MAX_REASONS]
    label = "timed out" if status == apprise.AppriseResultStatus.TIMEOUT else "failed"
    services = ", ".join(dict.fromkeys(service.name for service in result)) or "apprise"
    return f"{services} {label}" + (f": {'; '.join(reasons)}" if reasons else f" (status {status.name})")
