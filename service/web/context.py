"""What the HTTP layer is given by the daemon: read access to the store and the rules loaded now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from service.history.near_misses import NearMissMemory
from service.rules.loader import LoadedRules
from service.store.recorder import EventStore


def _always_running() -> bool:
    return True


def _no_push(_source: str) -> None:
    """Without a daemon behind the web app, a verified WebSub ping has nothing to wake."""


@dataclass(frozen=True)
class WebContext:
    """What the HTTP layer may read: the daemon's store and its currently loaded rules."""

    store: EventStore  # service.store.recorder.EventStore, shared with the daemon
    rules: Callable[[], LoadedRules]  # returns the rules loaded now (changes on SIGHUP reload)
    started_at: datetime
    # Reports whether the daemon's scheduler is running; /readyz answers 503 when it is not.
    scheduler_running: Callable[[], bool] = _always_running
    # Bearer token for the subscriber routes; None turns those routes off.
    api_token: str | None = None
    # Where readers reach Vigil (VIGIL_PUBLIC_URL), for absolute links such as the Atom feed's own; None
    # gives relative links. Never the request's Host header: a client chooses that.
    public_url: str | None = None
    # Signs the head /api/head shows (VIGIL_HEAD_KEY), as the daemon's published ones are.
    head_key: str | None = None
    # Called with a source's name when its WebSub hub sends a verified ping: the daemon polls it at once.
    push_received: Callable[[str], None] = _no_push
    # The item pages' near misses worked out so far: a page asked again reads only the entries since.
    near_miss_memory: NearMissMemory = field(default_factory=NearMissMemory)
