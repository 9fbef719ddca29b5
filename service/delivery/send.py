"""Send stage: the alert's title and body to the attempt's one URL, within the send timeout.

A sealed URL (``${VIGIL_SECRET_<id>}``) is unsealed here, the last moment before apprise needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from service.delivery.secret_urls import SealedSecretMissing, unseal
from service.delivery.sender import TargetResult
from service.delivery.stages import Attempt
from service.events.catalog import AlertRaised
from service.masking.log_filter import remember_secrets
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
        first = self.store.read_stream(f"alert:{attempt.delivery.alert_id}")[0]
        raised = AlertRaised.from_data(first.data)
        try:
            with self.store.reading() as conn:
                [url] = unseal(conn, [attempt.delivery.url])
        except SealedSecretMissing as missing:
            result = TargetResult(attempt.delivery.target, False, str(missing), retryable=False)
            return replace(attempt, result=result)
        if url != attempt.delivery.url:  # a sealed URL: the log's masking must know its pieces before apprise runs
            remember_secrets(apprise_urls=[url])
        [result] = self.sender([url], raised.title, raised.body, env=self.env, timeout=self.timeout,
                               severity=raised.severity)
        return replace(attempt, result=result)
