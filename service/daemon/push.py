"""The daemon's side of WebSub: keeping ``websub: true`` sources subscribed to their hubs.

A hub needs a callback it can reach: ``VIGIL_WEBSUB_CALLBACK`` (the base URL the hub calls, e.g.
``https://vigil.example.org``) or else ``VIGIL_PUBLIC_URL``, and the daemon's HTTP server (``--http``)
behind it. Without them the sources are polled on schedule only, and the daemon says so once at start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from service.pipeline.wiring import Pipeline
from service.sources.websub_subscriptions import keep_subscribed

log = logging.getLogger("vigil.websub")

#: How often subscriptions are looked at (each is renewed or retried only when due).
CHECK_SECONDS = 60.0


@dataclass(frozen=True)
class PushSubscriptions:
    """Where hubs call back (None: nowhere they could), and the sources that want pings."""

    callback_base: str | None

    @staticmethod
    def websub_sources(pipeline: Pipeline) -> list[str]:
        """The sources whose rules ask for WebSub (feeds only)."""
        return sorted(name for name, spec in pipeline.loaded.rules.sources.items() if spec.websub)

    def usable(self, pipeline: Pipeline, serving_http: bool) -> bool:
        """Whether subscriptions can be kept; if sources want them and they cannot, say why (once a load)."""
        wanted = self.websub_sources(pipeline)
        if not wanted:
            return False
        missing = [what for what, ok in (("VIGIL_PUBLIC_URL (or VIGIL_WEBSUB_CALLBACK)", self.callback_base),
                                         ("--http", serving_http)) if not ok]
        if missing:
            log.warning("websub: %s ask for pings, but %s is not set: polling them on schedule only",
                        ", ".join(wanted), " and ".join(missing))
            return False
        return True

    def maintain(self, pipeline: Pipeline) -> None:
        """Subscribe, renew or retry each ``websub: true`` source whose subscription is due."""
        assert self.callback_base is not None
        for source in self.websub_sources(pipeline):
            spec = pipeline.loaded.rules.sources[source]
            done = keep_subscribed(
                pipeline.store, source, spec, callback_base=self.callback_base, client=pipeline.client,
                owner=pipeline.owner, now=datetime.now(UTC), timeout=pipeline.poll_settings.timeout,
                max_bytes=pipeline.poll_settings.max_bytes,
            )
            if done is not None:
                level = logging.INFO if done.startswith("subscription requested") else logging.WARNING
                log.log(level, "websub %s: %s", source, done, extra={"source": source})
