"""Publishing the log's digest from the daemon: a log line, a file, and an apprise target, periodically.

A digest only protects the log once it is kept where the database's holder cannot rewrite it: the log
output (shipped elsewhere), a file on another volume, a message to the operator. ``vigil verify --digest``
takes any of them back (a log file or a digest file as it is).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from service.delivery.sender import send
from service.rules.durations import parse_duration
from service.store.digest import KEY_VARIABLE, Digest, head_digest
from service.store.recorder import EventStore

log = logging.getLogger("vigil.digest")

DEFAULT_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class DigestPublishing:
    """Where and how often the daemon publishes the digest (``VIGIL_DIGEST_*``)."""

    every: timedelta = DEFAULT_EVERY
    file: Path | None = None
    notify_url: str | None = field(default=None, repr=False)  # an apprise URL holds a token
    key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DigestPublishing:
        """VIGIL_DIGEST_EVERY (a duration, 1h by default), VIGIL_DIGEST_FILE, VIGIL_DIGEST_NOTIFY (an
        apprise URL) and VIGIL_DIGEST_KEY (signs each digest); ValueError naming a bad value."""
        every = env.get("VIGIL_DIGEST_EVERY")
        try:
            period = parse_duration(every) if every else DEFAULT_EVERY
        except ValueError as error:
            raise ValueError(f"VIGIL_DIGEST_EVERY={every!r}: {error}") from None
        path = env.get("VIGIL_DIGEST_FILE")
        return cls(period, Path(path) if path else None, env.get("VIGIL_DIGEST_NOTIFY") or None,
                   env.get(KEY_VARIABLE) or None)


def publish_digest(store: EventStore, publishing: DigestPublishing, env: Mapping[str, str]) -> Digest:
    """Take the digest now and publish it everywhere configured; a failing target is logged, not raised."""
    digest = head_digest(store, publishing.key)
    log.info("log digest %s", digest.text(), extra={"position": digest.position})
    if publishing.file is not None:
        try:
            with publishing.file.open("a", encoding="utf-8") as out:
                out.write(digest.text() + "\n")
        except OSError as error:
            log.warning("cannot append the digest to %s: %s", publishing.file, error.strerror or error)
    if publishing.notify_url is not None:
        for result in send([publishing.notify_url], "Vigil log digest", digest.text(), env=env):
            if not result.ok:
                log.warning("digest not sent to %s: %s", result.target, result.error)
    return digest

