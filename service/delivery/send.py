"""Send stage: the alert's title and body to the attempt's one URL, within the send timeout.

A sealed URL (``${VIGIL_SECRET_<id>}``) is unsealed here, the last moment before apprise needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from service.delivery.secret_urls import SealedSecretMissing, is_sealed, unseal
from service.delivery.sender import TargetResult
from service.delivery.stages import Attempt
from service.events.catalog import AlertRaised
from service.masking.log_filter import remember_secrets
from service.rules.models import SEVERITY_RANK
from service.store.recorder import EventStore

#: ``service.delivery.sender.send`` or a stand-in with its signature (urls, title, body, env=, timeout=, severity=).
Sender = Callable[..., list[TargetResult]]


@dataclass(frozen=True)
class SendStage:
    """Sends through ``sender``; the result, failed or not, goes on to be classified."""

    store: EventStore
    env: Mapping[str, str]
    sender: Sender
    timeout: float

    def __call__(self, attempt: Attempt) -> Attempt:
        """The attempt with the send's result (an attempt already decided, e.g. silenced, is not sent)."""
        if attempt.outcome is not None:
            return attempt
        title, body, severity = message(
            [AlertRaised.from_data(self.store.read_stream(f"alert:{d.alert_id}")[0].data) for d in attempt.sent]
        )
        url = attempt.delivery.url
        if is_sealed(url):  # only a sealed URL costs a read: most URLs are sent as recorded
            try:
                with self.store.reading() as conn:
                    [url] = unseal(conn, [url])
            except SealedSecretMissing as missing:
                result = TargetResult(attempt.delivery.target, False, str(missing), retryable=False)
                return replace(attempt, result=result)
            remember_secrets(apprise_urls=[url])  # the log's masking must know its pieces before apprise runs
        [result] = self.sender([url], title, body, env=self.env, timeout=self.timeout, severity=severity)
        return replace(attempt, result=result)


def message(alerts: list[AlertRaised]) -> tuple[str, str, str]:
    """The title, body and severity of one message carrying ``alerts``: an alert's own, or for a group,
    each alert's title and body in the order they were raised, at the highest severity among them."""
    if len(alerts) == 1:
        return alerts[0].title, alerts[0].body, alerts[0].severity
    ordered = sorted(alerts, key=lambda alert: alert.trigger_position)
    severity = max((alert.severity for alert in ordered), key=SEVERITY_RANK.__getitem__)
    title = f"{len(ordered)} alerts: {ordered[0].title} (+{len(ordered) - 1} more)"
    body = "\n\n".join(f"{number}. {alert.title}\n{alert.body}" for number, alert in enumerate(ordered, 1))
    return title, body, severity
