"""Publishing the log's head from the daemon: a log line, a file, and an apprise target, periodically.

A head only protects the log once it is kept where the database's holder cannot rewrite it: the log
output (shipped elsewhere), a file on another volume, a message to the operator. ``vigil verify --head``
takes any of them back (a log file or a file of heads as it is).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from service.delivery.sender import send
from service.rules.durations import parse_duration
from service.store.head import Head, current_head, signing_key
from service.store.recorder import EventStore

log = logging.getLogger("vigil.head")

DEFAULT_EVERY = timedelta(hours=1)


def _setting(env: Mapping[str, str], name: str) -> tuple[str, str | None]:
    """``VIGIL_HEAD_<name>``, or the ``VIGIL_DIGEST_<name>`` it was called before 2026-12-03; the variable
    read and its value."""
    for variable in (f"VIGIL_HEAD_{name}", f"VIGIL_DIGEST_{name}"):
        if env.get(variable):
            return variable, env[variable]
    return f"VIGIL_HEAD_{name}", None


@dataclass(frozen=True)
class HeadPublishing:
    """Where and how often the daemon publishes the log's head (``VIGIL_HEAD_*``)."""

    every: timedelta = DEFAULT_EVERY
    file: Path | None = None
    notify_url: str | None = field(default=None, repr=False)  # an apprise URL holds a token
    key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HeadPublishing:
        """VIGIL_HEAD_EVERY (a duration, 1h by default), VIGIL_HEAD_FILE, VIGIL_HEAD_NOTIFY (an apprise URL)
        and VIGIL_HEAD_KEY (signs each head), each also read as VIGIL_DIGEST_*; ValueError naming a bad value."""
        variable, every = _setting(env, "EVERY")
        try:
            period = parse_duration(every) if every else DEFAULT_EVERY
        except ValueError as error:
            raise ValueError(f"{variable}={every!r}: {error}") from None
        path = _setting(env, "FILE")[1]
        return cls(period, Path(path) if path else None, _setting(env, "NOTIFY")[1], signing_key(env))


def publish_head(store: EventStore, publishing: HeadPublishing, env: Mapping[str, str]) -> Head:
    """Take the head now and publish it everywhere configured; a failing target is logged, not raised."""
    head = current_head(store, publishing.key)
    log.info("log head %s", head.text(), extra={"position": head.position})
    if publishing.file is not None:
        try:
            with publishing.file.open("a", encoding="utf-8") as out:
                out.write(head.text() + "\n")
        except OSError as error:
            log.warning("cannot append the head to %s: %s", publishing.file, error.strerror or error)
    if publishing.notify_url is not None:
        for result in send([publishing.notify_url], "Vigil log head", head.text(), env=env):
            if not result.ok:
                log.warning("head not sent to %s: %s", result.target, result.error)
    return head
